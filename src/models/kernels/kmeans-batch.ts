import type { CenterTable } from './kmeans-assign.js';
import {
  emptyStatistics,
  mergeStatistics,
  partitionStatistics,
  type ClusterStatistics,
} from './kmeans-statistics.js';
import type { PackedRows } from './pack.js';
import { parallelClusterStatistics } from './parallel-kernels.js';
import { wasmClusterStatistics } from './wasm-kmeans.js';

/*
 * A batch's k-means statistics from its packed partitions, merged in partition order. Dense
 * partitions run on the WebAssembly kernel (assignments identical to the JavaScript loops',
 * sums added per 256-row block); sparse ones on the CSR loops of kmeans-assign.ts.
 */

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
