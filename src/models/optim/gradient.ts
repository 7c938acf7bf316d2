/**
 * A loss of a linear model, seen through the margin `m = w · x`: for both of Spark's losses the
 * gradient with respect to `w` is `multiplier(m, y) · x`, so the batch loops compute one dot
 * product and one scaled row addition per record, whatever the loss.
 *
 * @example
 * LeastSquaresGradient.multiplier(3, 1); // 2: the residual w·x - y
 * LeastSquaresGradient.loss(3, 1); // 2: residual² / 2
 */
export interface Gradient {
  /** Spark's name of the loss, used in saved models and messages. */
  readonly name: 'leastSquares' | 'logistic';
  /** The derivative of the loss with respect to the margin, at margin `m` and label `y`. */
  multiplier(m: number, y: number): number;
  /** The loss at margin `m` and label `y`. */
  loss(m: number, y: number): number;
}

/**
 * Least squares (Spark's `LeastSquaresGradient`): residual `r = w·x - y`, gradient `r · x`,
 * loss `r² / 2`.
 *
 * @example
 * LeastSquaresGradient.multiplier(0.5, 2); // -1.5
 */
export const LeastSquaresGradient: Gradient = {
  name: 'leastSquares',
  multiplier: (m, y) => m - y,
  loss: (m, y) => ((m - y) * (m - y)) / 2,
};

/**
 * `log(1 + e^x)` without overflow for large `x` nor loss of precision for very negative `x`
 * (Spark's `MLUtils.log1pExp`): for `x > 0` it is `x + log(1 + e^-x)`, whose exponential can't
 * overflow.
 * So `log1pExp(1000)` is 1000 where `Math.log(1 + Math.exp(1000))` is Infinity.
 */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The logistic function `1 / (1 + e^-m)`: the probability of label 1 at margin m. */
export function sigmoid(m: number): number {
  return 1 / (1 + Math.exp(-m));
}

/**
 * Binary logistic loss (Spark's `LogisticGradient`, labels 0 or 1): with `margin = -(w·x)`, the
 * gradient is `(1 / (1 + e^margin) - y) · x` and the loss `log(1 + e^margin)` for y = 1,
 * `log(1 + e^margin) - margin` for y = 0, both through {@link log1pExp} so that confident
 * mistakes give a large finite loss instead of Infinity.
 *
 * @example
 * LogisticGradient.multiplier(0, 1); // -0.5: probability 0.5 minus the label
 * LogisticGradient.loss(0, 1); // Math.LN2
 */
export const LogisticGradient: Gradient = {
  name: 'logistic',
  multiplier: (m, y) => sigmoid(m) - y,
  loss: (m, y) => (y > 0 ? log1pExp(-m) : log1pExp(-m) + m),
};
