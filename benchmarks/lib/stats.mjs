// Timing and summary statistics shared by every benchmark. Times come from the monotonic
// high-resolution clock (process.hrtime.bigint), never Date.now(), so NTP steps can't skew a run.
import { recordGc } from './gc.mjs';

/** Seconds elapsed since `start` (a value of process.hrtime.bigint()). */
export function secondsSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Times `run` (async, returning facts about the run): { seconds, gcMs, ...facts }, where gcMs is
 * the garbage-collection time inside the run.
 */
export async function timed(run) {
  const gc = recordGc();
  const from = performance.now();
  const start = process.hrtime.bigint();
  const facts = await run();
  const seconds = secondsSince(start);
  const gcMs = await gc.totalMs(from, performance.now());
  return { seconds, gcMs, ...facts };
}

/** Median, min and max of a non-empty list of numbers. */
export function summarize(values) {
  if (values.length === 0) throw new Error('summarize() needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * A rate (work per second) summary from run times: the median rate is work / median time, and
 * the fastest run gives the max rate. Keeping both sides lets a table show the spread honestly.
 */
export function rateOf(work, seconds) {
  const time = summarize(seconds);
  return { median: work / time.median, min: work / time.max, max: work / time.min };
}

/** Frees garbage left by the previous run when node runs with --expose-gc (run-all does). */
export function collectGarbage() {
  globalThis.gc?.();
}

/** Whether collectGarbage() really collects (recorded in the JSON so runs can be compared). */
export const canCollectGarbage = typeof globalThis.gc === 'function';

/**
 * Runs each contender (an async function returning { seconds, ...facts }) `warmup` times
 * unrecorded, so the JIT has compiled the hot paths, then `runs` times recorded. Contenders take
 * turns run by run, so a burst of load from elsewhere on the machine hits them all alike.
 * When a round of warm-ups shows that `runs` rounds would take more than `maxSeconds`, fewer
 * rounds are run (the JSON records each row's run count). Returns, per contender, its results.
 */
export async function repeatInTurns(contenders, { runs, warmup = 1, maxSeconds = Infinity }) {
  const results = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  let planned = runs;
  for (let i = 0; i < warmup + planned; i++) {
    let roundSeconds = 0;
    for (const [name, once] of Object.entries(contenders)) {
      collectGarbage();
      const result = await once();
      roundSeconds += result.seconds;
      if (i >= warmup) results[name].push(result);
    }
    // A slow row keeps the whole suite within its time: fewer runs (never under 2), recorded.
    if (i === warmup - 1 && roundSeconds * runs > maxSeconds) {
      planned = Math.max(2, Math.floor(maxSeconds / roundSeconds));
    }
  }
  return results;
}
