import { ConfigurationError } from '../streaming/errors.js';
import type { TimeUnit } from './kernels/kmeans-update.js';

export type { TimeUnit } from './kernels/kmeans-update.js';

/*
 * Forgetting, shared by every streaming model: k-means discounts its cluster weights and the
 * linear models pull their weights back toward the initial ones, both by a decay factor per time
 * unit, which users most often think of as a half-life.
 */

/**
 * The decay factor under which data `halfLife` time units old carries half its weight:
 * `exp(ln(0.5) / halfLife)`, i.e. `0.5^(1/halfLife)` (Spark's `StreamingKMeans.setHalfLife`).
 * Throws a `ConfigurationError` unless `halfLife` is a finite number > 0.
 *
 * @example
 * decayForHalfLife(2); // Math.SQRT1_2: after two batches, half the weight is left
 */
export function decayForHalfLife(halfLife: number): number {
  if (typeof halfLife !== 'number' || !Number.isFinite(halfLife) || halfLife <= 0) {
    throw new ConfigurationError(
      `halfLife must be a finite number > 0 (time units until data weighs half), got ${String(halfLife)}`,
    );
  }
  return Math.exp(Math.log(0.5) / halfLife);
}

/**
 * Throws a `ConfigurationError` unless `timeUnit` is `'batches'` or `'points'`, the units one
 * step of decay can count.
 *
 * @example
 * checkTimeUnit('points'); // fine; checkTimeUnit('seconds') throws
 */
export function checkTimeUnit(timeUnit: unknown): asserts timeUnit is TimeUnit {
  if (timeUnit !== 'batches' && timeUnit !== 'points') {
    throw new ConfigurationError(
      `timeUnit must be 'batches' or 'points', got ${JSON.stringify(timeUnit) ?? String(timeUnit)}`,
    );
  }
}
