import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  wasmGradientSum,
  wasmPredictLinear,
  type LinearLoss,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';

function rowsOf(data: Float64Array, n: number, d: number) {
  return { kind: 'dense' as const, n, d, data };
}

function gaussians(random: SeededRandom, length: number, scale = 1): Float64Array {
  return Float64Array.from({ length }, () => scale * random.nextGaussian());
}

/** Spark's per-record gradients, written out independently of the kernels. */
function referenceRecord(loss: LinearLoss, margin: number, label: number) {
  if (loss === 'leastSquares') {
    return { multiplier: margin - label, loss: ((margin - label) * (margin - label)) / 2 };
  }
  const m = -margin;
  const log1pExp = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  return {
    multiplier: 1 / (1 + Math.exp(m)) - label,
    loss: label > 0 ? log1pExp : log1pExp - m,
  };
}

/** A sequential loop over `rows` (indices) with the reference gradients. */
function referenceGradient(
  loss: LinearLoss,
  data: Float64Array,
  d: number,
  labels: Float64Array,
  weights: Float64Array,
  rows: Iterable<number>,
) {
  const gradient = new Float64Array(d);
  const scale = new Float64Array(d); // Σ|gᵢ xᵢ| per coordinate: the yardstick of its rounding
  let lossSum = 0;
  let lossScale = 0;
  let count = 0;
  for (const i of rows) {
    let margin = 0;
    for (let j = 0; j < d; j++) margin += data[i * d + j] * weights[j];
    const record = referenceRecord(loss, margin, labels[i]);
    for (let j = 0; j < d; j++) {
      gradient[j] += record.multiplier * data[i * d + j];
      scale[j] += Math.abs(record.multiplier * data[i * d + j]);
    }
    lossSum += record.loss;
    lossScale += Math.abs(record.loss);
    count++;
  }
  return { gradient, scale, lossSum, lossScale, count };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

// The kernel sums w·x two lanes at a time and merges per-256-row blocks, so it rounds
// differently from the sequential loop: each side is within ~(n + d)·2⁻⁵³ of the exact value
// relative to the sum of magnitudes, so 1e-12 of that yardstick leaves room for n, d in the
// thousands, while any wrong row, label or formula shows up at the 1e-3 level or above.
const TOLERANCE = 1e-12;

function expectGradientMatch(
  loss: LinearLoss,
  data: Float64Array,
  n: number,
  d: number,
  labels: Float64Array,
  weights: Float64Array,
  sample?: Int32Array,
) {
  const reference = referenceGradient(loss, data, d, labels, weights, sample ?? range(n));
  const sum = wasmGradientSum(loss, rowsOf(data, n, d), labels, weights, { sample });
  expect(sum.count).toBe(reference.count);
  for (let j = 0; j < d; j++) {
    expect(Math.abs(sum.gradient[j] - reference.gradient[j])).toBeLessThanOrEqual(
      TOLERANCE * reference.scale[j],
    );
  }
  expect(Math.abs(sum.lossSum - reference.lossSum)).toBeLessThanOrEqual(
    TOLERANCE * reference.lossScale,
  );
}

describe('linear-model kernels (WebAssembly SIMD)', () => {
  it('sum least-squares and logistic gradients like a sequential loop, for many shapes', () => {
    const random = new SeededRandom(21);
    for (const loss of ['leastSquares', 'logistic'] as const) {
      for (const d of [1, 2, 3, 4, 5, 10, 33, 100]) {
        for (const n of [0, 1, 2, 255, 256, 257, 700]) {
          const data = gaussians(random, n * d);
          const labels = Float64Array.from({ length: n }, () =>
            loss === 'logistic' ? (random.nextDouble() < 0.4 ? 1 : 0) : random.nextGaussian(),
          );
          expectGradientMatch(loss, data, n, d, labels, gaussians(random, d, 0.5));
        }
      }
    }
  });

  it('sum over a sample of rows, in the sample order, repeats included', () => {
    const random = new SeededRandom(22);
    const n = 600;
    const d = 11;
    const data = gaussians(random, n * d);
    const labels = Float64Array.from({ length: n }, () => (random.nextDouble() < 0.5 ? 1 : 0));
    const weights = gaussians(random, d);
    const kept = range(n).filter(() => random.nextDouble() < 0.3); // a Bernoulli sample
    expectGradientMatch('logistic', data, n, d, labels, weights, Int32Array.from(kept));
    expectGradientMatch('logistic', data, n, d, labels, weights, Int32Array.of(5, 5, 599, 0));
    const none = wasmGradientSum('leastSquares', rowsOf(data, n, d), labels, weights, {
      sample: new Int32Array(0),
    });
    expect({ gradient: Array.from(none.gradient), count: none.count }).toEqual({
      gradient: new Array<number>(d).fill(0),
      count: 0,
    });
  });

  it('skip the losses when asked, with the same gradient bits', () => {
    const random = new SeededRandom(23);
    const n = 700;
    const d = 10;
    const rows = rowsOf(gaussians(random, n * d), n, d);
    const labels = Float64Array.from({ length: n }, () => (random.nextDouble() < 0.5 ? 1 : 0));
    const weights = gaussians(random, d);
    for (const loss of ['leastSquares', 'logistic'] as const) {
      const full = wasmGradientSum(loss, rows, labels, weights);
      const lean = wasmGradientSum(loss, rows, labels, weights, { withLoss: false });
      expect(full.lossSum).toBeGreaterThan(0);
      expect(lean.lossSum).toBe(0);
      expect(Array.from(lean.gradient)).toEqual(Array.from(full.gradient));
      expect(lean.count).toBe(n);
    }
  });

  it('keep the logistic loss finite and exact for confident mistakes', () => {
    // Margins of ±1000: e^1000 overflows, so a naive log(1 + e^m) would be Infinity.
    const data = Float64Array.of(1000, -1000, 1000, -1000);
    const labels = Float64Array.of(0, 1, 1, 0);
    const sum = wasmGradientSum('logistic', rowsOf(data, 4, 1), labels, Float64Array.of(1));
    // Two mistakes cost 1000 each (log1pExp(1000) = 1000 + log1p(e^-1000) = 1000 exactly in
    // float64); the two right answers cost log1p(e^-1000) = 0 after underflow.
    expect(sum.lossSum).toBe(2000);
    // Multipliers: σ(1000) − 0 = 1, σ(−1000) − 1 = −1, 1 − 1 = 0, 0 − 0 = 0.
    expect(Array.from(sum.gradient)).toEqual([1000 + 1000]);
  });

  it('predict margins and probabilities row by row', () => {
    const random = new SeededRandom(23);
    for (const d of [1, 2, 7, 100]) {
      const n = 300;
      const data = gaussians(random, n * d);
      const weights = gaussians(random, d);
      const margins = new Float64Array(n);
      const probabilities = new Float64Array(n);
      wasmPredictLinear(rowsOf(data, n, d), weights, 0.25, 'margin', margins);
      wasmPredictLinear(rowsOf(data, n, d), weights, 0.25, 'probability', probabilities);
      for (let i = 0; i < n; i++) {
        let margin = 0.25;
        let scale = 0.25;
        for (let j = 0; j < d; j++) {
          margin += data[i * d + j] * weights[j];
          scale += Math.abs(data[i * d + j] * weights[j]);
        }
        expect(Math.abs(margins[i] - margin)).toBeLessThanOrEqual(TOLERANCE * scale);
        // σ' ≤ 1/4, so the probability moves at most a quarter of the margin's difference.
        const probability = 1 / (1 + Math.exp(-margin));
        expect(Math.abs(probabilities[i] - probability)).toBeLessThanOrEqual(TOLERANCE * scale);
      }
    }
  });

  it('reject inconsistent shapes and samples with a ConfigurationError naming the values', () => {
    const rows = rowsOf(new Float64Array(6), 3, 2);
    const labels = new Float64Array(3);
    expect(() => wasmGradientSum('logistic', rows, labels, new Float64Array(3))).toThrow(
      /weights has length 3, but the rows have dimension 2/,
    );
    expect(() =>
      wasmGradientSum('logistic', rows, new Float64Array(2), new Float64Array(2)),
    ).toThrow(/labels has length 2, needs at least 3/);
    expect(() =>
      wasmGradientSum('leastSquares', rows, labels, new Float64Array(2), {
        sample: Int32Array.of(0, 3),
      }),
    ).toThrow(/sample\[1\] = 3 is not a row index of a batch of 3 rows/);
    expect(() => wasmGradientSum('hinge' as LinearLoss, rows, labels, new Float64Array(2))).toThrow(
      ConfigurationError,
    );
    expect(() =>
      wasmPredictLinear(rows, new Float64Array(2), 0, 'margin', new Float64Array(1)),
    ).toThrow(/out has length 1, needs at least 3/);
  });
});
