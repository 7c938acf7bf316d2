import type { DenseRows, RejectRecord } from './pack.js';
import { isSparseLike, vectorProblem } from './vector-problems.js';
import { wasmNonFiniteRows } from './wasm-finite.js';

/**
 * Where a packed batch's values and positions live: ordinary memory, or memory the kernels read
 * in place and that is reused from batch to batch.
 */
export interface RowStorage {
  /** `length` values; their initial contents don't matter (packing writes every one it keeps). */
  take(length: number): Float64Array;
  /** `length` positions, likewise. */
  takePositions(length: number): Int32Array;
  /** Called with what `take` or `takePositions` gave, once it is no longer used. */
  giveBack(array: Float64Array | Int32Array): void;
}

/** Fresh ordinary arrays (what tfjs and the plain-JS kernels get). */
export const ORDINARY_MEMORY: RowStorage = {
  take: (length) => new Float64Array(length),
  takePositions: (length) => new Int32Array(length),
  giveBack: () => undefined,
};

/**
 * For records that wrap their vector (labelled points): the record, whose `features` are the
 * vector, or the reason the record itself can't be used.
 */
export type FeaturesOf = (record: unknown) => { readonly features: unknown } | string;

/**
 * From this dimension on, a `Float64Array` row is copied with `set()` and the packed batch checked
 * for NaN and infinities by `wasmNonFiniteRows`: at d = 100 that packs 12-14 M rows/s against 4-6 M
 * for a JavaScript loop that copies and checks each value. Below it the call to `set()` costs more
 * than the copy (d = 10: 37-56 M rows/s for the loop, 39 M with `set()`), so the loop does both.
 */
const SET_MIN_DIMENSION = 16;

/** A dense packing: the rows and their positions in the input, in `storage`'s memory. */
export interface DensePacking {
  readonly rows: DenseRows;
  readonly kept: Int32Array;
  /** Gives the rows' and positions' memory back to the storage: call once, use neither after. */
  release(): void;
}

/**
 * The common case, all records dense (`Float64Array` or `number[]`): validates and copies them
 * into `storage` in one pass. Returns undefined as soon as a sparse record shows up (the batch
 * may then be better packed as CSR), before anything has been rejected. With `featuresOf`, the
 * records are labelled points: those it refuses are rejected first, then those whose vector is
 * unusable, each group in record order.
 */
export function packDenseInOnePass(
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
  storage: RowStorage,
  featuresOf?: FeaturesOf,
): DensePacking | undefined {
  const data = storage.take(items.length * d);
  let kept: Int32Array;
  try {
    kept = storage.takePositions(items.length);
  } catch (error) {
    storage.giveBack(data); // memory full: what was taken goes back before the error does
    throw error;
  }
  const release = () => {
    storage.giveBack(data);
    storage.giveBack(kept);
  };
  let packed: { n: number } | undefined;
  try {
    packed = packInto(data, kept, items, d, reject, featuresOf);
  } finally {
    // Sparse input, or a reject callback that throws (direct calls): nothing escapes.
    if (packed === undefined) release();
  }
  if (packed === undefined) return undefined;
  const { n } = packed;
  return {
    rows: { kind: 'dense', n, d, data: data.subarray(0, n * d) },
    kept: kept.subarray(0, n),
    release,
  };
}

/**
 * Packs the usable records into `data`, their positions into `kept`, and rejects the others;
 * gives the number of rows packed, or undefined at the first sparse record.
 */
function packInto(
  data: Float64Array,
  kept: Int32Array,
  items: readonly unknown[],
  d: number,
  reject: RejectRecord,
  featuresOf: FeaturesOf | undefined,
): { n: number } | undefined {
  // Positions of rejected records; refused records' reasons are kept beside them.
  let refused: { position: number; reason: string }[] | undefined;
  let unusable: number[] | undefined;
  let n = 0;
  let hasUncheckedRows = false;
  for (let i = 0; i < items.length; i++) {
    let item = items[i];
    if (featuresOf !== undefined) {
      const wrapped = featuresOf(item);
      if (typeof wrapped === 'string') {
        (refused ??= []).push({ position: i, reason: wrapped });
        continue;
      }
      item = wrapped.features;
    }
    const base = n * d;
    let isUsable = false;
    if (item instanceof Float64Array && item.length === d) {
      if (d >= SET_MIN_DIMENSION) {
        data.set(item, base);
        isUsable = hasUncheckedRows = true;
      } else {
        isUsable = copyCheckedRow(item, data, base, d);
      }
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
    else (unusable ??= []).push(i);
  }
  if (hasUncheckedRows) {
    const nonFinite = wasmNonFiniteRows({ kind: 'dense', n, d, data });
    if (nonFinite.length > 0) {
      unusable = mergeSorted(
        unusable ?? [],
        Array.from(nonFinite, (row) => kept[row]),
      );
      n = dropRows(data, kept, n, d, nonFinite);
    }
  }
  for (const { position, reason } of refused ?? []) reject(items[position], reason);
  for (const i of unusable ?? []) {
    const vector =
      featuresOf === undefined ? items[i] : (items[i] as { features: unknown }).features;
    reject(items[i], vectorProblem(vector, d) ?? 'unusable vector');
  }
  return { n };
}

/** Copies a row of d values to `data[base..)`; returns whether every value is finite. */
function copyCheckedRow(row: Float64Array, data: Float64Array, base: number, d: number): boolean {
  // x - x is 0 for every finite x and NaN for NaN and ±Infinity; two sums halve the add chain.
  let check = 0;
  let check2 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const x = row[j];
    const y = row[j + 1];
    data[base + j] = x;
    data[base + j + 1] = y;
    check += x - x;
    check2 += y - y;
  }
  if (j < d) {
    const x = row[j];
    data[base + j] = x;
    check += x - x;
  }
  return check + check2 === 0;
}

/** Two increasing lists of positions merged into one. */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    out.push(j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++]);
  }
  return out;
}

/** Removes the packed rows `drop` (increasing) from `data` and `kept`; returns the rows left. */
function dropRows(
  data: Float64Array,
  kept: Int32Array,
  n: number,
  d: number,
  drop: Int32Array,
): number {
  let next = 0;
  let to = 0;
  for (let row = 0; row < n; row++) {
    if (next < drop.length && drop[next] === row) {
      next++;
      continue;
    }
    if (to !== row) {
      data.copyWithin(to * d, row * d, row * d + d);
      kept[to] = kept[row];
    }
    to++;
  }
  return to;
}
