import type { Batch } from './batch.js';
import type { DStreamGraph } from './graph.js';
import { StreamNode } from './node.js';

/** What an input decided for one batch: the records, as partitions, and facts about them. */
export interface GeneratedInput<T> {
  readonly partitions: Batch<T>;
  /** Source-specific facts recorded with the batch (offset ranges, block ids, file names). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * Base of every source. At each batch time the engine asks each input, in creation order, to
 * decide exactly what the batch contains (`generateBatch`); that decision is final, so a re-run
 * of the batch can read the same data. Transformations are computed later, when jobs run.
 *
 * Sources are functions of the context (`queueStream(ssc, ...)`) that create an input node and
 * return a `DStream` over it; the engine never imports them.
 */
export abstract class InputDStreamNode<T> extends StreamNode<T> {
  constructor(graph: DStreamGraph, kind: string) {
    super(graph, [], kind);
    graph.registerInput(this);
  }

  override get slideMs(): number {
    return this.graph.batchIntervalMs;
  }

  /** Called once when the context starts; receivers begin receiving here. */
  start(): Promise<void> | void {}

  /**
   * Stop taking in new data (receivers stop, consumers pause). Data already taken in is still
   * delivered by later batches when the stop is graceful.
   */
  stop(): Promise<void> | void {}

  /** Decides the records of the batch at `time`. Called once per batch time, in time order. */
  abstract generateBatch(time: number): Promise<GeneratedInput<T>> | GeneratedInput<T>;

  /** True once the source can deliver nothing more; the `'replay'` clock stops when all are. */
  abstract isExhausted(): boolean;

  /** True while data has been taken in but not yet put in a batch; a graceful stop drains it. */
  hasPendingData(): boolean {
    return false;
  }

  /** Fixes the batch at `time` (called by the job generator) and returns what it contains. */
  async fixBatch(time: number): Promise<GeneratedInput<T>> {
    const generated = await this.generateBatch(time);
    this.storeBatch(time, generated.partitions);
    return generated;
  }

  protected override compute(): Batch<T> | undefined {
    // An input's batch exists only once the job generator has fixed it; asking for a time that
    // was never generated (before the first batch, or long forgotten) yields an empty batch.
    return [];
  }
}
