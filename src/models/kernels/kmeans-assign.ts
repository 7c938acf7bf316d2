import type { PackedRows, SparseRows } from './pack.js';

/**
 * k centres of dimension d packed row-major (centre c is `centers[c*d .. c*d+d)`), with their
 * squared Euclidean norms precomputed once per model, so each distance costs one dot product.
 */
export interface CenterTable {
  readonly k: number;
  readonly d: number;
  readonly centers: Float64Array;
  readonly squaredNorms: Float64Array;
}

/** A `CenterTable` over `centers` (k × d, row-major; kept, not copied). */
export function centerTable(centers: Float64Array, k: number, d: number): CenterTable {
  const squaredNorms = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let j = c * d; j < c * d + d; j++) sum += centers[j] * centers[j];
    squaredNorms[c] = sum;
  }
  return { k, d, centers, squaredNorms };
}

/**
 * Rounding slack of the expanded distance ‖x‖² − 2x·c + ‖c‖², per unit of (‖x‖² + ‖c‖²) and per
 * dimension. Each of the three terms carries at most about d·2⁻⁵³ relative error and
 * 2|x·c| ≤ ‖x‖² + ‖c‖², so the error is below 2(d + 3)·2⁻⁵³·(‖x‖² + ‖c‖²); we take twice that.
 */
const SLACK_PER_DIMENSION = 4 * 2 ** -53;

/**
 * Nearest centre of every row by squared Euclidean distance, ties to the lowest index (Spark's
 * rule), written to `assignment`. With `squaredDistances`, also the squared distance to that
 * centre: for dense rows computed directly as Σ(xⱼ − cⱼ)² (the expanded form loses digits when
 * x is near c), for sparse rows by `sparseSquaredDistance` in time proportional to the row's
 * non-zeros.
 *
 * The search ranks centres by the expanded form, which needs one dot product per centre and,
 * for sparse rows, touches only the non-zeros. When another centre's expanded distance is within
 * the rounding slack of the best one, the candidates are compared again by the direct form, so
 * the answer is that of the direct form whenever the expanded form could not tell.
 */
export function nearestCenters(
  rows: PackedRows,
  table: CenterTable,
  assignment: Int32Array,
  squaredDistances?: Float64Array,
): void {
  const estimates = new Float64Array(table.k);
  const nextEstimates = new Float64Array(table.k);
  const finish = (i: number, rowEstimates: Float64Array, rowSquaredNorm: number): void => {
    const best = pickNearest(rows, i, table, rowEstimates, rowSquaredNorm);
    assignment[i] = best;
    if (squaredDistances !== undefined) {
      squaredDistances[i] =
        rows.kind === 'dense'
          ? directSquaredDistance(rows, i, table, best)
          : sparseSquaredDistance(rows, i, table, best);
    }
  };
  if (rows.kind === 'dense') {
    const { data, d, n } = rows;
    for (let i = 0; i < n; i += 2) {
      // An odd last row is paired with itself: one kernel, and one wasted row per partition.
      const next = Math.min(i + 1, n - 1);
      const rowSquaredNorm = squaredNorm(data, i * d, d);
      const nextSquaredNorm = squaredNorm(data, next * d, d);
      denseDotsPair(data, i * d, next * d, table, estimates, nextEstimates);
      toSquaredDistances(estimates, rowSquaredNorm, table.squaredNorms);
      toSquaredDistances(nextEstimates, nextSquaredNorm, table.squaredNorms);
      finish(i, estimates, rowSquaredNorm);
      if (next !== i) finish(next, nextEstimates, nextSquaredNorm);
    }
    return;
  }
  const { indices, values, indptr } = rows;
  for (let i = 0; i < rows.n; i++) {
    const rowSquaredNorm = sparseDots(indices, values, indptr[i], indptr[i + 1], table, estimates);
    toSquaredDistances(estimates, rowSquaredNorm, table.squaredNorms);
    finish(i, estimates, rowSquaredNorm);
  }
}

function squaredNorm(data: Float64Array, offset: number, d: number): number {
  let sum = 0;
  for (let j = offset; j < offset + d; j++) sum += data[j] * data[j];
  return sum;
}

/** Turns dot products x·c into expanded squared distances ‖x‖² − 2x·c + ‖c‖², in place. */
function toSquaredDistances(
  dots: Float64Array,
  rowSquaredNorm: number,
  centerSquaredNorms: Float64Array,
): void {
  for (let c = 0; c < dots.length; c++) {
    dots[c] = rowSquaredNorm - 2 * dots[c] + centerSquaredNorms[c];
  }
}

/**
 * Dot products of the dense rows at `offsetA` and `offsetB` with every centre, into `dotsA` and
 * `dotsB`. Layout: row-major rows and centres. Two rows × four centres per pass keep eight sums
 * in registers and share each load, about 2.5× faster than one row at a time; every dot product
 * still sums j in order, so blocking changes no rounding.
 */
