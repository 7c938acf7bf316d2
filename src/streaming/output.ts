import type { Batch } from './batch.js';
import type { StreamNode } from './node.js';

/** The work an output operation does with one batch (sync or async). */
export type OutputFunction<T> = (batch: Batch<T>, time: number) => void | Promise<void>;

/**
 * An output operation registered on the graph (foreachBatch, print, trainOn...). It becomes one
 * job per batch of its stream; a batch's jobs run one at a time in registration order.
 */
export class OutputOperation<T> {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly node: StreamNode<T>,
    private readonly outputFunction: OutputFunction<T>,
  ) {}

  /** Whether the operation has a job at `time` (its stream's slide may span several batches). */
  isDue(time: number): boolean {
    return this.node.isTimeValid(time);
  }

  /** Computes the stream's batch at `time` (and whatever it depends on) and runs the operation. */
  async run(time: number): Promise<void> {
    await this.outputFunction(this.node.getOrCompute(time) ?? [], time);
  }
}
