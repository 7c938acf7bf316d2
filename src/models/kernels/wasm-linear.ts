import { ConfigurationError } from '../../streaming/errors.js';
import type { DenseRows } from './pack.js';
import {
  BLOCK_ROWS,
  blockCount,
  partialStride,
  runOnThisThread,
  type BlockJob,
  type PlanBuilder,
} from './wasm-job.js';
import { float64At, type KernelAllocations } from './wasm-memory.js';
import { kernelRuntime } from './wasm-module.js';
import { checkLength, checkRows, checkType, rowValues } from './wasm-shapes.js';

/**
 * Linear-model batch kernels on WebAssembly SIMD (assembly/linear.ts): the gradient sum of a
 * batch (Spark's least-squares and logistic gradients) and batched predictions.
 */

/** Spark's two losses, by the names the optimiser uses. */
export type LinearLoss = 'leastSquares' | 'logistic';

const LOSS_CODES: Record<LinearLoss, number> = { leastSquares: 0, logistic: 1 };

/** What a batch contributes to one gradient-descent iteration. */
export interface GradientSum {
  /** Σ over the used rows of multiplier(w·x, y)·x (length d). */
  readonly gradient: Float64Array;
  /** Σ of the rows' losses (0 when `withLoss` was false). */
  readonly lossSum: number;
  /** How many rows were used (all of them, or the sample's length). */
  readonly count: number;
}

/** Optional extras of {@link wasmGradientSum}. */
export interface GradientSumOptions {
  /**
   * Row indices to use, in summation order (e.g. a Bernoulli sample drawn record by record);
   * all rows when absent. Rows may repeat.
   */
  readonly sample?: Int32Array;
  /** Whether to sum the losses too (default true); training without a loss history skips them. */
  readonly withLoss?: boolean;
}

function checkWeights(kernel: string, rows: DenseRows, weights: Float64Array): void {
  checkRows(kernel, rows);
  checkType(kernel, 'weights', weights);
  if (weights.length !== rows.d) {
    throw new ConfigurationError(
      `${kernel}: weights has length ${weights.length}, but the rows have dimension ${rows.d}`,
    );
  }
}

function checkSample(sample: Int32Array, n: number): void {
  checkType('gradientSum', 'sample', sample, Int32Array);
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] < 0 || sample[i] >= n) {
      throw new ConfigurationError(
        `gradientSum: sample[${i}] = ${sample[i]} is not a row index of a batch of ${n} rows`,
      );
    }
  }
}

/** Plan of {@link wasmGradientSum} (also run by the worker pool). */
export function gradientSumPlan(
  loss: LinearLoss,
  rows: DenseRows,
  labels: Float64Array,
  weights: Float64Array,
  options: GradientSumOptions = {},
): PlanBuilder<GradientSum> {
  checkWeights('gradientSum', rows, weights);
  checkLength('gradientSum', 'labels', labels, rows.n);
  if (!(loss in LOSS_CODES)) {
    throw new ConfigurationError(
      `gradientSum: unknown loss '${String(loss)}'; use 'leastSquares' or 'logistic'`,
    );
  }
  const { sample, withLoss = true } = options;
  if (sample) checkSample(sample, rows.n);
  const { n, d } = rows;
  const count = sample ? sample.length : n;
  const width = d + 2;
  const stride = partialStride(width);
  return (memory: KernelAllocations) => {
    const blocks = blockCount(count);
    const partials = memory.reserve(blocks * stride * 8);
    const args = [
      LOSS_CODES[loss],
      withLoss ? 1 : 0,
      memory.input(rowValues(rows)),
      memory.input(labels.length === n ? labels : labels.subarray(0, n)),
      d,
      memory.input(weights),
      sample ? memory.input(sample) : 0,
      count,
      partials,
      stride,
      BLOCK_ROWS,
    ];
    // Measured on one thread: per row 3 ns (least squares), 8 ns (logistic: an exponential) or
    // about 25 ns (logistic with its loss: a logarithm too), plus 0.35 ns per value.
    const perRow = loss === 'logistic' ? (withLoss ? 0.025 : 0.008) : 0.003;
    const estimatedMicros = count * (perRow + 0.00035 * d);
    const job: BlockJob = {
      kernel: 'gradientSums',
      args,
      blocks,
      scratchBytes: 0,
      estimatedMicros,
    };
    return {
      job,
      finish: () => {
        const merged = memory.reserve(width * 8);
        kernelRuntime().exports.mergeBlocks(partials, width, stride, blocks, merged);
        const values = float64At(merged, width);
        return { gradient: values.slice(0, d), lossSum: values[d], count: values[d + 1] };
      },
    };
  };
}

/**
 * What a batch's least-squares gradients all follow from: with G = Σ x·xᵀ and b = Σ y·x, the
 * gradient sum at w is G·w − b and the loss sum (w·G·w − 2 b·w + Σ y²) / 2.
 */
export interface GramSums {
  /** Σ x·xᵀ, d × d, row-major (symmetric). */
  readonly gram: Float64Array;
  /** Σ y·x (length d). */
  readonly labelSums: Float64Array;
  /** Σ y². */
  readonly labelSquares: number;
  /** The number of rows. */
  readonly count: number;
}

