import { EventEmitter, on } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  SourceError,
  StreamingContext,
  fromAsyncIterable,
  type ReceivedBlockInfo,
  type ReceiverInfo,
} from '../../src/index.js';

function manualContext(): StreamingContext {
  return new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
}

/** Yields 0, 1, 2 ... (forever unless `count` is given), counting what it has yielded. */
function countingSource(count = Infinity): {
  iterable: AsyncIterable<number>;
  yielded: () => number;
  closed: () => boolean;
} {
  let yielded = 0;
  let closed = false;
  async function* generate(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        await Promise.resolve(); // a real asynchronous step between items
        yielded++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { iterable: generate(), yielded: () => yielded, closed: () => closed };
}

async function* failingAfter(values: number[], message: string): AsyncGenerator<number> {
  for (const value of values) yield await Promise.resolve(value);
  throw new Error(message);
}

describe('fromAsyncIterable', () => {
  it('under a ManualClock each batch takes what the bounded buffer holds, in order', async () => {
    const ssc = manualContext();
    const batches: number[][] = [];
    fromAsyncIterable(ssc, [1, 2, 3, 4, 5, 6, 7], { maxBufferedRecords: 3 }).foreachBatch(
      (items) => {
        batches.push([...items]);
      },
    );
    ssc.start();
    const infos = await ssc.advance(4);
    await ssc.stop();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7], []]);
    const blocks = infos.map((info) => info.inputInfos[0].metadata.blocks as ReceivedBlockInfo[]);
    // Manual and replay clocks cut one block per batch, at batch time; empty batches have none.
    expect(blocks).toEqual([
      [{ blockId: 0, numRecords: 3 }],
      [{ blockId: 1, numRecords: 3 }],
      [{ blockId: 2, numRecords: 1 }],
      [],
    ]);
  });

  it('never reads ahead more than the bound', async () => {
    const bound = 5;
    const source = countingSource();
    const ssc = manualContext();
    let delivered = 0;
    const readAhead: number[] = [];
    const firstItems: number[] = [];
    fromAsyncIterable(ssc, source.iterable, { maxBufferedRecords: bound }).foreachBatch((items) => {
      firstItems.push(items[0]);
      delivered += items.length;
      readAhead.push(source.yielded() - delivered);
    });
    ssc.start();
    await ssc.advance(6);
    expect(delivered).toBe(6 * bound);
    expect(firstItems).toEqual([0, 5, 10, 15, 20, 25]);
    // The buffer is topped up right after each allocation, so the source is exactly one buffer
    // ahead of what batches have delivered, and never more.
    expect(readAhead).toEqual([bound, bound, bound, bound, bound, bound]);
    await ssc.stop({ graceful: false });
    expect(source.closed()).toBe(true);
  });

  it("with the 'replay' clock, N records go through in ceil(N / bound) batches and the context stops", async () => {
    for (const [n, bound, expected] of [
      [25, 10, [10, 10, 5]],
      [30, 10, [10, 10, 10]],
      [3, 10, [3]],
    ] as const) {
      const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
      const source = countingSource(n);
      const sizes: number[] = [];
      const seen: number[] = [];
      fromAsyncIterable(ssc, source.iterable, { maxBufferedRecords: bound }).foreachBatch(
        (items) => {
          sizes.push(items.length);
          seen.push(...items);
        },
      );
      ssc.start();
      await ssc.awaitTermination();
      expect(sizes).toEqual(expected);
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(ssc.state).toBe('stopped');
    }
  });

  it('a failing iterator: earlier records are delivered, then awaitTermination rejects with SourceError', async () => {
    const ssc = manualContext();
    const batches: number[][] = [];
    const errors: ReceiverInfo[] = [];
    ssc.addStreamingListener({ onReceiverError: (info) => errors.push(info) });
    fromAsyncIterable(ssc, failingAfter([1, 2, 3], 'disk unplugged'), {
      maxBufferedRecords: 2,
    })
      .name('sensor')
      .foreachBatch((items) => {
        batches.push([...items]);
      });
    ssc.start();
    await ssc.advance(2);
    expect(batches).toEqual([[1, 2], [3]]);
    await expect(ssc.advance(1)).rejects.toThrow(SourceError);
    const error = await ssc.awaitTermination().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toContain('source "sensor" failed');
    expect((error as SourceError).message).toContain('disk unplugged');
    expect(((error as SourceError).cause as Error).message).toBe('disk unplugged');
    expect(errors.map((info) => info.lastError)).toEqual(['disk unplugged']);
  });

  it("a failing iterator under 'replay' still delivers every record before failing", async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const seen: number[] = [];
    fromAsyncIterable(ssc, failingAfter([1, 2, 3, 4, 5], 'bad gzip'), {
      maxBufferedRecords: 2,
    }).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    await expect(ssc.awaitTermination()).rejects.toThrow(/bad gzip/);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('a graceful stop delivers what was already pulled, pulls nothing more, and closes the iterator', async () => {
    const source = countingSource();
    const ssc = manualContext();
    const seen: number[] = [];
    fromAsyncIterable(ssc, source.iterable, { maxBufferedRecords: 4 }).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    await ssc.advance(1);
    await ssc.stop({ graceful: true });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(source.yielded()).toBe(8);
    expect(source.closed()).toBe(true);
  });

  it('under the system clock it keeps to the bound and delivers everything once, in order', async () => {
    const n = 2000;
    const bound = 300;
    const source = countingSource(n);
    const ssc = new StreamingContext({ batchIntervalMs: 40 });
    const seen: number[] = [];
    const readAhead: number[] = [];
    const blockIds: number[] = [];
    const countMismatches: number[] = [];
    ssc.addStreamingListener({
      onBatchCompleted: (info) => {
        const blocks = info.inputInfos[0].metadata.blocks as ReceivedBlockInfo[];
        const inBlocks = blocks.reduce((sum, block) => sum + block.numRecords, 0);
        if (inBlocks !== info.numRecords) countMismatches.push(info.batchTime);
        blockIds.push(...blocks.map((block) => block.blockId));
      },
    });
    fromAsyncIterable(ssc, source.iterable, {
      maxBufferedRecords: bound,
      blockIntervalMs: 10,
    }).foreachBatch((items) => {
      seen.push(...items);
      readAhead.push(source.yielded() - seen.length);
      if (seen.length === n) void ssc.stop();
    });
    ssc.start();
    // Only the engine's own promise is awaited: the stop above ends it once all n arrived.
    expect(await ssc.awaitTerminationOrTimeout(30_000)).toBe(true);
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    // At most one next() is in flight beyond the bound.
    expect(Math.max(...readAhead)).toBeLessThanOrEqual(bound + 1);
    expect(blockIds).toEqual(Array.from({ length: blockIds.length }, (_, i) => i));
    expect(countMismatches).toEqual([]);
  });

  it('stop() ends an iterator waiting for events at once (its return() settles the pending next())', async () => {
    const emitter = new EventEmitter();
    const ssc = new StreamingContext({ batchIntervalMs: 50 });
    const seen: unknown[] = [];
    fromAsyncIterable(ssc, on(emitter, 'line'))
      .map(([line]: unknown[]) => line)
      .foreachBatch((items) => {
        seen.push(...items);
        // The iterator now waits for a 'line' that never comes; stopping must not wait for it.
        if (seen.length === 2) void ssc.stop();
      });
    ssc.start();
    emitter.emit('line', 'a');
    emitter.emit('line', 'b');
    expect(await ssc.awaitTerminationOrTimeout(10_000)).toBe(true);
    expect(seen).toEqual(['a', 'b']);
    expect(emitter.listenerCount('line')).toBe(0);
  });

  it('rejects what is not iterable, naming the fix', () => {
    const ssc = manualContext();
    function readings(): number[] {
      return [1];
    }
    expect(() => fromAsyncIterable(ssc, readings as unknown as AsyncIterable<number>)).toThrow(
      /call it \(e\.g\. readings\(\), not readings\)/,
    );
    expect(() => fromAsyncIterable(ssc, 42 as unknown as Iterable<number>)).toThrow(/got 42/);
  });
});
