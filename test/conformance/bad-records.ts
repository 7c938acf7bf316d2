import { Vectors } from '../../src/index.js';
import type { BadRecord } from './adapter.js';

/** Dimension of every model under test. */
export const DIMENSION = 3;

/** Vectors no model of dimension 3 can use, each with the reason its dead letter must give. */
export const BAD_VECTORS: readonly BadRecord[] = [
  { record: [1, 2], reason: /expected a vector of dimension 3, got dimension 2/ },
  { record: [1, 2, 3, 4], reason: /expected a vector of dimension 3, got dimension 4/ },
  { record: Vectors.sparse(5, [1], [1]), reason: /of dimension 3, got dimension 5/ },
  { record: [1, Number.NaN, 2], reason: /non-finite value NaN at position 1/ },
  { record: Float64Array.of(Number.POSITIVE_INFINITY, 0, 0), reason: /non-finite value Infinity/ },
  { record: Vectors.sparse(3, [2], [Number.NaN]), reason: /non-finite value NaN/ },
  { record: null, reason: /expected a vector .*, got null/ },
];

/**
 * Labelled records no linear model of dimension 3 can learn from (`badLabels` adds the labels a
 * given model refuses), each with the reason its dead letter must give.
 */
export function badLabeledPoints(badLabels: readonly BadRecord[]): readonly BadRecord[] {
  return [
    { record: { label: 1, features: [1, 2] }, reason: /of dimension 3, got dimension 2/ },
    { record: { label: 0, features: [1, Number.NaN, 2] }, reason: /non-finite value NaN/ },
    {
      record: { label: 1, features: Vectors.sparse(3, [0], [Number.NaN]) },
      reason: /non-finite value NaN/,
    },
    { record: { features: [1, 2, 3] }, reason: /expected a labelled point/ },
    { record: 'junk', reason: /expected a labelled point .*string "junk"/ },
    { record: { label: 1 }, reason: /labelled point has no features/ },
    ...badLabels,
  ];
}
