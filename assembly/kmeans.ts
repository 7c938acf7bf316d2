// k-means assignment and per-cluster statistics over a dense row-major batch.
//
// Distances use the expansion ‖x − c‖² = ‖x‖² + e_c with e_c = ‖c‖² − 2 x·c: ‖x‖² is the same for
// every centre, so the nearest centre is the smallest e_c. The centres are kept "prepared": d
// rows of kp values, entry [j][c] = −2·c_j (kp = k rounded up to even; scaling by −2 is exact),
// so two f64 lanes hold two centres and e for both accumulates as norms + Σ_j x_j · prepared[j].
// Padding columns have norm +∞ and never win.
//
// Exactness. Assignments must equal the reference: Σ_j (x_j − c_j)² summed in order, smallest
// wins, ties to the lowest index. With s = ‖x‖, R = max ‖c‖ and γ_m = m·u/(1 − m·u) (u = 2^-53):
//   |ê_c − e_c| ≤ γ_{2d+1}(s + R)²   (‖c‖² rounded once per term, then d+1 terms summed in order)
//   |d̂_c − d_c| ≤ γ_{d+2}(s + R)²    (the reference's own rounding of the direct form)
// So if the second-smallest ê exceeds the smallest by more than τ = 2(γ_{2d+1} + γ_{d+2})(s + R)²,
// the reference picks the same centre (its d̂ are strictly ordered the same way). We use
// (12d + 32)·u·(s + R)², about twice that (which also covers the rounding of τ itself), and bound
// (s + R)² by 2(s² + R²) to spare a square root per point: τ = (24d + 64)·u·(‖x‖² + R²), with
// ‖x‖² + R² floored at 1e-289 so τ also covers products that underflow (2^-1074 each at most). Points whose gap is not above τ (near-ties,
// duplicated centres, non-finite overflow) are recomputed with the reference's direct form.

import { addRow, rowAt, squaredDistance } from './rows';

const UNIT_ROUNDOFF: f64 = 1.1102230246251565e-16;

/** Centres prepared for kmeansAssign; returns R² = max ‖c‖². `prepared`: d × kp, `norms`: kp. */
export function kmeansPrepare(centres: usize, k: i32, d: i32, prepared: usize, norms: usize): f64 {
  const kp = (k + 1) & ~1;
  let largest = 0.0;
  for (let c = 0; c < kp; c++) {
    let norm = Infinity;
    if (c < k) {
      norm = 0;
      const centre = rowAt(centres, c, d);
      for (let j = 0; j < d; j++) {
        const value = load<f64>(centre + ((<usize>j) << 3));
        norm += value * value;
        store<f64>(rowAt(prepared, j, kp) + ((<usize>c) << 3), -2.0 * value);
      }
      largest = max(largest, norm);
    } else {
      for (let j = 0; j < d; j++) store<f64>(rowAt(prepared, j, kp) + ((<usize>c) << 3), 0.0);
    }
    store<f64>(norms + ((<usize>c) << 3), norm);
  }
  return largest;
}

/**
 * ê for two points (rows x0 and x1) and every centre, written to scratch[0..kp) and
 * scratch[kp..2kp). Register-blocked: 4 lane-pairs (8 centres) × 2 points per pass over j.
 */
