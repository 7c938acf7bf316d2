import type { DStream, StreamingModel } from '../../src/index.js';

/*
 * The conformance battery (River's idea: a new model gets tested for free) talks to every
 * streaming model through one small adapter that says, once per model, how to build it seeded,
 * what its synthetic data looks like, how to read its predictions, and what it documents for
 * the cases where models legitimately differ (empty batches). Everything else the battery does
 * through the `StreamingModel` API they all share.
 */

/** What the battery needs of a trained model (`latestModel()`). */
export interface SavedModel {
  toJSON(): object;
  save(path: string): Promise<void>;
}

/** Any streaming model, with its input and output types erased for the shared battery. */
export type AnyStreamingModel = StreamingModel<
  SavedModel,
  unknown,
  unknown,
  unknown,
  Float64Array | Int32Array
>;

/** A record the model can't use, and what its dead letter's reason must say. */
export interface BadRecord {
  readonly record: unknown;
  readonly reason: RegExp;
}

/**
 * One model under test. `A` is the streaming model class, `M` the model `latestModel()` gives.
 * Members are methods so that a typed adapter is usable where the battery expects the erased
 * one.
 */
export interface ModelAdapter<A extends AnyStreamingModel = AnyStreamingModel, M = SavedModel> {
  /** The describe block's title. */
  readonly title: string;
  /** How the model treats an empty batch, as its documentation says (for the test's title). */
  readonly emptyBatchRule: string;
  /** The call that gives the model its initial state (the StateError names it). */
  readonly initialStateCall: RegExp;

  /** The streaming model, its initial state set; `seed` drives all of its randomness. */
  create(seed: number, name?: string): A;
  /** The streaming model with no initial state (Spark requires one before training/predicting). */
  createWithoutInitialState(): A;
  /** A fresh streaming model, with the settings `create` uses, whose initial state is `model`. */
  resumeFrom(model: M): A;
  /** The streaming model class's `fromJSON` and `load`. */
  fromJSON(json: unknown): A;
  load(path: string): Promise<A>;
  /** The model class's `fromJSON` and `load`. */
  modelFromJSON(json: unknown): M;
  loadModel(path: string): Promise<M>;

  /** `count` seeded batches of training records. */
  trainingBatches(seed: number, count: number): unknown[][];
  /** Seeded inputs to predict. */
  predictionInputs(seed: number): unknown[];
  /** Training records the model must reject (wrong dimension, NaN…), with their reasons. */
  badTrainingRecords(): readonly BadRecord[];
  /** Prediction inputs the model must reject, with their reasons. */
  badPredictionInputs(): readonly BadRecord[];

  /** The stage `predictOn` below reports dead letters under, after `<name>.`. */
  readonly predictVerb: string;
  /** The model's most detailed per-record output on a stream (scores, probabilities…). */
  predictOn(algorithm: A, stream: DStream<unknown>): DStream<unknown>;
  /** The same output computed by the model directly, one entry per input. */
  predictDirect(model: M, inputs: readonly unknown[]): unknown[];
  /** The `toJSON()` of `model` after `count` empty batches, by the model's documented rule. */
  afterEmptyBatches(model: M, count: number): object;
}
