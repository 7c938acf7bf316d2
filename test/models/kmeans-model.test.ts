import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureKernels,
  ConfigurationError,
  DataError,
  ModelFormatError,
  StreamingKMeansModel,
  Vectors,
  type Vector,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';
import { gaussianBatches, grandMean, maxDifference } from './kmeans-data.js';

// Results that follow from a closed form evaluated in a different order differ from the model's
// by a few ulps at most; 1e-12 on values of order 1..10 leaves room for that and nothing else.
const CLOSED_FORM_TOLERANCE = 1e-12;

describe('StreamingKMeansModel.update', () => {
  it("reproduces Spark's worked example exactly", () => {
    const model = new StreamingKMeansModel(
      [
        [0, 0],
        [10, 10],
      ],
      [2, 1],
    );
    const next = model.update(
      [
        [1, 1],
        [3, 3],
        [9, 9],
      ],
      0.5,
      'batches',
    );
    expect(Array.from(next.clusterWeights)).toEqual([3, 1.5]);
    const [c0, c1] = next.clusterCenters;
    for (const x of c0) expect(x).toBeCloseTo(4 / 3, 12);
    for (const x of c1) expect(x).toBeCloseTo(28 / 3, 12);
    expect(
      maxDifference(next.clusterCenters, [
        [4 / 3, 4 / 3],
        [28 / 3, 28 / 3],
      ]),
    ).toBeLessThan(CLOSED_FORM_TOLERANCE);
    // The model is immutable: the old one is unchanged.
    expect(Array.from(model.clusterWeights)).toEqual([2, 1]);
  });

  it("'points' discounts every weight by decay^n for a batch of n points", () => {
    const model = new StreamingKMeansModel(
      [
        [0, 0],
        [10, 10],
      ],
      [4, 2],
    );
    const batch = [
      [1, 0],
      [0, 2],
      [-1, 1],
    ];
    const next = model.update(batch, 0.9, 'points');
    const discount = 0.9 ** 3;
    const w0 = 4 * discount;
    // center' = (center * w_discounted + sum) / (w_discounted + m), with center (0, 0).
    const expected0 = [0 / (w0 + 3), 3 / (w0 + 3)];
    expect(next.clusterWeights[0]).toBeCloseTo(w0 + 3, 12);
    expect(next.clusterWeights[1]).toBeCloseTo(2 * discount, 12);
    expect(maxDifference(next.clusterCenters, [expected0, [10, 10]])).toBeLessThan(
      CLOSED_FORM_TOLERANCE,
    );
    // 'batches' discounts once per batch whatever its size.
    expect(model.update(batch, 0.9, 'batches').clusterWeights[1]).toBeCloseTo(2 * 0.9, 15);
  });

  it("an empty batch discounts in 'batches' mode and changes nothing in 'points' mode", () => {
    const model = new StreamingKMeansModel(
      [
        [1, 2],
        [3, 4],
      ],
      [8, 6],
    );
    const batches = model.update([], 0.5, 'batches');
    expect(Array.from(batches.clusterWeights)).toEqual([4, 3]);
    expect(batches.clusterCenters).toEqual(model.clusterCenters);
    const points = model.update([], 0.5, 'points');
    expect(points.toJSON()).toEqual(model.toJSON());
  });

  it('k = 1 with decay 1 ends at the grand mean of every point seen', () => {
    const data = gaussianBatches({
      centers: [[3, -2, 7]],
      sigma: 2,
      batches: 40,
      batchSize: 50,
      seed: 11,
    });
    let model = new StreamingKMeansModel([[0, 0, 0]], [0]);
    for (const batch of data) model = model.update(batch, 1, 'batches');
    // Each update is a weighted mean rounded a few times (relative 2^-53 each); 40 batches of
    // that on values of order 10 stay below 1e-13. 1e-10 is far from both that and the
    // ~0.1 gap to a last-batch mean, so it tests the rule, not the rounding.
    expect(maxDifference(model.clusterCenters, [grandMean(data)])).toBeLessThan(1e-10);
    expect(model.clusterWeights[0]).toBe(2000);
    expect(maxDifference(model.clusterCenters, [grandMean(data.slice(-1))])).toBeGreaterThan(0.01);
  });

  it('splits a dying cluster off the largest one, exactly as Spark', () => {
    let model = new StreamingKMeansModel(
      [
        [0, 0],
        [100, 100],
      ],
      [1, 1],
    );
    const data = gaussianBatches({
      centers: [[2, -3]],
      sigma: 1,
      batches: 40,
      batchSize: 10,
      seed: 5,
    });
    let splitAt = -1;
    for (let b = 0; b < data.length && splitAt < 0; b++) {
      const before = model;
      model = model.update(data[b], 0.5, 'batches');
      // Independent reference of one batch: every point goes to cluster 0 (the other centre is
      // at (100, 100) until the split), then the discount and the weighted mean.
      const [w0, w1] = before.clusterWeights;
      const discounted0 = w0 * 0.5;
      const discounted1 = w1 * 0.5;
      const sum = [0, 0];
      for (const p of data[b]) p.forEach((x, j) => (sum[j] += x));
      const weight0 = discounted0 + data[b].length;
      const center0 = before.clusterCenters[0].map((x, j) => (x * discounted0 + sum[j]) / weight0);
      if (discounted1 < 1e-8 * weight0) {
        splitAt = b;
        const weight = (weight0 + discounted1) / 2;
        expect(Array.from(model.clusterWeights)).toEqual([weight, weight]);
        const nudge = center0.map((x) => 1e-14 * Math.max(Math.abs(x), 1));
        // 1e-12 is the closed-form tolerance; the nudge (1e-14) is checked by the centres'
        // difference below, which the tolerance can't blur: it is exactly 2 * nudge.
        expect(
          maxDifference(model.clusterCenters, [
            center0.map((x, j) => x + nudge[j]),
            center0.map((x, j) => x - nudge[j]),
          ]),
        ).toBeLessThan(CLOSED_FORM_TOLERANCE);
        const [c0, c1] = model.clusterCenters;
        c0.forEach((x, j) => expect(x - c1[j]).toBeGreaterThan(0));
      } else {
        expect(model.clusterWeights[1]).toBe(discounted1);
        expect(model.clusterCenters[1]).toEqual(Float64Array.from([100, 100]));
      }
    }
    // w1 halves each batch from 1 while w0 settles near 20: 0.5^b < 2e-7 first at b = 23.
    expect(splitAt).toBe(22);
    // Afterwards the two halves share the data and pull apart: finite, distinct, near the data.
    for (const batch of data.slice(splitAt + 1)) model = model.update(batch, 0.5, 'batches');
    const [c0, c1] = model.clusterCenters;
    for (const x of [...c0, ...c1]) expect(Number.isFinite(x)).toBe(true);
    expect(Math.hypot(c0[0] - c1[0], c0[1] - c1[1])).toBeGreaterThan(0.1);
    for (const c of [c0, c1]) expect(Math.hypot(c[0] - 2, c[1] + 3)).toBeLessThan(2);
  });

  it('splits only one pair per batch: the first lightest off the first heaviest', () => {
    const model = new StreamingKMeansModel(
      [
        [1, -2],
        [5, 5],
        [7, 7],
      ],
      [100, 0, 0],
    );
    const next = model.update([], 1, 'batches');
    expect(Array.from(next.clusterWeights)).toEqual([50, 50, 0]);
    const [c0, c1, c2] = next.clusterCenters;
    expect(Array.from(c0)).toEqual([1 + 1e-14, -2 + 2e-14]);
    expect(Array.from(c1)).toEqual([1 - 1e-14, -2 - 2e-14]);
    expect(Array.from(c2)).toEqual([7, 7]);
  });

  it('rejects bad decay settings and bad points, leaving the model as it was', () => {
    const model = new StreamingKMeansModel([[0, 0]], [1]);
    expect(() => model.update([[1, 1]], -0.5, 'batches')).toThrow(ConfigurationError);
    expect(() => model.update([[1, 1]], 1, 'seconds' as 'batches')).toThrow(/timeUnit/);
    expect(() =>
      model.update(
        [
          [1, 1],
          [1, Number.NaN],
        ],
        1,
        'batches',
      ),
    ).toThrow(DataError);
    expect(() => model.update([[1, 1, 1]], 1, 'batches')).toThrow(/dimension 2/);
    expect(Array.from(model.clusterWeights)).toEqual([1]);
  });
});

