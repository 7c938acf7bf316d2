// What the models benchmark compares, per model: its data set, how millrace builds it (Spark's
// API, DESIGN.md §7), how both sides' final models are scored, and the parameters the truth gives.
import * as millrace from 'millrace';
import { accuracy, kMeansCostPerPoint, rootMeanSquaredError, rowsOf } from './quality.mjs';

export const K = 10;
export const SEED = 7;

const zeros = (d) => millrace.Vectors.zeros(d);

const linearParameters = (model) => {
  const latest = model.latestModel();
  return { weights: latest.weights, intercept: latest.intercept ?? 0 };
};

/** The `numIterations: 1` (equal work with one partial_fit pass) and Spark-default configs. */
function sgdConfigs(className) {
  return [
    {
      name: `${className} numIterations 1`,
      options: { numIterations: 1 },
      create: (d) => new millrace[className]({ numIterations: 1 }).setInitialWeights(zeros(d)),
    },
    {
      name: `${className} Spark defaults (50 it.)`,
      options: {},
      create: (d) => new millrace[className]().setInitialWeights(zeros(d)),
    },
  ];
}

const labeledPoints = ({ features, labels }, d) =>
  rowsOf(features, d).map((row, i) => new millrace.LabeledPoint(labels[i], row));

/**
 * Per model kind:
 * - `dataset(d, n, test)`: the spec ensureDataset() generates;
 * - `classes`: the millrace exports it needs (rows are skipped, with the reason, while missing);
 * - `trainRecords(arrays, d)`: what trainOn is fed; prediction always gets the feature vectors;
 * - `configs`: millrace configurations timed for updates and quality;
 * - `predictor(arrays, d)`: a millrace model set to the true parameters, for predict timing;
 * - `metric`: name, direction, and `score(parameters, arrays, d)` on the held-out set;
 * - `truth(arrays, d)`: the generating model's parameters (the oracle line of the quality table).
 */
export const MODEL_SPECS = {
  kmeans: {
    title: 'k-means',
    sklearn: 'MiniBatchKMeans.partial_fit',
    sklearnPredict: 'MiniBatchKMeans.predict',
    dataset: (d, n, test) => ({ kind: 'kmeans', n, test, d, k: K, seed: SEED }),
    classes: ['StreamingKMeans'],
    trainRecords: ({ features }, d) => rowsOf(features, d),
    configs: [
      {
        name: 'StreamingKMeans',
        // Both sides start from the stream's first K points (scikit-learn: init=those points),
        // so quality compares the update rules, not the initialisations.
        options: { k: K, decayFactor: 1, initialCenters: 'first K points of the stream, weight 0' },
        create: (d, batches) =>
          new millrace.StreamingKMeans({ k: K, decayFactor: 1 }).setInitialCenters(
            batches[0].slice(0, K),
            new Array(K).fill(0),
          ),
      },
    ],
    predictor: ({ trueCenters }, d) =>
      new millrace.StreamingKMeans({ k: K }).setInitialCenters(
        rowsOf(trueCenters, d),
        new Array(K).fill(1),
      ),
    parameters: (model) => ({ centers: model.latestModel().clusterCenters }),
    metric: {
      name: 'k-means cost per point (test set)',
      better: 'lower',
      score: (parameters, { testFeatures }, d) => kMeansCostPerPoint(parameters, testFeatures, d),
    },
    truth: ({ trueCenters }, d) => ({ centers: rowsOf(trueCenters, d) }),
  },
  linear: {
    title: 'linear regression',
    sklearn: 'SGDRegressor.partial_fit',
    sklearnPredict: 'SGDRegressor.predict',
    dataset: (d, n, test) => ({ kind: 'linear', n, test, d, noise: 1, seed: SEED }),
    classes: ['StreamingLinearRegressionWithSGD'],
    trainRecords: labeledPoints,
    configs: sgdConfigs('StreamingLinearRegressionWithSGD'),
    predictor: ({ trueWeights }) =>
      new millrace.StreamingLinearRegressionWithSGD().setInitialWeights(trueWeights),
    parameters: linearParameters,
    metric: {
      name: 'RMSE (test set)',
      better: 'lower',
      score: (parameters, { testFeatures, testLabels }) =>
        rootMeanSquaredError(parameters, testFeatures, testLabels),
    },
    truth: ({ trueWeights }) => ({ weights: trueWeights, intercept: 0 }),
  },
  logistic: {
    title: 'logistic regression',
    sklearn: "SGDClassifier(loss='log_loss').partial_fit",
    sklearnPredict: 'SGDClassifier.predict',
    dataset: (d, n, test) => ({ kind: 'logistic', n, test, d, seed: SEED }),
    classes: ['StreamingLogisticRegressionWithSGD'],
    trainRecords: labeledPoints,
    configs: sgdConfigs('StreamingLogisticRegressionWithSGD'),
    predictor: ({ trueWeights }) =>
      new millrace.StreamingLogisticRegressionWithSGD().setInitialWeights(trueWeights),
    parameters: linearParameters,
    metric: {
      name: 'accuracy (test set)',
      better: 'higher',
      score: (parameters, { testFeatures, testLabels }) =>
        accuracy(parameters, testFeatures, testLabels),
    },
    truth: ({ trueWeights }) => ({ weights: trueWeights, intercept: 0 }),
  },
};

/** Why a model's millrace rows can't run yet (an export missing), or undefined when they can. */
export function missingExports(spec) {
  const missing = spec.classes.filter((name) => typeof millrace[name] !== 'function');
  return missing.length === 0 ? undefined : `not exported by millrace yet: ${missing.join(', ')}`;
}
