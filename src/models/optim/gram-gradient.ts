import { parallelGramSums } from '../kernels/parallel-kernels.js';
import type { GramSums } from '../kernels/wasm-linear.js';
import type { Gradient } from './gradient.js';
import type { LabeledRows } from './gradient-sum.js';

/*
 * Least-squares gradient descent over a whole batch (Spark's default miniBatchFraction of 1)
 * needs the batch only through G = Σ x·xᵀ, b = Σ y·x and Σ y²: the gradient sum at w is G·w − b
 * and the loss sum (w·G·w − 2 b·w + Σ y²) / 2. Forming them costs one pass of about d²/2
 * multiply-adds per row; every iteration after that costs d² operations, whatever the batch
 * size, instead of a pass over the batch. Same gradients to rounding: the sums are the same,
 * added in another order (relative differences near 1e-16 · Σ|xᵢ|·|rᵢ| on well-scaled data).
 */

/** Largest dimension for the Gram form: its d × d partial sums per 256-row block stay in cache. */
const MAX_GRAM_DIMENSION = 256;

/**
 * Whether a batch's gradients can come from its Gram sums: least squares, every row in every
 * iteration (fraction 1), dense partitions, d at most 256.
 */
export function gramApplies(
  partitions: readonly LabeledRows[],
  gradient: Gradient,
  miniBatchFraction: number,
  d: number,
): boolean {
  return (
    gradient.name === 'leastSquares' &&
    miniBatchFraction >= 1 &&
    d <= MAX_GRAM_DIMENSION &&
    partitions.every((partition) => partition.rows.kind === 'dense')
  );
}

/**
 * How many passes over the rows cost as much as forming the Gram sums once: from the kernels'
 * measured costs per row on one thread, about 8 + 0.1·d² ns for the Gram sums against
 * 3 + 0.33·d ns per gradient pass (d = 10: 3 passes; d = 100: 28). Gradient descent makes that
 * many passes, then switches to the Gram form if it hasn't converged yet: how many iterations a
 * batch needs is unknown in advance, and this way a batch never costs more than twice the
 * cheaper of the two, whichever it would have been.
 */
export function passesBeforeGram(d: number): number {
  return Math.ceil((8 + 0.1 * d * d) / (3 + 0.33 * d));
}

/** The Gram sums of a batch held as partitions, added in partition order. */
export async function batchGramSums(
  partitions: readonly LabeledRows[],
  d: number,
): Promise<GramSums> {
  const gram = new Float64Array(d * d);
  const labelSums = new Float64Array(d);
  let labelSquares = 0;
  let count = 0;
  for (const { rows, labels } of partitions) {
    if (rows.kind !== 'dense' || rows.n === 0) continue;
    const part = await parallelGramSums(rows, labels);
    for (let i = 0; i < gram.length; i++) gram[i] += part.gram[i];
    for (let j = 0; j < d; j++) labelSums[j] += part.labelSums[j];
    labelSquares += part.labelSquares;
    count += part.count;
  }
  return { gram, labelSums, labelSquares, count };
}

/**
 * Writes the batch's least-squares gradient sum at `weights`, G·w − b, to `gradientSum`, and
 * returns the loss sum Σ (w·x − y)² / 2, computed as (w·G·w − 2 b·w + Σ y²) / 2 (never below 0,
 * which rounding could otherwise give for a near-perfect fit). That loss is only as accurate as
 * Σy² allows (absolute error about 1e-16·Σy²), so gradient descent uses the Gram form only when
 * it keeps no loss history.
 */
export function gramGradientSum(
  sums: GramSums,
  weights: Float64Array,
  gradientSum: Float64Array,
): number {
  const { gram, labelSums, labelSquares } = sums;
  const d = weights.length;
  let quadratic = 0;
  let linear = 0;
  for (let i = 0; i < d; i++) {
    let row = 0;
    for (let j = 0; j < d; j++) row += gram[i * d + j] * weights[j];
    quadratic += weights[i] * row;
    linear += labelSums[i] * weights[i];
    gradientSum[i] = row - labelSums[i];
  }
  return Math.max(0, (quadratic - 2 * linear + labelSquares) / 2);
}
