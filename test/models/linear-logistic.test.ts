import { describe, expect, it } from 'vitest';
import {
  LogisticRegressionModel,
  StreamingLogisticRegressionWithSGD,
  queueStream,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';
import { collect, logisticData, manualContext, type Point } from './linear-data.js';

/** Spark's logistic suite set-up: 1 feature with true weight 1.5, batches of 100 points. */
function sparkBatches(numBatches: number): Point[][] {
  return Array.from({ length: numBatches }, (_, i) => logisticData([1.5], 100, 42 * (i + 1)));
}

async function train(
  model: StreamingLogisticRegressionWithSGD,
  batches: readonly (readonly Point[])[],
): Promise<void> {
  const ssc = manualContext();
  model.trainOn(queueStream(ssc, batches));
  ssc.start();
  await ssc.advance(batches.length);
  await ssc.stop();
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

describe('StreamingLogisticRegressionWithSGD (Spark suite behaviours)', () => {
  it('recovers a 1-D weight of 1.5 within 0.5', async () => {
    const model = new StreamingLogisticRegressionWithSGD()
      .setInitialWeights([0])
      .setStepSize(0.5)
      .setNumIterations(50);
    await train(model, sparkBatches(20));
    expect(Math.abs(model.latestModel().weights[0] - 1.5)).toBeLessThan(0.5);
  });

  it('classifies a held-out stream nearly as well as the true model', async () => {
    const model = new StreamingLogisticRegressionWithSGD({
      stepSize: 0.5,
      numIterations: 50,
      initialWeights: [0],
    });
    const test = logisticData([1.5], 1000, 777);
    const ssc = manualContext();
    model.trainOn(queueStream(ssc, sparkBatches(20)));
    const predicted = collect(
      model.predictOn(queueStream(ssc, [...Array(19).fill([]), test.map((p) => p.features)])),
    );
    ssc.start();
    await ssc.advance(20);
    await ssc.stop();
    const labels = predicted[19];
    const accuracy = labels.filter((y, i) => y === test[i].label).length / test.length;
    const bayes =
      test.filter((p) => (sigmoid(1.5 * p.features[0]) > 0.5 ? 1 : 0) === p.label).length /
      test.length;
    // With one feature, any positive weight gives the Bayes decision rule (sign of x): the
    // learned model must match the true model's accuracy exactly.
    expect(new Set(labels)).toEqual(new Set([0, 1]));
    expect(accuracy).toBe(bayes);
    expect(accuracy).toBeGreaterThan(0.7);
  });

  it('uses the squared-L2 updater by default', async () => {
    const points = logisticData([1, -1], 100, 3);
    const l2 = new StreamingLogisticRegressionWithSGD({ initialWeights: [0, 0], regParam: 0.5 });
    const none = new StreamingLogisticRegressionWithSGD({
      initialWeights: [0, 0],
      regParam: 0.5,
      updater: 'simple',
    });
    await train(l2, [points]);
    await train(none, [points]);
    expect(l2.settings.updater).toBe('squaredL2');
    // The ridge penalty shrinks the weights.
    const norm = (w: Float64Array) => Math.hypot(...w);
    expect(norm(l2.latestModel().weights)).toBeLessThan(norm(none.latestModel().weights));
  });
});

describe('threshold and probabilities', () => {
  it('predicts 1 above the threshold, probabilities once cleared', () => {
    const model = new LogisticRegressionModel([2, -1]);
    expect(model.threshold).toBe(0.5);
    // margin 2·0.5 - 1·0.5 = 0.5 → probability 0.622
    expect(model.predict([0.5, 0.5])).toBe(1);
    expect(model.setThreshold(0.7).predict([0.5, 0.5])).toBe(0);
    expect(model.clearThreshold().predict([0.5, 0.5])).toBeCloseTo(sigmoid(0.5), 15);
    expect(model.threshold).toBeUndefined();
    expect(() => model.setThreshold(1.5)).toThrow(
      /threshold must be a probability in \[0, 1\], got 1.5/,
    );
  });

  it('the threshold carries over to the models of later batches', async () => {
    const model = new StreamingLogisticRegressionWithSGD({ initialWeights: [0] });
    const ssc = manualContext();
    model.trainOn(queueStream(ssc, sparkBatches(2)));
    const predictions = collect(model.predictOn(queueStream(ssc, [[[1]], [[1]]])));
    ssc.start();
    await ssc.advance(1);
    const afterFirst = model.latestModel();
    afterFirst.clearThreshold();
    await ssc.advance(1);
    await ssc.stop();
    expect(model.latestModel()).not.toBe(afterFirst);
    expect(model.latestModel().threshold).toBeUndefined();
    expect(predictions[0]).toEqual([1]);
    expect(predictions[1][0]).toBeCloseTo(sigmoid(model.latestModel().weights[0]), 15);
  });

  it('labels other than 0 and 1 go to dead letters; the model learns from the rest', async () => {
    const ssc = manualContext();
    const model = new StreamingLogisticRegressionWithSGD({ initialWeights: [0], name: 'lg' });
    const good = logisticData([1.5], 50, 9);
    const letters = collect(ssc.deadLetters());
    model.trainOn(
      queueStream(ssc, [[{ label: 2, features: [1] }, { label: -1, features: [0] }, ...good]]),
    );
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(letters[0].map((l) => [l.stage, l.reason])).toEqual([
      ['lg.trainOn', 'logistic regression needs labels 0 or 1, got 2'],
      ['lg.trainOn', 'logistic regression needs labels 0 or 1, got -1'],
    ]);
    const clean = new StreamingLogisticRegressionWithSGD({ initialWeights: [0] });
    await train(clean, [good]);
    expect(model.latestModel().weights).toEqual(clean.latestModel().weights);
  });

  it('labels a batch of margins exactly as predictFromMargin does, at every threshold', () => {
    // The batch form skips the exponential away from the boundary log(t/(1-t)); near it, and
    // for extreme thresholds, it must still agree with the record-by-record form bit for bit.
    const random = new SeededRandom(77);
    const model = new LogisticRegressionModel([1]);
    for (const t of [0.5, 0.1, 0.9, 0.3, 1e-9, 1 - 1e-9, 1 - 1e-15, 1e-300, 0, 1]) {
      model.setThreshold(t);
      const boundary = Math.log(t / (1 - t));
      const margins: number[] = [Infinity, -Infinity, Number.NaN, 0, -0, 800, -800];
      for (let i = 0; i < 400; i++) margins.push(60 * random.nextGaussian());
      if (Number.isFinite(boundary)) {
        // Right at the boundary, ulp by ulp, and across the exact path's band.
        for (let k = -40; k <= 40; k++) {
          margins.push(boundary + k * Number.EPSILON * Math.max(1, Math.abs(boundary)));
          margins.push(boundary + k * 1e-3, boundary * (1 + k * 1e-10));
        }
      }
      const expected = margins.map((m) => model.predictFromMargin(m));
      const batch = Float64Array.from(margins);
      model.predictFromMargins(batch);
      expect(Array.from(batch)).toEqual(expected);
      // Both labels occur (at t = 1 nothing exceeds the threshold).
      if (t < 1) expect(new Set(expected).size).toBe(2);
    }
    model.clearThreshold();
    const probabilities = Float64Array.of(0, 2);
    model.predictFromMargins(probabilities);
    expect(Array.from(probabilities)).toEqual([0.5, sigmoid(2)]);
  });
});
