import type { Batch } from '../batch.js';
import { ConfigurationError } from '../errors.js';
import { StreamNode } from '../node.js';

/**
 * Checks a window's length and slide against the stream it slides over (Spark's rule: both must
 * be positive multiples of the parent's slide, or a window could start or end between two of the
 * parent's batches). Throws a `ConfigurationError` naming the operator, the values and the fix.
 */
export function validateWindow(
  operator: string,
  parentSlideMs: number,
  lengthMs: number,
  slideMs: number,
): void {
  for (const [what, value] of [
    ['lengthMs', lengthMs],
    ['slideMs', slideMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0 || value % parentSlideMs !== 0) {
      throw new ConfigurationError(
        `${operator}(lengthMs = ${lengthMs}, slideMs = ${slideMs}): ${what} must be a positive ` +
          `multiple of the parent stream's slide (${parentSlideMs} ms), e.g. ` +
          nearbyMultiples(value, parentSlideMs),
      );
    }
  }
}

/** The valid values closest to `value`, for error messages. */
function nearbyMultiples(value: number, step: number): string {
  const below = Number.isFinite(value) ? Math.floor(value / step) * step : 0;
  return below > 0 ? `${below} or ${below + step}` : String(step);
}

/**
 * Spark's `slice`: the partitions of `node`'s batches at its valid times in
 * (`fromExclusive`, `toInclusive`], oldest first. Both bounds lie on the node's time grid (window
 * validation guarantees it). Times at or before the zero time have no batch, which is what makes
 * the first windows partial.
 */
export function sliceBatches<T>(
  node: StreamNode<T>,
  fromExclusive: number,
  toInclusive: number,
): (readonly T[])[] {
  const partitions: (readonly T[])[] = [];
  for (let time = fromExclusive + node.slideMs; time <= toInclusive; time += node.slideMs) {
    const batch = node.getOrCompute(time);
    if (batch !== undefined) partitions.push(...batch);
  }
  return partitions;
}

/**
 * Spark's windowed stream: at each of its slide times T, the union of the parent's batches at the
 * parent's times in (T - length, T], oldest first, each batch's partitions kept.
 */
export class WindowedNode<T> extends StreamNode<T> {
  constructor(
    parent: StreamNode<T>,
    readonly lengthMs: number,
    private readonly windowSlideMs: number,
  ) {
    super(parent.graph, [parent], 'window');
    validateWindow('window', parent.slideMs, lengthMs, windowSlideMs);
  }

  override get slideMs(): number {
    return this.windowSlideMs;
  }

  // The parent must keep a whole window of batches beyond what this node itself remembers.
  protected override parentRememberMs(): number {
    return this.rememberMs + this.lengthMs;
  }

  protected override compute(time: number): Batch<T> {
    return sliceBatches(this.parents[0] as StreamNode<T>, time - this.lengthMs, time);
  }
}