function expandPair(
  x0: usize,
  x1: usize,
  d: i32,
  prepared: usize,
  norms: usize,
  kp: i32,
  scratch: usize,
): void {
  const pairs = kp >> 1;
  const stride = (<usize>kp) << 3;
  const second = scratch + stride;
  let g = 0;
  for (; g + 4 <= pairs; g += 4) {
    const at = (<usize>g) << 4;
    let a0 = v128.load(norms + at);
    let a1 = v128.load(norms + at, 16);
    let a2 = v128.load(norms + at, 32);
    let a3 = v128.load(norms + at, 48);
    let b0 = a0;
    let b1 = a1;
    let b2 = a2;
    let b3 = a3;
    let column = prepared + at;
    for (let j = 0; j < d; j++) {
      const offset = (<usize>j) << 3;
      const u = v128.load64_splat(x0 + offset);
      const v = v128.load64_splat(x1 + offset);
      const c0 = v128.load(column);
      const c1 = v128.load(column, 16);
      const c2 = v128.load(column, 32);
      const c3 = v128.load(column, 48);
      a0 = f64x2.add(a0, f64x2.mul(u, c0));
      b0 = f64x2.add(b0, f64x2.mul(v, c0));
      a1 = f64x2.add(a1, f64x2.mul(u, c1));
      b1 = f64x2.add(b1, f64x2.mul(v, c1));
      a2 = f64x2.add(a2, f64x2.mul(u, c2));
      b2 = f64x2.add(b2, f64x2.mul(v, c2));
      a3 = f64x2.add(a3, f64x2.mul(u, c3));
      b3 = f64x2.add(b3, f64x2.mul(v, c3));
      column += stride;
    }
    v128.store(scratch + at, a0);
    v128.store(scratch + at, a1, 16);
    v128.store(scratch + at, a2, 32);
    v128.store(scratch + at, a3, 48);
    v128.store(second + at, b0);
    v128.store(second + at, b1, 16);
    v128.store(second + at, b2, 32);
    v128.store(second + at, b3, 48);
  }
  // Remaining lane-pairs one at a time (k mod 8 centres). Even and odd j go to separate
  // accumulators, so four chains hide the add latency; any summation order keeps the bound.
  for (; g < pairs; g++) {
    const at = (<usize>g) << 4;
    let a = v128.load(norms + at);
    let b = a;
    let aOdd = f64x2.splat(0);
    let bOdd = aOdd;
    let column = prepared + at;
    let j = 0;
    for (; j + 2 <= d; j += 2) {
      const offset = (<usize>j) << 3;
      const c = v128.load(column);
      const cNext = v128.load(column + stride);
      a = f64x2.add(a, f64x2.mul(v128.load64_splat(x0 + offset), c));
      b = f64x2.add(b, f64x2.mul(v128.load64_splat(x1 + offset), c));
      aOdd = f64x2.add(aOdd, f64x2.mul(v128.load64_splat(x0 + offset + 8), cNext));
      bOdd = f64x2.add(bOdd, f64x2.mul(v128.load64_splat(x1 + offset + 8), cNext));
      column += stride << 1;
    }
    if (j < d) {
      const offset = (<usize>j) << 3;
      const c = v128.load(column);
      a = f64x2.add(a, f64x2.mul(v128.load64_splat(x0 + offset), c));
      b = f64x2.add(b, f64x2.mul(v128.load64_splat(x1 + offset), c));
    }
    v128.store(scratch + at, f64x2.add(a, aOdd));
    v128.store(second + at, f64x2.add(b, bOdd));
  }
}

/** The reference: direct distances in order, strict < so ties keep the lowest index. */
function exactNearest(x: usize, centres: usize, k: i32, d: i32): i32 {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const centre = rowAt(centres, c, d);
    let distance = 0.0;
    for (let j = 0; j < d; j++) {
      const diff = load<f64>(x + ((<usize>j) << 3)) - load<f64>(centre + ((<usize>j) << 3));
      distance += diff * diff;
    }
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  }
  return best;
}

/**
 * The nearest centre of two points at once, from their ê values at `values0` and `values1` (kp
 * each), exact: the smallest and the second-smallest ê are tracked per lane; a gap not above τ
 * sends the point to exactNearest. The two points' searches are independent chains interleaved
 * in one loop, so the processor overlaps them (one search alone waits on each min in turn).
 * Returns the first point's centre in the low 32 bits, the second's in the high 32.
 */
