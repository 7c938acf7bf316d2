import type { RejectRecord } from './kernels/pack.js';

/**
 * Runs `use`, a packer or scorer of stand-ins for `originals` (position i of its input stands for
 * `originals[i]`: the features of a labelled point, the value of a `[key, value]` pair), and
 * reports each record it rejects to `reject` as its original, with the reason it gave. Dead
 * letters then hold what the user sent, not a fragment of it.
 *
 * Packers and scorers reject in increasing position and their `kept` is increasing, so the
 * positions missing from `kept`, in order, are the rejected ones, in order: batches with nothing
 * to reject pay nothing for this.
 *
 * @example
 * const pairs = [['a', [1, 2]], ['b', [Number.NaN, 0]]];
 * const { kept } = rejectAsOriginals(pairs, report, (onReject) =>
 *   packVectors(pairs.map((pair) => pair[1]), 2, onReject),
 * ); // kept: Int32Array [0]; report got ['b', [NaN, 0]] with "non-finite value NaN at position 0"
 */
export function rejectAsOriginals<R extends { readonly kept: Int32Array }>(
  originals: readonly unknown[],
  reject: RejectRecord,
  use: (onReject: RejectRecord) => R,
): R {
  const reasons: string[] = [];
  const result = use((_standIn, reason) => {
    reasons.push(reason);
  });
  const { kept } = result;
  if (kept.length === originals.length) return result;
  let next = 0;
  let rejected = 0;
  for (let position = 0; position < originals.length; position++) {
    if (next < kept.length && kept[next] === position) next++;
    else reject(originals[position], reasons[rejected++] ?? 'rejected by the model');
  }
  return result;
}
