import type { Batch } from '../batch.js';
import { StreamNode } from '../node.js';

/** Turns one partition of the parent's batch into one partition of this node's batch. */
export type PartitionFunction<T, U> = (partition: readonly T[], time: number) => readonly U[];

/**
 * A node that transforms each partition independently: map, flatMap, filter, mapPartitions and
 * parse are all this node with a different partition function, so partitioning is preserved.
 */
export class MapPartitionsNode<T, U> extends StreamNode<U> {
  constructor(
    parent: StreamNode<T>,
    kind: string,
    private readonly partitionFunction: PartitionFunction<T, U>,
  ) {
    super(parent.graph, [parent], kind);
  }

  protected override compute(time: number): Batch<U> | undefined {
    const parentBatch = (this.parents[0] as StreamNode<T>).getOrCompute(time);
    return parentBatch?.map((partition) => this.partitionFunction(partition, time));
  }
}
