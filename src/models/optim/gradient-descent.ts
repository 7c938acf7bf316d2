import type { Gradient } from './gradient.js';
import { partitionGradient, type LabeledRows } from './gradient-sum.js';
import type { GramSums } from '../kernels/wasm-linear.js';
import { batchGramSums, gramApplies, gramGradientSum, passesBeforeGram } from './gram-gradient.js';
import type { Updater } from './updater.js';

/** Settings of {@link runMiniBatchSGD} (Spark's `GradientDescent` parameters). */
export interface GradientDescentSettings {
  /** Initial step size; iteration i steps by `stepSize / sqrt(i)`. */
  readonly stepSize: number;
  /** Iterations at most (each one pass over a mini-batch sample). */
  readonly numIterations: number;
  /** Probability with which each record is sampled into an iteration's mini-batch, in (0, 1]. */
  readonly miniBatchFraction: number;
  /** Regularisation strength handed to the updater. */
  readonly regParam: number;
  /** Stop once `‖w_prev - w‖ < convergenceTol · max(‖w‖, 1)` (checked from the 2nd step). */
  readonly convergenceTol: number;
  /** Base seed of the mini-batch sampling (see {@link runMiniBatchSGD}). */
  readonly seed: number;
  /** Whether to compute the loss history (the per-record loss costs a logarithm for logistic). */
  readonly computeLoss?: boolean;
}

/** Outcome of {@link runMiniBatchSGD}. */
export interface GradientDescentResult {
  readonly weights: Float64Array;
  /**
   * Per iteration that used a non-empty mini-batch: the sample's mean loss at the weights before
   * the step, plus the regulariser's value there (empty when `computeLoss` is false).
   */
  readonly lossHistory: readonly number[];
  /** Iterations run (including those whose sample came out empty). */
  readonly iterations: number;
  /** Whether the convergence test stopped the loop before `numIterations`. */
  readonly converged: boolean;
}

/**
 * Seeds far apart for different partitions of one iteration, so that partition p of iteration i
 * draws from its own generator (`seed + i + p · PARTITION_SEED_STRIDE`) and partitions can be
 * sampled independently (on worker threads) with the same result as in sequence.
 */
const PARTITION_SEED_STRIDE = 1_000_003;

/**
 * Mini-batch gradient descent exactly as Spark's `GradientDescent.runMiniBatchSGD`. For each
 * iteration i = 1..numIterations: sample each record with probability `miniBatchFraction`
 * (partition p draws from `SeededRandom(seed + i + 1_000_003 · p)`; a single-partition batch from
 * `SeededRandom(seed + i)`; fraction 1 takes every record and draws nothing); skip the iteration
 * when the sample is empty; otherwise take the mean gradient `g` of the sample at `w` and let the
 * updater step `w` by `stepSize / sqrt(i)`. From the second step on, stop when the step moved `w`
 * by less than `convergenceTol · max(‖w‖, 1)`.
 *
 * Like Spark, the same seeds serve every call: a streaming model samples its batches with the
 * same sequence of seeds, which keeps a run reproducible batch by batch. Asynchronous because a
 * large dense partition's gradient sums run on the kernels' worker threads (the same bits as on
 * the calling thread).
 *
 * @example
 * // two records, x = e1 with label 2 and x = e2 with label 3, packed densely:
 * const batch = { rows: { kind: 'dense', n: 2, d: 2, data: Float64Array.of(1, 0, 0, 1) }, labels: Float64Array.of(2, 3) };
 * const settings = { stepSize: 1, numIterations: 100, miniBatchFraction: 1, regParam: 0, convergenceTol: 1e-6, seed: 42 };
 * (await runMiniBatchSGD([batch], LeastSquaresGradient, SimpleUpdater, new Float64Array(2), settings)).weights; // ≈ [2, 3]
 */
export async function runMiniBatchSGD(
  partitions: readonly LabeledRows[],
  gradient: Gradient,
  updater: Updater,
  initialWeights: Float64Array,
  settings: GradientDescentSettings,
): Promise<GradientDescentResult> {
  const { stepSize, numIterations, miniBatchFraction, regParam, convergenceTol, seed } = settings;
  const computeLoss = settings.computeLoss ?? true;
  const d = initialWeights.length;
  const weights = Float64Array.from(initialWeights);
  const previous = new Float64Array(d);
  const partitionSums = partitions.map(() => new Float64Array(d));
  const gradientMean = new Float64Array(d);
  const lossHistory: number[] = [];
  let regularization = computeLoss ? updater.regularization(weights, regParam) : 0;
  // Least squares over every row: after as many passes as the Gram sums cost, the remaining
  // iterations run on the batch's Gram matrix (the same gradients, to rounding). Not with a loss
  // history: the Gram form's loss, w·G·w − 2 b·w + Σy², loses to cancellation what a good fit's
  // small residuals carry, where the per-record loss is exact to rounding.
  const gramAfter =
    !computeLoss && gramApplies(partitions, gradient, miniBatchFraction, d)
      ? passesBeforeGram(d)
      : Number.POSITIVE_INFINITY;
  let gram: GramSums | undefined;
  let steps = 0;
  let converged = false;
  let iteration = 1;
  for (; iteration <= numIterations && !converged; iteration++) {
    let count = 0;
    let lossSum = 0;
    if (gram === undefined && iteration > gramAfter) gram = await batchGramSums(partitions, d);
    if (gram !== undefined) {
      count = gram.count;
      if (count === 0) continue;
      lossSum = gramGradientSum(gram, weights, gradientMean);
      for (let j = 0; j < d; j++) gradientMean[j] /= count;
    } else {
      for (let p = 0; p < partitions.length; p++) {
        const part = await partitionGradient(
          partitions[p],
          weights,
          gradient,
          miniBatchFraction,
          seed + iteration + p * PARTITION_SEED_STRIDE,
          computeLoss,
          partitionSums[p],
        );
        count += part.count;
        lossSum += part.lossSum;
      }
      if (count === 0) continue;
      mergeMean(partitionSums, count, gradientMean);
    }
    if (computeLoss) lossHistory.push(lossSum / count + regularization);
    previous.set(weights);
    updater.update(weights, gradientMean, stepSize / Math.sqrt(iteration), regParam);
    if (computeLoss) regularization = updater.regularization(weights, regParam);
    steps++;
    converged = steps > 1 && hasConverged(previous, weights, convergenceTol);
  }
  return { weights, lossHistory, iterations: iteration - 1, converged };
}

/** `out = (Σ_p sums[p]) / count`, summing partitions in order (Spark's treeAggregate, then /n). */
function mergeMean(sums: readonly Float64Array[], count: number, out: Float64Array): void {
  out.set(sums[0]);
  for (let p = 1; p < sums.length; p++) {
    const sum = sums[p];
    for (let j = 0; j < out.length; j++) out[j] += sum[j];
  }
  for (let j = 0; j < out.length; j++) out[j] /= count;
}

function hasConverged(previous: Float64Array, current: Float64Array, tolerance: number): boolean {
  let diffSquares = 0;
  let normSquares = 0;
  for (let j = 0; j < current.length; j++) {
    const diff = previous[j] - current[j];
    diffSquares += diff * diff;
    normSquares += current[j] * current[j];
  }
  return Math.sqrt(diffSquares) < tolerance * Math.max(Math.sqrt(normSquares), 1);
}
