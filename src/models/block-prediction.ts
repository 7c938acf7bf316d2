import { DataError } from '../streaming/errors.js';
import { packBlockForKernels, type DenseRows } from './kernels/pack.js';
import { describeRecord, vectorProblem } from './kernels/vector-problems.js';
import { VectorBlock } from './vector-block.js';

/*
 * Scoring a whole VectorBlock at once, shared by every model's `predictBlock` and the streaming
 * `predictOnBlocks`: the block goes to the kernels in one copy, and a row that can't be scored
 * (NaN or an infinity) keeps its place in the output with a stand-in value (NaN for the linear
 * models, -1 for k-means) while the caller is told which row and why.
 */

/** Told about each row of a block that can't be scored: the row (a view), its index and why. */
export type BadRowHandler = (row: Float64Array, index: number, reason: string) => void;

/** Why `record` can't be scored as a block of `d`-dimensional rows, or undefined when it can. */
export function blockProblem(record: unknown, d: number): string | undefined {
  if (!(record instanceof VectorBlock)) {
    return `expected a VectorBlock, got ${describeRecord(record)}`;
  }
  if (record.dimension !== d) {
    return `expected a VectorBlock of dimension ${d}, got dimension ${record.dimension}`;
  }
  return undefined;
}

/**
 * The predictions for every row of `block`, by `predictRows` (a new array of n predictions for
 * packed rows). Rows that can't be scored get `unusable` and go to `onBadRow`; without it, the
 * first such row throws a `DataError` (as `predict` does for one vector), before any scoring.
 */
export function predictBlockRows<P extends Float64Array | Int32Array>(
  block: VectorBlock,
  d: number,
  predictRows: (rows: DenseRows) => P,
  unusable: number,
  onBadRow?: BadRowHandler,
): P {
  const problem = blockProblem(block, d);
  if (problem !== undefined) throw new DataError(`cannot predict: ${problem}`);
  const packed = packBlockForKernels(block.values, d);
  try {
    const reasons = Array.from(packed.nonFinite, (index) => {
      const reason = vectorProblem(block.row(index), d) ?? 'unusable row';
      if (onBadRow === undefined) throw new DataError(`cannot predict row ${index}: ${reason}`);
      return reason;
    });
    const predictions = predictRows(packed.rows);
    packed.nonFinite.forEach((index, i) => {
      predictions[index] = unusable;
      onBadRow?.(block.row(index), index, reasons[i]);
    });
    return predictions;
  } finally {
    packed.release();
  }
}
