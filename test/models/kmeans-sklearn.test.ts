import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ManualClock, StreamingContext, StreamingKMeans, queueStream } from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';
import { gaussianBatches, maxDifference } from './kmeans-data.js';

const script = fileURLToPath(new URL('./python/kmeans_partial_fit.py', import.meta.url));

interface SklearnResult {
  sklearnVersion: string;
  centers: number[][];
  counts: number[];
  cost: number;
}

describe('StreamingKMeans against scikit-learn', () => {
  it('ends where MiniBatchKMeans.partial_fit ends on the same stream from the same centres', async () => {
    const k = 4;
    const d = 5;
    const sigma = 1;
    const random = new SeededRandom(2024);
    const truth = Array.from({ length: k }, () =>
      Array.from({ length: d }, () => 10 * random.nextGaussian()),
    );
    // Initial centres near the true ones, so every centre gets points from the first batch: then
    // Spark's dying-cluster split (which sklearn doesn't have) never fires, and the comparison
    // is of the update rule alone.
    const init = truth.map((center) => center.map((x) => x + 0.5 * random.nextGaussian()));
    const batches = gaussianBatches({
      centers: truth,
      sigma,
      batches: 25,
      batchSize: 200,
      seed: 77,
    });

    const directory = await mkdtemp(join(tmpdir(), 'millrace-sklearn-'));
    let reference: SklearnResult;
    try {
      const input = join(directory, 'stream.json');
      await writeFile(input, JSON.stringify({ init, batches }));
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, input], {
        maxBuffer: 16 * 1024 * 1024,
      });
      reference = JSON.parse(stdout) as SklearnResult;
    } finally {
      await rm(directory, { recursive: true, force: true });
    }

    const km = new StreamingKMeans({ k, decayFactor: 1 }).setInitialCenters(
      init,
      new Array<number>(k).fill(0),
    );
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    km.trainOn(queueStream(ssc, batches));
    ssc.start();
    await ssc.advance(batches.length);
    await ssc.stop();
    const model = km.latestModel();
    const points = batches.flat();
    const cost = model.computeCost(points);

    console.log(
      `k-means final cost over ${points.length} points: millrace ${cost}, ` +
        `scikit-learn ${reference.sklearnVersion} MiniBatchKMeans.partial_fit ${reference.cost}`,
    );
    // With decay 1 and initial weights 0, Spark's rule is sklearn's mini-batch rule (weights are
    // sklearn's per-centre counts; each centre moves to the mean of all its points so far), and
    // on clusters 10σ apart no point is near a boundary, so both assign identically. What is left
    // is float64 rounding in a different order: ~1e-15 relative per step over 25 batches. So the
    // tolerance is 1e-9 (relative cost) and 1e-9 (centres), not the 5% two unrelated
    // implementations would need.
    expect(model.clusterWeights).toEqual(Float64Array.from(reference.counts));
    expect(maxDifference(model.clusterCenters, reference.centers)).toBeLessThan(1e-9);
    expect(Math.abs(cost - reference.cost) / reference.cost).toBeLessThan(1e-9);
    // Both found the true clusters: the cost is close to its expectation n·d·σ² at the true
    // centres (relative standard deviation sqrt(2 / (n·d)) ≈ 0.9%, so 5% is over 5 of them).
    expect(Math.abs(cost / (points.length * d * sigma ** 2) - 1)).toBeLessThan(0.05);
  });
});
