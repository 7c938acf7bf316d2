import { computeKernels, readsArraysInPlace } from './kernel-backend.js';
import { KernelAllocations } from './wasm-memory.js';
import type { BlockKernelName, ComputeKernels, KernelArgument } from './wasm-module.js';

/**
 * Rows per block. Kernels that sum (k-means statistics, gradients) write one partial per block,
 * and the partials are merged in block order: the result's bits depend on the input and this
 * constant only, never on how many threads ran the blocks. Small enough that a 1,000-row batch
 * still splits over two threads; large enough that merging (k·d values per block) stays cheap.
 */
export const BLOCK_ROWS = 256;

/**
 * Threads write to separate cache lines: per-block partials and per-thread scratch are padded to
 * whole 64-byte lines (and reservations are line-aligned). Two cores writing one line make each
 * other's writes many times slower (false sharing), which cost more than the second thread gave.
 */
export const CACHE_LINE_BYTES = 64;

/** `bytes` rounded up to whole cache lines. */
export function wholeCacheLines(bytes: number): number {
  return Math.ceil(bytes / CACHE_LINE_BYTES) * CACHE_LINE_BYTES;
}

/** The distance, in f64 values, between consecutive block partials of `width` values. */
export function partialStride(width: number): number {
  return wholeCacheLines(width * 8) / 8;
}

/** The number of blocks covering `rows` rows. */
export function blockCount(rows: number): number {
  return Math.ceil(rows / BLOCK_ROWS);
}

/**
 * One kernel call split into blocks. Every block kernel is called as
 * `kernel(...args, scratch, firstBlock, endBlock)`, where `scratch` is `scratchBytes` of memory
 * owned by the calling thread (0 when the kernel needs none; whole cache lines), so any
 * contiguous range of blocks can run on any thread.
 */
export interface BlockJob {
  readonly kernel: BlockKernelName;
  /** Arrays appear only in jobs for this thread's native kernels (see KernelAllocations). */
  readonly args: readonly KernelArgument[];
  readonly blocks: number;
  readonly scratchBytes: number;
  /**
   * Estimated time on one thread, in microseconds (per-row costs measured with
   * benchmarks/kernels.mjs), to judge whether worker threads pay.
   */
  readonly estimatedMicros: number;
}

/** A kernel call ready to run: the job, then `finish()` reads its results out of kernel memory. */
export interface KernelPlan<T> {
  readonly job: BlockJob;
  finish(): T;
}

/** Builds a plan whose memory comes from `memory` (released by the runner). */
export type PlanBuilder<T> = (memory: KernelAllocations) => KernelPlan<T>;

/**
 * Runs blocks [firstBlock, endBlock) of `job` on the calling thread, with `scratch`, on
 * `kernels` (by default the backend in force; a worker pool runs WebAssembly on every thread).
 */
export function runBlocks(
  job: BlockJob,
  scratch: number,
  firstBlock: number,
  endBlock: number,
  kernels: ComputeKernels = computeKernels(),
): void {
  kernels[job.kernel](...job.args, scratch, firstBlock, endBlock);
}

/** Runs every block of `job` on the calling thread, with scratch from `memory`. */
export function runJobHere(job: BlockJob, memory: KernelAllocations): void {
  const scratch = job.scratchBytes > 0 ? memory.reserve(job.scratchBytes) : 0;
  runBlocks(job, scratch, 0, job.blocks);
}

/**
 * Runs a whole plan on the calling thread and returns its results; the native kernels read and
 * write the caller's arrays in place.
 */
export function runOnThisThread<T>(build: PlanBuilder<T>): T {
  const memory = new KernelAllocations(readsArraysInPlace());
  try {
    const plan = build(memory);
    runJobHere(plan.job, memory);
    return plan.finish();
  } finally {
    memory.release();
  }
}