describe('StreamingKMeansModel.updateInParallel', () => {
  /** Three partitions of 20-dimensional points around four centres (d >= 16: rows copied by set()). */
  function partitionedBatch(seed: number): number[][][] {
    const random = new SeededRandom(seed);
    const centers = Array.from({ length: 4 }, (_, c) =>
      Array.from({ length: 20 }, () => 6 * c + random.nextGaussian()),
    );
    return gaussianBatches({ centers, sigma: 1, batches: 3, batchSize: 1500, seed });
  }

  /** Spark's rule written plainly: brute-force nearest centre, discount, weighted means. */
  function referenceUpdate(
    centers: number[][],
    weights: number[],
    points: number[][],
    decay: number,
  ): { centers: number[][]; weights: number[] } {
    const sums = centers.map((center) => center.map(() => 0));
    const counts = centers.map(() => 0);
    for (const point of points) {
      const distances = centers.map((center) =>
        center.reduce((sum, x, j) => sum + (point[j] - x) ** 2, 0),
      );
      const best = distances.indexOf(Math.min(...distances));
      counts[best]++;
      point.forEach((x, j) => (sums[best][j] += x));
    }
    const next = centers.map((center, c) => {
      const weight = weights[c] * decay + counts[c];
      const lambda = counts[c] / Math.max(weight, 1e-16);
      return counts[c] === 0
        ? center
        : center.map((x, j) => (1 - lambda) * x + (lambda / counts[c]) * sums[c][j]);
    });
    return { centers: next, weights: weights.map((w, c) => w * decay + counts[c]) };
  }

  it('gives the same model, bit for bit, on worker threads as update on the calling thread', async () => {
    const defaults = await configureKernels({});
    try {
      await configureKernels({ threads: 1, minParallelWork: 0 });
      const batch = partitionedBatch(21);
      const random = new SeededRandom(22);
      const initial = Array.from({ length: 4 }, () =>
        Array.from({ length: 20 }, () => 10 * random.nextDouble()),
      );
      const model = new StreamingKMeansModel(initial, [5, 5, 5, 5]);
      const noReject = (record: unknown, reason: string) => {
        throw new Error(`unexpected reject: ${reason}`);
      };
      const here = model.updateWithPartitions(batch, 0.9, 'batches', noReject);
      const threaded = await model.updateInParallel(batch, 0.9, 'batches', noReject);
      expect(threaded.toJSON()).toEqual(here.toJSON());
      // And both follow Spark's rule: the kernels add sums per 256-row block, the reference in
      // order, so they differ by rounding only (~1e-16 relative on sums of 4,500 values of
      // order 20, well under 1e-12 on the means).
      const reference = referenceUpdate(initial, [5, 5, 5, 5], batch.flat(), 0.9);
      expect(maxDifference(here.clusterCenters, reference.centers)).toBeLessThan(
        CLOSED_FORM_TOLERANCE,
      );
      expect(Array.from(here.clusterWeights)).toEqual(reference.weights);
    } finally {
      await configureKernels(defaults);
    }
  });

  it('assigns a large batch exactly as the point-by-point brute force', () => {
    const points = partitionedBatch(23).flat();
    const model = new StreamingKMeansModel(points.slice(0, 4), [1, 1, 1, 1]);
    const { kept, clusters, squaredDistances } = model.assign(points, () => {}, {
      withDistances: true,
    });
    expect(kept.length).toBe(points.length);
    const centers = model.clusterCenters;
    points.forEach((point, i) => {
      const distances = centers.map((center) =>
        point.reduce((sum, x, j) => sum + (x - center[j]) ** 2, 0),
      );
      const best = distances.indexOf(Math.min(...distances));
      expect(clusters[i]).toBe(best);
      // Lane-wise summation vs in order: relative rounding ~1e-15 on distances of order 100.
      expect(Math.abs(squaredDistances![i] - distances[best])).toBeLessThan(
        1e-12 * distances[best] + 1e-300,
      );
    });
  });
});

