import type { Batch } from './batch.js';
import type { DStreamGraph } from './graph.js';
import { StreamNode } from './node.js';

/** A record a stage could not parse or use, with why; the batch went on without it. */
export interface DeadLetter<R = unknown> {
  /** The operator or model stage that rejected the record (its operator name). */
  readonly stage: string;
  /** Why it was rejected, naming the offending value. */
  readonly reason: string;
  /** The record as the stage received it. */
  readonly record: R;
  /** The batch during which it was rejected. */
  readonly batchTime: number;
}

/**
 * Collects dead letters as stages report them and hands them to the dead-letter stream. Letters
 * are counted per batch (`BatchInfo.numDeadLetters`) whether or not anybody consumes them; they
 * are kept for delivery only once `ssc.deadLetters()` has been asked for.
 */
export class DeadLetterSink {
  private pending: DeadLetter[] = [];
  private readonly countsByBatch = new Map<number, number>();
  private isConsumed = false;
  private hasWarnedUnconsumed = false;

  report(letter: DeadLetter): void {
    this.countsByBatch.set(letter.batchTime, (this.countsByBatch.get(letter.batchTime) ?? 0) + 1);
    if (this.isConsumed) {
      this.pending.push(letter);
    } else if (!this.hasWarnedUnconsumed) {
      this.hasWarnedUnconsumed = true;
      process.emitWarning(
        `millrace: stage "${letter.stage}" rejected a record (${letter.reason}); ` +
          'rejected records are counted in BatchInfo.numDeadLetters; consume ssc.deadLetters() to receive them',
        { code: 'MILLRACE_DEAD_LETTER' },
      );
    }
  }

  markConsumed(): void {
    this.isConsumed = true;
  }

  /** Removes and returns every letter reported so far (for batch `time` or earlier). */
  drain(): DeadLetter[] {
    const letters = this.pending;
    this.pending = [];
    return letters;
  }

  /** Letters reported for the batch at `time`; forgets the count. */
  takeCount(time: number): number {
    const count = this.countsByBatch.get(time) ?? 0;
    this.countsByBatch.delete(time);
    return count;
  }
}

/**
 * The dead-letter stream's node. Jobs that depend on it run after the batch's other jobs, so a
 * batch's dead-letter batch holds every letter the batch produced; letters reported later still
 * (by another dead-letter job) are delivered with the next batch, never lost.
 */
export class DeadLetterNode extends StreamNode<DeadLetter> {
  constructor(graph: DStreamGraph) {
    super(graph, [], 'deadLetters');
    graph.deadLetterSink.markConsumed();
  }

  override get slideMs(): number {
    return this.graph.batchIntervalMs;
  }

  protected override compute(): Batch<DeadLetter> {
    return [this.graph.deadLetterSink.drain()];
  }
}
