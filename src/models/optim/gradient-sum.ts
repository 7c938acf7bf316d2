import type { PackedRows } from '../kernels/pack.js';
import type { SeededRandom } from '../random.js';
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
