import type { PackedRows } from '../kernels/pack.js';
import { wasmPredictLinear } from '../kernels/wasm-linear.js';

/*
 * Row algebra over the batch layouts of `kernels/pack.ts`: dense rows are `d` consecutive values
 * of one row-major Float64Array; sparse rows are CSR slices, so their dot products and updates
 * touch only the stored non-zeros. These helpers are small on purpose: V8 inlines them into the
 * gradient and prediction loops, so the loops stay free of calls and allocations.
 */

/** `x · w` for the dense row starting at `base`. */
export function denseRowDot(data: Float64Array, base: number, d: number, w: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < d; j++) sum += data[base + j] * w[j];
  return sum;
}

/** `x · w` for the sparse row whose entries are `[start, end)` of `indices`/`values`. */
export function sparseRowDot(
  indices: Int32Array,
  values: Float64Array,
  start: number,
  end: number,
  w: Float64Array,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) sum += values[k] * w[indices[k]];
  return sum;
}

/** `out += a · x` for the dense row starting at `base`. */
export function addScaledDenseRow(
  a: number,
  data: Float64Array,
  base: number,
  d: number,
  out: Float64Array,
): void {
  for (let j = 0; j < d; j++) out[j] += a * data[base + j];
}

/** `out += a · x` for the sparse row whose entries are `[start, end)`. */
export function addScaledSparseRow(
  a: number,
  indices: Int32Array,
  values: Float64Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  for (let k = start; k < end; k++) out[indices[k]] += a * values[k];
}

/**
 * Dense batches of at least this many values get their margins from `wasmPredictLinear`: a
 * WebAssembly call costs ~0.6 µs before its first row, so below ~1,000 values (d = 10: 64 rows,
 * d = 100: 10) the loop here is as fast, and a single `predict` stays a plain loop.
 */
const MIN_KERNEL_VALUES = 1024;

/**
 * The margin `w · x + intercept` of every row, written to `out` (length >= rows.n). Prediction
 * and evaluation both start from margins, so this is the one prediction loop. Large dense
 * batches run on the WebAssembly kernel, whose dot products add four pairs of lanes and then
 * the pairs: the same margins to rounding (about 1e-16 relative to Σ|wⱼxⱼ|).
 */
export function computeMargins(
  rows: PackedRows,
  weights: Float64Array,
  intercept: number,
  out: Float64Array,
): void {
  if (rows.kind === 'dense') {
    const { n, d, data } = rows;
    if (n * d >= MIN_KERNEL_VALUES) wasmPredictLinear(rows, weights, intercept, 'margin', out);
    else for (let i = 0; i < n; i++) out[i] = denseRowDot(data, i * d, d, weights) + intercept;
  } else {
    const { n, indptr, indices, values } = rows;
    for (let i = 0; i < n; i++) {
      out[i] = sparseRowDot(indices, values, indptr[i], indptr[i + 1], weights) + intercept;
    }
  }
}
