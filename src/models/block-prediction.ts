import { DataError } from '../streaming/errors.js';
import { packBlockForKernels, type DenseRows } from './kernels/pack.js';
import { describeRecord, vectorProblem } from './kernels/vector-problems.js';
import { wasmNonFiniteRows } from './kernels/wasm-finite.js';
import { VectorBlock } from './vector-block.js';

/*
 * Scoring a whole VectorBlock at once, shared by every model's `predictBlock` and the streaming
 * `predictOnBlocks`: the block goes to the kernels in one copy, and a row that can't be scored
 * (NaN or an infinity) keeps its place in the output with a stand-in value (NaN for the linear
 * models, -1 for k-means) while the caller is told which row and why.
 */

/** Told about each row of a block that can't be scored: the row (a view), its index and why. */
export type BadRowHandler = (row: Float64Array, index: number, reason: string) => void;

/** How a model scores the rows of a block. */
export interface BlockScorer<P extends Float64Array | Int32Array> {
  /** Scores for packed rows, a new array of n (rows with NaN or an infinity may get anything). */
  score(rows: DenseRows): P;
  /** What a row that can't be scored predicts. */
  readonly unusable: number;
  /**
   * For models whose scores are non-finite for every row holding NaN or an infinity (a linear
   * margin is): the rows whose scores are not finite. Only those are checked, which spares a pass
   * over the whole block; without it every row is.
   */
  suspects?(scores: P): number[];
  /** Turns the scores into predictions in place, once the bad rows are known. */
  finish?(scores: P): void;
}

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
 * The predictions for every row of `block`, by `scorer`. Rows that can't be scored get
 * `scorer.unusable` and go to `onBadRow`; without it, the first such row throws a `DataError`
 * (as `predict` does for one vector).
 */
export function predictBlockRows<P extends Float64Array | Int32Array>(
  block: VectorBlock,
  d: number,
  scorer: BlockScorer<P>,
  onBadRow?: BadRowHandler,
): P {
  const problem = blockProblem(block, d);
  if (problem !== undefined) throw new DataError(`cannot predict: ${problem}`);
  const packed = packBlockForKernels(block.values, d);
  let scores: P;
  let suspects: ArrayLike<number>;
  try {
    const scanned = scorer.suspects === undefined ? wasmNonFiniteRows(packed.rows) : undefined;
    scores = scorer.score(packed.rows);
    suspects = scanned ?? scorer.suspects?.(scores) ?? [];
  } finally {
    packed.release();
  }
  const bad: { index: number; reason: string }[] = [];
  for (let i = 0; i < suspects.length; i++) {
    const index = suspects[i];
    const reason = vectorProblem(block.row(index), d);
    if (reason === undefined) continue; // finite values whose score overflowed: a true score
    if (onBadRow === undefined) throw new DataError(`cannot predict row ${index}: ${reason}`);
    bad.push({ index, reason });
  }
  scorer.finish?.(scores);
  for (const { index } of bad) scores[index] = scorer.unusable;
  for (const { index, reason } of bad) onBadRow?.(block.row(index), index, reason);
  return scores;
}

/** The positions of the values of `scores` that are NaN or infinite. */
export function nonFiniteAt(scores: Float64Array): number[] {
  const positions: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] - scores[i] !== 0) positions.push(i);
  return positions;
}
