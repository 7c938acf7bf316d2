import { ConfigurationError } from '../../streaming/errors.js';
import type { DenseRows } from './pack.js';
import { defaultThreadCount, KernelPool } from './parallel-pool.js';
import {
  DEFAULT_RETAINED_FREE_MEMORY,
  readsArraysInPlace,
  setNativeKernelsWanted,
  setRetainedFreeMemory,
} from './kernel-backend.js';
import { runJobHere, runOnThisThread, type PlanBuilder } from './wasm-job.js';
import {
  clusterStatisticsPlan,
  nearestCentersPlan,
  type KMeansStatistics,
  type KMeansStatisticsOptions,
} from './wasm-kmeans.js';
import {
  gradientSumPlan,
  gramSumsPlan,
  predictLinearPlan,
  type GradientSum,
  type GradientSumOptions,
  type GramSums,
  type LinearLoss,
} from './wasm-linear.js';
import { KernelAllocations } from './wasm-memory.js';

/**
 * The kernels with worker threads: each call runs on the calling thread alone when the batch is
 * small, and is split over a shared pool of worker threads (started on first need) when it is
 * large enough for the threads to pay. Results are the same bits either way. The worker threads
 * run the WebAssembly kernels; with the native kernels in use, every call runs natively on the
 * calling thread instead (one native thread outran two WebAssembly ones at every shape measured).
 */

/** Settings of the kernels: which implementation, and their worker threads; see {@link configureKernels}. */
export interface KernelSettings {
  /**
   * Use the native kernels (C, built by `npm run build:native` for this processor) when they are
   * built; `false` runs WebAssembly everywhere. See {@link kernelBackend} for which one runs.
   */
  readonly native: boolean;
  /**
   * Bytes of freed memory the C allocator (glibc) keeps for reuse instead of returning them to
   * the system at once, set when the native kernels load (default 64 MiB; 0: glibc's defaults).
   * Each batch's new arrays then reuse warm pages instead of faulting fresh ones in, which on
   * virtual machines costs more than the kernels themselves.
   */
  readonly retainFreedMemory: number;
  /**
   * WebAssembly worker threads besides the calling one; 0 keeps every kernel on the calling
   * thread. Unused while the native kernels run.
   */
  readonly threads: number;
  /**
   * Smallest job that is split over the threads, as its estimated time on one thread in
   * microseconds (each kernel estimates its own from measured per-row costs). Below it, waking a
   * thread costs more than it saves.
   */
  readonly minParallelWork: number;
}

/**
 * Measured end to end on the project's 2-core machine (models benchmark shapes, 11 runs each,
 * benchmarks/models.mjs's training runs with and without the pool): splitting jobs of 0.1-2 ms
 * over a second thread never paid, and usually cost: linear regression at d = 10, batch 10k
 * (~90 µs gradient jobs) 21.4 M points/s alone against 15.0 M pooled; at d = 100 (~0.5 ms)
 * 6.3 M against 4.8 M; k-means at d = 10 (~0.2 ms) 19.5 M against 14-18 M; at d = 100,
 * batch 10k (~1.6 ms) 4.2 M against 3.9 M. The kernel micro-benchmark (kernels.mjs, data already
 * packed, jobs back to back) does show gains from ~300 µs, but in a pipeline the waking, the
 * hand-over and the second thread's memory traffic eat them. So jobs are split from 2 ms on.
 */
const DEFAULT_MIN_PARALLEL_WORK = 2000;

let settings: KernelSettings = {
  native: true,
  retainFreedMemory: DEFAULT_RETAINED_FREE_MEMORY,
  threads: defaultThreadCount(),
  minParallelWork: DEFAULT_MIN_PARALLEL_WORK,
};
let pool: Promise<KernelPool> | undefined;

/**
 * Sets how the kernels run. `native` (default true) uses the native kernels when they are built
 * (they give the same results as WebAssembly, faster; see {@link kernelBackend}), and
 * `retainFreedMemory` is how much freed memory the C allocator keeps for reuse once they load
 * (default 64 MiB, 0 for glibc's defaults). For the WebAssembly kernels, `threads` (default:
 * available cores − 1) is how many worker threads join the calling thread on large batches, and
 * `minParallelWork` the smallest job that is split, in estimated microseconds on one thread. Changing `threads` stops the current threads (new ones
 * start on next need). Returns the settings now in force.
 *
 * @example
 * await configureKernels({ native: false }); // WebAssembly kernels
 * await configureKernels({ threads: 0 }); // everything on the calling thread
 * await configureKernels({ threads: 3, minParallelWork: 200 });
 */
export async function configureKernels(changes: Partial<KernelSettings>): Promise<KernelSettings> {
  const next = { ...settings, ...changes };
  if (!Number.isInteger(next.threads) || next.threads < 0 || next.threads > 256) {
    throw new ConfigurationError(
      `configureKernels: threads must be an integer from 0 to 256, got ${next.threads}`,
    );
  }
  if (!(next.minParallelWork >= 0)) {
    throw new ConfigurationError(
      `configureKernels: minParallelWork must be a number >= 0, got ${next.minParallelWork}`,
    );
  }
  if (typeof next.native !== 'boolean') {
    throw new ConfigurationError(
      `configureKernels: native must be true or false, got ${String(next.native)}`,
    );
  }
  const { retainFreedMemory } = next;
  if (!(
    Number.isInteger(retainFreedMemory) &&
    retainFreedMemory >= 0 &&
    retainFreedMemory <= 2 ** 30
  )) {
    throw new ConfigurationError(
      `configureKernels: retainFreedMemory must be a whole number of bytes from 0 to 2^30 (1 GiB), got ${retainFreedMemory}`,
    );
  }
  if (next.threads !== settings.threads) await closeKernelThreads();
  setNativeKernelsWanted(next.native);
  if (next.retainFreedMemory !== settings.retainFreedMemory) {
    setRetainedFreeMemory(next.retainFreedMemory);
  }
  settings = next;
  return settings;
}

