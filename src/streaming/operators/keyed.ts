/**
 * Per-key combination inside one batch (reduceByKey, groupByKey). Keys are compared as `Map`
 * keys (SameValueZero): strings, numbers and other primitives group by value; objects group by
 * identity, so encode composite keys as strings.
 */

/** Folds the values of each key with `reduce`, keys in order of first appearance. */
export function reduceValuesByKey<K, V>(
  batch: readonly (readonly (readonly [K, V])[])[],
  reduce: (a: V, b: V) => V,
): [K, V][] {
  const reduced = new Map<K, V>();
  for (const partition of batch) {
    for (const [key, value] of partition) {
      const previous = reduced.get(key);
      reduced.set(
        key,
        previous === undefined && !reduced.has(key) ? value : reduce(previous as V, value),
      );
    }
  }
  return [...reduced];
}

/** Collects the values of each key, keys in order of first appearance. */
export function groupValuesByKey<K, V>(
  batch: readonly (readonly (readonly [K, V])[])[],
): [K, V[]][] {
  const groups = new Map<K, V[]>();
  for (const partition of batch) {
    for (const [key, value] of partition) {
      const group = groups.get(key);
      if (group) group.push(value);
      else groups.set(key, [value]);
    }
  }
  return [...groups];
}
