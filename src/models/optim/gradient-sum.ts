import type { PackedRows } from '../kernels/pack.js';
import { parallelGradientSum } from '../kernels/parallel-kernels.js';
import { SeededRandom } from '../random.js';
import type { Gradient } from './gradient.js';
import { addScaledDenseRow, addScaledSparseRow, denseRowDot, sparseRowDot } from './rows.js';

/** One partition of a labelled batch, packed: row i of `rows` has label `labels[i]`. */
export interface LabeledRows {
  readonly rows: PackedRows;
  readonly labels: Float64Array;
}

/** Bernoulli sampling of records: each is kept when the next draw of `random` is < `fraction`. */
export interface RecordSample {
  readonly fraction: number;
  readonly random: SeededRandom;
}

/** What one partition contributed to an iteration: records used and their summed loss. */
export interface PartitionGradient {
  readonly count: number;
  /** Sum of the records' losses (0 when the caller didn't ask for losses). */
  readonly lossSum: number;
}

/**
 * Adds the gradient of every (sampled) record of one partition at `weights` to `gradientSum`,
 * in record order. Each partition is summed on its own and the sums merged afterwards (Spark's
 * treeAggregate), which is what lets partitions later run on worker threads.
 */
export function accumulateGradient(
  partition: LabeledRows,
  weights: Float64Array,
  gradient: Gradient,
  sample: RecordSample | undefined,
  computeLoss: boolean,
  gradientSum: Float64Array,
): PartitionGradient {
  const { rows, labels } = partition;
  let count = 0;
  let lossSum = 0;
  // Dense: row i is data[i*d .. i*d+d). Sparse (CSR): row i is entries [indptr[i], indptr[i+1]).
  if (rows.kind === 'dense') {
    const { n, d, data } = rows;
    for (let i = 0; i < n; i++) {
      if (sample !== undefined && sample.random.nextDouble() >= sample.fraction) continue;
      const base = i * d;
      const margin = denseRowDot(data, base, d, weights);
      addScaledDenseRow(gradient.multiplier(margin, labels[i]), data, base, d, gradientSum);
      if (computeLoss) lossSum += gradient.loss(margin, labels[i]);
      count++;
    }
  } else {
    const { n, indptr, indices, values } = rows;
    for (let i = 0; i < n; i++) {
      if (sample !== undefined && sample.random.nextDouble() >= sample.fraction) continue;
      const start = indptr[i];
      const end = indptr[i + 1];
      const margin = sparseRowDot(indices, values, start, end, weights);
      const multiplier = gradient.multiplier(margin, labels[i]);
      addScaledSparseRow(multiplier, indices, values, start, end, gradientSum);
      if (computeLoss) lossSum += gradient.loss(margin, labels[i]);
      count++;
    }
  }
  return { count, lossSum };
}

/**
 * One partition's contribution to an iteration, its gradient sum written to `gradientSum`:
 * records sampled with probability `fraction` from `SeededRandom(seed)` (one draw per record, in
 * order, kept when below `fraction`; fraction 1 takes all and draws nothing). Dense partitions run
 * on the WebAssembly kernel, split over the kernels' worker threads when large; sparse ones on
 * {@link accumulateGradient}. The kernel adds rows per 256-row block and dot products in four
 * pairs of lanes, so its sums match the sequential loop's to rounding (about 1e-15 relative).
 */
export async function partitionGradient(
  partition: LabeledRows,
  weights: Float64Array,
  gradient: Gradient,
  fraction: number,
  seed: number,
  computeLoss: boolean,
  gradientSum: Float64Array,
): Promise<PartitionGradient> {
  const { rows, labels } = partition;
  const random = fraction >= 1 ? undefined : new SeededRandom(seed);
  if (rows.kind === 'sparse' || rows.n === 0) {
    gradientSum.fill(0);
    const sample = random === undefined ? undefined : { fraction, random };
    return accumulateGradient(partition, weights, gradient, sample, computeLoss, gradientSum);
  }
  const sample = random === undefined ? undefined : bernoulliSample(rows.n, fraction, random);
  const sum = await parallelGradientSum(gradient.name, rows, labels, weights, {
    sample,
    withLoss: computeLoss,
  });
  gradientSum.set(sum.gradient);
  return { count: sum.count, lossSum: computeLoss ? sum.lossSum : 0 };
}

/** The rows 0..n-1 kept by one draw each of `random` below `fraction`, in order. */
function bernoulliSample(n: number, fraction: number, random: SeededRandom): Int32Array {
  const sample = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (random.nextDouble() < fraction) sample[count++] = i;
  return sample.subarray(0, count);
}
