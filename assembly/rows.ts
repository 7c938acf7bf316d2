// Row-level helpers shared by the k-means and linear kernels. Every pointer is a byte address in
// the module's memory; a row is `d` consecutive f64 values (row-major batches).

/** The byte address of row `row` of a row-major batch of `d`-wide f64 rows at `base`. */
export function rowAt(base: usize, row: i32, d: i32): usize {
  return base + ((<usize>row * <usize>d) << 3);
}

/** Σ a[j]·b[j] over `d` values, two f64 lanes at a time (summation order: lane-wise, then tail). */
export function dot(a: usize, b: usize, d: i32): f64 {
  let pair0 = f64x2.splat(0);
  let pair1 = f64x2.splat(0);
  let pair2 = f64x2.splat(0);
  let pair3 = f64x2.splat(0);
  let j = 0;
  // Four independent accumulators hide the add latency.
  for (; j + 8 <= d; j += 8) {
    const at = (<usize>j) << 3;
    pair0 = f64x2.add(pair0, f64x2.mul(v128.load(a + at), v128.load(b + at)));
    pair1 = f64x2.add(pair1, f64x2.mul(v128.load(a + at, 16), v128.load(b + at, 16)));
    pair2 = f64x2.add(pair2, f64x2.mul(v128.load(a + at, 32), v128.load(b + at, 32)));
    pair3 = f64x2.add(pair3, f64x2.mul(v128.load(a + at, 48), v128.load(b + at, 48)));
  }
  for (; j + 2 <= d; j += 2) {
    const at = (<usize>j) << 3;
    pair0 = f64x2.add(pair0, f64x2.mul(v128.load(a + at), v128.load(b + at)));
  }
  const pair = f64x2.add(f64x2.add(pair0, pair1), f64x2.add(pair2, pair3));
  let sum = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
  if (j < d) sum += load<f64>(a + ((<usize>j) << 3)) * load<f64>(b + ((<usize>j) << 3));
  return sum;
}

/** Σ (a[j] − b[j])² over `d` values, two lanes at a time. */
export function squaredDistance(a: usize, b: usize, d: i32): f64 {
  let pair = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= d; j += 2) {
    const at = (<usize>j) << 3;
    const diff = f64x2.sub(v128.load(a + at), v128.load(b + at));
    pair = f64x2.add(pair, f64x2.mul(diff, diff));
  }
  let sum = f64x2.extract_lane(pair, 0) + f64x2.extract_lane(pair, 1);
  if (j < d) {
    const diff = load<f64>(a + ((<usize>j) << 3)) - load<f64>(b + ((<usize>j) << 3));
    sum += diff * diff;
  }
  return sum;
}

/** target[j] += scale · row[j] for j < d (element-wise, so the same bits as a scalar loop). */
export function addScaled(target: usize, row: usize, scale: f64, d: i32): void {
  const factor = f64x2.splat(scale);
  let j = 0;
  for (; j + 2 <= d; j += 2) {
    const at = (<usize>j) << 3;
    v128.store(
      target + at,
      f64x2.add(v128.load(target + at), f64x2.mul(factor, v128.load(row + at))),
    );
  }
  if (j < d) {
    const at = (<usize>j) << 3;
    store<f64>(target + at, load<f64>(target + at) + scale * load<f64>(row + at));
  }
}

/** target[j] += row[j] for j < d (element-wise). */
export function addRow(target: usize, row: usize, d: i32): void {
  let j = 0;
  for (; j + 2 <= d; j += 2) {
    const at = (<usize>j) << 3;
    v128.store(target + at, f64x2.add(v128.load(target + at), v128.load(row + at)));
  }
  if (j < d) {
    const at = (<usize>j) << 3;
    store<f64>(target + at, load<f64>(target + at) + load<f64>(row + at));
  }
}