describe('StreamingKMeansModel predictions', () => {
  const model = new StreamingKMeansModel(
    [
      [0, 0],
      [10, 10],
      [0, 10],
    ],
    [1, 1, 1],
  );

  it('predicts the nearest centre, ties to the lowest index', () => {
    expect(model.predict([9, 8])).toBe(1);
    expect(model.predict(Vectors.dense([1, 9]))).toBe(2);
    expect(model.predict([5, 5])).toBe(0); // equidistant from all three
    expect(model.predict([5, 10])).toBe(1); // equidistant from 1 and 2
    expect(model.predict(Vectors.sparse(2, [1], [6]))).toBe(2);
  });

  it('computeCost is the sum of squared distances to the nearest centres', () => {
    // (1,1) -> 0 at 2; (10,12) -> 1 at 4; (-1,10) -> 2 at 1.
    expect(model.computeCost([[1, 1], [10, 12], Vectors.sparse(2, [0, 1], [-1, 10])])).toBe(7);
    expect(() => model.computeCost([[1, Infinity]])).toThrow(DataError);
  });

  it('validates centres and weights', () => {
    expect(() => new StreamingKMeansModel([], [])).toThrow(ConfigurationError);
    expect(() => new StreamingKMeansModel([[0, 0]], [1, 2])).toThrow(/one weight per centre/);
    expect(() => new StreamingKMeansModel([[0, 0]], [-1])).toThrow(/weight 0/);
    expect(() => new StreamingKMeansModel([[0, 0], [1]], [1, 1])).toThrow(/dimension 2/);
    expect(() => new StreamingKMeansModel([[0, Number.NaN]], [1])).toThrow(/non-finite/);
  });
});

