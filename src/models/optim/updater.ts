/**
 * One gradient-descent step with a regulariser (Spark's `Updater`s). `step` is the iteration's
 * step size, already decayed (`stepSize / sqrt(i)`); `gradient` is the mini-batch's mean
 * gradient. Weights are updated in place.
 *
 * @example
 * const w = Float64Array.from([1, -2]);
 * SquaredL2Updater.update(w, Float64Array.from([0.5, 0.5]), 0.1, 1); // w = [0.85, -1.85]
 */
export interface Updater {
  /** Spark's name of the updater: `'simple'` (none), `'squaredL2'` (ridge), `'l1'` (lasso). */
  readonly name: UpdaterName;
  /** Moves `weights` one step against `gradient`, applying the regulariser. */
  update(weights: Float64Array, gradient: Float64Array, step: number, regParam: number): void;
  /** The regulariser's value at `weights` (added to the loss that gradient descent reports). */
  regularization(weights: Float64Array, regParam: number): number;
}

/** The updaters by name, as options and saved models spell them. */
export type UpdaterName = 'simple' | 'squaredL2' | 'l1';

/**
 * No regulariser: `w ← w - step · g` (Spark's `SimpleUpdater`, the regression default).
 *
 * @example
 * const w = Float64Array.from([1]);
 * SimpleUpdater.update(w, Float64Array.from([2]), 0.25, 0); // w = [0.5]
 */
export const SimpleUpdater: Updater = {
  name: 'simple',
  update(weights, gradient, step) {
    for (let j = 0; j < weights.length; j++) weights[j] -= step * gradient[j];
  },
  regularization: () => 0,
};

/**
 * Ridge: `w ← w · (1 - step · regParam) - step · g`, the step of `regParam/2 · ‖w‖²` (Spark's
 * `SquaredL2Updater`, the logistic default; with `regParam = 0` it is the simple step).
 *
 * @example
 * SquaredL2Updater.regularization(Float64Array.from([3, 4]), 0.1); // 1.25 = 0.1/2 · 25
 */
export const SquaredL2Updater: Updater = {
  name: 'squaredL2',
  update(weights, gradient, step, regParam) {
    const shrink = 1 - step * regParam;
    for (let j = 0; j < weights.length; j++) {
      weights[j] = weights[j] * shrink - step * gradient[j];
    }
  },
  regularization(weights, regParam) {
    let squares = 0;
    for (let j = 0; j < weights.length; j++) squares += weights[j] * weights[j];
    return 0.5 * regParam * squares;
  },
};

/**
 * Lasso: the plain step, then soft-thresholding by `step · regParam` (values that cross zero
 * become exactly zero), the proximal step of `regParam · ‖w‖₁` (Spark's `L1Updater`).
 *
 * @example
 * const w = Float64Array.from([0.05, -1]);
 * L1Updater.update(w, new Float64Array(2), 1, 0.1); // w = [0, -0.9]
 */
export const L1Updater: Updater = {
  name: 'l1',
  update(weights, gradient, step, regParam) {
    const threshold = step * regParam;
    for (let j = 0; j < weights.length; j++) {
      const stepped = weights[j] - step * gradient[j];
      weights[j] = Math.sign(stepped) * Math.max(0, Math.abs(stepped) - threshold);
    }
  },
  regularization(weights, regParam) {
    let absolute = 0;
    for (let j = 0; j < weights.length; j++) absolute += Math.abs(weights[j]);
    return regParam * absolute;
  },
};

/** The updater named `name`. */
export function updaterNamed(name: UpdaterName): Updater {
  return name === 'simple' ? SimpleUpdater : name === 'squaredL2' ? SquaredL2Updater : L1Updater;
}