function nearestPair(
  x0: usize,
  values0: usize,
  x1: usize,
  values1: usize,
  kp: i32,
  centres: usize,
  k: i32,
  d: i32,
  largestNorm: f64,
): i64 {
  // pmin/pmax are single x86 instructions (wasm's min/max pay for NaN and ±0 rules we don't
  // need: wherever the result is used, the values are finite).
  let low0 = v128.load(values0);
  let low1 = v128.load(values1);
  let next0 = f64x2.splat(Infinity);
  let next1 = next0;
  let index0 = i64x2(0, 1);
  let index1 = index0;
  let candidate = index0;
  const step = i64x2.splat(2);
  for (let at: usize = 16; at < (<usize>kp) << 3; at += 16) {
    candidate = i64x2.add(candidate, step);
    const value0 = v128.load(values0 + at);
    const value1 = v128.load(values1 + at);
    next0 = f64x2.pmin(next0, f64x2.pmax(low0, value0));
    next1 = f64x2.pmin(next1, f64x2.pmax(low1, value1));
    index0 = v128.bitselect(candidate, index0, f64x2.lt(value0, low0));
    index1 = v128.bitselect(candidate, index1, f64x2.lt(value1, low1));
    low0 = f64x2.pmin(low0, value0);
    low1 = f64x2.pmin(low1, value1);
  }
  // ‖x0‖² and ‖x1‖² side by side, two values of each row per step.
  let squares0 = f64x2.splat(0);
  let squares1 = squares0;
  let j = 0;
  for (; j + 2 <= d; j += 2) {
    const offset = (<usize>j) << 3;
    const a = v128.load(x0 + offset);
    const b = v128.load(x1 + offset);
    squares0 = f64x2.add(squares0, f64x2.mul(a, a));
    squares1 = f64x2.add(squares1, f64x2.mul(b, b));
  }
  let norm0 = f64x2.extract_lane(squares0, 0) + f64x2.extract_lane(squares0, 1);
  let norm1 = f64x2.extract_lane(squares1, 0) + f64x2.extract_lane(squares1, 1);
  if (j < d) {
    const offset = (<usize>j) << 3;
    norm0 += load<f64>(x0 + offset) * load<f64>(x0 + offset);
    norm1 += load<f64>(x1 + offset) * load<f64>(x1 + offset);
  }
  // Both decisions at once, lane 0 for x0 and lane 1 for x1: each point's smallest ê is in its
  // even or its odd lane (useOdd); the runner-up is the smaller of the other lane's smallest and
  // the winning lane's second-smallest. The smallest's centre stands when it beats the runner-up
  // by more than τ and ê can't have overflowed; otherwise the point takes exactNearest.
  const evenLow = v128.shuffle<f64>(low0, low1, 0, 2);
  const oddLow = v128.shuffle<f64>(low0, low1, 1, 3);
  const evenNext = v128.shuffle<f64>(next0, next1, 0, 2);
  const oddNext = v128.shuffle<f64>(next0, next1, 1, 3);
  const useOdd = f64x2.lt(oddLow, evenLow);
  const smallest = v128.bitselect(oddLow, evenLow, useOdd);
  const runnerUp = f64x2.pmin(
    v128.bitselect(evenLow, oddLow, useOdd),
    v128.bitselect(oddNext, evenNext, useOdd),
  );
  // Every partial sum of ê is within 2(‖x‖² + R²) in magnitude, so below this scale ê can't
  // overflow nor be NaN; beyond it (or with NaN input) only the direct form is trusted.
  const scale = f64x2.add(
    f64x2.replace_lane(f64x2.splat(norm0), 1, norm1),
    f64x2.splat(largestNorm),
  );
  // The floor stands in for the absolute error of underflowing products (a few 2^-1074) and
  // keeps this arithmetic out of subnormals, which cost ~100 cycles each on x86.
  const tau = f64x2.mul(
    f64x2.splat((24.0 * <f64>d + 64.0) * UNIT_ROUNDOFF),
    f64x2.pmax(scale, f64x2.splat(1e-289)),
  );
  const decided = v128.and(
    f64x2.gt(f64x2.sub(runnerUp, smallest), tau),
    f64x2.lt(scale, f64x2.splat(1e300)),
  );
  const index = v128.bitselect(
    v128.shuffle<i64>(index0, index1, 1, 3),
    v128.shuffle<i64>(index0, index1, 0, 2),
    useOdd,
  );
  const best0 =
    i64x2.extract_lane(decided, 0) != 0
      ? <i32>i64x2.extract_lane(index, 0)
      : exactNearest(x0, centres, k, d);
  const best1 =
    i64x2.extract_lane(decided, 1) != 0
      ? <i32>i64x2.extract_lane(index, 1)
      : exactNearest(x1, centres, k, d);
  return (<i64>best0) | ((<i64>best1) << 32);
}

