import { describe, expect, it } from 'vitest';
import {
  BatchFailedError,
  ConfigurationError,
  ManualClock,
  StateError,
  StreamingContext,
  queueStream,
  type BatchInfo,
} from '../../src/index.js';

function manualContext(batchIntervalMs = 1000): StreamingContext {
  return new StreamingContext({ batchIntervalMs, clock: new ManualClock() });
}

describe('StreamingContext', () => {
  it('word count on queueStream gives per-batch counts', async () => {
    const ssc = manualContext();
    const results: [number, [string, number][]][] = [];
    queueStream(ssc, [['a b', 'b'], ['c a', 'c c'], []])
      .flatMap((line) => line.split(' '))
      .map((word): [string, number] => [word, 1])
      .reduceByKey((a, b) => a + b)
      .foreachBatch((counts, time) => {
        results.push([time, [...counts].sort()]);
      });
    ssc.start();
    const infos = await ssc.advance(3);
    expect(results).toEqual([
      [
        1000,
        [
          ['a', 1],
          ['b', 2],
        ],
      ],
      [
        2000,
        [
          ['a', 1],
          ['c', 3],
        ],
      ],
      [3000, []],
    ]);
    expect(infos.map((info) => info.numRecords)).toEqual([2, 2, 0]);
    await ssc.stop();
    expect(ssc.state).toBe('stopped');
  });

  it('a throwing foreachBatch fails awaitTermination with the operator named', async () => {
    const ssc = manualContext();
    queueStream(ssc, [[1], [2]]).foreachBatch(
      () => {
        throw new Error('boom');
      },
      { name: 'explode' },
    );
    ssc.start();
    await expect(ssc.advance(1)).rejects.toThrow(BatchFailedError);
    const error = await ssc.awaitTermination().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchFailedError);
    expect((error as BatchFailedError).operatorName).toBe('explode');
    expect((error as BatchFailedError).message).toContain('boom');
  });

  it('delays are consistent', async () => {
    const ssc = manualContext();
    const completed: BatchInfo[] = [];
    ssc.addStreamingListener({ onBatchCompleted: (info) => completed.push(info) });
    queueStream(ssc, [[1, 2, 3]]).foreachBatch(async () => {});
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    expect(completed).toHaveLength(2);
    for (const info of completed) {
      expect(info.totalDelay).toBe(info.schedulingDelay! + info.processingDelay!);
    }
  });

  it('rejects lifecycle misuse with typed errors', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1]]);
    stream.print();
    ssc.start();
    expect(() => ssc.start()).toThrow(StateError);
    expect(() => stream.map((x) => x)).toThrow(StateError);
    await ssc.stop();
    const replay = new StreamingContext({ batchIntervalMs: 10, clock: 'replay' });
    await expect(replay.advance(1)).rejects.toThrow(StateError);
    expect(() => new StreamingContext({ batchIntervalMs: 0 })).toThrow(ConfigurationError);
  });

  it('replay pushes 1,000 batches back to back and stops by itself', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const batches = Array.from({ length: 1000 }, (_, i) => [i]);
    let sum = 0;
    const times: number[] = [];
    queueStream(ssc, batches).foreachBatch((items, time) => {
      for (const x of items) sum += x;
      times.push(time);
    });
    ssc.start();
    await ssc.awaitTermination();
    expect(sum).toBe((999 * 1000) / 2);
    expect(times).toHaveLength(1000);
    expect(times[999] - times[0]).toBe(999 * 1000);
  });
});
