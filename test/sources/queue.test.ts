import { describe, expect, it } from 'vitest';
import { StreamingContext, queueStream } from '../../src/index.js';
import { collectBatches, manualContext } from '../streaming/collect.js';

describe('queueStream', () => {
  it('gives one queued batch per batch, in order, then empty batches', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1, 2], [3], [4, 5, 6]]);
    const seen = collectBatches(stream);
    ssc.start();
    await ssc.advance(2);
    expect(stream.queuedBatches).toBe(1);
    await ssc.advance(2);
    expect(seen).toEqual([
      [1000, [1, 2]],
      [2000, [3]],
      [3000, [4, 5, 6]],
      [4000, []],
    ]);
    expect(stream.queuedBatches).toBe(0);
    await ssc.stop();
  });

  it('takes batches pushed while it runs, after those already queued', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [['a'], ['b'], ['c']]);
    const seen = collectBatches(stream);
    ssc.start();
    await ssc.advance(2);
    stream.push(['d'], ['e']);
    expect(stream.queuedBatches).toBe(3);
    await ssc.advance(4);
    expect(seen.map(([, records]) => records)).toEqual([['a'], ['b'], ['c'], ['d'], ['e'], []]);
    await ssc.stop();
  });

  it('copies batches: changing the caller’s arrays afterwards changes nothing', async () => {
    const ssc = manualContext();
    const first = [1, 2];
    const stream = queueStream(ssc, [first]);
    const later = [3];
    stream.push(later);
    first.push(99);
    later.length = 0;
    const seen = collectBatches(stream);
    ssc.start();
    await ssc.advance(2);
    expect(seen.map(([, records]) => records)).toEqual([[1, 2], [3]]);
    await ssc.stop();
  });

  it('with oneAtATime false, takes every queued batch as partitions of one batch', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1], [2, 3]], { oneAtATime: false });
    const partitionSizes: number[][] = [];
    stream.foreachPartitions((batch) => {
      partitionSizes.push(batch.map((partition) => partition.length));
    });
    ssc.start();
    await ssc.advance(1);
    stream.push([4]);
    await ssc.advance(1);
    expect(partitionSizes).toEqual([[1, 2], [1]]);
    await ssc.stop();
  });

  it('gives defaultBatch when the queue is empty', async () => {
    const ssc = manualContext();
    const seen = collectBatches(queueStream(ssc, [['x']], { defaultBatch: ['idle'] }));
    ssc.start();
    await ssc.advance(3);
    expect(seen.map(([, records]) => records)).toEqual([['x'], ['idle'], ['idle']]);
    await ssc.stop();
  });

  it('replays a long queue in order and stops by itself when it is empty', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 10, clock: 'replay' });
    const batches = Array.from({ length: 20_000 }, (_, i) => [i]);
    const seen: number[] = [];
    queueStream(ssc, batches).foreachBatch((records) => {
      seen.push(...records);
    });
    // The replay gives the event loop a turn at least every millisecond, so a timer runs while
    // batches are still going through (20,000 batches take far longer than that).
    let seenWhenTimerRan: number | undefined;
    setTimeout(() => (seenWhenTimerRan = seen.length), 0);
    ssc.start();
    await ssc.awaitTermination();
    expect(seen).toEqual(batches.map(([i]) => i));
    expect(seenWhenTimerRan).toBeLessThan(batches.length);
  });
});
