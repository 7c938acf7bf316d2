import { describe, expect, it } from 'vitest';
import { ADAPTERS } from './adapters.js';
import { repeated, run } from './run.js';

// Exact comparisons: a seeded model must repeat itself to the bit, on any clock.

describe.each(ADAPTERS)('$title: determinism', (adapter) => {
  const training = adapter.trainingBatches(21, 5);
  const inputs = adapter.predictionInputs(22);
  const plan = { train: training, predict: repeated(inputs, training.length) };

  it('two independent runs with the same seed are bit-identical', async () => {
    const first = adapter.create(7);
    const second = adapter.create(7);
    const firstRun = await run(adapter, first, plan);
    const secondRun = await run(adapter, second, plan);
    expect(secondRun.predictions).toEqual(firstRun.predictions);
    expect(second.latestModel().toJSON()).toEqual(first.latestModel().toJSON());
    expect(second.toJSON()).toEqual(first.toJSON());
  });

  it('another seed gives another model (the seed is really used)', async () => {
    const seeded = adapter.create(7);
    const reseeded = adapter.create(8);
    await run(adapter, seeded, plan);
    await run(adapter, reseeded, plan);
    expect(reseeded.latestModel().toJSON()).not.toEqual(seeded.latestModel().toJSON());
  });

  it("a 'replay' run gives the same model and predictions as a ManualClock run", async () => {
    const stepped = adapter.create(9);
    const replayed = adapter.create(9);
    const steppedRun = await run(adapter, stepped, plan);
    const replayedRun = await run(adapter, replayed, { ...plan, clock: 'replay' });
    // Replay starts from the wall clock; batches still step by the interval, one per batch.
    const offsets = (times: number[]) => times.map((time) => time - times[0]);
    expect(offsets(replayedRun.batchTimes)).toEqual(offsets(steppedRun.batchTimes));
    expect(replayedRun.predictions).toEqual(steppedRun.predictions);
    expect(replayedRun.predictions.flat()).toHaveLength(training.length * inputs.length);
    expect(replayed.latestModel().toJSON()).toEqual(stepped.latestModel().toJSON());
  });
});
