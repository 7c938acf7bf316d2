import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ManualClock,
  Receiver,
  SourceError,
  StateError,
  StreamingContext,
  receiverStream,
  type ReceivedBlockInfo,
  type ReceiverInfo,
} from '../../src/index.js';

function manualContext(batchIntervalMs = 1000): StreamingContext {
  return new StreamingContext({ batchIntervalMs, clock: new ManualClock() });
}

/** A receiver the test drives by hand: `push` plays the part of the source's callback. */
class HandReceiver extends Receiver<string> {
  readonly calls: string[] = [];

  onStart(): void {
    this.calls.push('onStart');
  }

  onStop(): void {
    this.calls.push('onStop');
  }

  push(...records: string[]): number {
    return this.storeMany(records);
  }
}

describe('Receiver and receiverStream', () => {
  it('records stored between batches form the next batch; onStart and onStop run once', async () => {
    const receiver = new HandReceiver();
    const ssc = manualContext();
    const batches: string[][] = [];
    receiverStream(ssc, receiver).foreachBatch((items) => {
      batches.push([...items]);
    });
    ssc.start();
    await ssc.advance(1); // the receiver has started once the first batch ran
    expect(receiver.push('a', 'b')).toBe(2);
    expect(receiver.store('c')).toBe(true);
    await ssc.advance(1);
    await ssc.stop();
    expect(batches).toEqual([[], ['a', 'b', 'c']]);
    expect(receiver.calls).toEqual(['onStart', 'onStop']);
    expect(receiver.isStopped()).toBe(true);
  });

  it('a graceful stop delivers what was stored but not yet in a batch; later records go to dead letters', async () => {
    const receiver = new HandReceiver();
    const ssc = manualContext();
    const seen: string[] = [];
    receiverStream(ssc, receiver).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.deadLetters().foreachBatch(() => {});
    ssc.start();
    await ssc.advance(1);
    receiver.push('x', 'y');
    await ssc.stop({ graceful: true });
    expect(seen).toEqual(['x', 'y']);
    expect(receiver.store('late')).toBe(false);
  });

  it('posts started, error (reportError) and stopped events, and keeps running after reportError', async () => {
    const receiver = new HandReceiver();
    const ssc = manualContext();
    const events: [string, ReceiverInfo][] = [];
    ssc.addStreamingListener({
      onReceiverStarted: (info) => events.push(['started', info]),
      onReceiverError: (info) => events.push(['error', info]),
      onReceiverStopped: (info) => events.push(['stopped', info]),
    });
    const stream = receiverStream(ssc, receiver).name('hand');
    const seen: string[] = [];
    stream.foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    await ssc.advance(1);
    receiver.reportError('malformed frame skipped', new Error('bad checksum'));
    receiver.push('after');
    await ssc.advance(1);
    await ssc.stop();
    expect(seen).toEqual(['after']);
    expect(events.map(([kind]) => kind)).toEqual(['started', 'error', 'stopped']);
    expect(events[1][1]).toEqual({
      inputStreamId: stream.node.id,
      name: 'hand',
      lastError: 'malformed frame skipped: bad checksum',
    });
  });

  it('fail(): stored records are delivered, then the context fails with a SourceError', async () => {
    const receiver = new HandReceiver();
    const ssc = manualContext();
    const seen: string[] = [];
    receiverStream(ssc, receiver).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.deadLetters().foreachBatch(() => {});
    ssc.start();
    await ssc.advance(1);
    receiver.push('p', 'q');
    receiver.fail(new Error('connection refused'));
    expect(receiver.store('ignored')).toBe(false);
    await ssc.advance(1);
    await expect(ssc.advance(1)).rejects.toThrow(SourceError);
    await expect(ssc.awaitTermination()).rejects.toThrow(/connection refused/);
    expect(seen).toEqual(['p', 'q']);
    expect(receiver.calls).toEqual(['onStart', 'onStop']);
  });

  it('an onStart that throws fails the context with a SourceError naming the source', async () => {
    class BrokenReceiver extends Receiver<number> {
      onStart(): void {
        this.store(1);
        throw new Error('port 9999 in use');
      }
      onStop(): void {}
    }
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const seen: number[] = [];
    receiverStream(ssc, new BrokenReceiver())
      .name('broken')
      .foreachBatch((items) => {
        seen.push(...items);
      });
    ssc.start();
    await expect(ssc.awaitTermination()).rejects.toThrow(
      /source "broken" failed after receiving 1 record: port 9999 in use/,
    );
    expect(seen).toEqual([1]);
  });

  it("complete() makes the stream exhausted once processed, so 'replay' stops by itself", async () => {
    class FiniteReceiver extends Receiver<number> {
      onStart(): void {
        this.storeMany([1, 2, 3, 4, 5]);
        this.complete();
      }
      onStop(): void {}
    }
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const batches: number[][] = [];
    receiverStream(ssc, new FiniteReceiver(), { maxBufferedRecords: 3 }).foreachBatch((items) => {
      batches.push([...items]);
    });
    ssc.deadLetters().foreachBatch(() => {});
    ssc.start();
    await ssc.awaitTermination();
    // A pushed source can't wait: 4 and 5 did not fit and went to dead letters.
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('store() before the context starts is a StateError; a receiver feeds one stream only', () => {
    const receiver = new HandReceiver();
    expect(() => receiver.store('early')).toThrow(/no stream uses/);
    const ssc = manualContext();
    receiverStream(ssc, receiver).foreachBatch(() => {});
    expect(() => receiver.store('early')).toThrow(StateError);
    expect(() => receiverStream(ssc, receiver)).toThrow(/already feeds a stream/);
  });

  it('validates the options, naming the value and the fix', () => {
    const ssc = manualContext(1000);
    const stream = (options: object) => receiverStream(ssc, new HandReceiver(), options);
    expect(() => stream({ blockIntervalMs: 300 })).toThrow(ConfigurationError);
    expect(() => stream({ blockIntervalMs: 300 })).toThrow(
      'blockIntervalMs=300 does not divide batchIntervalMs=1000: blocks must fit whole in batches; use a divisor such as 250',
    );
    expect(() => stream({ blockIntervalMs: 0 })).toThrow(
      /blockIntervalMs must be a positive integer, got 0/,
    );
    expect(() => stream({ maxBufferedRecords: 2.5 })).toThrow(
      /maxBufferedRecords must be a positive integer, got 2.5/,
    );
    // The 200 ms default shrinks to a batch interval shorter than it.
    expect(() => receiverStream(manualContext(50), new HandReceiver())).not.toThrow();
    expect(() => receiverStream(manualContext(300), new HandReceiver())).toThrow(
      /use a divisor such as 150/,
    );
  });

  it('under the system clock the open block is cut every block interval and at batch time', async () => {
    const receiver = new HandReceiver();
    const ssc = new StreamingContext({ batchIntervalMs: 1000 });
    const partitionsPerBatch: string[][][] = [];
    const blocksPerBatch: ReceivedBlockInfo[][] = [];
    ssc.addStreamingListener({
      onBatchCompleted: (info) =>
        blocksPerBatch.push(info.inputInfos[0].metadata.blocks as ReceivedBlockInfo[]),
    });
    receiverStream(ssc, receiver, { blockIntervalMs: 250 }).foreachPartitions(
      async (partitions, time) => {
        partitionsPerBatch.push(partitions.map((partition) => [...partition]));
        if (partitionsPerBatch.length === 1) {
          // One record now, one after the block boundary at time + 250 (waited for on the
          // engine's own clock), one just before the next batch is due: three blocks.
          receiver.store('a');
          await ssc.clock.waitUntil(time + 500);
          receiver.store('b');
          await ssc.clock.waitUntil(time + 750);
          receiver.store('c');
        } else {
          void ssc.stop();
        }
      },
    );
    ssc.start();
    expect(await ssc.awaitTerminationOrTimeout(10_000)).toBe(true);
    expect(partitionsPerBatch.slice(0, 2)).toEqual([[], [['a'], ['b'], ['c']]]);
    expect(blocksPerBatch[1]).toEqual([
      { blockId: 0, numRecords: 1 },
      { blockId: 1, numRecords: 1 },
      { blockId: 2, numRecords: 1 },
    ]);
  });
});
