import { ConfigurationError, DataError } from '../streaming/errors.js';

/** A dense vector: its values, in order. */
export type DenseVector = Float64Array;

/** A sparse vector: `size` entries, of which only those at `indices` (ascending) are non-zero. */
export interface SparseVector {
  readonly size: number;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** A feature vector, dense or sparse. */
export type Vector = DenseVector | SparseVector;

/** What public methods accept wherever a vector goes: a `Vector` or a plain `number[]`. */
export type VectorLike = Vector | readonly number[];

/** Whether `v` is a sparse vector. */
export function isSparse(v: Vector): v is SparseVector {
  return !(v instanceof Float64Array);
}

/** Number of entries of a vector (its dimension). */
export function vectorSize(v: VectorLike): number {
  if (Array.isArray(v) || v instanceof Float64Array) return v.length;
  return (v as SparseVector).size;
}

/** A `Vector` for what a public method was given (a `number[]` becomes a dense vector). */
export function toVector(v: VectorLike): Vector {
  if (v instanceof Float64Array) return v;
  if (Array.isArray(v)) return Float64Array.from(v as readonly number[]);
  return v as SparseVector;
}

/** A dense copy of any vector. */
export function toDense(v: VectorLike): DenseVector {
  const vector = toVector(v);
  if (!isSparse(vector)) return vector === v ? Float64Array.from(vector) : vector;
  const dense = new Float64Array(vector.size);
  for (let i = 0; i < vector.indices.length; i++) dense[vector.indices[i]] = vector.values[i];
  return dense;
}

/** Whether every value of the vector is a finite number (no NaN, no ±Infinity). */
export function isFiniteVector(v: Vector): boolean {
  const values = isSparse(v) ? v.values : v;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function dense(values: readonly number[] | Float64Array): DenseVector {
  return Float64Array.from(values);
}

function sparse(
  size: number,
  indices: readonly number[] | Int32Array,
  values: readonly number[] | Float64Array,
): SparseVector {
  if (!Number.isInteger(size) || size < 0) {
    throw new ConfigurationError(`sparse vector size must be a whole number >= 0, got ${size}`);
  }
  if (indices.length !== values.length) {
    throw new ConfigurationError(
      `sparse vector needs as many indices as values, got ${indices.length} indices and ${values.length} values`,
    );
  }
  let previous = -1;
  for (const index of indices) {
    if (!Number.isInteger(index) || index <= previous || index >= size) {
      throw new ConfigurationError(
        `sparse vector indices must be whole, strictly increasing and below size ${size}; got ${index} after ${previous}`,
      );
    }
    previous = index;
  }
  return { size, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

function zeros(size: number): DenseVector {
  if (!Number.isInteger(size) || size < 0) {
    throw new ConfigurationError(`vector size must be a whole number >= 0, got ${size}`);
  }
  return new Float64Array(size);
}

function parseNumberList(text: string, what: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(',').map((part) => {
    const token = part.trim();
    const value = Number(token);
    if (token === '' || Number.isNaN(value)) {
      throw new DataError(`cannot parse "${token}" as a number in ${what}`);
    }
    return value;
  });
}

const DENSE_FORM = /^\[([^\]]*)\]$/;
const SPARSE_FORM = /^\(\s*([^,]+?)\s*,\s*\[([^\]]*)\]\s*,\s*\[([^\]]*)\]\s*\)$/;

function parse(text: string): Vector {
  if (typeof text !== 'string')
    throw new DataError(`Vectors.parse needs a string, got ${typeof text}`);
  const trimmed = text.trim();
  const denseMatch = DENSE_FORM.exec(trimmed);
  if (denseMatch) return dense(parseNumberList(denseMatch[1], `vector "${trimmed}"`));
  const sparseMatch = SPARSE_FORM.exec(trimmed);
  if (sparseMatch) {
    const size = Number(sparseMatch[1]);
    const indices = parseNumberList(sparseMatch[2], `vector "${trimmed}"`);
    const values = parseNumberList(sparseMatch[3], `vector "${trimmed}"`);
    try {
      return sparse(size, indices, values);
    } catch (error) {
      throw new DataError(`invalid sparse vector "${trimmed}": ${(error as Error).message}`);
    }
  }
  throw new DataError(
    `cannot parse "${trimmed}" as a vector: expected "[1,2]" or "(size,[indices],[values])"`,
  );
}

/** Spark's text form of a vector: `[1.0,2.5]` or `(3,[0,2],[1.0,2.5])`. */
export function formatVector(v: VectorLike): string {
  const vector = toVector(v);
  if (!isSparse(vector)) return `[${Array.from(vector).join(',')}]`;
  return `(${vector.size},[${Array.from(vector.indices).join(',')}],[${Array.from(vector.values).join(',')}])`;
}

/** Builds vectors (Spark's `Vectors`). */
export const Vectors = {
  /** A dense vector with these values. @example Vectors.dense([1, 2.5]) */
  dense,
  /** A sparse vector. @example Vectors.sparse(4, [0, 3], [1, -2]) // [1, 0, 0, -2] */
  sparse,
  /** A dense vector of `size` zeros. */
  zeros,
  /**
   * Parses Spark's text form: dense `"[1,2.5]"` or sparse `"(size,[i...],[v...])"`. Throws a
   * `DataError` naming the text on anything else (`DStream.parse` routes those to dead letters).
   */
  parse,
};
