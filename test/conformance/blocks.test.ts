import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  StreamingContext,
  VectorBlock,
  queueStream,
  type DeadLetter,
  type VectorLike,
} from '../../src/index.js';
import { ADAPTERS } from './adapters.js';

/** The rows of `inputs` split into blocks of at most `size` rows. */
function blocksOf(inputs: readonly unknown[], size: number): VectorBlock[] {
  const blocks: VectorBlock[] = [];
  for (let start = 0; start < inputs.length; start += size) {
    blocks.push(VectorBlock.fromRows(inputs.slice(start, start + size) as VectorLike[]));
  }
  return blocks;
}

describe.each(ADAPTERS)('$title: predictOnBlocks', (adapter) => {
  const training = adapter.trainingBatches(41, 4);
  const inputs = adapter.predictionInputs(42);

  it('gives, block by block, what predictOn gives for the same rows at the same batch', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const algorithm = adapter.create(7, 'subject');
    algorithm.trainOn(queueStream(ssc, training));
    const perRecord: unknown[][] = [];
    algorithm
      .predictOn(
        queueStream(
          ssc,
          training.map(() => inputs),
        ),
      )
      .foreachBatch((items) => {
        perRecord.push([...items]);
      });
    const perBlock: number[][] = [];
    const blocks = training.map(() => blocksOf(inputs, 10));
    algorithm.predictOnBlocks(queueStream(ssc, blocks)).foreachBatch((items) => {
      expect(items).toHaveLength(3); // 25 rows in blocks of 10, 10 and 5
      perBlock.push(items.flatMap((predictions) => Array.from(predictions)));
    });
    ssc.start();
    await ssc.advance(training.length);
    await ssc.stop();

    expect(perBlock).toEqual(perRecord);
    // The model moved between batches, so this compares four different models' predictions.
    expect(new Set(perRecord.map((batch) => JSON.stringify(batch))).size).toBeGreaterThan(1);
  });

  it('keeps a bad row in place with the stand-in and dead-letters it; bad records go whole', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const algorithm = adapter.create(8, 'subject');
    const good = blocksOf(inputs, 25)[0];
    const values = good.values.slice();
    values.fill(Number.NaN, good.dimension, good.dimension + 1); // row 1, first value
    values[3 * good.dimension + 1] = Number.POSITIVE_INFINITY; // row 3
    const dirty = new VectorBlock(values, good.dimension);
    const wrongDimension = new VectorBlock(
      new Float64Array(good.dimension + 1),
      good.dimension + 1,
    );
    const notABlock = [1, 2, 3];
    const outputs: (Float64Array | Int32Array)[] = [];
    algorithm
      .predictOnBlocks(queueStream(ssc, [[good, wrongDimension, dirty, notABlock as never]]))
      .foreachBatch((items) => {
        outputs.push(...items);
      });
    const letters: DeadLetter[] = [];
    ssc.deadLetters().foreachBatch((items) => {
      letters.push(...items);
    });
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();

    expect(outputs).toHaveLength(2);
    const [clean, withBadRows] = outputs;
    const standIn = clean instanceof Int32Array ? -1 : Number.NaN;
    expect(withBadRows.constructor).toBe(clean.constructor);
    Array.from(clean).forEach((prediction, row) => {
      expect(withBadRows[row]).toEqual(row === 1 || row === 3 ? standIn : prediction);
    });
    expect(letters.map((letter) => [letter.stage, letter.reason])).toEqual([
      [
        'subject.predictOnBlocks',
        `expected a VectorBlock of dimension ${good.dimension}, got dimension ${good.dimension + 1}`,
      ],
      ['subject.predictOnBlocks', 'row 1 of the VectorBlock: non-finite value NaN at position 0'],
      [
        'subject.predictOnBlocks',
        'row 3 of the VectorBlock: non-finite value Infinity at position 1',
      ],
      ['subject.predictOnBlocks', 'expected a VectorBlock, got Array'],
    ]);
    expect(letters[0].record).toBe(wrongDimension);
    expect(Array.from(letters[1].record as Float64Array)).toEqual(Array.from(dirty.row(1)));
    // A copy: refilling the block's buffer (as a decoder reusing its frame would) leaves it be.
    dirty.values.fill(0);
    expect(Number.isNaN((letters[1].record as Float64Array)[0])).toBe(true);
    expect(letters[3].record).toBe(notABlock);
  });
});
