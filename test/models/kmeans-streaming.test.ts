import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ManualClock,
  ModelFormatError,
  StateError,
  StreamingContext,
  StreamingKMeans,
  StreamingKMeansModel,
  Vectors,
  queueStream,
  type DeadLetter,
  type KMeansScore,
  type VectorLike,
} from '../../src/index.js';
import { gaussianBatches, grandMean, maxDifference } from './kmeans-data.js';

function manualContext(): StreamingContext {
  return new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
}

/** Collects a stream's batches, one array per batch. */
function collect<T>(stream: { foreachBatch(fn: (items: readonly T[]) => void): void }): T[][] {
  const batches: T[][] = [];
  stream.foreachBatch((items) => {
    batches.push([...items]);
  });
  return batches;
}

/** Trains a fresh k-means on `batches` through a ManualClock context; returns the model. */
async function train(km: StreamingKMeans, batches: readonly (readonly VectorLike[])[]) {
  const ssc = manualContext();
  km.trainOn(queueStream(ssc, batches));
  ssc.start();
  await ssc.advance(batches.length);
  await ssc.stop();
  return km.latestModel();
}

describe('StreamingKMeans.trainOn', () => {
  it("reproduces Spark's worked example through a stream", async () => {
    const km = new StreamingKMeans({ k: 2, decayFactor: 0.5 }).setInitialCenters(
      [
        [0, 0],
        [10, 10],
      ],
      [2, 1],
    );
    const model = await train(km, [
      [
        [1, 1],
        [3, 3],
        [9, 9],
      ],
    ]);
    expect(Array.from(model.clusterWeights)).toEqual([3, 1.5]);
    // Closed form 4/3 and 28/3; 1e-12 leaves room for rounding only.
    expect(
      maxDifference(model.clusterCenters, [
        [4 / 3, 4 / 3],
        [28 / 3, 28 / 3],
      ]),
    ).toBeLessThan(1e-12);
  });

  it('k = 1 with decay 1 ends at the grand mean of all points seen', async () => {
    const data = gaussianBatches({
      centers: [[-4, 1, 9, 0.5]],
      sigma: 3,
      batches: 30,
      batchSize: 60,
      seed: 17,
    });
    const km = new StreamingKMeans({ k: 1, decayFactor: 1 }).setInitialCenters([[0, 0, 0, 0]], [0]);
    const model = await train(km, data);
    // Spark's suite allows 1e-5; the recursive weighted mean is exact up to a few roundings per
    // batch (~1e-15 relative each, 30 batches, values of order 10), so 1e-10 is ample and still
    // far below the sampling noise (~0.1) that a wrong rule would leave.
    expect(maxDifference(model.clusterCenters, [grandMean(data)])).toBeLessThan(1e-10);
  });

  it('recovers two well-separated clusters from random centres', async () => {
    const truth = [
      [-6, 4, 0],
      [5, -3, 2],
    ];
    const data = gaussianBatches({
      centers: truth,
      sigma: 0.5,
      batches: 20,
      batchSize: 100,
      seed: 3,
    });
    const km = new StreamingKMeans({ k: 2, decayFactor: 1 }).setRandomCenters(3, 0, 42);
    const model = await train(km, data);
    const centers = model.clusterCenters;
    const order = model.predict(truth[0]) === 0 ? [0, 1] : [1, 0];
    // ~1000 points per cluster with sigma 0.5: the mean's standard error is ~0.016 per coordinate,
    // so 0.1 is over 6 standard errors.
    expect(maxDifference([centers[order[0]], centers[order[1]]], truth)).toBeLessThan(0.1);
    expect(model.predict(truth[1])).toBe(order[1]);
  });

  it('discounts every cluster on every batch, empty ones included', async () => {
    const km = new StreamingKMeans({ k: 2, decayFactor: 0.5 }).setInitialCenters(
      [
        [0, 0],
        [50, 50],
      ],
      [4, 8],
    );
    const ssc = manualContext();
    km.trainOn(queueStream(ssc, [[], [[0, 1]], []]));
    ssc.start();
    await ssc.advance(1);
    expect(Array.from(km.latestModel().clusterWeights)).toEqual([2, 4]);
    await ssc.advance(2);
    // Batch 2: [1 + 1, 2]; batch 3 (empty): [1, 1], no split (1 is not below 1e-8 of 1).
    expect(Array.from(km.latestModel().clusterWeights)).toEqual([1, 1]);
    await ssc.stop();
  });

  it('handles a batch held in several partitions like the same points in one', async () => {
    const data = gaussianBatches({
      centers: [
        [0, 0],
        [9, 9],
      ],
      sigma: 2,
      batches: 6,
      batchSize: 40,
      seed: 8,
    });
    const initial = () =>
      new StreamingKMeans({ k: 2, decayFactor: 0.9 }).setInitialCenters(
        [
          [1, 1],
          [2, 2],
        ],
        [0, 0],
      );
    const single = await train(initial(), data);
    const km = initial();
    const ssc = manualContext();
    // oneAtATime: false takes every queued batch as one partition of a single batch.
    const stream = queueStream<VectorLike>(ssc, [], { oneAtATime: false });
    km.trainOn(stream);
    ssc.start();
    for (const batch of data) {
      stream.push(batch.slice(0, 15), batch.slice(15));
      await ssc.advance(1);
    }
    await ssc.stop();
    // Same points, sums grouped per partition: differences of a few ulps at most.
    expect(maxDifference(km.latestModel().clusterCenters, single.clusterCenters)).toBeLessThan(
      1e-12,
    );
    expect(km.latestModel().clusterWeights).toEqual(single.clusterWeights);
  });
});

