import { ConfigurationError, DataError } from '../streaming/errors.js';
import { toDense, vectorSize, type VectorLike } from './vectors.js';

/**
 * Many dense vectors of one dimension in a single `Float64Array`, row after row: row i is
 * `values[i·dimension .. (i+1)·dimension)`. It is what a decoder of binary frames produces (a
 * Kafka message carrying a few thousand feature rows, a file read in chunks) and what the models'
 * `predictBlock` / `predictOnBlocks` score in one pass, without visiting each row as an object:
 * the whole block is copied to the kernels at once (not at all when `values` is already kernel
 * memory from `allocateKernelArray`).
 *
 * The block keeps `values` as given (no copy), so it sees later changes to them. Values are not
 * checked here: rows with NaN or an infinity are found when the block is scored.
 *
 * @example
 * import { VectorBlock } from 'millrace';
 * const block = new VectorBlock(Float64Array.of(1, 2, 3, 4, 5, 6), 2);
 * block.numRows; // 3
 * block.row(1); // Float64Array [3, 4] (a view)
 * VectorBlock.fromRows([[1, 2], [3, 4]]).values; // Float64Array [1, 2, 3, 4]
 */
export class VectorBlock {
  /** How many vectors the block holds. */
  readonly numRows: number;

  /**
   * @param values the rows, one after the other (`numRows · dimension` values).
   * @param dimension every row's length, an integer >= 1 that divides `values.length`.
   */
  constructor(
    readonly values: Float64Array,
    readonly dimension: number,
  ) {
    if (!(values instanceof Float64Array)) {
      throw new ConfigurationError('VectorBlock: values must be a Float64Array');
    }
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new ConfigurationError(
        `VectorBlock: dimension must be an integer >= 1, got ${String(dimension)}`,
      );
    }
    if (values.length % dimension !== 0) {
      throw new ConfigurationError(
        `VectorBlock: ${values.length} values are not whole rows of dimension ${dimension}`,
      );
    }
    this.numRows = values.length / dimension;
  }

  /**
   * A block holding copies of `rows` (dense, sparse or `number[]`), all of `dimension` (by
   * default the first row's). Throws a `DataError` naming the first row of another dimension.
   */
  static fromRows(rows: readonly VectorLike[], dimension?: number): VectorBlock {
    const d = dimension ?? (rows.length > 0 ? vectorSize(rows[0]) : undefined);
    if (d === undefined) {
      throw new ConfigurationError('VectorBlock.fromRows: give the dimension of an empty block');
    }
    const values = new Float64Array(rows.length * d);
    rows.forEach((row, i) => {
      const size = vectorSize(row);
      if (size !== d) {
        throw new DataError(`VectorBlock.fromRows: row ${i} has dimension ${size}, expected ${d}`);
      }
      // Dense rows are copied straight in; only a sparse one is expanded first.
      values.set(Array.isArray(row) || row instanceof Float64Array ? row : toDense(row), i * d);
    });
    return new VectorBlock(values, d);
  }

  /** Row `i` as a view of `values` (no copy). Throws a `RangeError` outside 0..numRows-1. */
  row(i: number): Float64Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.numRows) {
      throw new RangeError(`VectorBlock.row: no row ${i} in a block of ${this.numRows} rows`);
    }
    return this.values.subarray(i * this.dimension, (i + 1) * this.dimension);
  }
}
