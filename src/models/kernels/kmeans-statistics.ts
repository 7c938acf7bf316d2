import { nearestCenters, type CenterTable } from './kmeans-assign.js';
import type { PackedRows } from './pack.js';

/**
 * What one batch tells k-means: for each cluster c, the sum of the points assigned to it
 * (`sums[c*d .. c*d+d)`) and how many there were (`counts[c]`). Statistics of disjoint parts of a
 * batch add up, so each partition can compute its own (later on its own worker thread) and the
 * results are merged.
 */
export interface ClusterStatistics {
  readonly k: number;
  readonly d: number;
  readonly sums: Float64Array;
  readonly counts: Float64Array;
}

/** Statistics of no points at all. */
export function emptyStatistics(k: number, d: number): ClusterStatistics {
  return { k, d, sums: new Float64Array(k * d), counts: new Float64Array(k) };
}

/**
 * Statistics of one packed partition: each row goes to its nearest centre in `table` (ties to
 * the lowest index) and is added to that cluster's sum.
 */
export function partitionStatistics(rows: PackedRows, table: CenterTable): ClusterStatistics {
  const statistics = emptyStatistics(table.k, table.d);
  const assignment = new Int32Array(rows.n);
  nearestCenters(rows, table, assignment);
  accumulateStatistics(rows, assignment, statistics);
  return statistics;
}

/** Adds each row to the sum and count of the cluster `assignment` gives it. */
export function accumulateStatistics(
  rows: PackedRows,
  assignment: Int32Array,
  statistics: ClusterStatistics,
): void {
  const { d, sums, counts } = statistics;
  for (let i = 0; i < rows.n; i++) {
    const cluster = assignment[i];
    const base = cluster * d;
    counts[cluster] += 1;
    if (rows.kind === 'dense') {
      const offset = i * d;
      for (let j = 0; j < d; j++) sums[base + j] += rows.data[offset + j];
    } else {
      // CSR: only the row's non-zeros contribute to the sum.
      for (let p = rows.indptr[i]; p < rows.indptr[i + 1]; p++) {
        sums[base + rows.indices[p]] += rows.values[p];
      }
    }
  }
}

/** Adds `source` into `target` (statistics of two disjoint sets of points). */
export function mergeStatistics(target: ClusterStatistics, source: ClusterStatistics): void {
  for (let i = 0; i < target.sums.length; i++) target.sums[i] += source.sums[i];
  for (let c = 0; c < target.counts.length; c++) target.counts[c] += source.counts[c];
}

/** Total number of points the statistics describe. */
export function pointCount(statistics: ClusterStatistics): number {
  let total = 0;
  for (let c = 0; c < statistics.counts.length; c++) total += statistics.counts[c];
  return total;
}
