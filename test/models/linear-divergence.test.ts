import { describe, expect, it } from 'vitest';
import {
  BatchFailedError,
  ManualClock,
  StreamingContext,
  StreamingLinearRegressionWithSGD,
  queueStream,
} from '../../src/index.js';

describe('linear models when gradient descent diverges', () => {
  it('fail the batch naming stepSize and keep the previous weights', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const small = [{ label: 1, features: [1] }];
    // Features around 1e6 with stepSize 1: every iteration overshoots by ~1e12 until overflow.
    const huge = Array.from({ length: 10 }, (_, i) => ({ label: i, features: [1e6 + i] }));
    const model = new StreamingLinearRegressionWithSGD({
      stepSize: 1,
      numIterations: 50,
      initialWeights: [0],
    });
    model.trainOn(queueStream(ssc, [small, huge]));
    ssc.start();
    await ssc.advance(1);
    const before = Array.from(model.latestModel().weights);
    expect(Number.isFinite(before[0])).toBe(true);
    const failure = await ssc.advance(1).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as Error).message).toMatch(/diverged.*stepSize 1.*lower stepSize/);
    expect(Array.from(model.latestModel().weights)).toEqual(before);
    await ssc.stop();
  });
});