function denseDotsPair(
  data: Float64Array,
  offsetA: number,
  offsetB: number,
  table: CenterTable,
  dotsA: Float64Array,
  dotsB: Float64Array,
): void {
  const { k, d, centers } = table;
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const b0 = c * d;
    const b1 = b0 + d;
    const b2 = b1 + d;
    const b3 = b2 + d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let e0 = 0;
    let e1 = 0;
    let e2 = 0;
    let e3 = 0;
    for (let j = 0; j < d; j++) {
      const x = data[offsetA + j];
      const y = data[offsetB + j];
      const c0 = centers[b0 + j];
      const c1 = centers[b1 + j];
      const c2 = centers[b2 + j];
      const c3 = centers[b3 + j];
      a0 += x * c0;
      a1 += x * c1;
      a2 += x * c2;
      a3 += x * c3;
      e0 += y * c0;
      e1 += y * c1;
      e2 += y * c2;
      e3 += y * c3;
    }
    dotsA[c] = a0;
    dotsA[c + 1] = a1;
    dotsA[c + 2] = a2;
    dotsA[c + 3] = a3;
    dotsB[c] = e0;
    dotsB[c + 1] = e1;
    dotsB[c + 2] = e2;
    dotsB[c + 3] = e3;
  }
  for (; c < k; c++) {
    const base = c * d;
    let a = 0;
    let e = 0;
    for (let j = 0; j < d; j++) {
      a += data[offsetA + j] * centers[base + j];
      e += data[offsetB + j] * centers[base + j];
    }
    dotsA[c] = a;
    dotsB[c] = e;
  }
}

/** Dot products of the CSR row whose entries are `[start, end)` with every centre; returns ‖x‖². */
function sparseDots(
  indices: Int32Array,
  values: Float64Array,
  start: number,
  end: number,
  table: CenterTable,
  dots: Float64Array,
): number {
  const { k, d, centers } = table;
  let rowSquaredNorm = 0;
  for (let p = start; p < end; p++) rowSquaredNorm += values[p] * values[p];
  for (let c = 0; c < k; c++) {
    const base = c * d;
    let sum = 0;
    // Non-zeros only: a sparse row costs its entries, not d.
    for (let p = start; p < end; p++) sum += values[p] * centers[base + indices[p]];
    dots[c] = sum;
  }
  return rowSquaredNorm;
}

/** The lowest-index minimum of `estimates`, settled by the direct form when it is too close. */
function pickNearest(
  rows: PackedRows,
  i: number,
  table: CenterTable,
  estimates: Float64Array,
  rowSquaredNorm: number,
): number {
  const { k, squaredNorms } = table;
  let best = 0;
  for (let c = 1; c < k; c++) if (estimates[c] < estimates[best]) best = c;
  const slack = SLACK_PER_DIMENSION * (table.d + 4);
  const bestUpper = estimates[best] + slack * (rowSquaredNorm + squaredNorms[best]);
  let isAmbiguous = false;
  for (let c = 0; c < k && !isAmbiguous; c++) {
    isAmbiguous =
      c !== best && estimates[c] - slack * (rowSquaredNorm + squaredNorms[c]) <= bestUpper;
  }
  if (!isAmbiguous) return best;
  let chosen = best;
  let chosenDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const isCandidate =
      c === best || estimates[c] - slack * (rowSquaredNorm + squaredNorms[c]) <= bestUpper;
    if (!isCandidate) continue;
    const distance = directSquaredDistance(rows, i, table, c);
    if (distance < chosenDistance) {
      chosen = c;
      chosenDistance = distance;
    }
  }
  return chosen;
}

/**
 * Σ(xⱼ − cⱼ)² over every coordinate, in order. A sparse row reads its zeros implicitly, so dense
 * and sparse copies of the same row give the same float64 result.
 */
export function directSquaredDistance(
  rows: PackedRows,
  i: number,
  table: CenterTable,
  c: number,
): number {
  const { d, centers } = table;
  const base = c * d;
  let sum = 0;
  if (rows.kind === 'dense') {
    const offset = i * d;
    for (let j = 0; j < d; j++) {
      const difference = rows.data[offset + j] - centers[base + j];
      sum += difference * difference;
    }
    return sum;
  }
  let p = rows.indptr[i];
  const end = rows.indptr[i + 1];
  for (let j = 0; j < d; j++) {
    const x = p < end && rows.indices[p] === j ? rows.values[p++] : 0;
    const difference = x - centers[base + j];
    sum += difference * difference;
  }
  return sum;
}

/**
 * Squared distance from sparse row i to centre c touching only the row's non-zeros:
 * Σ over them of (xⱼ − cⱼ)², plus the centre's squares elsewhere, taken as ‖c‖² minus its squares
 * at the non-zeros. That subtraction costs digits only when the centre's weight sits almost all
 * on the row's non-zeros and the distance is tiny next to ‖c‖² (absolute error about
 * nnz·2⁻⁵³·‖c‖²): harmless for scores and costs, which is all it serves. Ties are settled by
 * `directSquaredDistance` instead.
 */
export function sparseSquaredDistance(
  rows: SparseRows,
  i: number,
  table: CenterTable,
  c: number,
): number {
  const { d, centers, squaredNorms } = table;
  const base = c * d;
  let atNonZeros = 0;
  let centerAtNonZeros = 0;
  for (let p = rows.indptr[i]; p < rows.indptr[i + 1]; p++) {
    const center = centers[base + rows.indices[p]];
    const difference = rows.values[p] - center;
    atNonZeros += difference * difference;
    centerAtNonZeros += center * center;
  }
  return atNonZeros + Math.max(squaredNorms[c] - centerAtNonZeros, 0);
}
