import {
  LabeledPoint,
  LinearRegressionModel,
  LogisticRegressionModel,
  StreamingLinearRegressionWithSGD,
  StreamingLogisticRegressionWithSGD,
  Vectors,
  type DStream,
  type GeneralizedLinearModel,
  type StreamingLinearAlgorithm,
  type StreamingLinearOptions,
  type VectorLike,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';
import type { BadRecord, ModelAdapter } from './adapter.js';
import { BAD_VECTORS, DIMENSION, badLabeledPoints } from './bad-records.js';

const TRUE_WEIGHTS = [2, -1, 0.5];
const INITIAL_WEIGHTS = [0.1, -0.2, 0.3];
const BATCH_SIZE = 40;

/** What differs between the linear models under test. */
interface LinearFamily<
  A extends StreamingLinearAlgorithm<M, unknown>,
  M extends GeneralizedLinearModel,
> {
  readonly title: string;
  readonly badLabels: readonly BadRecord[];
  /** Settings beyond the shared ones (each family's step size and regulariser). */
  readonly options: StreamingLinearOptions;
  build(options: StreamingLinearOptions): A;
  fromJSON(json: unknown): A;
  load(path: string): Promise<A>;
  modelFromJSON(json: unknown): M;
  loadModel(path: string): Promise<M>;
  /** A label for a point whose true margin is `margin`. */
  label(margin: number, random: SeededRandom): number;
  /** Makes the algorithm's current model predict as `like` does (a logistic threshold). */
  predictLike(algorithm: A, like: M | undefined): A;
}

function uniformFeatures(random: SeededRandom): number[] {
  return TRUE_WEIGHTS.map(() => 2 * random.nextDouble() - 1);
}

/**
 * A streaming linear model with mini-batch sampling (so the seed matters), decay below 1 (so the
 * initial weights matter after a round trip) and a few iterations per batch.
 */
function linearAdapter<
  A extends StreamingLinearAlgorithm<M, unknown>,
  M extends GeneralizedLinearModel,
>(family: LinearFamily<A, M>): ModelAdapter<A, M> {
  const options = (seed: number, name?: string): StreamingLinearOptions => ({
    numIterations: 20,
    miniBatchFraction: 0.6,
    decayFactor: 0.9,
    ...family.options,
    seed,
    name,
  });
  return {
    title: family.title,
    emptyBatchRule: 'leave the model unchanged',
    initialStateCall: /setInitialWeights\(Vectors\.zeros\(numFeatures\)\)/,

    create: (seed, name) =>
      family.predictLike(
        family.build({ ...options(seed, name), initialWeights: INITIAL_WEIGHTS }),
        undefined,
      ),
    createWithoutInitialState: () => family.build(options(0)),
    resumeFrom: (model) =>
      family.predictLike(family.build(options(0)).setInitialWeights(model.weights), model),
    fromJSON: (json) => family.fromJSON(json),
    load: (path) => family.load(path),
    modelFromJSON: (json) => family.modelFromJSON(json),
    loadModel: (path) => family.loadModel(path),

    trainingBatches(seed, count) {
      const random = new SeededRandom(seed);
      return Array.from({ length: count }, () =>
        Array.from({ length: BATCH_SIZE }, (_, i) => {
          const features = uniformFeatures(random);
          const margin = features.reduce((sum, x, j) => sum + x * TRUE_WEIGHTS[j], 0);
          const label = family.label(margin, random);
          // Every accepted form: plain objects, LabeledPoint, Float64Array and sparse features.
          if (i === 0) return new LabeledPoint(label, features);
          if (i === 1) return { label, features: Float64Array.from(features) };
          if (i === 2) return { label, features: Vectors.sparse(DIMENSION, [1], [features[1]]) };
          return { label, features };
        }),
      );
    },
    predictionInputs: (seed) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 25 }, () => uniformFeatures(random));
    },
    badTrainingRecords: () => badLabeledPoints(family.badLabels),
    badPredictionInputs: () => BAD_VECTORS,

    predictVerb: 'predictOn',
    predictOn: (algorithm, stream) => algorithm.predictOn(stream as DStream<VectorLike>),
    predictDirect: (model, inputs) => inputs.map((x) => model.predict(x as VectorLike)),
    afterEmptyBatches: (model) => model.toJSON(),
  };
}

const regression = linearAdapter<StreamingLinearRegressionWithSGD, LinearRegressionModel>({
  title: 'StreamingLinearRegressionWithSGD',
  badLabels: [
    { record: { label: Number.NaN, features: [1, 2, 3] }, reason: /label NaN is not a finite/ },
    { record: { label: '1', features: [1, 2, 3] }, reason: /label must be a number/ },
  ],
  options: { stepSize: 0.5 },
  build: (options) => new StreamingLinearRegressionWithSGD(options),
  fromJSON: (json) => StreamingLinearRegressionWithSGD.fromJSON(json),
  load: (path) => StreamingLinearRegressionWithSGD.load(path),
  modelFromJSON: (json) => LinearRegressionModel.fromJSON(json),
  loadModel: (path) => LinearRegressionModel.load(path),
  label: (margin, random) => margin + 0.1 * random.nextGaussian(),
  predictLike: (algorithm) => algorithm,
});

const logistic = linearAdapter<StreamingLogisticRegressionWithSGD, LogisticRegressionModel>({
  title: 'StreamingLogisticRegressionWithSGD',
  badLabels: [
    { record: { label: 2, features: [1, 2, 3] }, reason: /needs labels 0 or 1, got 2/ },
    { record: { label: Number.NaN, features: [1, 2, 3] }, reason: /labels 0 or 1, got NaN/ },
  ],
  options: { stepSize: 1, regParam: 0.01 },
  build: (options) => new StreamingLogisticRegressionWithSGD(options),
  fromJSON: (json) => StreamingLogisticRegressionWithSGD.fromJSON(json),
  load: (path) => StreamingLogisticRegressionWithSGD.load(path),
  modelFromJSON: (json) => LogisticRegressionModel.fromJSON(json),
  loadModel: (path) => LogisticRegressionModel.load(path),
  label: (margin, random) => (random.nextDouble() < 1 / (1 + Math.exp(-margin)) ? 1 : 0),
  // Probabilities (threshold cleared) compare more finely than 0/1 labels; every later model
  // keeps the threshold, and a round trip must keep it too.
  predictLike(algorithm, like) {
    const threshold = like === undefined ? undefined : like.threshold;
    const model = algorithm.latestModel();
    if (threshold === undefined) model.clearThreshold();
    else model.setThreshold(threshold);
    return algorithm;
  },
});

/** The streaming linear models under test. */
export const LINEAR_ADAPTERS = [regression, logistic];
