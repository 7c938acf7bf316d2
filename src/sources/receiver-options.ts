import type { StreamingContext } from '../streaming/context.js';
import { ConfigurationError } from '../streaming/errors.js';

/**
 * Options of every receiver-based source (`fromAsyncIterable`, `fromObservable`,
 * `receiverStream`).
 *
 * @example
 * import { StreamingContext, ManualClock, fromAsyncIterable } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * fromAsyncIterable(ssc, [1, 2, 3], { maxBufferedRecords: 2, blockIntervalMs: 250 }).print();
 */
export interface ReceiverOptions {
  /**
   * Interval, in milliseconds, at which the system clock cuts stored records into blocks (each
   * block becomes one partition of a batch). Default 200, or the batch interval when that is
   * shorter. Must divide `batchIntervalMs`, so block boundaries fall on batch times.
   */
  blockIntervalMs?: number;
  /**
   * Most records stored but not yet allocated to a batch (default 10,000). Pulled sources stop
   * pulling at the bound until a batch frees room; pushed sources send each record that doesn't
   * fit to the dead-letter stream (`receiver buffer full (maxBufferedRecords=N)`).
   */
  maxBufferedRecords?: number;
}

/** Spark's default block interval. */
const DEFAULT_BLOCK_INTERVAL_MS = 200;

/**
 * 10,000 records keeps a receiver's memory small (about 10 MB at 1 KB per record) while still
 * letting a pulled source fill batches of the size where the models' batch kernels reach full
 * speed (issue 8 measures batches of 1k and 10k). Push sources faster than 10,000 records per
 * batch interval should raise it.
 */
const DEFAULT_MAX_BUFFERED_RECORDS = 10_000;

/** Validated receiver options, defaults applied. */
export type ResolvedReceiverOptions = Required<ReceiverOptions>;

/** Applies defaults and validates `options` against the context's batch interval. */
export function resolveReceiverOptions(
  context: StreamingContext,
  options: ReceiverOptions,
): ResolvedReceiverOptions {
  const batchIntervalMs = context.batchIntervalMs;
  const {
    blockIntervalMs = Math.min(DEFAULT_BLOCK_INTERVAL_MS, batchIntervalMs),
    maxBufferedRecords = DEFAULT_MAX_BUFFERED_RECORDS,
  } = options;
  if (!Number.isInteger(maxBufferedRecords) || maxBufferedRecords <= 0) {
    throw new ConfigurationError(
      `maxBufferedRecords must be a positive integer, got ${String(maxBufferedRecords)}`,
    );
  }
  if (!Number.isInteger(blockIntervalMs) || blockIntervalMs <= 0) {
    throw new ConfigurationError(
      `blockIntervalMs must be a positive integer, got ${String(blockIntervalMs)}`,
    );
  }
  if (batchIntervalMs % blockIntervalMs !== 0) {
    throw new ConfigurationError(
      `blockIntervalMs=${blockIntervalMs} does not divide batchIntervalMs=${batchIntervalMs}: ` +
        `blocks must fit whole in batches; use a divisor such as ${largestDivisorUpTo(batchIntervalMs, blockIntervalMs)}`,
    );
  }
  return { blockIntervalMs, maxBufferedRecords };
}

/** The largest divisor of `n` that is at most `limit` (1 at worst). */
function largestDivisorUpTo(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
