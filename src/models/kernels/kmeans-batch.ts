import { nearestCenters, type CenterTable } from './kmeans-assign.js';
import {
  emptyStatistics,
  mergeStatistics,
  partitionStatistics,
  type ClusterStatistics,
} from './kmeans-statistics.js';
import type { PackedRows } from './pack.js';
import { parallelClusterStatistics } from './parallel-kernels.js';
import { wasmClusterStatistics, wasmNearestCenters } from './wasm-kmeans.js';

/*
 * k-means over packed batches, on the kernel that suits each: dense rows on WebAssembly
 * (assignments identical to the JavaScript loops', sums added per 256-row block), sparse rows on
 * the CSR loops of kmeans-assign.ts. Statistics of partitions are merged in partition order.
 */

/**
 * Fewer dense rows than this are assigned by the JavaScript loop: a WebAssembly call prepares
 * the centres and reserves kernel memory first (a few microseconds), more than a handful of
 * points cost in JavaScript.
 */
const MIN_KERNEL_ROWS = 8;

/** The nearest centre of every row (and optionally the squared distance to it). */
export function assignRows(
  rows: PackedRows,
  table: CenterTable,
  assignment: Int32Array,
  squaredDistances?: Float64Array,
): void {
  if (rows.kind === 'dense' && rows.n >= MIN_KERNEL_ROWS) {
    wasmNearestCenters(rows, table.centers, table.k, assignment, squaredDistances);
  } else {
    nearestCenters(rows, table, assignment, squaredDistances);
  }
}

/** The batch's statistics on the calling thread. */
export function batchStatistics(
  partitions: readonly { readonly rows: PackedRows }[],
  table: CenterTable,
): ClusterStatistics {
  const statistics = emptyStatistics(table.k, table.d);
  for (const { rows } of partitions) {
    if (rows.n === 0) continue;
    mergeStatistics(
      statistics,
      rows.kind === 'dense'
        ? wasmClusterStatistics(rows, table.centers, table.k)
        : partitionStatistics(rows, table),
    );
  }
  return statistics;
}

/**
 * {@link batchStatistics} with large dense partitions split over the kernels' worker threads:
 * the same bits, since blocks are merged in block order whoever ran them.
 */
export async function batchStatisticsInParallel(
  partitions: readonly { readonly rows: PackedRows }[],
  table: CenterTable,
): Promise<ClusterStatistics> {
  const statistics = emptyStatistics(table.k, table.d);
  for (const { rows } of partitions) {
    if (rows.n === 0) continue;
    mergeStatistics(
      statistics,
      rows.kind === 'dense'
        ? await parallelClusterStatistics(rows, table.centers, table.k)
        : partitionStatistics(rows, table),
    );
  }
  return statistics;
}
