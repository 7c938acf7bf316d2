import { describe, expect, it } from 'vitest';
import { configureKernels } from '../../src/index.js';
import type { PackedRows } from '../../src/models/kernels/pack.js';
import {
  LeastSquaresGradient,
  LogisticGradient,
  log1pExp,
} from '../../src/models/optim/gradient.js';
import { runMiniBatchSGD } from '../../src/models/optim/gradient-descent.js';
import { accumulateGradient, type LabeledRows } from '../../src/models/optim/gradient-sum.js';
import {
  L1Updater,
  SimpleUpdater,
  SquaredL2Updater,
  type Updater,
} from '../../src/models/optim/updater.js';
import { SeededRandom } from '../../src/models/random.js';
import { linearData, logisticData, type Point } from './linear-data.js';

// Tolerance: the reference below does the same arithmetic as Spark's rules with plain arrays, so
// results differ at most by float64 rounding (~1e-16 relative per operation over a few thousand
// operations); 1e-12 leaves room for that and nothing else.
const TOLERANCE = 1e-12;

type LossName = 'leastSquares' | 'logistic';
type UpdaterName = 'simple' | 'squaredL2' | 'l1';

interface ReferenceSettings {
  stepSize: number;
  numIterations: number;
  regParam: number;
  convergenceTol: number;
}

/**
 * An independent reference for one batch of Spark's gradient descent with miniBatchFraction 1:
 * written from spark-reference.md §2 with number[] and no shared code.
 */
function referenceDescent(
  points: readonly Point[],
  initial: readonly number[],
  loss: LossName,
  updater: UpdaterName,
  s: ReferenceSettings,
): { weights: number[]; iterations: number; losses: number[] } {
  let w = [...initial];
  const losses: number[] = [];
  const regValue = (v: number[]) =>
    updater === 'squaredL2'
      ? 0.5 * s.regParam * v.reduce((a, x) => a + x * x, 0)
      : updater === 'l1'
        ? s.regParam * v.reduce((a, x) => a + Math.abs(x), 0)
        : 0;
  let iterations = 0;
  for (let i = 1; i <= s.numIterations; i++) {
    iterations = i;
    const sum = w.map(() => 0);
    let lossSum = 0;
    for (const { label: y, features: x } of points) {
      const dot = x.reduce((a, xj, j) => a + xj * w[j], 0);
      let multiplier: number;
      if (loss === 'leastSquares') {
        multiplier = dot - y;
        lossSum += ((dot - y) * (dot - y)) / 2;
      } else {
        const margin = -dot;
        multiplier = 1 / (1 + Math.exp(margin)) - y;
        lossSum += y > 0 ? log1pExp(margin) : log1pExp(margin) - margin;
      }
      x.forEach((xj, j) => (sum[j] += multiplier * xj));
    }
    losses.push(lossSum / points.length + regValue(w));
    const g = sum.map((v) => v / points.length);
    const step = s.stepSize / Math.sqrt(i);
    const previous = w;
    if (updater === 'simple') w = w.map((wj, j) => wj - step * g[j]);
    else if (updater === 'squaredL2')
      w = w.map((wj, j) => wj * (1 - step * s.regParam) - step * g[j]);
    else {
      w = w.map((wj, j) => {
        const v = wj - step * g[j];
        return Math.sign(v) * Math.max(0, Math.abs(v) - step * s.regParam);
      });
    }
    const diff = Math.sqrt(previous.reduce((a, p, j) => a + (p - w[j]) ** 2, 0));
    const norm = Math.sqrt(w.reduce((a, v) => a + v * v, 0));
    if (i > 1 && diff < s.convergenceTol * Math.max(norm, 1)) break;
  }
  return { weights: w, iterations, losses };
}

function denseRows(points: readonly Point[]): LabeledRows {
  const d = points[0].features.length;
  const data = new Float64Array(points.length * d);
  points.forEach((p, i) => data.set(p.features, i * d));
  return {
    rows: { kind: 'dense', n: points.length, d, data },
    labels: Float64Array.from(points.map((p) => p.label)),
  };
}

