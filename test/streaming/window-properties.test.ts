import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queueStream } from '../../src/index.js';
import { byKey, collectBatches, manualContext } from './collect.js';

// Window arithmetic checked against brute force: for random batch counts, lengths and slides,
// what the engine gives at each slide time must be exactly what a direct reading of the
// definition gives. Seeded, so a failure replays.
const interval = 1000;
const shape = fc.record({
  lengthBatches: fc.integer({ min: 1, max: 5 }),
  slideBatches: fc.integer({ min: 1, max: 4 }),
  extraBatches: fc.integer({ min: 0, max: 6 }), // run on after the data ends: windows drain
});
const batchesOf = <T>(record: fc.Arbitrary<T>): fc.Arbitrary<T[][]> =>
  fc.array(fc.array(record, { maxLength: 4 }), { minLength: 1, maxLength: 10 });

/** Batch k (1-based) of `batches`, empty past the end, as the queue source delivers it. */
const batchAt = <T>(batches: T[][], k: number): T[] => batches[k - 1] ?? [];

/** Batch numbers in the window ending at batch `k`: (k - length, k], from 1. */
function windowBatchNumbers(k: number, lengthBatches: number): number[] {
  const numbers: number[] = [];
  for (let j = Math.max(1, k - lengthBatches + 1); j <= k; j++) numbers.push(j);
  return numbers;
}

describe('window arithmetic (property tests)', () => {
  it('window contents equal the union of the batches in (T - length, T], oldest first', async () => {
    await fc.assert(
      fc.asyncProperty(
        shape,
        batchesOf(fc.integer()),
        batchesOf(fc.integer()),
        async ({ lengthBatches, slideBatches, extraBatches }, left, right) => {
          const ssc = manualContext(interval);
          // Two inputs in union: each batch has two partitions, which the window keeps in order.
          const stream = queueStream(ssc, left).union(queueStream(ssc, right));
          const windows = collectBatches(
            stream.window(lengthBatches * interval, slideBatches * interval),
          );
          const total = Math.max(left.length, right.length) + extraBatches;
          ssc.start();
          await ssc.advance(total);
          await ssc.stop();
          const expected: [number, number[]][] = [];
          for (let k = slideBatches; k <= total; k += slideBatches) {
            const records = windowBatchNumbers(k, lengthBatches).flatMap((j) => [
              ...batchAt(left, j),
              ...batchAt(right, j),
            ]);
            expected.push([k * interval, records]);
          }
          expect(windows).toEqual(expected);
        },
      ),
      { seed: 20261125, numRuns: 100 },
    );
  });

  it('countByWindow and the incremental reduceByKeyAndWindow agree with brute force', async () => {
    await fc.assert(
      fc.asyncProperty(
        shape,
        batchesOf(fc.constantFrom('a', 'b', 'c')),
        async ({ lengthBatches, slideBatches, extraBatches }, batches) => {
          const ssc = manualContext(interval);
          const [lengthMs, slideMs] = [lengthBatches * interval, slideBatches * interval];
          // One input each, so neither operator's need to remember batches covers for the other.
          const counts = collectBatches(queueStream(ssc, batches).countByWindow(lengthMs, slideMs));
          const byValue = collectBatches(
            queueStream(ssc, batches)
              .map((word): [string, number] => [word, 1])
              .reduceByKeyAndWindow(
                (a, b) => a + b,
                (a, b) => a - b,
                lengthMs,
                slideMs,
                ([, n]) => n !== 0,
              ),
          );
          const total = batches.length + extraBatches;
          ssc.start();
          await ssc.advance(total);
          await ssc.stop();
          const expectedCounts: [number, number[]][] = [];
          const expectedByValue: [number, [string, number][]][] = [];
          for (let k = slideBatches; k <= total; k += slideBatches) {
            const words = windowBatchNumbers(k, lengthBatches).flatMap((j) => batchAt(batches, j));
            const tally = new Map<string, number>();
            for (const word of words) tally.set(word, (tally.get(word) ?? 0) + 1);
            expectedCounts.push([k * interval, [words.length]]);
            expectedByValue.push([k * interval, byKey([...tally])]);
          }
          expect(counts).toEqual(expectedCounts);
          expect(byValue.map(([time, items]) => [time, byKey(items)])).toEqual(expectedByValue);
        },
      ),
      { seed: 20261126, numRuns: 100 },
    );
  });
});
