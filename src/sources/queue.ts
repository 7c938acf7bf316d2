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
  // Batches queued[head..] are waiting. Taking one moves `head` instead of splicing the array
  // (which shifts every batch behind it: quadratic over a long replay); taken slots are
  // cleared, and the array compacted once they are half of it.
  private queued: (readonly T[])[];
  private head = 0;

  constructor(
    context: StreamingContext,
    batches: readonly (readonly T[])[],
    private readonly oneAtATime: boolean,
    private readonly defaultBatch: readonly T[] | undefined,
  ) {
    super(context.graph, 'queueStream');
    this.queued = batches.map((batch) => [...batch]);
  }

  get length(): number {
    return this.queued.length - this.head;
  }

  push(batch: readonly T[]): void {
    this.queued.push([...batch]);
  }

  override generateBatch(): GeneratedInput<T> {
    if (this.length === 0) {
      return { partitions: this.defaultBatch ? [this.defaultBatch] : [], metadata: { queued: 0 } };
    }
    const end = this.oneAtATime ? this.head + 1 : this.queued.length;
    const taken = this.queued.slice(this.head, end);
    this.queued.fill(EMPTY, this.head, end); // taken batches are the engine's now
    this.head = end;
    if (this.head * 2 >= this.queued.length) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
    return { partitions: taken, metadata: { queued: this.length } };
  }

  override isExhausted(): boolean {
    return this.length === 0 && this.defaultBatch === undefined;
  }

  override hasPendingData(): boolean {
    return this.length > 0;
  }
}

const EMPTY: readonly never[] = [];

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
    for (const batch of batches) this.queueNode.push(batch);
  }

  /** Batches still waiting in the queue. */
  get queuedBatches(): number {
    return this.queueNode.length;
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
