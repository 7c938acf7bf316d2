import type { ClusterStatistics } from './kmeans-statistics.js';

/**
 * What one step of decay counts: each batch (`'batches'`), or each point (`'points'`, so a batch
 * of n points decays old weight by `decayFactor^n`).
 *
 * @example new StreamingKMeans({ decayFactor: 0.999, timeUnit: 'points' });
 */
export type TimeUnit = 'batches' | 'points';

/** Spark's bounds: below 1e-16 a weight counts as nothing when computing the step size. */
const MIN_UPDATED_WEIGHT = 1e-16;
/** A cluster lighter than this fraction of the heaviest one is dying and gets split off it. */
const DYING_WEIGHT_RATIO = 1e-8;
/** Relative size of the nudge that separates the two halves of a split cluster. */
const SPLIT_PERTURBATION = 1e-14;

/** The factor every cluster weight is multiplied by before a batch of `pointCount` points. */
export function discountFor(decayFactor: number, timeUnit: TimeUnit, pointCount: number): number {
  return timeUnit === 'batches' ? decayFactor : Math.pow(decayFactor, pointCount);
}

/**
 * Spark's per-batch rule, in place on the packed centres (k × d) and weights: every weight is
 * discounted, then each cluster that received m > 0 points gets `w' = w + m`,
 * `lambda = m / max(w', 1e-16)` and `center = (1 - lambda) * center + (lambda / m) * sum`.
 * The two products are rounded separately and then added, exactly as Spark's scal-then-axpy.
 */
export function applyBatchStatistics(
  centers: Float64Array,
  weights: Float64Array,
  statistics: ClusterStatistics,
  discount: number,
): void {
  const { k, d, sums, counts } = statistics;
  for (let c = 0; c < k; c++) weights[c] *= discount;
  for (let c = 0; c < k; c++) {
    const count = counts[c];
    if (count === 0) continue;
    const updatedWeight = weights[c] + count;
    const lambda = count / Math.max(updatedWeight, MIN_UPDATED_WEIGHT);
    weights[c] = updatedWeight;
    const keep = 1 - lambda;
    const perPoint = lambda / count;
    for (let j = c * d; j < c * d + d; j++) centers[j] = keep * centers[j] + perPoint * sums[j];
  }
}

/**
 * Spark's dying-cluster rule, in place: when the lightest cluster weighs less than 1e-8 of the
 * heaviest (first index wins ties on both ends), both get the mean of the two weights and the
 * lightest centre moves onto the heaviest, the two split apart by ±1e-14·max(|x|, 1) in every
 * coordinate x. At most one pair per call. Returns whether it split.
 */
export function splitDyingCluster(
  centers: Float64Array,
  weights: Float64Array,
  d: number,
): boolean {
  let largest = 0;
  let smallest = 0;
  for (let c = 1; c < weights.length; c++) {
    if (weights[c] > weights[largest]) largest = c;
    if (weights[c] < weights[smallest]) smallest = c;
  }
  const maxWeight = weights[largest];
  const minWeight = weights[smallest];
  if (!(minWeight < DYING_WEIGHT_RATIO * maxWeight)) return false;
  const weight = (maxWeight + minWeight) / 2;
  weights[largest] = weight;
  weights[smallest] = weight;
  for (let j = 0; j < d; j++) {
    const x = centers[largest * d + j];
    const perturbation = SPLIT_PERTURBATION * Math.max(Math.abs(x), 1);
    centers[largest * d + j] = x + perturbation;
    centers[smallest * d + j] = x - perturbation;
  }
  return true;
}
