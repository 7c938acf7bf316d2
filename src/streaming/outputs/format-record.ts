/**
 * The text form of a record in `print` and `saveAsTextFiles`, close to Spark's `toString`:
 * strings as they are; tuples and arrays as `(a,b)`, recursively (so a join's `[k, [v, w]]` reads
 * `(k,(v,w))`); typed arrays (dense vectors) as `[1,2.5]`; numbers, booleans, bigints, `null` and
 * `undefined` as `String(value)`; objects with their own `toString` (a `Date`, a class of yours)
 * through it; other objects as JSON.
 */
export function formatRecord(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `(${value.map(formatRecord).join(',')})`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return `[${Array.from(value as unknown as ArrayLike<number | bigint>).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null && value.toString === Object.prototype.toString) {
    return JSON.stringify(value);
  }
  return String(value);
}
