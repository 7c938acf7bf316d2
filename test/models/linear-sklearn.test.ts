import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  StreamingLinearRegressionWithSGD,
  StreamingLogisticRegressionWithSGD,
  accuracy,
  queueStream,
  rootMeanSquaredError,
} from '../../src/index.js';
import { linearData, logisticData, manualContext, type Point } from './linear-data.js';

const script = fileURLToPath(new URL('./python/linear_partial_fit.py', import.meta.url));

interface SklearnResult {
  sklearnVersion: string;
  weights: number[];
  rmse?: number;
  accuracy?: number;
}

/** Runs scikit-learn's partial_fit model on the same batches (data through a temporary file). */
async function sklearnOn(
  task: 'regression' | 'classification',
  batches: readonly Point[][],
  test: readonly Point[],
): Promise<SklearnResult> {
  const asXy = (points: readonly Point[]) => ({
    X: points.map((p) => p.features),
    y: points.map((p) => p.label),
  });
  const directory = await mkdtemp(join(tmpdir(), 'millrace-sklearn-linear-'));
  try {
    const input = join(directory, 'stream.json');
    await writeFile(
      input,
      JSON.stringify({ task, seed: 0, batches: batches.map(asXy), test: asXy(test) }),
    );
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, input], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as SklearnResult;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Trains `model` on the batches through a context and returns its held-out predictions. */
async function millraceOn(
  model: StreamingLinearRegressionWithSGD | StreamingLogisticRegressionWithSGD,
  batches: readonly Point[][],
  test: readonly Point[],
): Promise<number[]> {
  const ssc = manualContext();
  model.trainOn(queueStream(ssc, batches));
  ssc.start();
  await ssc.advance(batches.length);
  await ssc.stop();
  return test.map((p) => model.latestModel().predict(p.features));
}

const streamOf = (make: (seed: number) => Point[]) =>
  Array.from({ length: 20 }, (_, i) => make(1000 + i));

describe('streaming linear models against scikit-learn partial_fit on the same stream', () => {
  it('regression: held-out RMSE at least as good as SGDRegressor, at the noise floor', async () => {
    const weights = [2, -3, 1, 0.5, -1];
    const noise = 0.5;
    const batches = streamOf((seed) => linearData(weights, 200, seed, noise));
    const test = linearData(weights, 5000, 99, noise);
    const reference = await sklearnOn('regression', batches, test);
    const model = new StreamingLinearRegressionWithSGD({
      stepSize: 1,
      initialWeights: new Array<number>(5).fill(0),
    });
    const predictions = await millraceOn(model, batches, test);
    const rmse = rootMeanSquaredError(
      predictions,
      test.map((p) => p.label),
    );
    const floor = rootMeanSquaredError(
      test.map((p) => p.features.reduce((s, x, j) => s + x * weights[j], 0)),
      test.map((p) => p.label),
    );
    console.log(
      `regression held-out RMSE: millrace ${rmse.toFixed(5)}, scikit-learn ` +
        `${reference.sklearnVersion} SGDRegressor.partial_fit ${reference.rmse!.toFixed(5)}, ` +
        `true weights ${floor.toFixed(5)}`,
    );
    // The noise (σ = 0.5) is the floor every model's RMSE sits on: weights off by e add about
    // e²/3 per feature to the squared error (features uniform in [-1, 1]). Millrace runs 50
    // descent steps per batch and ends within 1% of the floor; scikit-learn's default schedule
    // (eta0 0.01 / t^0.25, one pass per partial_fit) is still converging after 4000 points, so
    // the check is one-sided: millrace no worse than scikit-learn by more than 2% of σ (a model
    // that learned nothing has RMSE 2.3), and scikit-learn itself clearly learned.
    expect(rmse).toBeLessThan(reference.rmse! + 0.02 * noise);
    expect(rmse).toBeLessThan(floor * 1.02);
    expect(reference.rmse!).toBeLessThan(floor * 1.5);
  });

  it('classification: held-out accuracy at least as good as SGDClassifier(log_loss)', async () => {
    const weights = [2, -1, 0.5, 1, -1.5];
    const batches = streamOf((seed) => logisticData(weights, 200, seed));
    const test = logisticData(weights, 5000, 98);
    const reference = await sklearnOn('classification', batches, test);
    const model = new StreamingLogisticRegressionWithSGD({
      stepSize: 1,
      initialWeights: new Array<number>(5).fill(0),
    });
    const predictions = await millraceOn(model, batches, test);
    const labels = test.map((p) => p.label);
    const millraceAccuracy = accuracy(predictions, labels);
    const bayes = accuracy(
      test.map((p) => (p.features.reduce((s, x, j) => s + x * weights[j], 0) > 0 ? 1 : 0)),
      labels,
    );
    console.log(
      `classification held-out accuracy: millrace ${millraceAccuracy.toFixed(4)}, scikit-learn ` +
        `${reference.sklearnVersion} SGDClassifier(log_loss).partial_fit ` +
        `${reference.accuracy!.toFixed(4)}, true weights (Bayes) ${bayes.toFixed(4)}`,
    );
    // Both are scored on the same 5000 points, so they differ only where their decision
    // boundaries disagree, and only near the boundary, where labels are close to coin flips:
    // a direction off by a few degrees costs well under 0.02 of accuracy, while a model that
    // learned nothing sits near 0.5. scikit-learn's default 'optimal' schedule takes large,
    // noisy steps early and is still a few points below the Bayes accuracy after 4000 points,
    // so the check is one-sided: millrace no worse than scikit-learn by more than 0.02, and
    // within 0.02 of the true model; scikit-learn itself clearly learned.
    expect(millraceAccuracy).toBeGreaterThan(reference.accuracy! - 0.02);
    expect(millraceAccuracy).toBeGreaterThan(bayes - 0.02);
    expect(reference.accuracy!).toBeGreaterThan(0.7);
  });
});
