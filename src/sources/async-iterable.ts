import type { StreamingContext } from '../streaming/context.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError } from '../streaming/errors.js';
import { ReceiverInputNode } from './receiver-input.js';
import { resolveReceiverOptions, type ReceiverOptions } from './receiver-options.js';

/**
 * Reads an iterator only while the buffer has room: at most `maxBufferedRecords` records are
 * ever pulled but not yet in a batch, and one `next()` call at most is in flight.
 */
class AsyncIterableInputNode<T> extends ReceiverInputNode<T> {
  private iterator: AsyncIterator<T> | Iterator<T> | undefined;
  private isDone = false;
  /** The pulling under way (the system clock's loop, or a manual/replay fill). */
  private pulling: Promise<void> = Promise.resolve();

  constructor(
    context: StreamingContext,
    private readonly iterable: AsyncIterable<T> | Iterable<T>,
    options: ReceiverOptions,
  ) {
    super(context, 'fromAsyncIterable', resolveReceiverOptions(context, options));
  }

  protected override startReceiving(): void {
    this.iterator =
      Symbol.asyncIterator in this.iterable
        ? this.iterable[Symbol.asyncIterator]()
        : this.iterable[Symbol.iterator]();
    // Under the system clock, pull whenever there is room; the manual and replay clocks pull
    // only as batches are fixed (fillBuffer), so what a batch holds never depends on timing.
    if (this.context.clockMode === 'system') this.pulling = this.pull({ waitForRoom: true });
  }

  protected override fillBuffer(): Promise<void> {
    this.pulling = this.pull({ waitForRoom: false });
    return this.pulling;
  }

  protected override async stopReceiving(): Promise<void> {
    if (this.isDone || this.iterator === undefined) return;
    // Ask the iterator to end now rather than after the pending next(): Node streams and
    // events.on() iterators then settle it at once. An async generator can't be interrupted; it
    // ends at its next yield, and what that yield gives is still stored and delivered.
    const closing = this.closeIterator(this.iterator);
    await this.pulling;
    await closing;
  }

  private async closeIterator(iterator: AsyncIterator<T> | Iterator<T>): Promise<void> {
    try {
      await iterator.return?.();
    } catch (error) {
      this.reportError('closing the iterator failed', error);
    }
  }

  private async pull({ waitForRoom }: { waitForRoom: boolean }): Promise<void> {
    while (this.isTakingIn) {
      if (this.blocks.hasRoom) {
        if (!(await this.pullOne())) return;
      } else if (waitForRoom) {
        await this.blocks.whenRoom(); // woken by the next allocation, or by a stop
      } else {
        return;
      }
    }
  }

  /** Pulls one record into the buffer; false once the iterator has ended or failed. */
  private async pullOne(): Promise<boolean> {
    let result: IteratorResult<T>;
    try {
      result = await (this.iterator as AsyncIterator<T>).next();
    } catch (error) {
      this.isDone = true;
      this.fail(error);
      return false;
    }
    if (result.done === true) {
      this.isDone = true;
      this.markCompleted();
      return false;
    }
    this.storeRecord(result.value);
    return true;
  }
}

/**
 * A pull-based stream over an async iterable (an async generator, a Node stream, `events.on`...)
 * or a plain iterable. It never reads ahead more than `maxBufferedRecords` records that are not
 * yet in a batch: when the buffer is full it simply stops calling `next()` until a batch frees
 * room (true backpressure), so nothing is dropped.
 *
 * Under the system clock it pulls whenever there is room. Under a `ManualClock` or `'replay'` it
 * pulls as each batch is fixed, until the buffer is full or the iterator ends, awaiting the
 * iterator: so with `'replay'`, N records go through in ceil(N / maxBufferedRecords) batches and
 * the context stops by itself. If the iterator throws, the records it gave before are delivered,
 * then the context stops and `awaitTermination()` rejects with a `SourceError`.
 *
 * `stop()` stops pulling and calls the iterator's `return()`; a `next()` already in flight is
 * awaited (for-await semantics), so an async generator waiting on something slow delays the stop
 * until it yields.
 *
 * @example
 * import { StreamingContext, fromAsyncIterable } from 'millrace';
 * async function* readings() {
 *   for (let i = 0; i < 25; i++) yield i;
 * }
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
 * const sizes: number[] = [];
 * fromAsyncIterable(ssc, readings(), { maxBufferedRecords: 10 })
 *   .foreachBatch((items) => { sizes.push(items.length); });
 * ssc.start();
 * await ssc.awaitTermination(); // sizes is [10, 10, 5]
 */
export function fromAsyncIterable<T>(
  context: StreamingContext,
  iterable: AsyncIterable<T> | Iterable<T>,
  options: ReceiverOptions = {},
): DStream<T> {
  const isIterable =
    typeof iterable === 'object' &&
    iterable !== null &&
    (Symbol.asyncIterator in iterable || Symbol.iterator in iterable);
  if (!isIterable) {
    const got =
      typeof iterable === 'function'
        ? 'a function: call it (e.g. readings(), not readings) to get its iterable'
        : String(iterable);
    throw new ConfigurationError(
      `fromAsyncIterable needs an async iterable or an iterable, got ${got}`,
    );
  }
  return new DStream(context, new AsyncIterableInputNode(context, iterable, options));
}
