import type { Batch } from '../batch.js';
import { StreamNode } from '../node.js';

/** Any function of a whole batch (as partitions) and the batch time, giving one partition. */
export type BatchFunction<T, U> = (batch: Batch<T>, time: number) => readonly U[];

/**
 * A node whose batch is one partition computed from the parent's whole batch: Spark's
 * `transform`, and the per-batch aggregations (count, reduce, reduceByKey, groupByKey).
 */
export class TransformedNode<T, U> extends StreamNode<U> {
  constructor(
    parent: StreamNode<T>,
    kind: string,
    private readonly batchFunction: BatchFunction<T, U>,
  ) {
    super(parent.graph, [parent], kind);
  }

  protected override compute(time: number): Batch<U> | undefined {
    const parentBatch = (this.parents[0] as StreamNode<T>).getOrCompute(time);
    if (parentBatch === undefined) return undefined;
    return [this.batchFunction(parentBatch, time)];
  }
}
