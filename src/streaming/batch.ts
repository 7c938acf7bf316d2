/**
 * A batch is held as partitions: one array of records per partition, in order. Sources with
 * partitions (Kafka) keep them, so per-partition work can later run in parallel; a batch's
 * records in order are its partitions concatenated.
 */
export type Batch<T> = readonly (readonly T[])[];

/** The batch's records in order, partitions concatenated (no copy for a single partition). */
export function flattenBatch<T>(batch: Batch<T>): readonly T[] {
  if (batch.length === 1) return batch[0];
  if (batch.length === 0) return [];
  return batch.flat();
}

/** Number of records in a batch. */
export function countBatch(batch: Batch<unknown>): number {
  let total = 0;
  for (const partition of batch) total += partition.length;
  return total;
}

/** A batch with no partitions. */
export const EMPTY_BATCH: Batch<never> = Object.freeze([]);
