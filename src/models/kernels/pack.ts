import { isSparse, toVector, vectorSize, type Vector, type VectorLike } from '../vectors.js';

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

/** Why `candidate` can't be used as a `d`-dimensional vector, or undefined when it can. */
export function vectorProblem(candidate: unknown, d: number): string | undefined {
  if (
    !(candidate instanceof Float64Array) &&
    !Array.isArray(candidate) &&
    !isSparseLike(candidate)
  ) {
    return `expected a vector (Float64Array, number[] or sparse vector), got ${describeRecord(candidate)}`;
  }
  const vector = candidate as VectorLike;
  const size = vectorSize(vector);
  if (size !== d) return `expected a vector of dimension ${d}, got dimension ${size}`;
  const values = Array.isArray(vector)
    ? (vector as readonly number[])
    : isSparse(vector as Vector)
      ? (vector as { values: Float64Array }).values
      : (vector as Float64Array);
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      return `non-finite value ${String(values[i])} at position ${i}`;
    }
  }
  return undefined;
}

function isSparseLike(candidate: unknown): boolean {
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    (candidate as { indices?: unknown }).indices instanceof Int32Array &&
    (candidate as { values?: unknown }).values instanceof Float64Array &&
    typeof (candidate as { size?: unknown }).size === 'number'
  );
}

/** A short description of any record for rejection reasons: its class, or its type and value. */
export function describeRecord(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case 'object':
    case 'function':
      return (value as { constructor?: { name?: string } }).constructor?.name ?? typeof value;
    case 'string':
      return `string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${value}`;
    default:
      return typeof value;
  }
}

/**
 * Validates and packs vectors of dimension `d`. Records of the wrong dimension, with NaN or
 * infinite values, or that are not vectors at all, go to `reject` and are left out; `kept` maps
 * packed rows back to positions in `items`. Dense layout unless sparse input is under half full.
 */
export function packVectors(
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
): { rows: PackedRows; kept: Int32Array } {
  return packDenseInOnePass(items, d, reject) ?? packAnyLayout(items, d, reject);
}

/**
 * The common case, all records dense (`Float64Array` or `number[]`): validates and copies in one
 * pass. Returns undefined as soon as a sparse record shows up (the batch may then be better
 * packed as CSR), before anything has been rejected.
 */
function packDenseInOnePass(
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
): { rows: PackedRows; kept: Int32Array } | undefined {
  const data = new Float64Array(items.length * d);
  const kept = new Int32Array(items.length);
  const rejected: number[] = [];
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const base = n * d;
    let isUsable = false;
    if (item instanceof Float64Array && item.length === d) {
      // x - x is 0 for every finite x and NaN for NaN and ±Infinity.
      let check = 0;
      for (let j = 0; j < d; j++) {
        const x = item[j];
        data[base + j] = x;
        check += x - x;
      }
      isUsable = check === 0;
    } else if (Array.isArray(item) && item.length === d) {
      isUsable = true;
      for (let j = 0; j < d; j++) {
        const x: unknown = item[j];
        if (typeof x !== 'number' || x - x !== 0) {
          isUsable = false;
          break;
        }
        data[base + j] = x;
      }
    } else if (isSparseLike(item)) {
      return undefined;
    }
    if (isUsable) kept[n++] = i;
    else rejected.push(i);
  }
  for (const i of rejected) reject(items[i], vectorProblem(items[i], d) ?? 'unusable vector');
  return {
    rows: { kind: 'dense', n, d, data: data.subarray(0, n * d) },
    kept: kept.subarray(0, n),
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
