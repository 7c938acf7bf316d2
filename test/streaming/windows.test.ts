import { describe, expect, it } from 'vitest';
import { ConfigurationError, queueStream } from '../../src/index.js';
import { byKey, collectBatches, manualContext } from './collect.js';

const letters = [['a', 'a'], ['b'], ['c', 'c', 'c'], ['d'], [], ['e']];

describe('window', () => {
  it('windowed counts over 3 batches sliding by 1 are right at every batch, partial ones first', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, letters);
    const contents = collectBatches(stream.window(3000, 1000));
    const counts = collectBatches(stream.window(3000).count());
    const countByWindow = collectBatches(stream.countByWindow(3000, 1000));
    ssc.start();
    await ssc.advance(9);
    await ssc.stop();
    expect(contents).toEqual([
      [1000, ['a', 'a']],
      [2000, ['a', 'a', 'b']],
      [3000, ['a', 'a', 'b', 'c', 'c', 'c']],
      [4000, ['b', 'c', 'c', 'c', 'd']],
      [5000, ['c', 'c', 'c', 'd']],
      [6000, ['d', 'e']],
      [7000, ['e']],
      [8000, ['e']],
      [9000, []],
    ]);
    const expectedCounts = [2, 3, 6, 5, 4, 2, 1, 1, 0].map((n, i): [number, number[]] => [
      (i + 1) * 1000,
      [n],
    ]);
    expect(counts).toEqual(expectedCounts);
    expect(countByWindow).toEqual(expectedCounts);
  });

  it('slides by a multiple of the batch interval, keeping the oldest batch first', async () => {
    const ssc = manualContext();
    const contents = collectBatches(queueStream(ssc, letters).window(3000, 2000));
    ssc.start();
    await ssc.advance(6);
    await ssc.stop();
    expect(contents).toEqual([
      [2000, ['a', 'a', 'b']],
      [4000, ['b', 'c', 'c', 'c', 'd']],
      [6000, ['d', 'e']],
    ]);
  });

  it('windows a windowed stream on its own slide, and keeps parents long enough', async () => {
    const ssc = manualContext();
    const numbers = queueStream(
      ssc,
      Array.from({ length: 12 }, (_, i) => [i + 1]),
    ).map((x) => x * 10);
    // Pairs of batches, then windows of two pairs: four batches, every two batches.
    const nested = collectBatches(numbers.window(2000, 2000).window(4000));
    const long = collectBatches(numbers.window(5000).reduce((a, b) => a + b));
    ssc.start();
    await ssc.advance(12);
    await ssc.stop();
    expect(nested.map(([time, items]) => [time, items])).toEqual([
      [2000, [10, 20]],
      [4000, [10, 20, 30, 40]],
      [6000, [30, 40, 50, 60]],
      [8000, [50, 60, 70, 80]],
      [10000, [70, 80, 90, 100]],
      [12000, [90, 100, 110, 120]],
    ]);
    // Sum of 10·k over the last five k (fewer at the start).
    const expected = Array.from({ length: 12 }, (_, i) => {
      const k = i + 1;
      let sum = 0;
      for (let j = Math.max(1, k - 4); j <= k; j++) sum += 10 * j;
      return [k * 1000, [sum]];
    });
    expect(long).toEqual(expected);
  });

  it('rejects lengths and slides that are not positive multiples of the parent slide', () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1]]);
    expect(() => stream.window(2500, 1000)).toThrow(ConfigurationError);
    expect(() => stream.window(2500, 1000)).toThrow(
      "window(lengthMs = 2500, slideMs = 1000): lengthMs must be a positive multiple of the parent stream's slide (1000 ms), e.g. 2000 or 3000",
    );
    expect(() => stream.window(3000, 1500)).toThrow(/slideMs must be .*1000 ms/);
    expect(() => stream.window(0)).toThrow(/lengthMs = 0/);
    expect(() => stream.window(-2000)).toThrow(ConfigurationError);
    expect(() => stream.window(Number.NaN)).toThrow(/lengthMs = NaN/);
    expect(() => stream.window(3000, 0)).toThrow(/slideMs = 0/);
    const paired = stream.window(2000, 2000);
    expect(paired.slideMs).toBe(2000);
    expect(paired.window(4000).slideMs).toBe(2000);
    expect(() => paired.window(3000)).toThrow(/parent stream's slide \(2000 ms\)/);
    const pairs = stream.map((x): [number, number] => [x, x]);
    expect(() => pairs.reduceByKeyAndWindow((a, b) => a + b, 1500)).toThrow(
      /^reduceByKeyAndWindow\(lengthMs = 1500/,
    );
    expect(() =>
      pairs.reduceByKeyAndWindow(
        (a, b) => a + b,
        (a, b) => a - b,
        3000,
        500,
      ),
    ).toThrow(/^reduceByKeyAndWindow\(lengthMs = 3000, slideMs = 500\)/);
    expect(() => stream.countByWindow(1000, 2500)).toThrow(/^countByWindow/);
    expect(() => stream.reduceByWindow((a, b) => a + b, 999)).toThrow(/^reduceByWindow/);
    expect(() => stream.countByValueAndWindow(1)).toThrow(/^countByValueAndWindow/);
  });

  it('reduceByWindow skips empty windows; countByWindow counts them as 0', async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[1, 2], [], [], [], [5]]);
    const sums = collectBatches(stream.reduceByWindow((a, b) => a + b, 2000, 1000));
    const counts = collectBatches(stream.countByWindow(2000, 1000));
    ssc.start();
    await ssc.advance(5);
    await ssc.stop();
    expect(sums).toEqual([
      [1000, [3]],
      [2000, [3]],
      [3000, []],
      [4000, []],
      [5000, [5]],
    ]);
    expect(counts.map(([, [count]]) => count)).toEqual([2, 2, 0, 0, 1]);
  });

  it('countByValueAndWindow counts each value in the window and drops values that left', async () => {
    const ssc = manualContext();
    const counts = collectBatches(
      queueStream(ssc, [['a', 'b', 'a'], ['b'], ['c']]).countByValueAndWindow(2000, 1000),
    );
    ssc.start();
    await ssc.advance(4);
    await ssc.stop();
    expect(counts.map(([time, items]) => [time, byKey(items)])).toEqual([
      [
        1000,
        [
          ['a', 2],
          ['b', 1],
        ],
      ],
      [
        2000,
        [
          ['a', 2],
          ['b', 2],
        ],
      ],
      [
        3000,
        [
          ['b', 1],
          ['c', 1],
        ],
      ],
      [4000, [['c', 1]]],
    ]);
  });
});
