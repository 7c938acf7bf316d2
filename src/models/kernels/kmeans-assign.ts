import type { PackedRows } from './pack.js';

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
 * centre, computed directly as Σ(xⱼ − cⱼ)² (the expanded form loses digits when x is near c).
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
  for (let i = 0; i < rows.n; i++) {
    const rowSquaredNorm =
      rows.kind === 'dense'
        ? denseDots(rows.data, i * rows.d, table, estimates)
        : sparseDots(
            rows.indices,
            rows.values,
            rows.indptr[i],
            rows.indptr[i + 1],
            table,
            estimates,
          );
    const best = pickNearest(rows, i, table, estimates, rowSquaredNorm);
    assignment[i] = best;
    if (squaredDistances !== undefined)
      squaredDistances[i] = directSquaredDistance(rows, i, table, best);
  }
}

/**
 * Fills `estimates[c]` with ‖x‖² − 2x·c + ‖c‖² for the dense row at `offset`; returns ‖x‖².
 * Layout: row-major rows and centres; four centres per pass share each load of xⱼ. Every dot
 * product still sums j in order, so blocking does not change a single rounding.
 */
function denseDots(
  data: Float64Array,
  offset: number,
  table: CenterTable,
  estimates: Float64Array,
): number {
  const { k, d, centers, squaredNorms } = table;
  let rowSquaredNorm = 0;
  for (let j = offset; j < offset + d; j++) rowSquaredNorm += data[j] * data[j];
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const b0 = c * d;
    const b1 = b0 + d;
    const b2 = b1 + d;
    const b3 = b2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < d; j++) {
      const x = data[offset + j];
      s0 += x * centers[b0 + j];
      s1 += x * centers[b1 + j];
      s2 += x * centers[b2 + j];
      s3 += x * centers[b3 + j];
    }
    estimates[c] = rowSquaredNorm - 2 * s0 + squaredNorms[c];
    estimates[c + 1] = rowSquaredNorm - 2 * s1 + squaredNorms[c + 1];
    estimates[c + 2] = rowSquaredNorm - 2 * s2 + squaredNorms[c + 2];
    estimates[c + 3] = rowSquaredNorm - 2 * s3 + squaredNorms[c + 3];
  }
  for (; c < k; c++) {
    const base = c * d;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += data[offset + j] * centers[base + j];
    estimates[c] = rowSquaredNorm - 2 * sum + squaredNorms[c];
  }
  return rowSquaredNorm;
}

/** Same as `denseDots` for the CSR row whose entries are `[start, end)`: non-zeros only. */
function sparseDots(
  indices: Int32Array,
  values: Float64Array,
  start: number,
  end: number,
  table: CenterTable,
  estimates: Float64Array,
): number {
  const { k, d, centers, squaredNorms } = table;
  let rowSquaredNorm = 0;
  for (let p = start; p < end; p++) rowSquaredNorm += values[p] * values[p];
  for (let c = 0; c < k; c++) {
    const base = c * d;
    let sum = 0;
    for (let p = start; p < end; p++) sum += values[p] * centers[base + indices[p]];
    estimates[c] = rowSquaredNorm - 2 * sum + squaredNorms[c];
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