/** Plan of {@link wasmGramSums} (also run by the worker pool). */
export function gramSumsPlan(rows: DenseRows, labels: Float64Array): PlanBuilder<GramSums> {
  checkRows('gramSums', rows);
  checkLength('gramSums', 'labels', labels, rows.n);
  const { n, d } = rows;
  const width = d * d + d + 2;
  const stride = partialStride(width);
  return (memory: KernelAllocations) => {
    const blocks = blockCount(n);
    const partials = memory.reserve(blocks * stride * 8);
    const args = [
      memory.input(rowValues(rows)),
      memory.input(labels.length === n ? labels : labels.subarray(0, n)),
      d,
      n,
      partials,
      stride,
      BLOCK_ROWS,
    ];
    // Measured on one thread: about 8 ns per row plus 0.1 ns per d² (d = 10: 18 ns, d = 100: 1 µs).
    const estimatedMicros = n * (0.008 + 0.0001 * d * d);
    const job: BlockJob = { kernel: 'gramSums', args, blocks, scratchBytes: 0, estimatedMicros };
    return {
      job,
      finish: () => {
        const merged = memory.reserve(width * 8);
        kernelRuntime().exports.mergeBlocks(partials, width, stride, blocks, merged);
        const values = float64At(merged, width);
        const gram = values.slice(0, d * d);
        // The kernel fills entries j >= i; the lower triangle mirrors them.
        for (let i = 1; i < d; i++) {
          for (let j = 0; j < i; j++) gram[i * d + j] = gram[j * d + i];
        }
        return {
          gram,
          labelSums: values.slice(d * d, d * d + d),
          labelSquares: values[d * d + d],
          count: values[d * d + d + 1],
        };
      },
    };
  };
}

/** Plan of {@link wasmPredictLinear} (also run by the worker pool). */
export function predictLinearPlan(
  rows: DenseRows,
  weights: Float64Array,
  intercept: number,
  output: 'margin' | 'probability',
  out: Float64Array,
): PlanBuilder<void> {
  checkWeights('predictLinear', rows, weights);
  checkLength('predictLinear', 'out', out, rows.n);
  const { n, d } = rows;
  return (memory: KernelAllocations) => {
    const args = [
      memory.input(rowValues(rows)),
      n,
      d,
      memory.input(weights),
      intercept,
      output === 'probability' ? 1 : 0,
      memory.output(out.length === n ? out : out.subarray(0, n)),
      BLOCK_ROWS,
    ];
    const blocks = blockCount(n);
    const job: BlockJob = {
      kernel: 'linearPredict',
      args,
      blocks,
      scratchBytes: 0,
      // Measured on one thread: about 3 ns per row plus 0.4 ns per value.
      estimatedMicros: n * (0.003 + 0.0004 * d),
    };
    return { job, finish: () => memory.copyOutputs() };
  };
}

/**
 * Σ multiplier(w·xᵢ, yᵢ)·xᵢ and the loss sum over a dense batch (row i is
 * `rows.data[i*d .. i*d+d)` with label `labels[i]`), or over `options.sample`'s rows. Spark's
 * gradients: least squares multiplier w·x − y, loss (w·x − y)²/2; logistic (labels 0/1)
 * multiplier 1/(1 + e^−w·x) − y, loss log(1 + e^−w·x) (plus w·x when y = 0), overflow-free.
 * Matches a sequential loop to within rounding (about 1e-15 relative to Σ|gᵢ xᵢ|).
 *
 * @example
 * const rows = { kind: 'dense', n: 2, d: 1, data: Float64Array.of(1, 2) } as const;
 * const { gradient, lossSum } = wasmGradientSum('leastSquares', rows, Float64Array.of(1, 1), Float64Array.of(1));
 * gradient; // Float64Array [2]: (1·1 − 1)·1 + (1·2 − 1)·2
 * lossSum; // 0.5
 */
export function wasmGradientSum(
  loss: LinearLoss,
  rows: DenseRows,
  labels: Float64Array,
  weights: Float64Array,
  options?: GradientSumOptions,
): GradientSum {
  return runOnThisThread(gradientSumPlan(loss, rows, labels, weights, options));
}

/**
 * Σ xᵢ·xᵢᵀ, Σ yᵢ·xᵢ, Σ yᵢ² and the row count of a dense batch with labels: every least-squares
 * gradient of the batch in O(d²) instead of a pass over the rows (G·w − b). Sums are added per
 * 256-row block, then the blocks in order (the same bits on any number of threads).
 *
 * @example
 * const rows = { kind: 'dense', n: 2, d: 2, data: Float64Array.of(1, 2, 3, 4) } as const;
 * const sums = wasmGramSums(rows, Float64Array.of(1, -1));
 * sums.gram; // Float64Array [10, 14, 14, 20]: [1·1 + 3·3, 1·2 + 3·4, …]
 * sums.labelSums; // Float64Array [-2, -2]: 1·[1, 2] − 1·[3, 4]
 * sums.labelSquares; // 2
 */
export function wasmGramSums(rows: DenseRows, labels: Float64Array): GramSums {
  return runOnThisThread(gramSumsPlan(rows, labels));
}

/**
 * w·xᵢ + intercept for every row of a dense batch, or with `'probability'` the logistic
 * 1/(1 + e^−(w·xᵢ + intercept)), written to `out` (length >= n).
 *
 * @example
 * const rows = { kind: 'dense', n: 2, d: 2, data: Float64Array.of(1, 0, 0, 1) } as const;
 * const out = new Float64Array(2);
 * wasmPredictLinear(rows, Float64Array.of(2, -1), 0.5, 'margin', out); // out: [2.5, -0.5]
 */
export function wasmPredictLinear(
  rows: DenseRows,
  weights: Float64Array,
  intercept: number,
  output: 'margin' | 'probability',
  out: Float64Array,
): void {
  runOnThisThread(predictLinearPlan(rows, weights, intercept, output, out));
}
