import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeKernelThreads,
  configureKernels,
  parallelGramSums,
  wasmGramSums,
} from '../../src/index.js';
import type { PackedRows } from '../../src/models/kernels/pack.js';
import { LeastSquaresGradient, LogisticGradient } from '../../src/models/optim/gradient.js';
import { accumulateGradient, type LabeledRows } from '../../src/models/optim/gradient-sum.js';
import {
  batchGramSums,
  gramApplies,
  gramGradientSum,
  passesBeforeGram,
} from '../../src/models/optim/gram-gradient.js';
import { SeededRandom } from '../../src/models/random.js';

function denseBatch(seed: number, n: number, d: number): LabeledRows {
  const random = new SeededRandom(seed);
  const data = Float64Array.from({ length: n * d }, () => random.nextGaussian());
  const labels = Float64Array.from({ length: n }, () => 3 * random.nextGaussian());
  return { rows: { kind: 'dense', n, d, data }, labels };
}

/** Σ x·xᵀ, Σ y·x and Σ y² by plain loops over the rows. */
function referenceSums({ rows, labels }: LabeledRows) {
  if (rows.kind !== 'dense') throw new Error('dense rows expected');
  const { n, d, data } = rows;
  const gram = new Float64Array(d * d);
  const labelSums = new Float64Array(d);
  let labelSquares = 0;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) gram[i * d + j] += data[r * d + i] * data[r * d + j];
      labelSums[i] += labels[r] * data[r * d + i];
    }
    labelSquares += labels[r] * labels[r];
  }
  return { gram, labelSums, labelSquares };
}

/** |a − b| <= tolerance · scale, entry by entry. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, scale: number) {
  expect(a.length).toBe(b.length);
  // Sums of up to a few hundred products, added in another order: rounding differences are a
  // few ulps of the sum of magnitudes (`scale`); 1e-13 relative leaves room for that only.
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-13 * scale);
}

afterAll(async () => {
  await closeKernelThreads();
});

describe('Gram sums', () => {
  it('equal plain loops, for odd and even dimensions and row counts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 1e6 }),
        (d, n, seed) => {
          const batch = denseBatch(seed, n, d);
          const sums = wasmGramSums(batch.rows as never, batch.labels);
          const expected = referenceSums(batch);
          const scale = 10 * (n + 1);
          expectClose(sums.gram, expected.gram, scale);
          expectClose(sums.labelSums, expected.labelSums, scale);
          expect(Math.abs(sums.labelSquares - expected.labelSquares)).toBeLessThanOrEqual(
            1e-13 * scale * 10,
          );
          expect(sums.count).toBe(n);
          // Symmetric, bit for bit: the lower triangle mirrors the upper one.
          for (let i = 0; i < d; i++) {
            for (let j = 0; j < i; j++) expect(sums.gram[i * d + j]).toBe(sums.gram[j * d + i]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('are the same bits on worker threads as on the calling thread', async () => {
    await configureKernels({ threads: 1, minParallelWork: 0 });
    for (const [n, d] of [
      [257, 5],
      [3000, 24],
    ]) {
      const batch = denseBatch(n + d, n, d);
      const rows = batch.rows as Parameters<typeof wasmGramSums>[0];
      expect(await parallelGramSums(rows, batch.labels)).toEqual(wasmGramSums(rows, batch.labels));
    }
  });
});

describe('least-squares gradients from the Gram sums', () => {
  it('equal the per-record gradient and loss sums at any weights, over several partitions', async () => {
    const d = 6;
    const partitions = [denseBatch(1, 40, d), denseBatch(2, 1, d), denseBatch(3, 75, d)];
    const sums = await batchGramSums(partitions, d);
    const random = new SeededRandom(5);
    for (let trial = 0; trial < 10; trial++) {
      const weights = Float64Array.from({ length: d }, () => 2 * random.nextGaussian());
      const direct = new Float64Array(d);
      let lossSum = 0;
      for (const partition of partitions) {
        const part = new Float64Array(d);
        lossSum += accumulateGradient(
          partition,
          weights,
          LeastSquaresGradient,
          undefined,
          true,
          part,
        ).lossSum;
        for (let j = 0; j < d; j++) direct[j] += part[j];
      }
      const fromGram = new Float64Array(d);
      const gramLoss = gramGradientSum(sums, weights, fromGram);
      // Gradient entries are sums of ~116 terms of size |w·x − y|·|x| ≈ 5 · 1; the loss sum
      // is computed as w·G·w − 2 b·w + Σy², each term up to ~116 · 25.
      expectClose(fromGram, direct, 116 * 10);
      expect(Math.abs(gramLoss - lossSum)).toBeLessThanOrEqual(1e-12 * 116 * 25);
    }
  });

  it('apply to least squares over every row of dense partitions, after the passes they cost', () => {
    const dense = [denseBatch(1, 10, 3)];
    const sparseRows: PackedRows = {
      kind: 'sparse',
      n: 0,
      d: 3,
      indptr: new Int32Array(1),
      indices: new Int32Array(0),
      values: new Float64Array(0),
    };
    const sparse = [{ rows: sparseRows, labels: new Float64Array(0) }];
    expect(gramApplies(dense, LeastSquaresGradient, 1, 10)).toBe(true);
    expect(gramApplies(dense, LeastSquaresGradient, 1, 256)).toBe(true);
    expect(gramApplies(dense, LeastSquaresGradient, 1, 257)).toBe(false);
    expect(gramApplies(dense, LeastSquaresGradient, 0.5, 10)).toBe(false);
    expect(gramApplies(dense, LogisticGradient, 1, 10)).toBe(false);
    expect(gramApplies(sparse, LeastSquaresGradient, 1, 10)).toBe(false);
    // Forming the Gram sums costs a few passes at small d, more as d² outgrows d.
    expect(passesBeforeGram(10)).toBe(3);
    expect(passesBeforeGram(100)).toBe(28);
    expect(passesBeforeGram(1)).toBeGreaterThanOrEqual(2);
  });
});