/**
 * Assigns rows of the blocks [firstBlock, endBlock) (block b holds rows [b·blockRows, …), the
 * last one may be short) to their nearest centre. Optional outputs (address 0 = skip):
 * `assignments` (i32 per row), `distances` (squared distance to the assigned centre, per row),
 * `partials`: per block, at partials + b·partialStride·8, the block's per-cluster sums (k × d),
 * counts (k) and, when wantCost, its cost. `scratch`: 2·kp f64 owned by the calling thread.
 */
export function kmeansAssign(
  data: usize,
  n: i32,
  d: i32,
  centres: usize,
  prepared: usize,
  norms: usize,
  k: i32,
  largestNorm: f64,
  assignments: usize,
  distances: usize,
  partials: usize,
  partialStride: i32,
  wantCost: bool,
  blockRows: i32,
  scratch: usize,
  firstBlock: i32,
  endBlock: i32,
): void {
  const kp = (k + 1) & ~1;
  const second = scratch + ((<usize>kp) << 3);
  const width = k * d + k + 1;
  for (let block = firstBlock; block < endBlock; block++) {
    const start = block * blockRows;
    const end = min(n, start + blockRows);
    const partial: usize = partials == 0 ? 0 : rowAt(partials, block, partialStride);
    if (partial != 0) memory.fill(partial, 0, (<usize>width) << 3);
    for (let row = start; row < end; row += 2) {
      const x0 = rowAt(data, row, d);
      const hasPair = row + 1 < end;
      const x1 = hasPair ? x0 + ((<usize>d) << 3) : x0;
      expandPair(x0, x1, d, prepared, norms, kp, scratch);
      const best = nearestPair(x0, scratch, x1, second, kp, centres, k, d, largestNorm);
      record(row, x0, <i32>best, d, centres, k, assignments, distances, partial, wantCost);
      if (hasPair) {
        const best1 = <i32>(best >> 32);
        record(row + 1, x1, best1, d, centres, k, assignments, distances, partial, wantCost);
      }
    }
  }
}

/** Stores one row's assignment and adds it to its block's statistics. */
function record(
  row: i32,
  x: usize,
  best: i32,
  d: i32,
  centres: usize,
  k: i32,
  assignments: usize,
  distances: usize,
  partial: usize,
  wantCost: bool,
): void {
  if (assignments != 0) store<i32>(assignments + ((<usize>row) << 2), best);
  const needsDistance = distances != 0 || (partial != 0 && wantCost);
  const distance = needsDistance ? squaredDistance(x, rowAt(centres, best, d), d) : 0.0;
  if (distances != 0) store<f64>(distances + ((<usize>row) << 3), distance);
  if (partial == 0) return;
  addRow(rowAt(partial, best, d), x, d);
  const counts = rowAt(partial, k, d);
  const count = counts + ((<usize>best) << 3);
  store<f64>(count, load<f64>(count) + 1.0);
  if (wantCost) {
    const cost = counts + ((<usize>k) << 3);
    store<f64>(cost, load<f64>(cost) + distance);
  }
}
