// Timing and summary statistics shared by every benchmark. Times come from the monotonic
// high-resolution clock (process.hrtime.bigint), never Date.now(), so NTP steps can't skew a run.

/** Seconds elapsed since `start` (a value of process.hrtime.bigint()). */
export function secondsSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
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
 * Returns, per contender name, its recorded results.
 */
export async function repeatInTurns(contenders, { runs, warmup = 1 }) {
  const results = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, once] of Object.entries(contenders)) {
      collectGarbage();
      const result = await once();
      if (i >= warmup) results[name].push(result);
    }
  }
  return results;
}
