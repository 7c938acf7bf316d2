import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queueStream } from '../../src/index.js';
import { byKey, collectBatches, manualContext } from './collect.js';

type Pair = [string, number];

/** 20 seeded random batches of `[key, 1]` pairs over a few keys, some batches empty. */
function randomBatches(seed: number, count = 20): Pair[][] {
  const batch = fc.array(
    fc.constantFrom('a', 'b', 'c', 'd', 'e').map((key): Pair => [key, 1]),
    { maxLength: 8 },
  );
  return fc.sample(batch, { seed, numRuns: count });
}

const add = (a: number, b: number): number => a + b;
const subtract = (a: number, b: number): number => a - b;
const isNotZero = ([, count]: Pair): boolean => count !== 0;

/** Runs the plain and the incremental form side by side over the same batches. */
async function bothForms(
  batches: Pair[][],
  lengthMs: number,
  slideMs: number,
  filter: ((entry: Pair) => boolean) | null = isNotZero, // null: no filter
): Promise<{ plain: [number, Pair[]][]; incremental: [number, Pair[]][] }> {
  const ssc = manualContext();
  // One input each, so neither form's need to remember batches can cover for the other's.
  const plain = collectBatches(
    queueStream(ssc, batches).reduceByKeyAndWindow(add, lengthMs, slideMs),
  );
  const incremental = collectBatches(
    queueStream(ssc, batches).reduceByKeyAndWindow(
      add,
      subtract,
      lengthMs,
      slideMs,
      filter ?? undefined,
    ),
  );
  ssc.start();
  await ssc.advance(batches.length + lengthMs / 1000); // until the last batch has left
  await ssc.stop();
  const sorted = (runs: [number, Pair[]][]): [number, Pair[]][] =>
    runs.map(([time, items]) => [time, byKey(items)]);
  return { plain: sorted(plain), incremental: sorted(incremental) };
}

describe('reduceByKeyAndWindow', () => {
  it('with the inverse function equals the plain form over 20 random batches', async () => {
    const batches = randomBatches(42);
    const { plain, incremental } = await bothForms(batches, 3000, 1000);
    expect(incremental).toEqual(plain);
    expect(plain).toHaveLength(23);
    // The plain form itself against a direct count of the last three batches.
    for (const [time, counts] of plain) {
      const k = time / 1000;
      const expected = new Map<string, number>();
      for (const batch of batches.slice(Math.max(0, k - 3), k)) {
        for (const [key] of batch) expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      expect(counts).toEqual(byKey([...expected]));
    }
  });

  it('with the inverse function equals the plain form when sliding by more than one batch', async () => {
    for (const [seed, lengthMs, slideMs] of [
      [7, 4000, 2000],
      [8, 3000, 2000],
      [9, 6000, 3000],
      [10, 1000, 3000], // slide longer than the window: batches in the gaps count in neither
    ]) {
      const { plain, incremental } = await bothForms(randomBatches(seed), lengthMs, slideMs);
      expect(incremental, `length ${lengthMs}, slide ${slideMs}`).toEqual(plain);
      expect(plain.every(([time]) => time % slideMs === 0)).toBe(true);
    }
  });

  it('keeps keys whose value went back to zero unless the filter drops them (as Spark)', async () => {
    const batches: Pair[][] = [[['a', 1]], [['b', 1]], [], []];
    const { incremental } = await bothForms(batches, 2000, 1000, null);
    expect(incremental).toEqual([
      [1000, [['a', 1]]],
      [
        2000,
        [
          ['a', 1],
          ['b', 1],
        ],
      ],
      [
        3000,
        [
          ['a', 0],
          ['b', 1],
        ],
      ],
      [
        4000,
        [
          ['a', 0],
          ['b', 0],
        ],
      ],
      [
        5000,
        [
          ['a', 0],
          ['b', 0],
        ],
      ],
      [
        6000,
        [
          ['a', 0],
          ['b', 0],
        ],
      ],
    ]);
  });

  it('gives the same windows when read less often than it slides', async () => {
    const batches = randomBatches(3, 12);
    const ssc = manualContext();
    const pairs = queueStream(ssc, batches);
    const sampled = collectBatches(
      pairs.reduceByKeyAndWindow(add, subtract, 2000, 1000, isNotZero).window(1000, 3000),
    );
    const plain = collectBatches(pairs.reduceByKeyAndWindow(add, 2000, 1000).window(1000, 3000));
    ssc.start();
    await ssc.advance(12);
    await ssc.stop();
    expect(sampled.map(([t, items]) => [t, byKey(items)])).toEqual(
      plain.map(([t, items]) => [t, byKey(items)]),
    );
    expect(sampled.map(([time]) => time)).toEqual([3000, 6000, 9000, 12000]);
  });

  it('advances at every slide, in its own batch, even when no output reads it then', async () => {
    const ssc = manualContext();
    let runningBatch = 0;
    ssc.addStreamingListener({ onBatchStarted: (info) => (runningBatch = info.batchTime) });
    const computedDuring: [number, number][] = [];
    queueStream(ssc, randomBatches(5, 6))
      .mapPartitions((partition, time) => {
        computedDuring.push([time, runningBatch]);
        return partition;
      })
      .reduceByKeyAndWindow(add, subtract, 2000, 1000)
      .window(1000, 3000)
      .foreachBatch(() => {});
    ssc.start();
    await ssc.advance(6);
    await ssc.stop();
    // Each batch's records are reduced during that batch, not caught up on when read.
    expect(computedDuring.every(([time, batch]) => time === batch)).toBe(true);
    expect(new Set(computedDuring.map(([time]) => time))).toEqual(
      new Set([1000, 2000, 3000, 4000, 5000, 6000]),
    );
  });
});
