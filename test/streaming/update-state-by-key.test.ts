import { describe, expect, it } from 'vitest';
import { BatchFailedError, StateError, queueStream, type DStream } from '../../src/index.js';
import { byKey, collectBatches, manualContext } from './collect.js';

type Pair = [string, number];
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const runningTotal = (values: number[], total: number | undefined): number =>
  (total ?? 0) + sum(values);

function snapshotOf(stream: DStream<unknown>): unknown {
  return JSON.parse(JSON.stringify(stream.node.stateComponent()?.snapshotState()));
}

describe('updateStateByKey', () => {
  it('keeps running totals across batches, calling update for every key with values or state', async () => {
    const ssc = manualContext();
    const calls: string[] = [];
    const totals = queueStream<Pair>(ssc, [
      [
        ['a', 1],
        ['b', 2],
        ['a', 3],
      ],
      [['a', 10]],
      [],
      [['c', 5]],
    ]).updateStateByKey<string, number, number>((values, total) => {
      calls.push(`${values.join('+') || '-'}|${total ?? 'new'}`);
      return runningTotal(values, total);
    });
    const batches = collectBatches(totals);
    ssc.start();
    await ssc.advance(4);
    await ssc.stop();
    expect(batches.map(([time, items]) => [time, byKey(items)])).toEqual([
      [
        1000,
        [
          ['a', 4],
          ['b', 2],
        ],
      ],
      [
        2000,
        [
          ['a', 14],
          ['b', 2],
        ],
      ],
      [
        3000,
        [
          ['a', 14],
          ['b', 2],
        ],
      ],
      [
        4000,
        [
          ['a', 14],
          ['b', 2],
          ['c', 5],
        ],
      ],
    ]);
    expect(calls).toEqual([
      '1+3|new', // values in arrival order
      '2|new',
      '10|4',
      '-|2', // no new values, existing state: still called, with []
      '-|14',
      '-|2',
      '-|14',
      '-|2',
      '5|new',
    ]);
  });

  it('drops a key when update returns undefined', async () => {
    const ssc = manualContext();
    // Keep a key only while it keeps receiving values.
    const active = queueStream<Pair>(ssc, [
      [
        ['a', 1],
        ['b', 1],
      ],
      [['a', 1]],
      [['c', 1]],
      [],
    ]).updateStateByKey<string, number, number>((values, total) =>
      values.length === 0 ? undefined : runningTotal(values, total),
    );
    const batches = collectBatches(active);
    ssc.start();
    await ssc.advance(4);
    await ssc.stop();
    expect(batches.map(([, items]) => byKey(items))).toEqual([
      [
        ['a', 1],
        ['b', 1],
      ],
      [['a', 2]],
      [['c', 1]],
      [],
    ]);
  });

  it('applies every batch even when its only reader samples it every third batch', async () => {
    const ssc = manualContext();
    const batches = Array.from({ length: 9 }, (_, i): Pair[] => [['n', i + 1]]);
    const sampled = collectBatches(
      queueStream(ssc, batches)
        .updateStateByKey<string, number, number>(runningTotal)
        .window(1000, 3000),
    );
    ssc.start();
    await ssc.advance(9);
    await ssc.stop();
    expect(sampled).toEqual([
      [3000, [['n', 6]]],
      [6000, [['n', 21]]],
      [9000, [['n', 45]]],
    ]);
  });

  it('starts from an initial state', async () => {
    const ssc = manualContext();
    const totals = collectBatches(
      queueStream<Pair>(ssc, [[['a', 1]]]).updateStateByKey<string, number, number>(runningTotal, {
        initialState: [
          ['a', 100],
          ['z', 7],
        ],
      }),
    );
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(byKey(totals[0][1])).toEqual([
      ['a', 101],
      ['z', 7],
    ]);
  });

  it('snapshots plain JSON state and continues from a restored snapshot', async () => {
    const first = manualContext();
    const before = queueStream<Pair>(first, [
      [
        ['a', 1],
        ['b', 2],
      ],
      [['a', 3]],
    ])
      .updateStateByKey<string, number, number>(runningTotal)
      .name('totals');
    before.foreachBatch(() => {});
    first.start();
    await first.advance(2);
    await first.stop();
    const snapshot = snapshotOf(before);
    expect(snapshot).toEqual({
      batchTime: 2000,
      entries: [
        ['a', 4],
        ['b', 2],
      ],
    });

    // A context rebuilt the same way, continuing the same batch times, picks up where the first
    // left off (what checkpoint recovery does).
    const rebuild = (startTime: number): [ReturnType<typeof manualContext>, DStream<Pair>] => {
      const ssc = manualContext(1000, startTime);
      const stream = queueStream<Pair>(ssc, [[['b', 10]]])
        .updateStateByKey<string, number, number>(runningTotal)
        .name('totals');
      stream.node.stateComponent()?.restoreState(snapshot);
      return [ssc, stream];
    };
    const [second, after] = rebuild(2000);
    const batches = collectBatches(after);
    second.start();
    await second.advance(1);
    await second.stop();
    expect(batches).toEqual([
      [
        3000,
        [
          ['a', 4],
          ['b', 12],
        ],
      ],
    ]);

    // Re-applying a batch the snapshot already holds would count it twice: refused.
    const [replayed, again] = rebuild(0);
    again.foreachBatch(() => {});
    replayed.start();
    await expect(replayed.advance(1)).rejects.toThrow(/"totals" was asked for batch 1000 after/);
    await replayed.awaitTermination().catch(() => {});

    expect(() => after.node.stateComponent()?.restoreState({ entries: [['a']] })).toThrow(
      StateError,
    );
    expect(() => after.node.stateComponent()?.restoreState(null)).toThrow(/operator "totals"/);
  });

  it('an update that throws fails the batch with the operator named and leaves the state as it was', async () => {
    const ssc = manualContext();
    const totals = queueStream<Pair>(ssc, [
      [['a', 1]],
      [
        ['b', 1],
        ['a', -1],
      ],
    ])
      .updateStateByKey<string, number, number>((values, total) => {
        if (values.some((v) => v < 0)) throw new Error('negative value');
        return runningTotal(values, total);
      })
      .name('guarded-totals');
    totals.foreachBatch(() => {});
    ssc.start();
    await ssc.advance(1);
    const error = await ssc.advance(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchFailedError);
    expect((error as BatchFailedError).operatorName).toBe('guarded-totals');
    expect((error as BatchFailedError).message).toContain('negative value');
    await ssc.awaitTermination().catch(() => {});
    expect(snapshotOf(totals)).toEqual({ batchTime: 1000, entries: [['a', 1]] });
  });
});
