// Garbage-collection time inside a timed run, from V8's GC events (perf_hooks 'gc' entries): the
// share of a run spent collecting says whether a slow pipeline computes or churns memory.
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Starts recording GC events; `totalMs(from, to)` (performance.now() values) resolves, after the
 * events already emitted have been delivered, with the GC time that started in [from, to], and
 * stops recording.
 */
export function recordGc() {
  const durations = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) durations.push(entry);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async totalMs(from, to) {
      // GC entries are delivered asynchronously (after the run's own turn of the event loop
      // ends): give the pending ones two turns to arrive.
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
      observer.disconnect();
      let total = 0;
      for (const entry of durations) {
        if (entry.startTime >= from && entry.startTime < to) total += entry.duration;
      }
      return total;
    },
  };
}
