import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../src/index.js';
import type { BadRecord } from './adapter.js';
import { ADAPTERS } from './adapters.js';
import { repeated, run } from './run.js';

/** A bad record, where it was put, and the stage that must reject it. */
interface Placed extends BadRecord {
  readonly batch: number;
  readonly stage: string;
}

/**
 * Checks that each placed record has exactly one dead letter (the very record, not a copy or a
 * fragment) from its stage, with its reason, in its batch, and that there are no others.
 */
function expectDeadLetters(letters: DeadLetter[], placed: Placed[], batchTimes: number[]): void {
  expect(letters).toHaveLength(placed.length);
  for (const { record, reason, batch, stage } of placed) {
    const letter = letters.find((candidate) => candidate.record === record);
    expect(letter, `no dead letter for ${String(record)}`).toBeDefined();
    expect(letter!.stage).toBe(stage);
    expect(letter!.reason).toMatch(reason);
    expect(letter!.batchTime).toBe(batchTimes[batch]);
  }
}

/** `items` with `bad` spliced in at the start, in the middle and at the end. */
function interleave(items: readonly unknown[], bad: readonly unknown[]): unknown[] {
  const out = [...items];
  bad.forEach((record, i) => {
    const at = i === 0 ? 0 : i === bad.length - 1 ? out.length : Math.floor(out.length / 2) + i;
    out.splice(at, 0, record);
  });
  return out;
}

describe.each(ADAPTERS)('$title: bad input', (adapter) => {
  const training = adapter.trainingBatches(31, 4);
  const inputs = adapter.predictionInputs(32);

  it('bad training records go to dead letters and leave the model as if they were absent', async () => {
    const bad = adapter.badTrainingRecords();
    const half = Math.ceil(bad.length / 2);
    // Batch 0 mixes bad records in; batch 2 holds nothing else, so it must act as an empty batch.
    const dirty = [
      interleave(
        training[0],
        bad.slice(0, half).map((b) => b.record),
      ),
      training[1],
      bad.slice(half).map((b) => b.record),
      training[3],
    ];
    const clean = [training[0], training[1], [], training[3]];
    const withBad = adapter.create(5, 'subject');
    const without = adapter.create(5, 'subject');
    const dirtyRun = await run(adapter, withBad, { train: dirty });
    const cleanRun = await run(adapter, without, { train: clean });

    expect(withBad.latestModel().toJSON()).toEqual(without.latestModel().toJSON());
    expect(cleanRun.deadLetters).toEqual([]);
    const placed = bad.map((b, i) => ({ ...b, batch: i < half ? 0 : 2, stage: 'subject.trainOn' }));
    expectDeadLetters(dirtyRun.deadLetters, placed, dirtyRun.batchTimes);
  });

  it('bad inputs to predict go to dead letters and are left out of the predictions', async () => {
    const bad = adapter.badPredictionInputs();
    const plan = (predict: unknown[][]) => ({ train: training, predict });
    const withBad = adapter.create(6, 'subject');
    const without = adapter.create(6, 'subject');
    const dirty = repeated(inputs, training.length);
    dirty[1] = interleave(
      inputs,
      bad.map((b) => b.record),
    );
    const dirtyRun = await run(adapter, withBad, plan(dirty));
    const cleanRun = await run(adapter, without, plan(repeated(inputs, training.length)));

    expect(dirtyRun.predictions).toEqual(cleanRun.predictions);
    expect(dirtyRun.predictions[1]).toHaveLength(inputs.length);
    expect(withBad.latestModel().toJSON()).toEqual(without.latestModel().toJSON());
    const stage = `subject.${adapter.predictVerb}`;
    const placed = bad.map((b) => ({ ...b, batch: 1, stage }));
    expectDeadLetters(dirtyRun.deadLetters, placed, dirtyRun.batchTimes);
  });

  it('predictOnValues keeps keys, and dead-letters bad values and non-pairs as the whole record', async () => {
    const pairs = inputs.map((input, i) => [`key-${i}`, input]);
    const badPairs: BadRecord[] = [
      ...adapter.badPredictionInputs().map((b) => ({ ...b, record: ['bad-key', b.record] })),
      { record: 'not a pair', reason: /expected a \[key, value\] pair/ },
      { record: [1, 2, 3], reason: /expected a \[key, value\] pair/ },
    ];
    const withBad = adapter.create(7, 'subject');
    const without = adapter.create(7, 'subject');
    const dirtyRun = await run(adapter, withBad, {
      predictValues: [
        interleave(
          pairs,
          badPairs.map((b) => b.record),
        ),
      ],
    });
    const cleanRun = await run(adapter, without, { predictValues: [pairs] });

    expect(dirtyRun.predictions).toEqual(cleanRun.predictions);
    const keys = (dirtyRun.predictions[0] as [string, unknown][]).map(([key]) => key);
    expect(keys).toEqual(pairs.map(([key]) => key));
    const placed = badPairs.map((b) => ({ ...b, batch: 0, stage: 'subject.predictOnValues' }));
    expectDeadLetters(dirtyRun.deadLetters, placed, dirtyRun.batchTimes);
  });
});
