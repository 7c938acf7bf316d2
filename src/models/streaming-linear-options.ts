import { ConfigurationError } from '../streaming/errors.js';
import { checkTimeUnit, type TimeUnit } from './decay.js';
import type { GradientDescentSettings } from './optim/gradient-descent.js';
import type { UpdaterName } from './optim/updater.js';
import type { VectorLike } from './vectors.js';

/**
 * Options of the streaming linear models; each has Spark's default and a chainable setter.
 *
 * @example
 * import { StreamingLinearRegressionWithSGD } from 'millrace';
 * const lr = new StreamingLinearRegressionWithSGD({ stepSize: 0.2, numIterations: 25, initialWeights: [0, 0] });
 */
export interface StreamingLinearOptions {
  /** Initial step size; iteration i of a batch steps by `stepSize / sqrt(i)` (default 0.1). */
  stepSize?: number;
  /** Gradient-descent iterations per batch, at most (default 50). */
  numIterations?: number;
  /** Fraction of each batch sampled per iteration, in (0, 1] (default 1: every record). */
  miniBatchFraction?: number;
  /** Regularisation strength, >= 0 (default 0). */
  regParam?: number;
  /** A batch's descent stops when a step moves the weights by less than this, relatively (default 0.001). */
  convergenceTol?: number;
  /**
   * Forgetting factor in [0, 1] (default 1: Spark's behaviour, nothing forgotten). Before each
   * non-empty batch's gradient descent the weights are pulled toward the initial weights:
   * `w ← w0 + f · (w - w0)`, with `f = decayFactor` per batch, or `decayFactor^n` for a batch
   * of n usable points when `timeUnit` is `'points'`.
   */
  decayFactor?: number;
  /** What one step of decay counts: `'batches'` (default) or `'points'`. */
  timeUnit?: TimeUnit;
  /**
   * Regulariser: `'simple'` (none; regression's default), `'squaredL2'` (ridge; logistic's
   * default) or `'l1'` (lasso, by soft-thresholding), Spark's updaters.
   */
  updater?: UpdaterName;
  /** Base seed of mini-batch sampling (default 42, Spark's): iteration i uses seed + i. */
  seed?: number;
  /** Initial weights; also settable with `setInitialWeights`, required before training. */
  initialWeights?: VectorLike;
  /**
   * Name of the model in the graph: `trainOn` registers the output `<name>.trainOn` and keeps the
   * model's state under `<name>` for checkpoints; `evaluateOn`'s stream is `<name>.evaluateOn`.
   * Default `<kind>-<n>` (e.g. `streamingLinearRegression-0`): the context numbers its unnamed
   * models of each kind 0, 1, … in the order of their first `trainOn` / `predictOn` /
   * `evaluateOn`, so a rebuilt graph gets the same names.
   */
  name?: string;
}

/** The validated settings a streaming linear model trains with. */
export interface StreamingLinearSettings extends Omit<GradientDescentSettings, 'computeLoss'> {
  readonly decayFactor: number;
  readonly timeUnit: TimeUnit;
  readonly updater: UpdaterName;
}

/** Spark's defaults, shared by regression and logistic regression except for the updater. */
export function defaultLinearSettings(updater: UpdaterName): StreamingLinearSettings {
  return {
    stepSize: 0.1,
    numIterations: 50,
    miniBatchFraction: 1,
    regParam: 0,
    convergenceTol: 0.001,
    decayFactor: 1,
    timeUnit: 'batches',
    updater,
    seed: 42,
  };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function invalid(name: string, value: unknown, allowed: string): ConfigurationError {
  return new ConfigurationError(
    `${name} must be ${allowed}, got ${JSON.stringify(value) ?? String(value)}`,
  );
}

/**
 * The one place the streaming linear models' settings are checked, whether they come from the
 * options object, a setter or a saved model: Spark's ranges, and a ConfigurationError naming the
 * bad value and what is allowed.
 */
export function checkLinearSettings(settings: StreamingLinearSettings): StreamingLinearSettings {
  const s = settings;
  if (!isNumber(s.stepSize) || s.stepSize <= 0)
    throw invalid('stepSize', s.stepSize, 'a number > 0');
  if (!Number.isInteger(s.numIterations) || s.numIterations < 0) {
    throw invalid('numIterations', s.numIterations, 'a whole number >= 0');
  }
  if (!isNumber(s.miniBatchFraction) || s.miniBatchFraction <= 0 || s.miniBatchFraction > 1) {
    throw invalid('miniBatchFraction', s.miniBatchFraction, 'in (0, 1]');
  }
  if (!isNumber(s.regParam) || s.regParam < 0)
    throw invalid('regParam', s.regParam, 'a number >= 0');
  if (!isNumber(s.convergenceTol) || s.convergenceTol < 0 || s.convergenceTol > 1) {
    throw invalid('convergenceTol', s.convergenceTol, 'in [0, 1]');
  }
  if (!isNumber(s.decayFactor) || s.decayFactor < 0 || s.decayFactor > 1) {
    throw invalid('decayFactor', s.decayFactor, 'in [0, 1] (1 forgets nothing)');
  }
  checkTimeUnit(s.timeUnit);
  if (s.updater !== 'simple' && s.updater !== 'squaredL2' && s.updater !== 'l1') {
    throw invalid('updater', s.updater, "'simple', 'squaredL2' or 'l1'");
  }
  if (!Number.isSafeInteger(s.seed)) throw invalid('seed', s.seed, 'a safe integer');
  return { ...s };
}

/**
 * Settings from `base` overridden by whatever `options` sets (undefined means "keep"); an option
 * name the models don't know (a typo) is an error rather than silently ignored.
 */
export function mergeLinearOptions(
  base: StreamingLinearSettings,
  options: StreamingLinearOptions,
): StreamingLinearSettings {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(options)) {
    if (key === 'initialWeights' || key === 'name' || value === undefined) continue;
    if (!(key in base)) {
      throw new ConfigurationError(
        `unknown option "${key}"; the options are ${[...Object.keys(base), 'initialWeights', 'name'].join(', ')}`,
      );
    }
    merged[key] = value;
  }
  return checkLinearSettings(merged as unknown as StreamingLinearSettings);
}