/**
 * Stops the kernels' worker threads (they never keep the process alive, so this is only needed
 * to free them early). The next large batch starts them again.
 *
 * @example
 * await closeKernelThreads();
 */
export async function closeKernelThreads(): Promise<void> {
  const current = pool;
  pool = undefined;
  if (current !== undefined) await (await current.catch(() => undefined))?.close();
}

async function sharedPool(): Promise<KernelPool> {
  const starting = (pool ??= KernelPool.start({ threads: settings.threads }));
  let current: KernelPool;
  try {
    current = await starting;
  } catch (error) {
    if (pool === starting) pool = undefined; // the next call tries again
    throw error;
  }
  if (current.isUsable) return current;
  // A thread died: stop the others and start a new pool.
  if (pool === starting) pool = undefined;
  await current.close();
  return sharedPool();
}

async function runParallel<T>(build: PlanBuilder<T>): Promise<T> {
  // The native kernels run on the calling thread alone, reading arrays in place; the worker
  // threads serve the WebAssembly kernels (see configureKernels).
  if (readsArraysInPlace()) return runOnThisThread(build);
  const memory = new KernelAllocations();
  try {
    const plan = build(memory);
    const { job } = plan;
    if (settings.threads > 0 && job.blocks > 1 && job.estimatedMicros >= settings.minParallelWork) {
      await (await sharedPool()).run(job);
    } else {
      runJobHere(job, memory);
    }
    return plan.finish();
  } finally {
    memory.release();
  }
}

/**
 * {@link wasmClusterStatistics} on worker threads when the batch is large enough.
 *
 * @example
 * const rows = { kind: 'dense', n: 3, d: 2, data: Float64Array.of(1, 1, 3, 3, 9, 9) } as const;
 * const stats = await parallelClusterStatistics(rows, Float64Array.of(0, 0, 10, 10), 2);
 * stats.counts; // Float64Array [2, 1]
 */
export function parallelClusterStatistics(
  rows: DenseRows,
  centers: Float64Array,
  k: number,
  options?: KMeansStatisticsOptions,
): Promise<KMeansStatistics> {
  return runParallel(clusterStatisticsPlan(rows, centers, k, options));
}

/**
 * {@link wasmNearestCenters} on worker threads when the batch is large enough.
 *
 * @example
 * const rows = { kind: 'dense', n: 2, d: 1, data: Float64Array.of(0.2, 7) } as const;
 * const assignment = new Int32Array(2);
 * await parallelNearestCenters(rows, Float64Array.of(0, 5), 2, assignment); // [0, 1]
 */
export function parallelNearestCenters(
  rows: DenseRows,
  centers: Float64Array,
  k: number,
  assignment: Int32Array,
  squaredDistances?: Float64Array,
): Promise<void> {
  return runParallel(nearestCentersPlan(rows, centers, k, assignment, squaredDistances));
}

/**
 * {@link wasmGradientSum} on worker threads when the batch is large enough.
 *
 * @example
 * const rows = { kind: 'dense', n: 2, d: 1, data: Float64Array.of(1, 2) } as const;
 * const sum = await parallelGradientSum('logistic', rows, Float64Array.of(0, 1), Float64Array.of(0));
 * sum.gradient; // Float64Array [-0.5]: (0.5 − 0)·1 + (0.5 − 1)·2
 */
export function parallelGradientSum(
  loss: LinearLoss,
  rows: DenseRows,
  labels: Float64Array,
  weights: Float64Array,
  options?: GradientSumOptions,
): Promise<GradientSum> {
  return runParallel(gradientSumPlan(loss, rows, labels, weights, options));
}

/**
 * {@link wasmGramSums} on worker threads when the batch is large enough.
 *
 * @example
 * const rows = { kind: 'dense', n: 2, d: 1, data: Float64Array.of(1, 2) } as const;
 * (await parallelGramSums(rows, Float64Array.of(3, 4))).gram; // Float64Array [5]
 */
export function parallelGramSums(rows: DenseRows, labels: Float64Array): Promise<GramSums> {
  return runParallel(gramSumsPlan(rows, labels));
}

/**
 * {@link wasmPredictLinear} on worker threads when the batch is large enough.
 *
 * @example
 * const rows = { kind: 'dense', n: 1, d: 2, data: Float64Array.of(1, 1) } as const;
 * const out = new Float64Array(1);
 * await parallelPredictLinear(rows, Float64Array.of(1, -1), 0, 'probability', out); // [0.5]
 */
export function parallelPredictLinear(
  rows: DenseRows,
  weights: Float64Array,
  intercept: number,
  output: 'margin' | 'probability',
  out: Float64Array,
): Promise<void> {
  return runParallel(predictLinearPlan(rows, weights, intercept, output, out));
}