describe('StreamingKMeansModel with sparse input', () => {
  it('gives the same model as the same data given dense', () => {
    const random = new SeededRandom(3);
    const d = 30;
    const sparseBatches: Vector[][] = [];
    const denseBatches: number[][][] = [];
    for (let b = 0; b < 10; b++) {
      const sparse: Vector[] = [];
      const dense: number[][] = [];
      for (let i = 0; i < 100; i++) {
        const indices: number[] = [];
        const values: number[] = [];
        for (let j = 0; j < d; j++) {
          if (random.nextDouble() < 0.1) {
            indices.push(j);
            values.push(5 * random.nextGaussian() + (i % 3) * 4);
          }
        }
        sparse.push(Vectors.sparse(d, indices, values));
        const row = new Array<number>(d).fill(0);
        indices.forEach((j, p) => (row[j] = values[p]));
        dense.push(row);
      }
      sparseBatches.push(sparse);
      denseBatches.push(dense);
    }
    const initial = Array.from({ length: 3 }, () =>
      Array.from({ length: d }, () => random.nextGaussian()),
    );
    let fromSparse = new StreamingKMeansModel(initial, [0, 0, 0]);
    let fromDense = fromSparse;
    for (let b = 0; b < sparseBatches.length; b++) {
      fromSparse = fromSparse.update(sparseBatches[b], 0.8, 'batches');
      fromDense = fromDense.update(denseBatches[b], 0.8, 'batches');
    }
    expect(maxDifference(fromSparse.clusterCenters, fromDense.clusterCenters)).toBeLessThan(
      CLOSED_FORM_TOLERANCE,
    );
    expect(maxDifference([fromSparse.clusterWeights], [fromDense.clusterWeights])).toBeLessThan(
      CLOSED_FORM_TOLERANCE,
    );
    // The data moved the centres: the comparison is not between two untouched models.
    expect(maxDifference(fromSparse.clusterCenters, initial)).toBeGreaterThan(0.5);
  });
});

describe('StreamingKMeansModel persistence', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'millrace-kmeans-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const data = gaussianBatches({
    centers: [
      [0, 0, 0],
      [4, 4, 4],
    ],
    sigma: 1.5,
    batches: 3,
    batchSize: 100,
    seed: 9,
  });
  let model = new StreamingKMeansModel(
    [
      [0.1, 0.3, -0.2],
      [1, 1, 1],
    ],
    [0, 0],
  );
  for (const batch of data) model = model.update(batch, 0.7, 'batches');
  const probes = data.flat();

  it('round-trips through JSON text with identical centres and predictions', () => {
    const copy = StreamingKMeansModel.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(copy.clusterCenters).toEqual(model.clusterCenters);
    expect(copy.clusterWeights).toEqual(model.clusterWeights);
    expect(probes.map((p) => copy.predict(p))).toEqual(probes.map((p) => model.predict(p)));
    expect(new Set(probes.map((p) => model.predict(p))).size).toBe(2);
  });

  it('refuses an unknown format version, another kind, or malformed content', () => {
    const json = JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
    expect(() => StreamingKMeansModel.fromJSON({ ...json, version: 99 })).toThrow(ModelFormatError);
    expect(() => StreamingKMeansModel.fromJSON({ ...json, version: 99 })).toThrow(/version 99/);
    expect(() => StreamingKMeansModel.fromJSON({ ...json, kind: 'Other' })).toThrow(
      ModelFormatError,
    );
    expect(() => StreamingKMeansModel.fromJSON({ ...json, clusterWeights: [1] })).toThrow(
      ModelFormatError,
    );
    expect(() => StreamingKMeansModel.fromJSON({ ...json, k: 3 })).toThrow(/k = 3/);
    expect(() => StreamingKMeansModel.fromJSON('nope')).toThrow(ModelFormatError);
  });

  it('saves to and loads from a real file', async () => {
    const path = join(directory, 'nested', 'model.json');
    await model.save(path);
    const loaded = await StreamingKMeansModel.load(path);
    expect(loaded.toJSON()).toEqual(model.toJSON());
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as { version: number; kind: string };
    expect(onDisk).toMatchObject({ kind: 'StreamingKMeansModel', version: 1 });
    await writeFile(path, JSON.stringify({ ...onDisk, version: 2 }));
    await expect(StreamingKMeansModel.load(path)).rejects.toThrow(ModelFormatError);
  });
});