describe("StreamingKMeans under the 'replay' clock", () => {
  it('runs a stream to its end back to back and trains exactly as batch by batch', async () => {
    const data = gaussianBatches({
      centers: [
        [1, 1],
        [-4, 6],
      ],
      sigma: 1,
      batches: 12,
      batchSize: 50,
      seed: 30,
    });
    const initial = () => new StreamingKMeans({ k: 2, decayFactor: 0.8 }).setRandomCenters(2, 0, 1);
    const expected = await train(initial(), data);
    const km = initial();
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    km.trainOn(queueStream(ssc, data));
    const predicted = collect<number>(km.predictOn(queueStream(ssc, data)));
    ssc.start();
    await ssc.awaitTermination();
    expect(km.latestModel().toJSON()).toEqual(expected.toJSON());
    expect(predicted.length).toBeGreaterThanOrEqual(data.length);
    expect(predicted[data.length - 1]).toEqual(data.at(-1)!.map((p) => expected.predict(p)));
  });
});

describe('StreamingKMeans settings', () => {
  it('half-life h gives decay 0.5^(1/h): weights halve after h empty batches', async () => {
    const km = new StreamingKMeans({ k: 1 })
      .setHalfLife(4, 'batches')
      .setInitialCenters([[1]], [10]);
    expect(km.decayFactor).toBeCloseTo(0.5 ** (1 / 4), 15);
    expect(km.timeUnit).toBe('batches');
    const model = await train(km, [[], [], [], []]);
    // Four multiplications by 0.5^(1/4), each rounded: within 1e-14 of exactly 5.
    expect(model.clusterWeights[0]).toBeCloseTo(5, 14);
    expect(new StreamingKMeans().setHalfLife(100, 'points').timeUnit).toBe('points');
  });

  it('validates settings in one place, from options and setters alike', () => {
    expect(() => new StreamingKMeans({ k: 0 })).toThrow(ConfigurationError);
    expect(() => new StreamingKMeans().setK(2.5)).toThrow(/k must be a whole number/);
    expect(() => new StreamingKMeans({ decayFactor: -1 })).toThrow(/decayFactor/);
    expect(() => new StreamingKMeans().setDecayFactor(Number.NaN)).toThrow(/decayFactor/);
    expect(() => new StreamingKMeans().setHalfLife(2, 'seconds' as 'batches')).toThrow(
      /'batches' or 'points'/,
    );
    expect(() => new StreamingKMeans().setHalfLife(0, 'batches')).toThrow(/halfLife/);
    expect(() => new StreamingKMeans({ timeUnit: 'hours' as 'points' })).toThrow(
      ConfigurationError,
    );
    expect(() => new StreamingKMeans({ k: 3 }).setInitialCenters([[0], [1]], [1, 1])).toThrow(
      /setK\(2\)/,
    );
    expect(() => new StreamingKMeans().setInitialCenters([[0], [1]], [1])).toThrow(
      /one weight per centre/,
    );
    expect(() => new StreamingKMeans().setRandomCenters(0, 1, 1)).toThrow(/dim/);
    expect(() => new StreamingKMeans().setRandomCenters(2, -1, 1)).toThrow(/weight/);
    expect(() => new StreamingKMeans().setRandomCenters(2, 0, 1).setK(3)).toThrow(/set k before/);
    // Options and setters give the same settings.
    const a = new StreamingKMeans({ k: 4, decayFactor: 0.3, timeUnit: 'points' });
    const b = new StreamingKMeans()
      .setK(4)
      .setDecayFactor(0.3)
      .setHalfLife(1, 'points')
      .setDecayFactor(0.3);
    expect([a.k, a.decayFactor, a.timeUnit]).toEqual([b.k, b.decayFactor, b.timeUnit]);
    expect([new StreamingKMeans().k, new StreamingKMeans().decayFactor]).toEqual([2, 1]);
  });

  it('random centres are standard normal and repeat under the same seed', () => {
    const first = new StreamingKMeans({ k: 3 }).setRandomCenters(4, 2.5, 99).latestModel();
    const again = new StreamingKMeans({ k: 3 }).setRandomCenters(4, 2.5, 99).latestModel();
    const other = new StreamingKMeans({ k: 3 }).setRandomCenters(4, 2.5, 100).latestModel();
    expect(again.clusterCenters).toEqual(first.clusterCenters);
    expect(other.clusterCenters).not.toEqual(first.clusterCenters);
    expect(Array.from(first.clusterWeights)).toEqual([2.5, 2.5, 2.5]);
    // 2000 draws: mean within 0.15 and variance within 0.15 of N(0, 1)'s (over 4 standard errors).
    const draws = new StreamingKMeans({ k: 1 }).setRandomCenters(2000, 0, 5).latestModel()
      .clusterCenters[0];
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
  });

  it('needs initial centres before trainOn, predictOn or latestModel', () => {
    const ssc = manualContext();
    const stream = queueStream<VectorLike>(ssc, [[[1, 2]]]);
    const km = new StreamingKMeans();
    expect(() => km.trainOn(stream)).toThrow(StateError);
    expect(() => km.predictOn(stream)).toThrow(/setRandomCenters/);
    expect(() => km.scoreOn(stream)).toThrow(StateError);
    expect(() => km.latestModel()).toThrow(StateError);
  });
});

