import { ConfigurationError } from '../../streaming/errors.js';
import type { DenseRows } from './pack.js';

/**
 * Shape checks for the kernel wrappers. The kernels trust their arguments (they index raw
 * memory), so every length is checked here, with the offending values in the message. Values
 * themselves are not scanned: batches come from packVectors, which already sent non-finite
 * records to the dead letters.
 */

const MAX_INT32 = 2 ** 31 - 1;

/** `rows` is a dense batch whose data is a Float64Array of at least n·d values. */
export function checkRows(kernel: string, rows: DenseRows): void {
  const { n, d, data } = rows;
  checkType(kernel, 'rows.data', data, Float64Array);
  // The kernels count rows and columns in 32-bit integers.
  if (
    !Number.isInteger(n) ||
    n < 0 ||
    n > MAX_INT32 ||
    !Number.isInteger(d) ||
    d < 1 ||
    d > MAX_INT32
  ) {
    throw new ConfigurationError(
      `${kernel}: rows need integers 0 <= n and 1 <= d, both below 2^31, got n = ${n}, d = ${d}`,
    );
  }
  if (data.length < n * d) {
    throw new ConfigurationError(
      `${kernel}: rows.data holds ${data.length} values, fewer than n·d = ${n}·${d} = ${n * d}; pack the batch with n and d matching its data`,
    );
  }
}

/**
 * `array` is a `type` (by default a Float64Array): the kernels read and write its memory as
 * values of that type, so another array type would be read past its end.
 */
export function checkType(
  kernel: string,
  what: string,
  array: unknown,
  type: Float64ArrayConstructor | Int32ArrayConstructor = Float64Array,
): void {
  if (!(array instanceof type)) {
    throw new ConfigurationError(
      `${kernel}: ${what} must be ${type === Int32Array ? 'an' : 'a'} ${type.name}, got ${Object.prototype.toString.call(array).slice(8, -1)}`,
    );
  }
}

/**
 * `array` is a `type` (by default a Float64Array) holding at least `expected` values (`what`
 * names it in the message).
 */
export function checkLength(
  kernel: string,
  what: string,
  array: Float64Array | Int32Array,
  expected: number,
  type: Float64ArrayConstructor | Int32ArrayConstructor = Float64Array,
): void {
  checkType(kernel, what, array, type);
  if (array.length < expected) {
    throw new ConfigurationError(
      `${kernel}: ${what} has length ${array.length}, needs at least ${expected}`,
    );
  }
}

/** The first n·d values of the batch (the kernels read exactly those). */
export function rowValues(rows: DenseRows): Float64Array {
  return rows.data.length === rows.n * rows.d ? rows.data : rows.data.subarray(0, rows.n * rows.d);
}
