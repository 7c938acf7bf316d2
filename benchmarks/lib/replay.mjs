// End-to-end throughput through the public API (DESIGN.md §9): a 'replay' StreamingContext over
// queueStream batches, timed from start() until the context stops by itself.
import { StreamingContext } from 'millrace';
import { secondsSince } from './stats.mjs';

/**
 * Builds a fresh replay context, lets `build(ssc)` attach sources, operators and outputs (untimed:
 * queueStream copies its batches here), then times start() → awaitTermination(). Returns
 * { seconds, ...whatever build's returned `finish()` gives after the run }.
 */
export async function timeReplay(build, { batchIntervalMs = 1000 } = {}) {
  const ssc = new StreamingContext({ batchIntervalMs, clock: 'replay' });
  const finish = build(ssc);
  const start = process.hrtime.bigint();
  ssc.start();
  await ssc.awaitTermination();
  const seconds = secondsSince(start);
  return { seconds, ...(finish ? finish() : {}) };
}

/** Splits `count` records, made by `record(i)`, into consecutive batches of `batchSize`. */
export function toBatches(count, batchSize, record) {
  const batches = [];
  for (let start = 0; start < count; start += batchSize) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + batchSize); i++) batch.push(record(i));
    batches.push(batch);
  }
  return batches;
}
