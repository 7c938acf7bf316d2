// End-to-end throughput through the public API (DESIGN.md §9): a 'replay' StreamingContext over
// queueStream batches, timed from start() until the context stops by itself.
import { StreamingContext } from 'millrace';
import { collectGarbage, secondsSince, timed } from './stats.mjs';

/**
 * Builds a fresh replay context, lets `build(ssc, elapsed)` attach sources, operators and outputs (untimed:
 * queueStream copies its batches here), then times start() → awaitTermination(). Returns
 * { seconds, gcMs, ...whatever build's returned `finish()` gives after the run }.
 */
export async function timeReplay(build, { batchIntervalMs = 1000 } = {}) {
  const ssc = new StreamingContext({ batchIntervalMs, clock: 'replay' });
  let start;
  // Seconds since start(), for pipelines that act on elapsed time (the equal-time quality runs).
  const elapsed = () => (start === undefined ? 0 : secondsSince(start));
  const finish = build(ssc, elapsed);
  // queueStream copies its batches: collect now (with --expose-gc), so the timed run doesn't pay
  // for moving set-up garbage out of the young generation.
  collectGarbage();
  const run = await timed(async () => {
    start = process.hrtime.bigint();
    ssc.start();
    await ssc.awaitTermination();
  });
  return { ...run, ...(finish ? finish() : {}) };
}

/** Splits `records` into consecutive batches of `batchSize` (the last one may be shorter). */
export function toBatches(records, batchSize) {
  const batches = [];
  for (let start = 0; start < records.length; start += batchSize) {
    batches.push(records.slice(start, start + batchSize));
  }
  return batches;
}
