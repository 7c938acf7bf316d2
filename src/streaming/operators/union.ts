import type { Batch } from '../batch.js';
import { ConfigurationError } from '../errors.js';
import { StreamNode } from '../node.js';

/** Spark's `union`: the parents' batches side by side, each parent's partitions kept. */
export class UnionNode<T> extends StreamNode<T> {
  constructor(parents: readonly StreamNode<T>[]) {
    super(parents[0].graph, parents, 'union');
    for (const parent of parents) {
      if (parent.graph !== this.graph) {
        throw new ConfigurationError('union() needs streams of the same StreamingContext');
      }
      if (parent.slideMs !== parents[0].slideMs) {
        throw new ConfigurationError(
          `union() needs streams with the same slide; got ${parents[0].slideMs} ms and ${parent.slideMs} ms`,
        );
      }
    }
  }

  protected override compute(time: number): Batch<T> | undefined {
    const partitions: (readonly T[])[] = [];
    for (const parent of this.parents as readonly StreamNode<T>[]) {
      const batch = parent.getOrCompute(time);
      if (batch !== undefined) partitions.push(...batch);
    }
    return partitions;
  }
}
