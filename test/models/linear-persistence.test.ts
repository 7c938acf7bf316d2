import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LinearRegressionModel,
  LogisticRegressionModel,
  ModelFormatError,
  StreamingLinearRegressionWithSGD,
  StreamingLogisticRegressionWithSGD,
  Vectors,
  queueStream,
} from '../../src/index.js';
import { linearData, logisticData, manualContext, type Point } from './linear-data.js';

const directory = mkdtempSync(join(tmpdir(), 'millrace-linear-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const roundTrip = (value: object): unknown => JSON.parse(JSON.stringify(value));

async function trainOn(
  model: StreamingLinearRegressionWithSGD | StreamingLogisticRegressionWithSGD,
  batches: Point[][],
): Promise<void> {
  const ssc = manualContext();
  model.trainOn(queueStream(ssc, batches));
  ssc.start();
  await ssc.advance(batches.length);
  await ssc.stop();
}

const probes = [[0.3, -0.7, 2], Vectors.sparse(3, [1], [4]), [1e-3, 5, -5]];

describe('linear models: JSON, files, TensorFlow.js', () => {
  it('a JSON round trip gives identical predictions (threshold included)', () => {
    const regression = new LinearRegressionModel([0.1, -2.5, 1 / 3], 0.25);
    const restored = LinearRegressionModel.fromJSON(roundTrip(regression));
    const logistic = new LogisticRegressionModel([1 / 7, 2, -3]).setThreshold(0.3);
    const restoredLogistic = LogisticRegressionModel.fromJSON(roundTrip(logistic));
    const cleared = LogisticRegressionModel.fromJSON(roundTrip(logistic.clearThreshold()));
    for (const x of probes) {
      expect(restored.predict(x)).toBe(regression.predict(x));
      expect(restoredLogistic.predict(x)).toBe(logistic.setThreshold(0.3).predict(x));
      expect(cleared.predict(x)).toBe(logistic.clearThreshold().predict(x));
    }
    expect(restored.intercept).toBe(0.25);
    expect(restoredLogistic.threshold).toBe(0.3);
    expect(cleared.threshold).toBeUndefined();
  });

  it('refuses unknown versions, other kinds and malformed fields with ModelFormatError', () => {
    const saved = roundTrip(new LinearRegressionModel([1, 2])) as Record<string, unknown>;
    expect(() => LinearRegressionModel.fromJSON({ ...saved, version: 99 })).toThrow(
      /format version 99 is not supported/,
    );
    expect(() => LogisticRegressionModel.fromJSON(saved)).toThrow(ModelFormatError);
    expect(() => LinearRegressionModel.fromJSON({ ...saved, weights: 'x' })).toThrow(/"weights"/);
    expect(() => LinearRegressionModel.fromJSON({ ...saved, intercept: null })).toThrow(
      /"intercept"/,
    );
    // Values the constructors refuse are the file's fault: ModelFormatError, not ConfigurationError.
    expect(() => LinearRegressionModel.fromJSON({ ...saved, weights: [] })).toThrow(
      /malformed: a linear model needs at least one weight/,
    );
    const logistic = roundTrip(new LogisticRegressionModel([1])) as Record<string, unknown>;
    expect(() => LogisticRegressionModel.fromJSON({ ...logistic, threshold: 2 })).toThrow(
      ModelFormatError,
    );
  });

  it('save and load write and read real files', async () => {
    const model = new LogisticRegressionModel([0.5, -0.25]).clearThreshold();
    const path = join(directory, 'nested', 'logistic.json');
    await model.save(path);
    const loaded = await LogisticRegressionModel.load(path);
    expect(loaded.predict([1, 1])).toBe(model.predict([1, 1]));
    writeFileSync(join(directory, 'broken.json'), '{ not json');
    await expect(LinearRegressionModel.load(join(directory, 'broken.json'))).rejects.toThrow(
      ModelFormatError,
    );
  });

  it('toTfjs predicts what the model predicts (to float32 precision)', async () => {
    const tf = await import('@tensorflow/tfjs');
    const regression = new LinearRegressionModel([0.5, -1.25, 2]);
    const logistic = new LogisticRegressionModel([0.5, -1.25, 2]).clearThreshold();
    const inputs = [
      [1, 2, 3],
      [-0.5, 0.25, 0],
    ];
    for (const model of [regression, logistic]) {
      const exported = await model.toTfjs();
      const output = exported.predict(tf.tensor2d(inputs)) as Tensor;
      const values = Array.from(output.dataSync());
      output.dispose();
      // float32 keeps about 7 significant digits: 1e-5 relative is a safe bound for these sizes.
      values.forEach((v, i) => {
        const expected = model.predict(inputs[i]);
        expect(Math.abs(v - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
      });
      exported.dispose();
    }
  });
});

describe('streaming linear models: JSON and files', () => {
  it('a restored streaming model has the same settings and model, and trains identically', async () => {
    const batches = [linearData([1, 2], 50, 1), linearData([1, 2], 50, 2)];
    const original = new StreamingLinearRegressionWithSGD({
      initialWeights: [0.5, 0],
      stepSize: 0.3,
      decayFactor: 0.8,
      miniBatchFraction: 0.7,
      name: 'lr',
    });
    await trainOn(original, [batches[0]]);
    const restored = StreamingLinearRegressionWithSGD.fromJSON(roundTrip(original.toJSON()));
    expect(restored.settings).toEqual(original.settings);
    expect(restored.latestModel().weights).toEqual(original.latestModel().weights);
    // Decay pulls toward the initial weights, so they must have survived too.
    await trainOn(original, [batches[1]]);
    await trainOn(restored, [batches[1]]);
    expect(restored.latestModel().weights).toEqual(original.latestModel().weights);
    expect(restored.toJSON()).toEqual(original.toJSON());
  });

  it('save/load round-trips a logistic streaming model with its threshold', async () => {
    const model = new StreamingLogisticRegressionWithSGD({ initialWeights: [0, 0], regParam: 0.1 });
    await trainOn(model, [logisticData([1, -1], 60, 3)]);
    model.latestModel().setThreshold(0.8);
    const path = join(directory, 'streaming-logistic.json');
    await model.save(path);
    const loaded = await StreamingLogisticRegressionWithSGD.load(path);
    expect(loaded.latestModel().threshold).toBe(0.8);
    expect(loaded.latestModel().weights).toEqual(model.latestModel().weights);
    expect(loaded.settings).toEqual(model.settings);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      format: 'millrace-model',
      kind: 'StreamingLogisticRegressionWithSGD',
      version: 1,
    });
    expect(() => StreamingLinearRegressionWithSGD.fromJSON(saved)).toThrow(ModelFormatError);
    expect(() =>
      StreamingLogisticRegressionWithSGD.fromJSON({
        ...saved,
        settings: { ...(saved.settings as object), stepSize: -1 },
      }),
    ).toThrow(/invalid settings: stepSize must be a number > 0, got -1/);
    expect(() =>
      StreamingLogisticRegressionWithSGD.fromJSON({ ...saved, initialWeights: [0, 0, 0] }),
    ).toThrow(/malformed: its model has 2 features but its initial weights 3/);
    expect(() => StreamingLogisticRegressionWithSGD.fromJSON({ ...saved, name: '' })).toThrow(
      ModelFormatError,
    );
  });

  it('a model without initial weights round-trips and still asks for them', () => {
    const restored = StreamingLinearRegressionWithSGD.fromJSON(
      roundTrip(new StreamingLinearRegressionWithSGD({ stepSize: 0.5 }).toJSON()),
    );
    expect(restored.settings.stepSize).toBe(0.5);
    expect(() => restored.latestModel()).toThrow(/setInitialWeights/);
  });

  it('checkpoint state: the model registered under its name snapshots and restores', async () => {
    const ssc = manualContext();
    const model = new StreamingLinearRegressionWithSGD({ initialWeights: [0, 0], name: 'lr' });
    model.trainOn(queueStream(ssc, [linearData([1, 2], 30, 4)]));
    ssc.start();
    await ssc.advance(1);
    const state = ssc.graph.stateComponents.get('lr')!;
    const snapshot = roundTrip(state.snapshotState() as object);
    const trained = model.latestModel().weights;
    state.restoreState(roundTrip(new LinearRegressionModel([9, 9]).toJSON()));
    expect(Array.from(model.latestModel().weights)).toEqual([9, 9]);
    state.restoreState(snapshot);
    expect(model.latestModel().weights).toEqual(trained);
    await ssc.stop();
  });
});
