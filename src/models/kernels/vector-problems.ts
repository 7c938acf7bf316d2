import { isSparse, vectorSize, type Vector, type VectorLike } from '../vectors.js';

/*
 * Why a record can't be used as a vector, in the words dead letters give: each rejected record's
 * reason names the offending value (its type, its dimension, or the non-finite value and where).
 */

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

/** Whether `candidate` has a sparse vector's shape: a numeric size, Int32Array indices, Float64Array values. */
export function isSparseLike(candidate: unknown): boolean {
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
