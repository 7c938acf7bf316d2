import { describe, expect, it } from 'vitest';
import {
  BatchFailedError,
  ConfigurationError,
  StateError,
  queueStream,
  type StateSpec,
} from '../../src/index.js';
import { byKey, collectBatches, manualContext } from './collect.js';

type Pair = [string, number];
type Event = [string, number | 'timeout'];

/** Running sum per key; a key timing out reports its final sum. */
const runningSum = (timeoutMs?: number): StateSpec<string, number, number, Event> => ({
  mappingFunction: (key, value, state) => {
    if (state.isTimingOut()) return [key, 'timeout'];
    const total = (state.getOption() ?? 0) + (value ?? 0);
    state.update(total);
    return [key, total];
  },
  ...(timeoutMs === undefined ? {} : { timeoutMs }),
});

describe('mapWithState', () => {
  it('calls the mapping function once per record, in order, with the state so far', async () => {
    const ssc = manualContext();
    const mapped = collectBatches(
      queueStream<Pair>(ssc, [
        [
          ['a', 1],
          ['b', 2],
          ['a', 3],
        ],
        [['a', 10]],
      ]).mapWithState(runningSum()),
    );
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    expect(mapped).toEqual([
      [
        1000,
        [
          ['a', 1],
          ['b', 2],
          ['a', 4],
        ],
      ],
      [2000, [['a', 14]]],
    ]);
  });

  it('times out keys idle for longer than timeoutMs with one last call, then removes them', async () => {
    const ssc = manualContext();
    const events = queueStream<Pair>(ssc, [
      [
        ['a', 1],
        ['b', 1],
      ],
      [['b', 1]],
      [['b', 1]],
      [['b', 1]],
      [],
      [['a', 5]],
    ]).mapWithState(runningSum(2000));
    const mapped = collectBatches(events);
    const snapshots = collectBatches(events.stateSnapshots());
    ssc.start();
    await ssc.advance(7);
    await ssc.stop();
    expect(mapped).toEqual([
      [
        1000,
        [
          ['a', 1],
          ['b', 1],
        ],
      ],
      [2000, [['b', 2]]],
      // Idle for 2000 ms at t = 3000: not longer than the timeout yet.
      [3000, [['b', 3]]],
      // Last record at 1000 < 4000 - 2000: 'a' times out, after this batch's records.
      [
        4000,
        [
          ['b', 4],
          ['a', 'timeout'],
        ],
      ],
      [5000, []],
      // 'a' starts afresh; 'b' (last record at 4000) is not idle long enough yet.
      [6000, [['a', 5]]],
      [7000, [['b', 'timeout']]],
    ]);
    expect(snapshots.map(([time, entries]) => [time, byKey(entries)])).toEqual([
      [
        1000,
        [
          ['a', 1],
          ['b', 1],
        ],
      ],
      [
        2000,
        [
          ['a', 1],
          ['b', 2],
        ],
      ],
      [
        3000,
        [
          ['a', 1],
          ['b', 3],
        ],
      ],
      [4000, [['b', 4]]],
      [5000, [['b', 4]]],
      [
        6000,
        [
          ['a', 5],
          ['b', 4],
        ],
      ],
      [7000, [['a', 5]]],
    ]);
    expect(events.stateSnapshots()).toBe(events.stateSnapshots());
  });

  it('removes state on remove() and gives initial state to keys before their first record', async () => {
    const ssc = manualContext();
    const events = queueStream<Pair>(ssc, [[['a', 1]], [['a', -1]], [['z', 1]]]).mapWithState<
      string,
      number,
      number,
      string
    >({
      mappingFunction: (key, value, state) => {
        const before = state.exists() ? String(state.get()) : 'none';
        if (value === -1) state.remove();
        else state.update((state.getOption() ?? 0) + (value ?? 0));
        return `${key}:${before}`;
      },
      initialState: [['z', 100]],
    });
    const mapped = collectBatches(events);
    const snapshots = collectBatches(events.stateSnapshots());
    ssc.start();
    await ssc.advance(3);
    await ssc.stop();
    expect(mapped.map(([, items]) => items)).toEqual([['a:none'], ['a:1'], ['z:100']]);
    expect(snapshots.map(([, entries]) => byKey(entries))).toEqual([
      [
        ['a', 1],
        ['z', 100],
      ],
      [['z', 100]],
      [['z', 101]],
    ]);
  });

  it('refuses get() without state and changes to a key that is timing out', async () => {
    for (const [misuse, message] of [
      ['get', /State.get\(\): this key has no state/],
      ['update', /State.update\(\) called for a key that is timing out/],
    ] as const) {
      const ssc = manualContext();
      queueStream<Pair>(ssc, [[['a', 1]]])
        .mapWithState<string, number, number, number>({
          mappingFunction: (_key, value, state) => {
            if (misuse === 'get' || state.isTimingOut()) state.update(state.get() + (value ?? 0));
            else state.update(value ?? 0);
            return 0;
          },
          timeoutMs: 1000,
        })
        .name('misuse')
        .foreachBatch(() => {});
      ssc.start();
      const failure = await ssc.advance(3).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(BatchFailedError);
      expect((failure as BatchFailedError).cause).toBeInstanceOf(StateError);
      expect((failure as BatchFailedError).message).toMatch(message);
      await ssc.awaitTermination().catch(() => {});
    }
  });

  it('leaves the state as it was before a batch whose mapping function throws', async () => {
    const ssc = manualContext();
    const events = queueStream<Pair>(ssc, [
      [['a', 1]],
      [
        ['a', 1],
        ['b', 0],
      ],
    ]).mapWithState<string, number, number, number>({
      mappingFunction: (_key, value, state) => {
        if (value === 0) throw new Error('zero');
        state.update((state.getOption() ?? 0) + (value ?? 0));
        return 0;
      },
    });
    events.foreachBatch(() => {});
    ssc.start();
    await ssc.advance(1);
    await expect(ssc.advance(1)).rejects.toThrow(/zero/);
    await ssc.awaitTermination().catch(() => {});
    expect(events.node.stateComponent()?.snapshotState()).toEqual({
      batchTime: 1000,
      entries: [['a', 1, 1000]],
    });
  });

  it('restores a JSON snapshot, timeouts included', async () => {
    const first = manualContext();
    const before = queueStream<Pair>(first, [[['a', 1]], [['b', 2]]]).mapWithState(
      runningSum(1500),
    );
    before.foreachBatch(() => {});
    first.start();
    await first.advance(2);
    await first.stop();
    const snapshot: unknown = JSON.parse(
      JSON.stringify(before.node.stateComponent()?.snapshotState()),
    );
    expect(snapshot).toEqual({
      batchTime: 2000,
      entries: [
        ['a', 1, 1000],
        ['b', 2, 2000],
      ],
    });

    const second = manualContext(1000, 2000);
    const after = queueStream<Pair>(second, [[['b', 1]]]).mapWithState(runningSum(1500));
    after.node.stateComponent()?.restoreState(snapshot);
    const mapped = collectBatches(after);
    second.start();
    await second.advance(1);
    await second.stop();
    // 'a' was last updated at 1000 < 3000 - 1500: it times out in the first batch after restore.
    expect(mapped).toEqual([
      [
        3000,
        [
          ['b', 3],
          ['a', 'timeout'],
        ],
      ],
    ]);
    expect(() =>
      after.node.stateComponent()?.restoreState({ batchTime: 1, entries: [['a', 1, 'x']] }),
    ).toThrow(StateError);
    // A rejected snapshot leaves the state as it was.
    expect(after.node.stateComponent()?.snapshotState()).toEqual({
      batchTime: 3000,
      entries: [['b', 3, 3000]],
    });
  });

  it('rejects a spec without a mapping function or with a bad timeout', () => {
    const ssc = manualContext();
    const pairs = queueStream<Pair>(ssc, []);
    expect(() =>
      pairs.mapWithState({} as unknown as StateSpec<string, number, number, number>),
    ).toThrow(ConfigurationError);
    expect(() => pairs.mapWithState(runningSum(0))).toThrow(/timeoutMs .* got 0/);
    expect(() => pairs.mapWithState(runningSum(Number.NaN))).toThrow(ConfigurationError);
  });
});
