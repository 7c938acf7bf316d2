import type { ClassificationEvaluation } from './evaluation.js';
import { ClassificationEvaluator } from './evaluation-linear.js';
import { binaryLabel } from './linear-input.js';
import { LogisticRegressionModel } from './linear-model.js';
import { LogisticGradient } from './optim/gradient.js';
import { readModelFile } from './persistence.js';
import { StreamingLinearAlgorithm, type LinearModelFamily } from './streaming-linear-algorithm.js';
import type { StreamingLinearOptions } from './streaming-linear-options.js';

const CLASS_NAME = 'StreamingLogisticRegressionWithSGD';

/** A model after a batch keeps the threshold of the one it replaces, cleared or not. */
function carryThreshold(
  model: LogisticRegressionModel,
  replaced: LogisticRegressionModel | undefined,
): LogisticRegressionModel {
  if (replaced === undefined) return model;
  return replaced.threshold === undefined
    ? model.clearThreshold()
    : model.setThreshold(replaced.threshold);
}

const LOGISTIC: LinearModelFamily<LogisticRegressionModel, ClassificationEvaluation> = {
  className: CLASS_NAME,
  kind: 'streamingLogisticRegression',
  gradient: LogisticGradient,
  defaultUpdater: 'squaredL2',
  checkLabel: binaryLabel,
  createModel: (weights, replaced) =>
    carryThreshold(new LogisticRegressionModel(weights), replaced),
  modelFromJSON: (json) => LogisticRegressionModel.fromJSON(json),
  createEvaluator: () => new ClassificationEvaluator(),
};

/**
 * Binary logistic regression trained on a stream (Spark's
 * `StreamingLogisticRegressionWithSGD`): labels 0 and 1 (others go to dead letters), mini-batch
 * gradient descent on the logistic loss from the previous weights every batch, Spark's defaults
 * (stepSize 0.1, numIterations 50, miniBatchFraction 1, regParam 0, convergenceTol 0.001, the
 * squared-L2 updater). `predictOn` gives 0/1 at the model's threshold (0.5), or probabilities
 * after `latestModel().clearThreshold()`: each batch's new model keeps the threshold of the model
 * it replaces. `evaluateOn` gives prequential accuracy, log-loss and AUC.
 *
 * @example
 * import { StreamingContext, ManualClock, StreamingLogisticRegressionWithSGD, queueStream } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * const lg = new StreamingLogisticRegressionWithSGD({ stepSize: 1 }).setInitialWeights([0]);
 * const points = [{ label: 1, features: [2] }, { label: 0, features: [-2] }];
 * lg.trainOn(queueStream(ssc, [points]));
 * ssc.start();
 * await ssc.advance(1);
 * lg.latestModel().predict([1]); // 1
 * lg.latestModel().clearThreshold().predict([1]); // a probability above 0.5
 * await ssc.stop();
 */
export class StreamingLogisticRegressionWithSGD extends StreamingLinearAlgorithm<
  LogisticRegressionModel,
  ClassificationEvaluation
> {
  constructor(options: StreamingLinearOptions = {}) {
    super(LOGISTIC, options);
  }

  /** Restores a streaming model from `toJSON()`'s object (threshold included). */
  static fromJSON(json: unknown): StreamingLogisticRegressionWithSGD {
    return StreamingLinearAlgorithm.restore(
      json,
      CLASS_NAME,
      (options) => new StreamingLogisticRegressionWithSGD(options),
    );
  }

  /** Reads a streaming model written by `save`. */
  static async load(path: string): Promise<StreamingLogisticRegressionWithSGD> {
    return StreamingLogisticRegressionWithSGD.fromJSON(await readModelFile(path));
  }
}
