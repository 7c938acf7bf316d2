import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BatchFailedError, StateError, StreamingContext, queueStream } from '../../src/index.js';
import { manualContext } from './collect.js';

describe('toObservable', () => {
  it('emits every record of every batch in order and completes when the context stops', async () => {
    const ssc = manualContext();
    const records = lastValueFrom(
      queueStream(ssc, [[1, 2], [], [3]])
        .map((x) => x * 10)
        .toObservable()
        .pipe(toArray()),
    );
    ssc.start();
    await ssc.advance(3);
    await ssc.stop();
    expect(await records).toEqual([10, 20, 30]);
  });

  it('is hot: a late subscriber gets the records of batches after it subscribed', async () => {
    const ssc = manualContext();
    const observable = queueStream(ssc, [['a'], ['b'], ['c']]).toObservable();
    const early: string[] = [];
    observable.subscribe((record) => early.push(record));
    ssc.start();
    await ssc.advance(1);
    const late = lastValueFrom(observable.pipe(toArray()));
    await ssc.advance(2);
    await ssc.stop();
    expect(early).toEqual(['a', 'b', 'c']);
    expect(await late).toEqual(['b', 'c']);
  });

  it('errors with the error that stopped the context', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1], [2]]);
    const records = lastValueFrom(stream.toObservable().pipe(toArray()));
    stream.foreachBatch(
      (items) => {
        if (items.includes(2)) throw new Error('two');
      },
      { name: 'no-twos' },
    );
    ssc.start();
    await ssc.advance(1);
    await expect(ssc.advance(1)).rejects.toThrow(BatchFailedError);
    await expect(records).rejects.toThrow(/"no-twos": two/);
    await ssc.awaitTermination().catch(() => {});
  });

  it('completes under the replay clock once the source is exhausted', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
    const batches = Array.from({ length: 50 }, (_, i) => [i]);
    const records = lastValueFrom(queueStream(ssc, batches).toObservable().pipe(toArray()));
    ssc.start();
    expect(await records).toEqual(batches.flat());
    await ssc.awaitTermination();
  });

  it('must be called before start (it registers an output)', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1]]);
    stream.print(10, { write: () => {} });
    ssc.start();
    expect(() => stream.toObservable()).toThrow(StateError);
    await ssc.stop();
  });
});
