import {
  StreamingKMeans,
  StreamingKMeansModel,
  Vectors,
  type DStream,
  type TimeUnit,
  type VectorLike,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';
import type { ModelAdapter } from './adapter.js';
import { BAD_VECTORS, DIMENSION } from './bad-records.js';

const K = 3;
const TRUE_CENTERS = [
  [0, 0, 0],
  [5, 5, -5],
  [-5, 4, 2],
];
const BATCH_SIZE = 40;

/** Points around the three true centres, N(0, 1) noise per coordinate. */
function points(random: SeededRandom, count: number): number[][] {
  return Array.from({ length: count }, () => {
    const center = TRUE_CENTERS[Math.floor(random.nextDouble() * K)];
    return center.map((x) => x + random.nextGaussian());
  });
}

/**
 * StreamingKMeans, decaying per batch or per point. The seed picks the random initial centres;
 * decay is below 1 so that forgetting (and its round trip) is exercised.
 */
export function kmeansAdapter(
  timeUnit: TimeUnit,
): ModelAdapter<StreamingKMeans, StreamingKMeansModel> {
  const decayFactor = timeUnit === 'batches' ? 0.8 : 0.995;
  const settings = (name?: string) => ({ k: K, decayFactor, timeUnit, name });
  return {
    title: `StreamingKMeans (decay per ${timeUnit === 'batches' ? 'batch' : 'point'})`,
    emptyBatchRule:
      timeUnit === 'batches'
        ? 'discount every weight by the decay factor and keep the centres'
        : 'leave the model unchanged (decay^0 points)',
    initialStateCall: /setRandomCenters\(dim, weight, seed\) or setInitialCenters/,

    create: (seed, name) =>
      new StreamingKMeans(settings(name)).setRandomCenters(DIMENSION, 2, seed),
    createWithoutInitialState: () => new StreamingKMeans(settings()),
    resumeFrom: (model) =>
      new StreamingKMeans(settings()).setInitialCenters(model.clusterCenters, model.clusterWeights),
    fromJSON: (json) => StreamingKMeans.fromJSON(json),
    load: (path) => StreamingKMeans.load(path),
    modelFromJSON: (json) => StreamingKMeansModel.fromJSON(json),
    loadModel: (path) => StreamingKMeansModel.load(path),

    trainingBatches(seed, count) {
      const random = new SeededRandom(seed);
      return Array.from({ length: count }, (_, b) => {
        const plain = points(random, BATCH_SIZE);
        // Every accepted form: number[], Float64Array and sparse vectors.
        const batch: VectorLike[] = [...plain];
        batch[b % BATCH_SIZE] = Float64Array.from(plain[b % BATCH_SIZE]);
        batch[(b + 1) % BATCH_SIZE] = Vectors.sparse(
          DIMENSION,
          [0, 2],
          plain[(b + 1) % BATCH_SIZE].filter((_, j) => j !== 1),
        );
        return batch;
      });
    },
    predictionInputs: (seed) => points(new SeededRandom(seed), 25),
    badTrainingRecords: () => BAD_VECTORS,
    badPredictionInputs: () => BAD_VECTORS,

    // scoreOn gives the cluster and the distance to it: finer than predictOn's index alone.
    predictVerb: 'scoreOn',
    predictOn: (algorithm, stream) => algorithm.scoreOn(stream as DStream<VectorLike>),
    predictDirect: (model, inputs) =>
      inputs.map((x) => ({
        cluster: model.predict(x as VectorLike),
        distance: Math.sqrt(model.computeCost([x as VectorLike])),
      })),
    afterEmptyBatches(model, count) {
      // 'batches': weight *= decay once per batch (Spark's rule, applied in that order so the
      // expected floats are the model's to the bit); 'points': decay^0 = 1, nothing changes.
      const weights = model.clusterWeights;
      if (timeUnit === 'batches') {
        for (let batch = 0; batch < count; batch++) {
          for (let c = 0; c < K; c++) weights[c] *= decayFactor;
        }
      }
      return new StreamingKMeansModel(model.clusterCenters, weights).toJSON();
    },
  };
}
