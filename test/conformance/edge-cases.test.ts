import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  StateError,
  StreamingContext,
  queueStream,
  type DStream,
  type DeadLetter,
} from '../../src/index.js';
import { ADAPTERS } from './adapters.js';
import { repeated, roundTrip, run } from './run.js';

describe.each(ADAPTERS)('$title: edge cases', (adapter) => {
  const training = adapter.trainingBatches(41, 2);
  const inputs = adapter.predictionInputs(42);

  it(`empty batches ${adapter.emptyBatchRule}`, async () => {
    const before = adapter.create(8);
    await run(adapter, before, { train: training });
    const after = adapter.create(8);
    await run(adapter, after, { train: [...training, [], [], []] });
    expect(after.latestModel().toJSON()).toEqual(
      adapter.afterEmptyBatches(before.latestModel(), 3),
    );

    // Before any data too: the initial state follows the same rule.
    const untouched = adapter.create(8);
    const initial = untouched.latestModel();
    const idle = adapter.create(8);
    await run(adapter, idle, { train: [[], []] });
    expect(idle.latestModel().toJSON()).toEqual(adapter.afterEmptyBatches(initial, 2));
  });

  it('predictOn before any training predicts from the initial state', async () => {
    const algorithm = adapter.create(9);
    const initial = roundTrip(algorithm.latestModel());
    const result = await run(adapter, algorithm, { predict: repeated(inputs, 2) });
    const expected = adapter.predictDirect(algorithm.latestModel(), inputs);
    expect(result.predictions).toEqual([expected, expected]);
    expect(roundTrip(algorithm.latestModel())).toEqual(initial);
  });

  it('without an initial state, training and predicting fail at once with a StateError naming the fix', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const algorithm = adapter.createWithoutInitialState();
    const stream = queueStream<unknown>(ssc, []);
    const calls: [string, () => unknown][] = [
      ['trainOn()', () => algorithm.trainOn(stream)],
      ['predictOn()', () => algorithm.predictOn(stream)],
      ['predictOnValues()', () => algorithm.predictOnValues(stream as DStream<[unknown, unknown]>)],
      ['latestModel()', () => algorithm.latestModel()],
    ];
    for (const [call, attempt] of calls) {
      expect(attempt).toThrow(StateError);
      expect(attempt).toThrow(`${call} needs the model's initial state: call `);
      expect(attempt).toThrow(adapter.initialStateCall);
    }
    // Nothing was half-registered: no output, and no model state once the graph is frozen.
    expect(ssc.graph.outputs).toHaveLength(0);
    stream.foreachBatch(() => {});
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(ssc.graph.stateComponents.size).toBe(0);
  });

  it('two unnamed models of one kind share a context under distinct names', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const first = adapter.create(1);
    const second = adapter.create(2);
    const bad = adapter.badTrainingRecords()[0].record;
    const trainingStream = queueStream(ssc, [[...training[0], bad], training[1]]);
    // Both predict before any output exists, so both get their names with nothing registered.
    const streams = [first, second].map((algorithm) =>
      adapter.predictOn(algorithm, queueStream(ssc, repeated(inputs, 2))),
    );
    const predicted = streams.map((stream) => {
      const batches: unknown[][] = [];
      stream.foreachBatch((items) => {
        batches.push([...items]);
      });
      return batches;
    });
    first.trainOn(trainingStream);
    second.trainOn(trainingStream);
    const letters: DeadLetter[] = [];
    ssc.deadLetters().foreachBatch((items) => void letters.push(...items));
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();

    const stages = letters.map((letter) => letter.stage);
    expect(new Set(stages).size).toBe(2);
    expect(stages.every((stage) => stage.endsWith('.trainOn'))).toBe(true);
    // Each trained exactly as it would have alone; registered before trainOn, its predictions
    // at a batch come from the model before that batch's update.
    for (const [i, { algorithm, seed }] of [
      { algorithm: first, seed: 1 },
      { algorithm: second, seed: 2 },
    ].entries()) {
      const afterOne = adapter.create(seed);
      await run(adapter, afterOne, { train: [training[0]] });
      const afterBoth = adapter.create(seed);
      await run(adapter, afterBoth, { train: training });
      expect(algorithm.latestModel().toJSON()).toEqual(afterBoth.latestModel().toJSON());
      expect(predicted[i]).toEqual([
        adapter.predictDirect(adapter.create(seed).latestModel(), inputs),
        adapter.predictDirect(afterOne.latestModel(), inputs),
      ]);
    }
  });
});
