import type { Batch } from '../batch.js';
import { describeError } from '../errors.js';
import { StreamNode } from '../node.js';

/**
 * `parse`: applies a parser to every record, partition by partition. A record the parser throws on
 * becomes a dead letter (stage, the parser's message, the record, the batch time) and the batch
 * goes on without it: bad input must never stop a pipeline.
 */
export class ParsedNode<T, U> extends StreamNode<U> {
  constructor(
    parent: StreamNode<T>,
    private readonly parser: (value: T) => U,
    /** The stage named in dead letters; the operator's name when not given. */
    private readonly stage: string | undefined,
  ) {
    super(parent.graph, [parent], 'parse');
  }

  protected override compute(time: number): Batch<U> | undefined {
    const parentBatch = (this.parents[0] as StreamNode<T>).getOrCompute(time);
    return parentBatch?.map((partition) => {
      const parsed: U[] = [];
      for (const record of partition) {
        try {
          parsed.push(this.parser(record));
        } catch (error) {
          this.graph.deadLetterSink.report({
            stage: this.stage ?? this.name,
            reason: describeError(error),
            record,
            batchTime: time,
          });
        }
      }
      return parsed;
    });
  }
}
