import type { Batch } from '../batch.js';
import { ConfigurationError } from '../errors.js';
import { StreamNode } from '../node.js';
import { MapPartitionsNode } from './mapped.js';

/** A key's values from each side of a cogroup, in arrival order. */
export type CoGrouped<K, V, W> = [K, [V[], W[]]];

/**
 * Spark's cogroup of two key-value streams, batch by batch: every key present on either side
 * with all its values from each side (keys in order of first appearance, left side first). The
 * joins are flattenings of it, as in Spark.
 */
export class CoGroupedNode<K, V, W> extends StreamNode<CoGrouped<K, V, W>> {
  constructor(operator: string, left: StreamNode<[K, V]>, right: StreamNode<[K, W]>) {
    super(left.graph, [left, right], operator);
    if (right.graph !== left.graph) {
      throw new ConfigurationError(`${operator}() needs streams of the same StreamingContext`);
    }
    if (right.slideMs !== left.slideMs) {
      throw new ConfigurationError(
        `${operator}() joins batch by batch, so both streams need the same slide; got ` +
          `${left.slideMs} ms and ${right.slideMs} ms (window one of them to match the other)`,
      );
    }
  }

  protected override compute(time: number): Batch<CoGrouped<K, V, W>> {
    const [left, right] = this.parents as [StreamNode<[K, V]>, StreamNode<[K, W]>];
    const groups = new Map<K, [V[], W[]]>();
    const groupOf = (key: K): [V[], W[]] => {
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = [[], []]));
      return group;
    };
    for (const partition of left.getOrCompute(time) ?? []) {
      for (const [key, value] of partition) groupOf(key)[0].push(value);
    }
    for (const partition of right.getOrCompute(time) ?? []) {
      for (const [key, value] of partition) groupOf(key)[1].push(value);
    }
    return [[...groups]];
  }
}

/** Which unmatched values a join keeps (`undefined` stands in for the missing side). */
export interface JoinSides {
  readonly keepLeft: boolean;
  readonly keepRight: boolean;
}

/** The sides each join keeps, by operator name. */
export const JOIN_SIDES = {
  join: { keepLeft: false, keepRight: false },
  leftOuterJoin: { keepLeft: true, keepRight: false },
  rightOuterJoin: { keepLeft: false, keepRight: true },
  fullOuterJoin: { keepLeft: true, keepRight: true },
} as const satisfies Record<string, JoinSides>;

/**
 * The node of a join: the cogroup of both streams, flattened by `joinGroup`. `P` is the pair type
 * the join promises (`[V, W]` for an inner join, `[V, W | undefined]` for a left outer one...),
 * which its sides make true: a side that is not kept is never `undefined`.
 */
export function joinNode<K, V, W, P extends [V | undefined, W | undefined]>(
  operator: keyof typeof JOIN_SIDES,
  left: StreamNode<[K, V]>,
  right: StreamNode<[K, W]>,
): StreamNode<[K, P]> {
  const cogrouped = new CoGroupedNode(operator, left, right);
  const sides = JOIN_SIDES[operator];
  return new MapPartitionsNode(cogrouped, operator, (partition) =>
    partition.flatMap((group) => joinGroup(group, sides) as [K, P][]),
  );
}

/**
 * The records of one cogrouped key under a join: every pairing of a left and a right value, and
 * for outer joins each value of a kept side paired with `undefined` when the other side is empty.
 */
export function joinGroup<K, V, W>(
  [key, [lefts, rights]]: CoGrouped<K, V, W>,
  { keepLeft, keepRight }: JoinSides,
): [K, [V | undefined, W | undefined]][] {
  const out: [K, [V | undefined, W | undefined]][] = [];
  if (lefts.length > 0 && rights.length > 0) {
    for (const left of lefts) for (const right of rights) out.push([key, [left, right]]);
  } else if (keepLeft && rights.length === 0) {
    for (const left of lefts) out.push([key, [left, undefined]]);
  } else if (keepRight && lefts.length === 0) {
    for (const right of rights) out.push([key, [undefined, right]]);
  }
  return out;
}
