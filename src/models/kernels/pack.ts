import { isSparse, toVector, type Vector, type VectorLike } from '../vectors.js';
import { borrowKernelArray, borrowKernelInt32Array, returnKernelArray } from './kernel-arrays.js';
import { readsArraysInPlace } from './kernel-backend.js';
import { ORDINARY_MEMORY, packDenseInOnePass, type RowStorage } from './pack-dense.js';
import { vectorProblem } from './vector-problems.js';
import { kernelAddress } from './wasm-memory.js';

/** n rows of d values, row-major: row i is `data[i*d .. i*d+d)`. */
export interface DenseRows {
  readonly kind: 'dense';
  readonly n: number;
  readonly d: number;
  readonly data: Float64Array;
}

/** n sparse rows in CSR form: row i's entries are `indices/values[indptr[i] .. indptr[i+1])`. */
export interface SparseRows {
  readonly kind: 'sparse';
  readonly n: number;
  readonly d: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** A batch of feature vectors packed for the kernels: contiguous, one layout per batch. */
export type PackedRows = DenseRows | SparseRows;

/** Called for each record that can't be used, with the reason (the caller dead-letters it). */
export type RejectRecord = (record: unknown, reason: string) => void;

/**
 * Validates and packs vectors of dimension `d`. Records of the wrong dimension, with NaN or
 * infinite values, or that are not vectors at all, go to `reject` and are left out; `kept` maps
 * packed rows back to positions in `items`. Dense layout unless sparse input is under half full.
 * (Models pack into kernel memory instead: see `packForKernels`.)
 */
export function packVectors(
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
): { rows: PackedRows; kept: Int32Array } {
  const dense = packDenseInOnePass(items, d, reject, ORDINARY_MEMORY);
  return dense === undefined
    ? packAnyLayout(items, d, reject)
    : { rows: dense.rows, kept: dense.kept };
}

/**
 * Packed rows whose memory must be given back: `release()` once, and no use of `rows` or `kept`
 * after it.
 */
export interface ReleasableRows {
  readonly rows: PackedRows;
  readonly kept: Int32Array;
  release(): void;
}

/**
 * Packs every partition of `batch` with `pack`, runs `use` on them, and releases them after it
 * (after its promise settles when it returns one), also when packing or `use` throws.
 *
 * @example
 * const n = usePackedPartitions(batch, (p) => packForKernels(p, d, onReject), (parts) => parts.length);
 */
export function usePackedPartitions<T, P extends { release(): void }, R>(
  batch: readonly (readonly T[])[],
  pack: (partition: readonly T[]) => P,
  use: (partitions: readonly P[]) => R,
): R {
  const packed: P[] = [];
  const releaseAll = (): void => {
    for (const partition of packed) partition.release();
  };
  let settlesLater = false;
  try {
    for (const partition of batch) packed.push(pack(partition));
    const result = use(packed);
    if (result instanceof Promise) {
      settlesLater = true;
      return result.finally(releaseAll) as R;
    }
    return result;
  } finally {
    if (!settlesLater) releaseAll();
  }
}

/** Borrowed kernel memory, for batches that only live until their kernels have run. */
export const KERNEL_MEMORY: RowStorage = {
  take: borrowKernelArray,
  takePositions: borrowKernelInt32Array,
  giveBack: returnKernelArray,
};

/**
 * `packVectors` for the models' batch kernels: dense batches go straight into kernel memory,
 * where the WebAssembly kernels and their worker threads read them without a copy. Rejections
 * are the same, with the same reasons, in the same order. Call `release()` when the batch's
 * kernels are done (sparse layouts live in ordinary memory and release nothing).
 *
 * @example
 * const packed = packForKernels(records, d, onReject);
 * try { if (packed.rows.kind === 'dense') wasmNearestCenters(packed.rows, centers, k, out); }
 * finally { packed.release(); }
 */
export function packForKernels(
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
): ReleasableRows {
  const dense = packDenseInOnePass(items, d, reject, KERNEL_MEMORY);
  if (dense === undefined) return { ...packAnyLayout(items, d, reject), release: () => undefined };
  return dense;
}

/**
 * Rows that are already one row-major array (`values`, n·d of them), for the kernels: read in
 * place when `values` already lives in kernel memory or the native kernels run (they read any
 * array), else copied into kernel memory once instead of visiting each row. Values are not
 * checked (`wasmNonFiniteRows` finds the rows with NaN or an infinity).
 *
 * @example
 * const block = packBlockForKernels(values, d);
 * try { wasmNearestCenters(block.rows, centers, k, out); } finally { block.release(); }
 */
export function packBlockForKernels(
  values: Float64Array,
  d: number,
): { readonly rows: DenseRows; release(): void } {
  const isReadInPlace = kernelAddress(values) !== undefined || readsArraysInPlace();
  const data = isReadInPlace ? values : borrowKernelArray(values.length);
  if (!isReadInPlace) data.set(values);
  return {
    rows: { kind: 'dense', n: values.length / d, d, data },
    release: () => {
      if (!isReadInPlace) returnKernelArray(data);
    },
  };
}

function packAnyLayout(
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
): { rows: PackedRows; kept: Int32Array } {
  const kept = new Int32Array(items.length);
  let n = 0;
  let sparseEntries = 0;
  let hasSparse = false;
  for (let i = 0; i < items.length; i++) {
    const problem = vectorProblem(items[i], d);
    if (problem !== undefined) {
      reject(items[i], problem);
      continue;
    }
    kept[n++] = i;
    const vector = items[i] as VectorLike;
    if (!Array.isArray(vector) && isSparse(vector as Vector)) {
      hasSparse = true;
      sparseEntries += (vector as { values: Float64Array }).values.length;
    } else {
      sparseEntries += d;
    }
  }
  const keptRows = kept.subarray(0, n);
  const rows =
    hasSparse && sparseEntries < 0.5 * n * d
      ? packSparse(items, keptRows, d, sparseEntries)
      : packDense(items, keptRows, d);
  return { rows, kept: keptRows };
}

function packDense(items: readonly unknown[], kept: Int32Array, d: number): DenseRows {
  const n = kept.length;
  const data = new Float64Array(n * d);
  for (let row = 0; row < n; row++) {
    const vector = toVector(items[kept[row]] as VectorLike);
    if (isSparse(vector)) {
      const base = row * d;
      for (let k = 0; k < vector.indices.length; k++)
        data[base + vector.indices[k]] = vector.values[k];
    } else {
      data.set(vector, row * d);
    }
  }
  return { kind: 'dense', n, d, data };
}

function packSparse(
  items: readonly unknown[],
  kept: Int32Array,
  d: number,
  entries: number,
): SparseRows {
  const n = kept.length;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(entries);
  const values = new Float64Array(entries);
  let at = 0;
  for (let row = 0; row < n; row++) {
    const vector = toVector(items[kept[row]] as VectorLike);
    if (isSparse(vector)) {
      indices.set(vector.indices, at);
      values.set(vector.values, at);
      at += vector.indices.length;
    } else {
      for (let j = 0; j < d; j++) {
        indices[at] = j;
        values[at++] = vector[j];
      }
    }
    indptr[row + 1] = at;
  }
  return { kind: 'sparse', n, d, indptr, indices, values };
}
