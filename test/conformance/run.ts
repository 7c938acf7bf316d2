import {
  ManualClock,
  StreamingContext,
  queueStream,
  type DStream,
  type DeadLetter,
} from '../../src/index.js';
import type { AnyStreamingModel, ModelAdapter } from './adapter.js';

/** How a run's batches are clocked: stepped by hand, or back to back until the data ends. */
export type ClockKind = 'manual' | 'replay';

/** What one context run produced. */
export interface RunResult {
  /** The predictions stream's records, one array per batch (empty when nothing predicted). */
  readonly predictions: unknown[][];
  readonly deadLetters: DeadLetter[];
  /** Time of each batch run, in order. */
  readonly batchTimes: number[];
}

/** What to wire into one context: training batches, and inputs to predict at every batch. */
export interface RunPlan {
  readonly train?: readonly (readonly unknown[])[];
  /** Predicted with the adapter's `predictOn`, registered after `trainOn` (so it sees each update). */
  readonly predict?: readonly (readonly unknown[])[];
  /** Predicted with the base `predictOnValues` instead: each batch's records are `[key, input]`. */
  readonly predictValues?: readonly (readonly unknown[])[];
  readonly clock?: ClockKind;
}

/**
 * Runs `algorithm` in a fresh context as `plan` says, for as many batches as its longest stream,
 * and collects predictions, dead letters and batch times.
 */
export async function run(
  adapter: ModelAdapter,
  algorithm: AnyStreamingModel,
  plan: RunPlan,
): Promise<RunResult> {
  const clock = plan.clock ?? 'manual';
  const ssc = new StreamingContext({
    batchIntervalMs: 1000,
    clock: clock === 'manual' ? new ManualClock() : 'replay',
  });
  if (plan.train !== undefined) algorithm.trainOn(queueStream(ssc, plan.train));
  const predictions: unknown[][] = [];
  let predicted: DStream<unknown> | undefined;
  if (plan.predict !== undefined) {
    predicted = adapter.predictOn(algorithm, queueStream(ssc, plan.predict));
  } else if (plan.predictValues !== undefined) {
    predicted = algorithm.predictOnValues(
      queueStream(ssc, plan.predictValues) as DStream<[unknown, unknown]>,
    );
  }
  predicted?.foreachBatch((items) => {
    predictions.push([...items]);
  });
  const deadLetters: DeadLetter[] = [];
  ssc.deadLetters().foreachBatch((letters) => {
    deadLetters.push(...letters);
  });
  const batchTimes: number[] = [];
  ssc.addStreamingListener({ onBatchCompleted: (info) => void batchTimes.push(info.batchTime) });
  ssc.start();
  if (clock === 'manual') {
    const batches = Math.max(
      plan.train?.length ?? 0,
      plan.predict?.length ?? 0,
      plan.predictValues?.length ?? 0,
    );
    await ssc.advance(batches);
    await ssc.stop();
  } else {
    await ssc.awaitTermination();
  }
  return { predictions, deadLetters, batchTimes };
}

/** `JSON.parse(JSON.stringify(value))`: what a file or a message would carry. */
export function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** The same inputs at every one of `count` batches. */
export function repeated(inputs: readonly unknown[], count: number): unknown[][] {
  return Array.from({ length: count }, () => [...inputs]);
}
