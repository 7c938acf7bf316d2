import { Subject, concat, interval, of, take, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ManualClock,
  SourceError,
  StreamingContext,
  fromObservable,
  type DeadLetter,
  type ReceiverInfo,
} from '../../src/index.js';

function manualContext(): StreamingContext {
  return new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
}

describe('fromObservable', () => {
  it('each batch holds exactly what was pushed since the previous batch', async () => {
    const subject = new Subject<string>();
    const ssc = manualContext();
    const batches: [number, string[]][] = [];
    fromObservable(ssc, subject).foreachBatch((items, time) => {
      batches.push([time, [...items]]);
    });
    ssc.start();
    subject.next('a');
    subject.next('b');
    await ssc.advance(1);
    await ssc.advance(1);
    subject.next('c');
    await ssc.advance(1);
    await ssc.stop();
    expect(batches).toEqual([
      [1000, ['a', 'b']],
      [2000, []],
      [3000, ['c']],
    ]);
  });

  it('a full buffer sends each extra value to dead letters with the reason, one receiver error per episode', async () => {
    const subject = new Subject<number>();
    const ssc = manualContext();
    const batches: number[][] = [];
    const letters: DeadLetter[] = [];
    const errors: ReceiverInfo[] = [];
    ssc.addStreamingListener({ onReceiverError: (info) => errors.push(info) });
    fromObservable(ssc, subject, { maxBufferedRecords: 3 })
      .name('clicks')
      .foreachBatch((items) => {
        batches.push([...items]);
      });
    ssc.deadLetters().foreachBatch((items) => {
      letters.push(...items);
    });
    ssc.start();
    for (let i = 1; i <= 5; i++) subject.next(i);
    const [first] = await ssc.advance(1);
    for (let i = 6; i <= 10; i++) subject.next(i);
    const [second] = await ssc.advance(1);
    await ssc.stop();

    expect(batches).toEqual([
      [1, 2, 3],
      [6, 7, 8],
    ]);
    const reason = 'receiver buffer full (maxBufferedRecords=3)';
    expect(letters).toEqual([
      { stage: 'clicks', reason, record: 4, batchTime: 1000 },
      { stage: 'clicks', reason, record: 5, batchTime: 1000 },
      { stage: 'clicks', reason, record: 9, batchTime: 2000 },
      { stage: 'clicks', reason, record: 10, batchTime: 2000 },
    ]);
    expect([first.numDeadLetters, second.numDeadLetters]).toEqual([2, 2]);
    expect(errors).toHaveLength(2);
    expect(errors[0].name).toBe('clicks');
    expect(errors[0].lastError).toContain(reason);
  });

  it("a completed observable is exhausted once processed: 'replay' stops by itself", async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const batches: number[][] = [];
    fromObservable(ssc, of(1, 2, 3)).foreachBatch((items) => {
      batches.push([...items]);
    });
    ssc.start();
    await ssc.awaitTermination();
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("under 'replay', values from timer callbacks still arrive and completion stops the context", async () => {
    // Replay runs batches back to back; the receiver must let the event loop run so that an
    // interval's callbacks get a turn (without it this test would hang, timers starved).
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const seen: number[] = [];
    fromObservable(ssc, interval(2).pipe(take(5))).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    await ssc.awaitTermination();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('an erroring observable: values before the error are delivered, then the context fails with SourceError', async () => {
    const subject = new Subject<number>();
    const ssc = manualContext();
    const seen: number[] = [];
    const stopped: ReceiverInfo[] = [];
    ssc.addStreamingListener({ onReceiverStopped: (info) => stopped.push(info) });
    fromObservable(ssc, subject).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    subject.next(1);
    subject.next(2);
    subject.error(new Error('socket reset'));
    await ssc.advance(1);
    expect(seen).toEqual([1, 2]);
    await expect(ssc.advance(1)).rejects.toThrow(SourceError);
    await expect(ssc.awaitTermination()).rejects.toThrow(
      /fromObservable-\d+" failed .*socket reset/,
    );
    expect(stopped).toHaveLength(1);
    expect(stopped[0].lastError).toMatch(/socket reset/);
  });

  it("an observable that errors while subscribing fails the context under 'replay'", async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const seen: number[] = [];
    fromObservable(
      ssc,
      concat(
        of(7, 8),
        throwError(() => new Error('no such topic')),
      ),
    ).foreachBatch((items) => {
      seen.push(...items);
    });
    ssc.start();
    await expect(ssc.awaitTermination()).rejects.toThrow(SourceError);
    expect(seen).toEqual([7, 8]);
  });

  it('posts receiver started and stopped events, and unsubscribes on stop', async () => {
    const subject = new Subject<number>();
    const ssc = manualContext();
    const events: string[] = [];
    ssc.addStreamingListener({
      onReceiverStarted: (info) => events.push(`started ${info.name}`),
      onReceiverStopped: (info) => events.push(`stopped ${info.name} ${info.lastError ?? ''}`),
    });
    fromObservable(ssc, subject)
      .name('ticks')
      .foreachBatch(() => {});
    ssc.start();
    await ssc.advance(1);
    expect(subject.observed).toBe(true);
    await ssc.stop();
    expect(events).toEqual(['started ticks', 'stopped ticks ']);
    expect(subject.observed).toBe(false);
  });

  it('rejects what is not an Observable', () => {
    const ssc = manualContext();
    expect(() => fromObservable(ssc, [1, 2] as never)).toThrow(ConfigurationError);
  });
});
