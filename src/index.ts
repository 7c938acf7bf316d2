/**
 * millrace: streaming machine learning for TypeScript on Node.js. Everything public is exported
 * from here; deep imports are not part of the API.
 */
export { StreamingContext } from './streaming/context.js';
export type { StreamingContextOptions, StopOptions } from './streaming/context.js';
export { ManualClock, SystemClock } from './streaming/clock.js';
export type { Clock } from './streaming/clock.js';
export { DStream } from './streaming/dstream.js';
export type { OutputOptions, PrintOptions } from './streaming/dstream.js';
export { MapWithStateDStream } from './streaming/dstream.js';
export type { UpdateStateOptions } from './streaming/dstream.js';
export type { CoGrouped } from './streaming/operators/joined.js';
export type { State, StateSpec } from './streaming/operators/map-with-state.js';
export type { UpdateStateFunction } from './streaming/operators/state.js';
export type { KeyedStateSnapshot } from './streaming/operators/stateful.js';
export type { Batch } from './streaming/batch.js';
export type { DeadLetter } from './streaming/dead-letters.js';
export type {
  BatchInfo,
  InputInfo,
  OutputOperationInfo,
  ReceiverInfo,
  StreamingListener,
} from './streaming/listener.js';
export { InputDStreamNode } from './streaming/input.js';
export type { GeneratedInput } from './streaming/input.js';
export { StreamNode } from './streaming/node.js';
export type { StatefulComponent } from './streaming/node.js';
export {
  BatchFailedError,
  ConfigurationError,
  DataError,
  MillraceError,
  ModelFormatError,
  SourceError,
  StateError,
} from './streaming/errors.js';
export { queueStream, QueueDStream } from './sources/queue.js';
export type { QueueStreamOptions } from './sources/queue.js';
export {
  Vectors,
  formatVector,
  isFiniteVector,
  isSparse,
  toDense,
  toVector,
  vectorSize,
} from './models/vectors.js';
export type { DenseVector, SparseVector, Vector, VectorLike } from './models/vectors.js';
export { VectorBlock } from './models/vector-block.js';
export type { BadRowHandler } from './models/block-prediction.js';
export { LabeledPoint } from './models/labeled-point.js';
export type { LabeledPointLike } from './models/labeled-point.js';
export { linearModelToTfjs, predictWith } from './models/tfjs.js';
export type { PredictWithOptions, TensorFlowModel } from './models/tfjs.js';
export { StreamingModel } from './models/streaming-model.js';
export type { PartitionResults, PartitionScorer } from './models/streaming-model.js';
export type { RejectRecord } from './models/kernels/pack.js';
export type { ModelEnvelope } from './models/persistence.js';
export { StreamingKMeans } from './models/streaming-kmeans.js';
export type { KMeansScore, StreamingKMeansJSON } from './models/streaming-kmeans.js';
export { StreamingKMeansModel } from './models/kmeans-model.js';
export type { KMeansAssignment, StreamingKMeansModelJSON } from './models/kmeans-model.js';
export type { StreamingKMeansOptions, TimeUnit } from './models/kmeans-options.js';
export { Receiver, receiverStream } from './sources/receiver.js';
export type { ReceiverOptions } from './sources/receiver-options.js';
export type { ReceivedBlockInfo } from './sources/receiver-input.js';
export { fromAsyncIterable } from './sources/async-iterable.js';
export { fromObservable } from './sources/observable.js';
export {
  GeneralizedLinearModel,
  LinearRegressionModel,
  LogisticRegressionModel,
} from './models/linear-model.js';
export { StreamingLinearAlgorithm } from './models/streaming-linear-algorithm.js';
export { StreamingLinearRegressionWithSGD } from './models/streaming-linear-regression.js';
export { StreamingLogisticRegressionWithSGD } from './models/streaming-logistic-regression.js';
export type {
  StreamingLinearOptions,
  StreamingLinearSettings,
} from './models/streaming-linear-options.js';
export type { StreamingLinearJSON } from './models/streaming-linear-saved.js';
export type { UpdaterName } from './models/optim/updater.js';
export type {
  ClassificationEvaluation,
  ClassificationMetrics,
  EvaluationRecord,
  RegressionEvaluation,
  RegressionMetrics,
} from './models/evaluation.js';
export {
  accuracy,
  areaUnderROC,
  logLoss,
  meanAbsoluteError,
  rootMeanSquaredError,
} from './models/metrics.js';
export type { DenseRows } from './models/kernels/pack.js';
export { wasmClusterStatistics, wasmNearestCenters } from './models/kernels/wasm-kmeans.js';
export type { KMeansStatistics, KMeansStatisticsOptions } from './models/kernels/wasm-kmeans.js';
export { wasmGradientSum, wasmGramSums, wasmPredictLinear } from './models/kernels/wasm-linear.js';
export type {
  GradientSum,
  GradientSumOptions,
  GramSums,
  LinearLoss,
} from './models/kernels/wasm-linear.js';
export { allocateKernelArray, releaseKernelArray } from './models/kernels/wasm-memory.js';
export { wasmNonFiniteRows } from './models/kernels/wasm-finite.js';
export { KernelUnavailableError } from './models/kernels/wasm-module.js';
export { kernelBackend } from './models/kernels/kernel-backend.js';
export type { KernelBackend } from './models/kernels/kernel-backend.js';
export {
  closeKernelThreads,
  configureKernels,
  parallelClusterStatistics,
  parallelGradientSum,
  parallelGramSums,
  parallelNearestCenters,
  parallelPredictLinear,
} from './models/kernels/parallel-kernels.js';
export type { KernelSettings } from './models/kernels/parallel-kernels.js';
export { KernelWorkerError } from './models/kernels/parallel-pool.js';
