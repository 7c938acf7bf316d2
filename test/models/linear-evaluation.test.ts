import { describe, expect, it } from 'vitest';
import {
  StreamingLinearRegressionWithSGD,
  StreamingLogisticRegressionWithSGD,
  areaUnderROC,
  logLoss,
  queueStream,
} from '../../src/index.js';
import { collect, linearData, logisticData, manualContext, type Point } from './linear-data.js';

// Expected values are recomputed by hand from the weights the model had before each batch
// (recorded batch by batch), with plain formulas: equal up to the order of float64 additions,
// hence 1e-12.
const TOLERANCE = 1e-12;

const dot = (w: ArrayLike<number>, x: readonly number[]) =>
  x.reduce((sum, xj, j) => sum + xj * w[j], 0);
const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

describe('evaluateOn (prequential)', () => {
  it('scores each regression batch with the model from before that batch, whatever the call order', async () => {
    const batches = [
      linearData([3, -1], 40, 1),
      [],
      linearData([3, -1], 60, 2),
      linearData([3, -1], 30, 3),
    ];
    const ssc = manualContext();
    const model = new StreamingLinearRegressionWithSGD({
      initialWeights: [0.5, 0.5],
      stepSize: 0.3,
    });
    const stream = queueStream(ssc, batches);
    // trainOn first: a job-ordered evaluation would score each batch after training on it.
    model.trainOn(stream);
    const records = collect(model.evaluateOn(stream));
    const weightsBefore: Float64Array[] = [];
    ssc.start();
    for (let i = 0; i < batches.length; i++) {
      weightsBefore.push(model.latestModel().weights);
      await ssc.advance(1);
    }
    await ssc.stop();
    let count = 0;
    let squares = 0;
    let absolutes = 0;
    batches.forEach((batch, i) => {
      const record = records[i][0];
      const errors = batch.map((p) => dot(weightsBefore[i], p.features) - p.label);
      count += errors.length;
      squares += errors.reduce((s, e) => s + e * e, 0);
      absolutes += errors.reduce((s, e) => s + Math.abs(e), 0);
      expect(record.kind).toBe('regression');
      expect(record.batchTime).toBe((i + 1) * 1000);
      expect(record.count).toBe(batch.length);
      if (batch.length === 0) {
        expect(record.rmse).toBeNaN();
        expect(record.mae).toBeNaN();
      } else {
        const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
        expect(Math.abs(record.rmse - rmse)).toBeLessThan(TOLERANCE);
        expect(
          Math.abs(record.mae - errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length),
        ).toBeLessThan(TOLERANCE);
      }
      expect(record.cumulative.count).toBe(count);
      expect(Math.abs(record.cumulative.rmse - Math.sqrt(squares / count))).toBeLessThan(TOLERANCE);
      expect(Math.abs(record.cumulative.mae - absolutes / count)).toBeLessThan(TOLERANCE);
    });
    // Training happened, so "before" really differs from "after" for the scored batches.
    expect(weightsBefore[1]).not.toEqual(weightsBefore[0]);
    // And the prequential error falls as the model learns.
    expect(records[3][0].rmse).toBeLessThan(records[0][0].rmse);
  });

  it('gives accuracy, log-loss and AUC for classifiers, per batch and cumulative', async () => {
    const batches = [logisticData([2, -1], 80, 5), logisticData([2, -1], 50, 6)];
    const ssc = manualContext();
    const model = new StreamingLogisticRegressionWithSGD({
      initialWeights: [0.3, 0.1],
      stepSize: 1,
    });
    const stream = queueStream(ssc, batches);
    const records = collect(model.evaluateOn(stream));
    model.trainOn(stream);
    const weightsBefore: Float64Array[] = [];
    ssc.start();
    for (let i = 0; i < batches.length; i++) {
      weightsBefore.push(model.latestModel().weights);
      await ssc.advance(1);
    }
    await ssc.stop();
    const all: { p: number; y: number; correct: boolean }[] = [];
    batches.forEach((batch, i) => {
      const record = records[i][0];
      const scored = batch.map((pt: Point) => {
        const p = sigmoid(dot(weightsBefore[i], pt.features));
        return { p, y: pt.label, correct: (p > 0.5 ? 1 : 0) === pt.label };
      });
      all.push(...scored);
      const probabilities = scored.map((s) => s.p);
      const labels = scored.map((s) => s.y);
      expect(record.kind).toBe('classification');
      expect(record.count).toBe(batch.length);
      expect(record.accuracy).toBe(scored.filter((s) => s.correct).length / batch.length);
      expect(Math.abs(record.logLoss - logLoss(probabilities, labels))).toBeLessThan(TOLERANCE);
      expect(record.auc).toBe(areaUnderROC(probabilities, labels));
      expect(record.cumulative.count).toBe(all.length);
      expect(record.cumulative.accuracy).toBe(all.filter((s) => s.correct).length / all.length);
      expect(
        Math.abs(
          record.cumulative.logLoss -
            logLoss(
              all.map((s) => s.p),
              all.map((s) => s.y),
            ),
        ),
      ).toBeLessThan(TOLERANCE);
    });
    expect(records[1][0].auc).toBeGreaterThan(0.7);
  });

  it('AUC is NaN for a one-class batch; empty batches report count 0', async () => {
    const ssc = manualContext();
    const model = new StreamingLogisticRegressionWithSGD({ initialWeights: [1] });
    const records = collect(
      model.evaluateOn(
        queueStream(ssc, [
          [
            { label: 1, features: [1] },
            { label: 1, features: [2] },
          ],
          [],
        ]),
      ),
    );
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    const [oneClass, empty] = records.map((r) => r[0]);
    expect(oneClass.auc).toBeNaN();
    expect(oneClass.accuracy).toBe(1);
    expect(empty).toMatchObject({ count: 0, cumulative: { count: 2, accuracy: 1 } });
    expect(empty.accuracy).toBeNaN();
  });

  it('sends bad records to dead letters under <name>.evaluateOn and keeps its totals as state', async () => {
    const ssc = manualContext();
    const model = new StreamingLinearRegressionWithSGD({ initialWeights: [1, 1], name: 'lr' });
    const letters = collect(ssc.deadLetters());
    const records = collect(
      model.evaluateOn(
        queueStream(ssc, [
          [
            { label: 2, features: [1, 1] },
            { label: 1, features: [1] },
          ],
        ]),
      ),
    );
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(letters[0].map((l) => [l.stage, l.reason])).toEqual([
      ['lr.evaluateOn', 'expected a vector of dimension 2, got dimension 1'],
    ]);
    expect(records[0][0]).toMatchObject({ count: 1, rmse: 0, mae: 0 });
    const state = ssc.graph.stateComponents.get('lr.evaluateOn');
    expect(state?.snapshotState()).toEqual({ count: 1, squaredError: 0, absoluteError: 0 });
    state?.restoreState({ count: 5, squaredError: 20, absoluteError: 10 });
    expect(state?.snapshotState()).toEqual({ count: 5, squaredError: 20, absoluteError: 10 });
    expect(() => state?.restoreState({ count: 'x' })).toThrow(/field "count"/);
  });

  it("names unnamed models' evaluation streams <kind>-<n>.evaluateOn, numbering further ones", async () => {
    const ssc = manualContext();
    const stream = queueStream(ssc, [[{ label: 1, features: [1] }]]);
    const first = new StreamingLinearRegressionWithSGD({ initialWeights: [0] });
    const second = new StreamingLinearRegressionWithSGD({ initialWeights: [0] });
    first.evaluateOn(stream);
    second.evaluateOn(stream);
    first.evaluateOn(stream);
    second.trainOn(stream);
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect([...ssc.graph.stateComponents.keys()].sort()).toEqual([
      'streamingLinearRegression-0.evaluateOn',
      'streamingLinearRegression-0.evaluateOn-2',
      'streamingLinearRegression-1',
      'streamingLinearRegression-1.evaluateOn',
    ]);
  });
});
