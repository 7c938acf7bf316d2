// Gradient sums and predictions of the linear models over a dense row-major batch, with Spark's
// per-record gradients: least squares (r = w·x − y, gradient r·x, loss r²/2) and logistic with
// labels 0/1 (margin = −w·x, multiplier = 1/(1 + e^margin) − y, loss log(1 + e^margin), minus
// margin when y is 0, computed without overflow). Like every block kernel they take
// (…, scratch, firstBlock, endBlock); these two need no scratch.

import { addScaled, dot, rowAt } from './rows';

/** Loss selector shared with the JS wrapper. */
export const LEAST_SQUARES: i32 = 0;
export const LOGISTIC: i32 = 1;

/** log(1 + e^t) without overflow for large t nor loss of precision for very negative t. */
function log1pExp(t: f64): f64 {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

// The loss of the record last passed to multiplier(), kept here because a function returns one
// value. Globals belong to one instance, so each worker thread has its own.
let lastLoss: f64 = 0;

/**
 * The per-record gradient multiplier g (gradient = g·x); sets lastLoss when `withLoss` (the
 * logistic loss costs an exponential and a log1p per record that training doesn't need).
 */
function multiplier(loss: i32, withLoss: bool, prediction: f64, label: f64): f64 {
  if (loss == LEAST_SQUARES) {
    const residual = prediction - label;
    lastLoss = withLoss ? 0.5 * residual * residual : 0;
    return residual;
  }
  const margin = -prediction;
  lastLoss = withLoss ? (label > 0 ? log1pExp(margin) : log1pExp(margin) - margin) : 0;
  return 1.0 / (1.0 + Math.exp(margin)) - label;
}

/**
 * Sums gradients over the positions of the blocks [firstBlock, endBlock) of a list of `count`
 * positions: position p is row p, or row rows[p] when `rows` (i32 row indices) is not 0. Per block,
 * at partials + b·partialStride·8: Σ g·x (d values), the loss sum (0 without `withLoss`), and the
 * number of rows.
 */
export function gradientSums(
  loss: i32,
  withLoss: bool,
  data: usize,
  labels: usize,
  d: i32,
  weights: usize,
  rows: usize,
  count: i32,
  partials: usize,
  partialStride: i32,
  blockRows: i32,
  _scratch: usize,
  firstBlock: i32,
  endBlock: i32,
): void {
  for (let block = firstBlock; block < endBlock; block++) {
    const start = block * blockRows;
    const end = min(count, start + blockRows);
    const partial = rowAt(partials, block, partialStride);
    memory.fill(partial, 0, (<usize>(d + 2)) << 3);
    let lossSum = 0.0;
    for (let position = start; position < end; position++) {
      const row = rows == 0 ? position : load<i32>(rows + ((<usize>position) << 2));
      const x = rowAt(data, row, d);
      const g = multiplier(
        loss,
        withLoss,
        dot(weights, x, d),
        load<f64>(labels + ((<usize>row) << 3)),
      );
      lossSum += lastLoss;
      addScaled(partial, x, g, d);
    }
    store<f64>(partial + ((<usize>d) << 3), lossSum);
    store<f64>(partial + ((<usize>(d + 1)) << 3), <f64>(end - start));
  }
}

/**
 * Writes w·x + intercept for the rows of blocks [firstBlock, endBlock) to `out`, or the logistic
 * probability 1/(1 + e^−(w·x + intercept)) when `probability` is set.
 */
export function linearPredict(
  data: usize,
  n: i32,
  d: i32,
  weights: usize,
  intercept: f64,
  probability: bool,
  out: usize,
  blockRows: i32,
  _scratch: usize,
  firstBlock: i32,
  endBlock: i32,
): void {
  for (let block = firstBlock; block < endBlock; block++) {
    const start = block * blockRows;
    const end = min(n, start + blockRows);
    for (let row = start; row < end; row++) {
      const margin = dot(weights, rowAt(data, row, d), d) + intercept;
      store<f64>(out + ((<usize>row) << 3), probability ? 1.0 / (1.0 + Math.exp(-margin)) : margin);
    }
  }
}
