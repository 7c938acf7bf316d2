import { describe, expect, it } from 'vitest';
import { ManualClock, StreamingContext, queueStream, type BatchInfo } from '../../src/index.js';

describe('StreamingContext lifecycle and events', () => {
  it('posts listener events in order with consistent batch infos', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const events: string[] = [];
    ssc.addStreamingListener({
      onStreamingStarted: () => events.push('started'),
      onBatchSubmitted: (i) => events.push(`submitted ${i.batchTime}`),
      onBatchStarted: (i) => events.push(`batchStarted ${i.batchTime}`),
      onOutputOperationStarted: (o) => events.push(`opStarted ${o.name}`),
      onOutputOperationCompleted: (o) => events.push(`opCompleted ${o.name}`),
      onBatchCompleted: (i) => events.push(`completed ${i.batchTime} ${i.numRecords}`),
      onStreamingStopped: () => events.push('stopped'),
    });
    const stream = queueStream(ssc, [[1, 2]]);
    stream.foreachBatch(() => {}, { name: 'first' });
    stream.count().foreachBatch(() => {}, { name: 'second' });
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(events).toEqual([
      'started',
      'submitted 1000',
      'batchStarted 1000',
      'opStarted first',
      'opCompleted first',
      'opStarted second',
      'opCompleted second',
      'completed 1000 2',
      'stopped',
    ]);
  });

  it('a throwing listener does not disturb the batch', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    ssc.addStreamingListener({
      onBatchCompleted: () => {
        throw new Error('listener bug');
      },
    });
    const seen: number[] = [];
    queueStream(ssc, [[7]]).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(seen).toEqual([7]);
  });

  it('a graceful stop drains queued batches; a non-graceful one does not', async () => {
    async function run(graceful: boolean): Promise<number[]> {
      const ssc = new StreamingContext({ batchIntervalMs: 10, clock: new ManualClock() });
      const seen: number[] = [];
      queueStream(ssc, [[1], [2], [3]]).foreachBatch((items) => {
        seen.push(...items);
      });
      ssc.start();
      await ssc.advance(1);
      await ssc.stop({ graceful });
      return seen;
    }
    expect(await run(true)).toEqual([1, 2, 3]);
    expect(await run(false)).toEqual([1]);
  });

  it('runs on the system clock until stopped', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 5 });
    const completed: BatchInfo[] = [];
    ssc.addStreamingListener({
      onBatchCompleted: (info) => {
        completed.push(info);
        if (completed.length === 3) void ssc.stop({ graceful: false });
      },
    });
    queueStream(ssc, [['a'], ['b'], ['c']]).foreachBatch(() => {});
    ssc.start();
    expect(await ssc.awaitTerminationOrTimeout(10_000)).toBe(true);
    expect(completed.map((i) => i.numRecords)).toEqual([1, 1, 1]);
    const times = completed.map((i) => i.batchTime);
    expect(times[1] - times[0]).toBe(5);
    expect(times[0] % 5).toBe(0);
    for (const info of completed) {
      expect(info.schedulingDelay).toBeGreaterThanOrEqual(0);
      expect(info.totalDelay).toBeCloseTo(info.schedulingDelay! + info.processingDelay!, 9);
    }
  });

  it('awaitTerminationOrTimeout resolves false while the context runs', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    queueStream(ssc, [[1]]).foreachBatch(() => {});
    ssc.start();
    expect(await ssc.awaitTerminationOrTimeout(1)).toBe(false);
    await ssc.stop();
    expect(await ssc.awaitTerminationOrTimeout(1)).toBe(true);
  });

  it('async foreachBatch jobs finish before the next job starts', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const order: string[] = [];
    const stream = queueStream(ssc, [[1], [2]]);
    stream.foreachBatch(async (items) => {
      order.push(`a-start ${items[0]}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      order.push(`a-end ${items[0]}`);
    });
    stream.foreachBatch((items) => {
      order.push(`b ${items[0]}`);
    });
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    expect(order).toEqual(['a-start 1', 'a-end 1', 'b 1', 'a-start 2', 'a-end 2', 'b 2']);
  });
});