describe('StreamingKMeans predictions', () => {
  const initial = (): StreamingKMeans =>
    new StreamingKMeans({ k: 2, decayFactor: 1 }).setInitialCenters(
      [
        [0, 0],
        [10, 0],
      ],
      [1, 1],
    );

  it('predictOn, predictOnValues, scoreOn and scoreOnValues use the model current at the batch', async () => {
    const km = initial();
    const ssc = manualContext();
    km.trainOn(queueStream(ssc, [[[4, 0]], [[7, 0]]]));
    const probes = queueStream<VectorLike>(ssc, [
      [
        [4.5, 0],
        [6.5, 0],
      ],
      [[4.5, 0]],
    ]);
    const predictions = collect<number>(km.predictOn(probes));
    const scores = collect<KMeansScore>(km.scoreOn(probes));
    const keyed = queueStream<[string, VectorLike]>(ssc, [
      [
        ['a', [1, 1]],
        ['b', Vectors.sparse(2, [0], [9])],
      ],
    ]);
    const keyedPredictions = collect<[string, number]>(km.predictOnValues(keyed));
    const keyedScores = collect<[string, KMeansScore]>(km.scoreOnValues(keyed));
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    // Batch 1: training (registered first) moved centre 0 to (2, 0): 4.5 is 2.5 from it and
    // 5.5 from (10, 0); 6.5 is 3.5 from (10, 0). Batch 2: 7 went to centre 1, now (8.5, 0);
    // 4.5 is still nearest (2, 0).
    expect(predictions).toEqual([[0, 1], [0]]);
    expect(scores[0]).toEqual([
      { cluster: 0, distance: 2.5 },
      { cluster: 1, distance: 3.5 },
    ]);
    expect(scores[1]).toEqual([{ cluster: 0, distance: 2.5 }]);
    expect(keyedPredictions[0]).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(keyedScores[0][0][0]).toBe('a');
    expect(keyedScores[0][0][1].distance).toBeCloseTo(Math.hypot(1, 1), 15);
  });

  it('sends unusable records to dead letters, leaves them out, and leaves the model untouched', async () => {
    const good = [
      [1, 1],
      [9, 1],
    ];
    const bad: unknown[] = [
      [1, 2, 3],
      [Number.NaN, 0],
      [0, Infinity],
      'text',
      null,
      Vectors.sparse(5, [1], [1]),
    ];
    const reference = await train(initial(), [good]);

    const km = initial();
    const ssc = manualContext();
    km.trainOn(
      queueStream(ssc, [
        [bad[0], good[0], ...bad.slice(1, 3), good[1], ...bad.slice(3)] as VectorLike[],
      ]),
    );
    const predictions = collect<number>(
      km.predictOn(queueStream(ssc, [[bad[1], [9, 9], bad[3]] as VectorLike[]])),
    );
    const keyed = collect<[number, number]>(
      km.predictOnValues(
        queueStream(ssc, [[[1, bad[0]], 'not a pair', [2, [0, 0]]] as [number, VectorLike][]]),
      ),
    );
    const letters = collect<DeadLetter>(ssc.deadLetters());
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();

    expect(km.latestModel().toJSON()).toEqual(reference.toJSON());
    expect(predictions).toEqual([[1]]);
    expect(keyed).toEqual([[[2, 0]]]);
    const byStage = (suffix: string) =>
      letters[0].filter((letter) => letter.stage.endsWith(suffix));
    const trained = byStage('.trainOn');
    expect(trained.map((letter) => letter.record)).toEqual(bad);
    expect(trained.map((letter) => letter.reason)).toEqual([
      'expected a vector of dimension 2, got dimension 3',
      'non-finite value NaN at position 0',
      'non-finite value Infinity at position 1',
      expect.stringContaining('expected a vector'),
      expect.stringContaining('got null'),
      'expected a vector of dimension 2, got dimension 5',
    ]);
    expect(trained.every((letter) => letter.batchTime === letters[0][0].batchTime)).toBe(true);
    expect(byStage('.predictOn').map((letter) => letter.record)).toEqual([bad[1], bad[3]]);
    expect(byStage('.predictOnValues').map((letter) => [letter.record, letter.reason])).toEqual([
      ['not a pair', 'expected a [key, value] pair'],
      [[1, bad[0]], 'expected a vector of dimension 2, got dimension 3'],
    ]);
  });
});

