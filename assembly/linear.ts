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
    let position = start;
    // Two records per step: their dot products are independent chains the processor overlaps,
    // and each lane-pair of the partial sum is loaded and stored once for both.
    for (; position + 2 <= end; position += 2) {
      const row0 = rows == 0 ? position : load<i32>(rows + ((<usize>position) << 2));
      const row1 = rows == 0 ? position + 1 : load<i32>(rows + ((<usize>(position + 1)) << 2));
      const x0 = rowAt(data, row0, d);
      const x1 = rowAt(data, row1, d);
      let sums0 = f64x2.splat(0);
      let sums1 = sums0;
      let j = 0;
      for (; j + 2 <= d; j += 2) {
        const at = (<usize>j) << 3;
        const w = v128.load(weights + at);
        sums0 = f64x2.add(sums0, f64x2.mul(w, v128.load(x0 + at)));
        sums1 = f64x2.add(sums1, f64x2.mul(w, v128.load(x1 + at)));
      }
      let margin0 = f64x2.extract_lane(sums0, 0) + f64x2.extract_lane(sums0, 1);
      let margin1 = f64x2.extract_lane(sums1, 0) + f64x2.extract_lane(sums1, 1);
      if (j < d) {
        const at = (<usize>j) << 3;
        const w = load<f64>(weights + at);
        margin0 += w * load<f64>(x0 + at);
        margin1 += w * load<f64>(x1 + at);
      }
      const g0 = multiplier(loss, withLoss, margin0, load<f64>(labels + ((<usize>row0) << 3)));
      lossSum += lastLoss;
      const g1 = multiplier(loss, withLoss, margin1, load<f64>(labels + ((<usize>row1) << 3)));
      lossSum += lastLoss;
      addScaledPair(partial, x0, g0, x1, g1, d);
    }
    if (position < end) {
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
 * target[j] += (g0·x0[j] + g1·x1[j]) for j < d. addOuterProducts below has the same loop from
 * another start; sharing one function cost this kernel 20% at d = 10 (the call was no longer
 * inlined, and AssemblyScript's @inline is not valid TypeScript for the project's tooling).
 */
function addScaledPair(target: usize, x0: usize, g0: f64, x1: usize, g1: f64, d: i32): void {
  const factor0 = f64x2.splat(g0);
  const factor1 = f64x2.splat(g1);
  let j = 0;
  for (; j + 2 <= d; j += 2) {
    const at = (<usize>j) << 3;
    const both = f64x2.add(
      f64x2.mul(factor0, v128.load(x0 + at)),
      f64x2.mul(factor1, v128.load(x1 + at)),
    );
    v128.store(target + at, f64x2.add(v128.load(target + at), both));
  }
  if (j < d) {
    const at = (<usize>j) << 3;
    const both = g0 * load<f64>(x0 + at) + g1 * load<f64>(x1 + at);
    store<f64>(target + at, load<f64>(target + at) + both);
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

/**
 * The sums that determine every least-squares gradient over the rows of blocks
 * [firstBlock, endBlock): per block, at partials + b·partialStride·8, the d × d matrix Σ x·xᵀ
 * (row-major; only entries j ≥ i are meaningful: the caller mirrors them, and a few entries
 * below the diagonal get partial sums as a side effect of whole-lane stores), then Σ y·x (d
 * values), Σ y² and the number of rows. Two rows at a time: each lane-pair of the matrix is
 * loaded and stored once per two rows.
 */
export function gramSums(
  data: usize,
  labels: usize,
  d: i32,
  n: i32,
  partials: usize,
  partialStride: i32,
  blockRows: i32,
  _scratch: usize,
  firstBlock: i32,
  endBlock: i32,
): void {
  const matrixBytes = (<usize>d * <usize>d) << 3;
  for (let block = firstBlock; block < endBlock; block++) {
    const start = block * blockRows;
    const end = min(n, start + blockRows);
    const partial = rowAt(partials, block, partialStride);
    const labelSums = partial + matrixBytes;
    memory.fill(partial, 0, matrixBytes + ((<usize>(d + 2)) << 3));
    let squares = 0.0;
    let row = start;
    for (; row + 2 <= end; row += 2) {
      const x0 = rowAt(data, row, d);
      const x1 = x0 + ((<usize>d) << 3);
      addOuterProducts(partial, x0, x1, 1.0, d);
      const y0 = load<f64>(labels + ((<usize>row) << 3));
      const y1 = load<f64>(labels + ((<usize>(row + 1)) << 3));
      addScaled(labelSums, x0, y0, d);
      addScaled(labelSums, x1, y1, d);
      squares += y0 * y0 + y1 * y1;
    }
    if (row < end) {
      // The odd row alone: its partner's products weigh 0.
      const x0 = rowAt(data, row, d);
      addOuterProducts(partial, x0, x0, 0.0, d);
      const y0 = load<f64>(labels + ((<usize>row) << 3));
      addScaled(labelSums, x0, y0, d);
      squares += y0 * y0;
    }
    store<f64>(labelSums + ((<usize>d) << 3), squares);
    store<f64>(labelSums + ((<usize>(d + 1)) << 3), <f64>(end - start));
  }
}

/**
 * matrix[i][j] += x0[i]·x0[j] + w1·x1[i]·x1[j] for j from i rounded down to even (whole lanes)
 * to d − 1. w1 is 1, or 0 to add x0's products alone (x1 then is any finite row, e.g. x0).
 */
function addOuterProducts(matrix: usize, x0: usize, x1: usize, w1: f64, d: i32): void {
  for (let i = 0; i < d; i++) {
    const offset = (<usize>i) << 3;
    const u = v128.load64_splat(x0 + offset);
    const v = f64x2.splat(w1 * load<f64>(x1 + offset));
    const target = rowAt(matrix, i, d);
    let j = i & ~1;
    for (; j + 2 <= d; j += 2) {
      const at = (<usize>j) << 3;
      const products = f64x2.add(
        f64x2.mul(u, v128.load(x0 + at)),
        f64x2.mul(v, v128.load(x1 + at)),
      );
      v128.store(target + at, f64x2.add(v128.load(target + at), products));
    }
    if (j < d) {
      const at = (<usize>j) << 3;
      const products =
        load<f64>(x0 + offset) * load<f64>(x0 + at) +
        w1 * load<f64>(x1 + offset) * load<f64>(x1 + at);
      store<f64>(target + at, load<f64>(target + at) + products);
    }
  }
}
