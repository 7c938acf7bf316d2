import type { RegressionEvaluation } from './evaluation.js';
import { RegressionEvaluator } from './evaluation-linear.js';
import { anyFiniteLabel } from './linear-input.js';
import { LinearRegressionModel } from './linear-model.js';
import { LeastSquaresGradient } from './optim/gradient.js';
import { readModelFile } from './persistence.js';
import { StreamingLinearAlgorithm, type LinearModelFamily } from './streaming-linear-algorithm.js';
import type { StreamingLinearOptions } from './streaming-linear-options.js';

const CLASS_NAME = 'StreamingLinearRegressionWithSGD';

const REGRESSION: LinearModelFamily<LinearRegressionModel, RegressionEvaluation> = {
  className: CLASS_NAME,
  kind: 'streamingLinearRegression',
  gradient: LeastSquaresGradient,
  defaultUpdater: 'simple',
  checkLabel: anyFiniteLabel,
  createModel: (weights) => new LinearRegressionModel(weights),
  modelFromJSON: (json) => LinearRegressionModel.fromJSON(json),
  createEvaluator: () => new RegressionEvaluator(),
};

/**
 * Linear regression trained on a stream (Spark's `StreamingLinearRegressionWithSGD`): every
 * batch with usable points runs mini-batch gradient descent on the least-squares loss, starting
 * from the previous weights. Spark's defaults (stepSize 0.1, numIterations 50,
 * miniBatchFraction 1, regParam 0, convergenceTol 0.001, no regulariser); no intercept, as in
 * Spark: add a constant feature to fit one. `decayFactor < 1` forgets old batches (see
 * `StreamingLinearOptions.decayFactor`); `evaluateOn` gives prequential RMSE and MAE.
 *
 * @example
 * import { StreamingContext, ManualClock, StreamingLinearRegressionWithSGD, queueStream } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * const lr = new StreamingLinearRegressionWithSGD({ stepSize: 0.5 }).setInitialWeights([0]);
 * const points = [1, 2, 3].map((x) => ({ label: 2 * x, features: [x / 3] }));
 * lr.trainOn(queueStream(ssc, [points, points, points]));
 * ssc.start();
 * await ssc.advance(3);
 * lr.latestModel().weights; // close to [6]
 * await ssc.stop();
 */
export class StreamingLinearRegressionWithSGD extends StreamingLinearAlgorithm<
  LinearRegressionModel,
  RegressionEvaluation
> {
  constructor(options: StreamingLinearOptions = {}) {
    super(REGRESSION, options);
  }

  /** Restores a streaming model from `toJSON()`'s object (settings, weights, current model). */
  static fromJSON(json: unknown): StreamingLinearRegressionWithSGD {
    return StreamingLinearAlgorithm.restore(
      json,
      CLASS_NAME,
      (options) => new StreamingLinearRegressionWithSGD(options),
    );
  }

  /** Reads a streaming model written by `save`. */
  static async load(path: string): Promise<StreamingLinearRegressionWithSGD> {
    return StreamingLinearRegressionWithSGD.fromJSON(await readModelFile(path));
  }
}