describe('StreamingKMeans state and persistence', () => {
  it('keeps its model in the graph under its name, for checkpoints', async () => {
    const km = new StreamingKMeans({ k: 1, name: 'fraud' }).setInitialCenters([[0]], [0]);
    const ssc = manualContext();
    km.trainOn(queueStream(ssc, [[[2], [4]], [[6]]]));
    ssc.start();
    await ssc.advance(1);
    const state = ssc.graph.stateComponents.get('fraud');
    expect(state?.snapshotState()).toEqual(km.latestModel().toJSON());
    const snapshot = JSON.parse(JSON.stringify(state?.snapshotState())) as unknown;
    await ssc.advance(1);
    expect(km.latestModel().clusterCenters[0][0]).toBeCloseTo(4, 14);
    state?.restoreState(snapshot);
    expect(km.latestModel().clusterCenters[0][0]).toBe(3);
    expect(ssc.graph.outputs.map((output) => output.name)).toEqual(['fraud.trainOn']);
    await ssc.stop();
  });

  it('round-trips settings and model through JSON and files', async () => {
    const km = new StreamingKMeans({ k: 2, name: 'km' })
      .setHalfLife(3, 'points')
      .setRandomCenters(3, 1, 7);
    const copy = StreamingKMeans.fromJSON(JSON.parse(JSON.stringify(km)));
    expect([copy.k, copy.decayFactor, copy.timeUnit]).toEqual([2, km.decayFactor, 'points']);
    expect(copy.latestModel().toJSON()).toEqual(km.latestModel().toJSON());
    expect(copy.toJSON()).toEqual(km.toJSON());
    expect(() => StreamingKMeans.fromJSON({ ...km.toJSON(), version: 7 })).toThrow(
      ModelFormatError,
    );
    expect(() => StreamingKMeans.fromJSON({ ...km.toJSON(), k: -1 })).toThrow(ModelFormatError);
    expect(() => StreamingKMeans.fromJSON({ ...km.toJSON(), k: 3 })).toThrow(
      /malformed: got 2 initial centres but k = 3/,
    );
    const directory = await mkdtemp(join(tmpdir(), 'millrace-skm-'));
    try {
      await km.save(join(directory, 'km.json'));
      const loaded = await StreamingKMeans.load(join(directory, 'km.json'));
      expect(loaded.toJSON()).toEqual(km.toJSON());
      expect(loaded.latestModel()).toBeInstanceOf(StreamingKMeansModel);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
