import { ConfigurationError } from '../streaming/errors.js';
import { LogisticGradient, sigmoid } from './optim/gradient.js';

/*
 * Evaluation metrics as pure functions. The streaming evaluation keeps additive totals (counts
 * and sums) so that per-batch and cumulative values come from the same numbers; the array
 * functions users call are those totals, finished.
 */

/** Sums from which RMSE and MAE follow; totals of two sets of records add up. */
export interface RegressionTotals {
  readonly count: number;
  readonly squaredError: number;
  readonly absoluteError: number;
}

/** Sums from which accuracy and log-loss follow; totals of two sets of records add up. */
export interface ClassificationTotals {
  readonly count: number;
  readonly correct: number;
  /** Sum of the records' logistic losses. */
  readonly logLoss: number;
}

export const NO_REGRESSION_TOTALS: RegressionTotals = {
  count: 0,
  squaredError: 0,
  absoluteError: 0,
};
export const NO_CLASSIFICATION_TOTALS: ClassificationTotals = { count: 0, correct: 0, logLoss: 0 };

function checkLengths(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new ConfigurationError(
      `${what} needs as many predictions as labels, got ${a.length} and ${b.length}`,
    );
  }
}

/** The regression totals of `predictions` against `labels`. */
export function regressionTotals(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
): RegressionTotals {
  checkLengths('regressionTotals', predictions, labels);
  let squaredError = 0;
  let absoluteError = 0;
  for (let i = 0; i < labels.length; i++) {
    const error = predictions[i] - labels[i];
    squaredError += error * error;
    absoluteError += Math.abs(error);
  }
  return { count: labels.length, squaredError, absoluteError };
}

/** Totals made only of sums and counts: those of two sets of records add up field by field. */
export type Totals<T> = { readonly [field in keyof T]: number };

/** The totals of `a`'s records and `b`'s together. */
export function addTotals<T extends Totals<T>>(a: T, b: T): T {
  const sum: Record<string, number> = {};
  for (const field of Object.keys(a)) {
    sum[field] = a[field as keyof T] + b[field as keyof T];
  }
  return sum as T;
}

/** `sqrt(Σ error² / n)`; NaN when there are no records. */
export function rmseOf(totals: RegressionTotals): number {
  return totals.count === 0 ? NaN : Math.sqrt(totals.squaredError / totals.count);
}

/** `Σ |error| / n`; NaN when there are no records. */
export function maeOf(totals: RegressionTotals): number {
  return totals.count === 0 ? NaN : totals.absoluteError / totals.count;
}

/**
 * Classification totals of a logistic model's margins `w·x + b` against 0/1 labels: a record is
 * correct when (probability > threshold) matches its label, and its log-loss is computed from the
 * margin without ever forming log(0), so confident mistakes count large but finite.
 */
export function classificationTotals(
  margins: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ClassificationTotals {
  checkLengths('classificationTotals', margins, labels);
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = sigmoid(margins[i]) > threshold ? 1 : 0;
    if (predicted === labels[i]) correct++;
    logLoss += LogisticGradient.loss(margins[i], labels[i]);
  }
  return { count: labels.length, correct, logLoss };
}

/** Fraction of records classified correctly; NaN when there are none. */
export function accuracyOf(totals: ClassificationTotals): number {
  return totals.count === 0 ? NaN : totals.correct / totals.count;
}

/** Mean log-loss; NaN when there are no records. */
export function logLossOf(totals: ClassificationTotals): number {
  return totals.count === 0 ? NaN : totals.logLoss / totals.count;
}

/**
 * Root mean squared error of predictions against labels (NaN for no records).
 *
 * @example
 * import { rootMeanSquaredError } from 'millrace';
 * rootMeanSquaredError([1, 2], [1, 4]); // Math.sqrt(2)
 */
export function rootMeanSquaredError(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  return rmseOf(regressionTotals(predictions, labels));
}

/**
 * Mean absolute error of predictions against labels (NaN for no records).
 *
 * @example
 * import { meanAbsoluteError } from 'millrace';
 * meanAbsoluteError([1, 2], [1, 4]); // 1
 */
export function meanAbsoluteError(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  return maeOf(regressionTotals(predictions, labels));
}

/**
 * Fraction of predicted labels equal to the true ones (NaN for no records).
 *
 * @example
 * import { accuracy } from 'millrace';
 * accuracy([1, 0, 1, 1], [1, 0, 0, 1]); // 0.75
 */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths('accuracy', predicted, labels);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return labels.length === 0 ? NaN : correct / labels.length;
}

/** Probabilities are clipped to [1e-15, 1 - 1e-15] so a confident mistake costs ~34.5, not Infinity. */
const PROBABILITY_EPSILON = 1e-15;

/**
 * Mean log-loss (cross-entropy) of probabilities of label 1 against 0/1 labels:
 * `-mean(y·log p + (1-y)·log(1-p))`, with p clipped to [1e-15, 1 - 1e-15] as scikit-learn 1.2
 * does. NaN for no records.
 *
 * @example
 * import { logLoss } from 'millrace';
 * logLoss([0.5, 0.5], [0, 1]); // Math.LN2
 */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths('logLoss', probabilities, labels);
  checkBinary('logLoss', labels);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length === 0 ? NaN : sum / labels.length;
}

function checkBinary(what: string, labels: ArrayLike<number>): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new ConfigurationError(
        `${what} needs labels 0 or 1, got ${labels[i]} at position ${i}`,
      );
    }
  }
}

/**
 * Area under the ROC curve of scores (any monotone score: probabilities or margins) against 0/1
 * labels, by the rank statistic (Mann-Whitney U): the probability that a random positive scores
 * higher than a random negative, counting ties as one half (tied scores share their average
 * rank). Undefined, and so NaN, unless both classes are present.
 *
 * @example
 * import { areaUnderROC } from 'millrace';
 * areaUnderROC([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 */
export function areaUnderROC(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths('areaUnderROC', scores, labels);
  checkBinary('areaUnderROC', labels);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    // Positions start..end-1 hold tied scores: each gets the average of ranks start+1..end.
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
