import { ConfigurationError } from '../streaming/errors.js';
import { checkTimeUnit, type TimeUnit } from './decay.js';

export type { TimeUnit } from './decay.js';

/**
 * Options of {@link StreamingKMeans}; every one has Spark's default and a chainable setter.
 *
 * @example
 * import { StreamingKMeans } from 'millrace';
 * const km = new StreamingKMeans({ k: 3, decayFactor: 0.9, timeUnit: 'batches' });
 */
export interface StreamingKMeansOptions {
  /** Number of clusters (default 2). */
  k?: number;
  /** Weight kept by old data per time unit, >= 0 (default 1: never forget). */
  decayFactor?: number;
  /** What one step of decay counts (default `'batches'`). */
  timeUnit?: TimeUnit;
  /**
   * Name of the model in the graph: `trainOn` registers the output `<name>.trainOn` and keeps the
   * model's state under `<name>` for checkpoints. Default `streamingKMeans-<n>`: the context
   * numbers its unnamed k-means models 0, 1, … in the order of their first `trainOn` /
   * `predictOn` / `scoreOn`, so a rebuilt graph gets the same names.
   */
  name?: string;
}

/** The validated settings a StreamingKMeans trains with. */
export interface KMeansSettings {
  readonly k: number;
  readonly decayFactor: number;
  readonly timeUnit: TimeUnit;
}

/** Spark's defaults. */
export const DEFAULT_KMEANS_SETTINGS: KMeansSettings = {
  k: 2,
  decayFactor: 1,
  timeUnit: 'batches',
};

/**
 * The one place k-means settings are validated, whether they come from the options object, a
 * setter or `update`: throws a `ConfigurationError` naming the bad value and what is allowed.
 */
export function checkKMeansSettings(settings: KMeansSettings): KMeansSettings {
  const { k, decayFactor, timeUnit } = settings;
  if (!Number.isInteger(k) || k < 1) {
    throw new ConfigurationError(`k must be a whole number >= 1, got ${String(k)}`);
  }
  checkDecay(decayFactor, timeUnit);
  return { k, decayFactor, timeUnit };
}

/** Validates a decay factor and its time unit (as `update` receives them). */
export function checkDecay(decayFactor: number, timeUnit: TimeUnit): void {
  if (typeof decayFactor !== 'number' || !Number.isFinite(decayFactor) || decayFactor < 0) {
    throw new ConfigurationError(
      `decayFactor must be a finite number >= 0 (1 keeps all history), got ${String(decayFactor)}`,
    );
  }
  checkTimeUnit(timeUnit);
}