/** CSR rows storing only the non-zero features. */
function sparseRows(points: readonly Point[]): LabeledRows {
  const d = points[0].features.length;
  const indptr = new Int32Array(points.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  points.forEach((p, i) => {
    p.features.forEach((x, j) => {
      if (x !== 0) {
        indices.push(j);
        values.push(x);
      }
    });
    indptr[i + 1] = indices.length;
  });
  const rows: PackedRows = {
    kind: 'sparse',
    n: points.length,
    d,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
  return { rows, labels: Float64Array.from(points.map((p) => p.label)) };
}

const updaters: Record<UpdaterName, Updater> = {
  simple: SimpleUpdater,
  squaredL2: SquaredL2Updater,
  l1: L1Updater,
};

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function dataFor(loss: LossName): Point[] {
  return loss === 'leastSquares'
    ? linearData([3, -2, 0.5], 200, 11, 0.3)
    : logisticData([1.5, -1, 0.25], 200, 12);
}

const settings = { stepSize: 0.7, numIterations: 20, regParam: 0.05, convergenceTol: 0 };

describe('runMiniBatchSGD with miniBatchFraction 1', () => {
  for (const loss of ['leastSquares', 'logistic'] as const) {
    for (const updater of ['simple', 'squaredL2', 'l1'] as const) {
      it(`${loss} × ${updater} equals the reference computation to 1e-12`, async () => {
        const points = dataFor(loss);
        const initial = [0.1, -0.2, 0.3];
        const expected = referenceDescent(points, initial, loss, updater, settings);
        const result = await runMiniBatchSGD(
          [denseRows(points)],
          loss === 'leastSquares' ? LeastSquaresGradient : LogisticGradient,
          updaters[updater],
          Float64Array.from(initial),
          { ...settings, miniBatchFraction: 1, seed: 42 },
        );
        expect(result.iterations).toBe(20);
        expect(maxDifference(result.weights, expected.weights)).toBeLessThan(TOLERANCE);
        expect(maxDifference(result.lossHistory, expected.losses)).toBeLessThan(TOLERANCE);
        // The run moved the weights: equality is not the trivial "nothing happened".
        expect(maxDifference(result.weights, initial)).toBeGreaterThan(0.05);
      });
    }
  }

  it('without a loss history, least squares switches to the Gram form and still equals the reference', async () => {
    // d = 3: the Gram form takes over after passesBeforeGram(3) = 3 passes, for 17 iterations.
    const points = dataFor('leastSquares');
    const initial = [0.1, -0.2, 0.3];
    for (const updater of ['simple', 'squaredL2', 'l1'] as const) {
      const expected = referenceDescent(points, initial, 'leastSquares', updater, settings);
      const split = [points.slice(0, 70), points.slice(70)].map(denseRows);
      const result = await runMiniBatchSGD(
        split,
        LeastSquaresGradient,
        updaters[updater],
        Float64Array.from(initial),
        { ...settings, miniBatchFraction: 1, seed: 42, computeLoss: false },
      );
      expect(result.iterations).toBe(20);
      expect(result.lossHistory).toEqual([]);
      expect(maxDifference(result.weights, expected.weights)).toBeLessThan(TOLERANCE);
    }
  });

  it('L1 soft-thresholding sets weak weights exactly to zero', async () => {
    // Feature 2 carries no signal; a strong L1 penalty must zero it while keeping feature 0.
    const points = linearData([2, 0, 0], 300, 5, 0.1);
    const result = await runMiniBatchSGD(
      [denseRows(points)],
      LeastSquaresGradient,
      L1Updater,
      new Float64Array(3),
      { ...settings, regParam: 0.3, numIterations: 50, miniBatchFraction: 1, seed: 42 },
    );
    expect(result.weights[0]).toBeGreaterThan(0.5);
    expect(result.weights[1]).toBe(0);
    expect(result.weights[2]).toBe(0);
  });

  it('stops at the first iteration that passes the convergence test (from the second on)', async () => {
    const points = linearData([1, 1, 1], 100, 3);
    const tolerant = { ...settings, convergenceTol: 0.5, numIterations: 50 };
    const expected = referenceDescent(points, [0, 0, 0], 'leastSquares', 'simple', tolerant);
    const result = await runMiniBatchSGD(
      [denseRows(points)],
      LeastSquaresGradient,
      SimpleUpdater,
      new Float64Array(3),
      { ...tolerant, miniBatchFraction: 1, seed: 42 },
    );
    expect(expected.iterations).toBeGreaterThan(1);
    expect(expected.iterations).toBeLessThan(50);
    expect(result.iterations).toBe(expected.iterations);
    expect(result.converged).toBe(true);
    expect(maxDifference(result.weights, expected.weights)).toBeLessThan(TOLERANCE);
  });

  it('sparse rows give the dense result to 1e-12', async () => {
    // Half the features are zero, so the CSR path really skips entries.
    const random = new SeededRandom(9);
    const points = Array.from({ length: 150 }, () => {
      const features = [0, 1, 2, 3, 4, 5].map((j) => (random.nextDouble() < 0.5 ? 0 : j - 2.5));
      return { label: random.nextDouble() < 0.5 ? 0 : 1, features };
    });
    for (const gradient of [LeastSquaresGradient, LogisticGradient]) {
      const run = async (batch: LabeledRows) =>
        (
          await runMiniBatchSGD([batch], gradient, SquaredL2Updater, new Float64Array(6), {
            ...settings,
            miniBatchFraction: 1,
            seed: 42,
          })
        ).weights;
      const sparse = sparseRows(points);
      expect(sparse.rows.kind === 'sparse' && sparse.rows.values.length).toBeLessThan(150 * 4);
      expect(maxDifference(await run(sparse), await run(denseRows(points)))).toBeLessThan(
        TOLERANCE,
      );
    }
  });

  it('partition sums merged equal one partition (up to the order of additions)', async () => {
    const points = linearData([1, -1], 120, 8);
    const run = async (parts: LabeledRows[]) =>
      (
        await runMiniBatchSGD(parts, LeastSquaresGradient, SimpleUpdater, new Float64Array(2), {
          ...settings,
          miniBatchFraction: 1,
          seed: 42,
        })
      ).weights;
    const split = [points.slice(0, 50), points.slice(50, 51), points.slice(51)].map(denseRows);
    expect(maxDifference(await run(split), await run([denseRows(points)]))).toBeLessThan(TOLERANCE);
  });
});

describe('runMiniBatchSGD on worker threads', () => {
  it('gives the same weights, bit for bit, as on the calling thread alone', async () => {
    // 3,000 rows of 40 features in two partitions: gradient jobs of 4·n·d = 240,000 operations,
    // split over the pool when minParallelWork is 0; with threads 0 nothing is split.
    const random = new SeededRandom(17);
    const truth = Array.from({ length: 40 }, () => random.nextGaussian());
    const points = linearData(truth, 3000, 18);
    const parts = [points.slice(0, 1700), points.slice(1700)].map(denseRows);
    const run = async () =>
      (
        await runMiniBatchSGD(parts, LeastSquaresGradient, SquaredL2Updater, new Float64Array(40), {
          ...settings,
          miniBatchFraction: 0.7,
          seed: 5,
        })
      ).weights;
    const defaults = await configureKernels({});
    try {
      await configureKernels({ threads: 0 });
      const alone = await run();
      await configureKernels({ threads: 1, minParallelWork: 0 });
      expect(Array.from(await run())).toEqual(Array.from(alone));
      expect(maxDifference(alone, new Float64Array(40))).toBeGreaterThan(0.1);
    } finally {
      await configureKernels(defaults);
    }
  });
});

describe('mini-batch sampling', () => {
  const points = linearData([1, 2], 2000, 21);
  const sgd = async (seed: number, fraction: number, parts = [denseRows(points)]) =>
    (
      await runMiniBatchSGD(parts, LeastSquaresGradient, SimpleUpdater, new Float64Array(2), {
        ...settings,
        miniBatchFraction: fraction,
        seed,
      })
    ).weights;

  it('is reproducible under a seed and changes with it', async () => {
    expect(Array.from(await sgd(42, 0.3))).toEqual(Array.from(await sgd(42, 0.3)));
    expect(maxDifference(await sgd(42, 0.3), await sgd(43, 0.3))).toBeGreaterThan(0);
    expect(maxDifference(await sgd(42, 0.3), await sgd(42, 1))).toBeGreaterThan(0);
  });

  it('takes each record with probability miniBatchFraction', () => {
    // 2000 Bernoulli(0.3) draws: mean 600, standard deviation 20.5; ±100 is about 5 sigma.
    const sum = new Float64Array(2);
    const { count } = accumulateGradient(
      denseRows(points),
      new Float64Array(2),
      LeastSquaresGradient,
      { fraction: 0.3, random: new SeededRandom(42) },
      false,
      sum,
    );
    expect(Math.abs(count - 600)).toBeLessThan(100);
  });

  it('skips iterations whose sample is empty, leaving the weights alone', async () => {
    const few = denseRows(points.slice(0, 3));
    const result = await runMiniBatchSGD(
      [few],
      LeastSquaresGradient,
      SimpleUpdater,
      Float64Array.of(5, 5),
      {
        ...settings,
        miniBatchFraction: 1e-9,
        seed: 42,
      },
    );
    expect(result.iterations).toBe(settings.numIterations);
    expect(result.lossHistory).toEqual([]);
    expect(Array.from(result.weights)).toEqual([5, 5]);
  });

  it('a single partition samples with SeededRandom(seed + iteration)', async () => {
    // One iteration, so the only generator used is SeededRandom(42 + 1): reproduce its sample.
    const batch = denseRows(points.slice(0, 50));
    const random = new SeededRandom(43);
    const sampled = points.slice(0, 50).filter(() => random.nextDouble() < 0.5);
    const expected = referenceDescent(sampled, [0, 0], 'leastSquares', 'simple', {
      ...settings,
      numIterations: 1,
    });
    const result = await runMiniBatchSGD(
      [batch],
      LeastSquaresGradient,
      SimpleUpdater,
      new Float64Array(2),
      {
        ...settings,
        numIterations: 1,
        miniBatchFraction: 0.5,
        seed: 42,
      },
    );
    expect(maxDifference(result.weights, expected.weights)).toBeLessThan(TOLERANCE);
  });
});

describe('losses', () => {
  it('logistic loss stays finite and exact for confident mistakes', () => {
    expect(LogisticGradient.loss(-800, 1)).toBe(800);
    expect(LogisticGradient.loss(800, 0)).toBe(800);
    expect(LogisticGradient.loss(0, 0)).toBeCloseTo(Math.LN2, 15);
    // Against the naive formula where it is accurate: -log(sigmoid(2)) for label 1.
    expect(LogisticGradient.loss(2, 1)).toBeCloseTo(-Math.log(1 / (1 + Math.exp(-2))), 14);
  });

  it('gradient multipliers are the derivative of the loss in the margin', () => {
    // Central differences with h = 1e-5: truncation error ~h² ≈ 1e-10, well under 1e-8.
    for (const gradient of [LeastSquaresGradient, LogisticGradient]) {
      for (const [m, y] of [
        [0.3, 1],
        [-1.2, 0],
        [2.5, 1],
      ]) {
        const h = 1e-5;
        const numeric = (gradient.loss(m + h, y) - gradient.loss(m - h, y)) / (2 * h);
        expect(Math.abs(gradient.multiplier(m, y) - numeric)).toBeLessThan(1e-8);
      }
    }
  });
});
