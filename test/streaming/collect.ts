import { ManualClock, StreamingContext, type DStream } from '../../src/index.js';

/**
 * A context whose batches run only when the test calls `ssc.advance(n)`; the first batch runs at
 * `startTime + batchIntervalMs`.
 */
export function manualContext(batchIntervalMs = 1000, startTime = 0): StreamingContext {
  return new StreamingContext({ batchIntervalMs, clock: new ManualClock(startTime) });
}

/** Registers an output that records every batch of `stream` as `[time, records]`. */
export function collectBatches<T>(stream: DStream<T>): [number, T[]][] {
  const batches: [number, T[]][] = [];
  stream.foreachBatch((items, time) => {
    batches.push([time, [...items]]);
  });
  return batches;
}

/** Key-value records sorted by key, for comparisons that must not depend on key order. */
export function byKey<K extends string | number, V>(records: readonly [K, V][]): [K, V][] {
  return [...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
