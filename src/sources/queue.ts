import type { StreamingContext } from '../streaming/context.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError } from '../streaming/errors.js';
import { InputDStreamNode, type GeneratedInput } from '../streaming/input.js';

/** Options of {@link queueStream}. */
export interface QueueStreamOptions<T> {
  /** `true` (default): each batch takes one queued batch. `false`: each takes all queued ones. */
  oneAtATime?: boolean;
  /**
   * Records of a batch when the queue is empty. Without it an empty queue gives an empty batch,
   * and the stream counts as exhausted (so a `'replay'` context stops).
   */
  defaultBatch?: readonly T[];
}

class QueueInputNode<T> extends InputDStreamNode<T> {
  readonly queue: (readonly T[])[];

  constructor(
    context: StreamingContext,
    batches: readonly (readonly T[])[],
    private readonly oneAtATime: boolean,
    private readonly defaultBatch: readonly T[] | undefined,
  ) {
    super(context.graph, 'queueStream');
    this.queue = batches.map((batch) => [...batch]);
  }

  override generateBatch(): GeneratedInput<T> {
    if (this.queue.length === 0) {
      return { partitions: this.defaultBatch ? [this.defaultBatch] : [], metadata: { queued: 0 } };
    }
    const taken = this.oneAtATime ? this.queue.splice(0, 1) : this.queue.splice(0);
    return { partitions: taken, metadata: { queued: this.queue.length } };
  }

  override isExhausted(): boolean {
    return this.queue.length === 0 && this.defaultBatch === undefined;
  }

  override hasPendingData(): boolean {
    return this.queue.length > 0;
  }
}

/** A stream fed from an in-memory queue of batches; more can be pushed while it runs. */
export class QueueDStream<T> extends DStream<T> {
  constructor(
    context: StreamingContext,
    private readonly queueNode: QueueInputNode<T>,
  ) {
    super(context, queueNode);
  }

  /** Appends batches to the queue (each an array of records). */
  push(...batches: (readonly T[])[]): void {
    for (const batch of batches) this.queueNode.queue.push([...batch]);
  }

  /** Batches still waiting in the queue. */
  get queuedBatches(): number {
    return this.queueNode.queue.length;
  }
}

/**
 * A direct source over batches held in memory (Spark's `queueStream`): with `oneAtATime`, batch k
 * of the stream holds `batches[k]`. The array is copied: the caller's is never consumed. Handy
 * for tests, notebooks and benchmarks; with the `'replay'` clock the context stops by itself
 * once the queue is empty.
 *
 * @example
 * import { StreamingContext, queueStream } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
 * queueStream(ssc, [[1, 2], [3]]).reduce((a, b) => a + b).print();
 * ssc.start();
 * await ssc.awaitTermination(); // prints 3, then 3
 */
export function queueStream<T>(
  context: StreamingContext,
  batches: readonly (readonly T[])[],
  options: QueueStreamOptions<T> = {},
): QueueDStream<T> {
  if (!Array.isArray(batches)) {
    throw new ConfigurationError(
      'queueStream needs an array of batches (each an array of records)',
    );
  }
  batches.forEach((batch, index) => {
    if (!Array.isArray(batch)) {
      throw new ConfigurationError(`queueStream: batch ${index} is not an array of records`);
    }
  });
  const node = new QueueInputNode(
    context,
    batches,
    options.oneAtATime ?? true,
    options.defaultBatch,
  );
  return new QueueDStream(context, node);
}
