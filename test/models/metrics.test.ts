import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  accuracy,
  areaUnderROC,
  logLoss,
  meanAbsoluteError,
  rootMeanSquaredError,
} from '../../src/index.js';
import {
  addTotals,
  classificationTotals,
  regressionTotals,
  rmseOf,
} from '../../src/models/metrics.js';

// Hand computations: every expected value below is worked out in the comment beside it. Values
// that are exact in float64 are compared with toBe; others with 15 significant digits, the
// precision of the few operations involved.

describe('regression metrics', () => {
  it('RMSE and MAE match hand computations', () => {
    // errors: 1, -2, 0, 3 → squares 1 + 4 + 0 + 9 = 14, RMSE sqrt(14/4); |errors| 6, MAE 1.5
    const predictions = [2, 0, 5, 10];
    const labels = [1, 2, 5, 7];
    expect(rootMeanSquaredError(predictions, labels)).toBe(Math.sqrt(3.5));
    expect(meanAbsoluteError(predictions, labels)).toBe(1.5);
  });

  it('totals of two parts add up to the totals of the whole', () => {
    const whole = regressionTotals([1, 2, 3, 4], [0, 0, 0, 0]);
    const parts = addTotals(regressionTotals([1, 2], [0, 0]), regressionTotals([3, 4], [0, 0]));
    expect(parts).toEqual(whole);
    expect(rmseOf(parts)).toBe(Math.sqrt(30 / 4));
  });

  it('is NaN with no records, and refuses mismatched lengths', () => {
    expect(rootMeanSquaredError([], [])).toBeNaN();
    expect(meanAbsoluteError([], [])).toBeNaN();
    expect(() => rootMeanSquaredError([1], [1, 2])).toThrow(ConfigurationError);
  });
});

describe('classification metrics', () => {
  it('accuracy counts exact matches', () => {
    expect(accuracy([1, 0, 1, 1], [1, 0, 0, 1])).toBe(0.75);
    expect(accuracy([], [])).toBeNaN();
  });

  it('log-loss matches -mean(y log p + (1-y) log(1-p))', () => {
    // (-log 0.9 - log(1 - 0.2) - log 0.6) / 3
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3;
    expect(logLoss([0.9, 0.2, 0.6], [1, 0, 1])).toBeCloseTo(expected, 15);
  });

  it('log-loss clips probabilities at 1e-15 like scikit-learn', () => {
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-15), 12);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
    expect(() => logLoss([0.5], [2])).toThrow(/labels 0 or 1, got 2 at position 0/);
  });

  it('classification totals from margins agree with the probability formulas', () => {
    // margins 2, -1, 0.5 → probabilities σ(2) ≈ 0.881, σ(-1) ≈ 0.269, σ(0.5) ≈ 0.622
    const margins = [2, -1, 0.5];
    const labels = [1, 1, 0];
    const probabilities = margins.map((m) => 1 / (1 + Math.exp(-m)));
    const totals = classificationTotals(margins, labels, 0.5);
    // predicted 1, 0, 1 against 1, 1, 0: one correct
    expect(totals.correct).toBe(1);
    expect(totals.count).toBe(3);
    expect(totals.logLoss / totals.count).toBeCloseTo(logLoss(probabilities, labels), 14);
    // a threshold of 0.7 turns the third prediction to 0, now correct
    expect(classificationTotals(margins, labels, 0.7).correct).toBe(2);
  });
});

describe('areaUnderROC', () => {
  it('is the fraction of positive-negative pairs ordered correctly', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4: pairs (0.35>0.1 ✓), (0.35>0.4 ✗), (0.8 ✓ ✓) → 3/4
    expect(areaUnderROC([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(areaUnderROC([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])).toBe(1);
    expect(areaUnderROC([0.4, 0.3, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts ties as one half (average ranks)', () => {
    // positives 0.5, 0.9; negatives 0.5, 0.1. Pairs: (0.5 vs 0.5) ½, (0.5 > 0.1) 1,
    // (0.9 > 0.5) 1, (0.9 > 0.1) 1 → 3.5 / 4
    expect(areaUnderROC([0.5, 0.9, 0.5, 0.1], [1, 1, 0, 0])).toBe(0.875);
    // every score equal: every pair a tie → ½
    expect(areaUnderROC([3, 3, 3, 3, 3], [1, 0, 1, 0, 0])).toBe(0.5);
  });

  it('agrees with counting pairs on random scores with many ties', () => {
    const scores = Array.from({ length: 200 }, (_, i) => ((i * 37) % 13) / 13);
    const labels = scores.map((_, i) => ((i * 11) % 7 < 3 ? 1 : 0));
    let pairs = 0;
    let wins = 0;
    for (let i = 0; i < scores.length; i++) {
      for (let j = 0; j < scores.length; j++) {
        if (labels[i] !== 1 || labels[j] !== 0) continue;
        pairs++;
        wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(areaUnderROC(scores, labels)).toBeCloseTo(wins / pairs, 14);
  });

  it('is NaN when only one class is present', () => {
    expect(areaUnderROC([0.2, 0.7], [1, 1])).toBeNaN();
    expect(areaUnderROC([0.2, 0.7], [0, 0])).toBeNaN();
    expect(areaUnderROC([], [])).toBeNaN();
  });
});
