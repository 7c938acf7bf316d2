import { describe, expect, it } from 'vitest';
import { LabeledPoint, Vectors } from '../../src/index.js';
import {
  anyFiniteLabel,
  binaryLabel,
  packLabeledPartition,
} from '../../src/models/linear-input.js';
import { SeededRandom } from '../../src/models/random.js';

interface Rejection {
  readonly record: unknown;
  readonly reason: string;
}

/**
 * Labelled records of dimension d with every kind of unusable record between good ones. The
 * expected rejections are written out: first the records whose label or shape is refused, then
 * those whose vectors are unusable, each group in record order.
 */
function mixedPartition(d: number, seed: number) {
  const random = new SeededRandom(seed);
  const row = () => Float64Array.from({ length: d }, () => random.nextGaussian());
  const records: unknown[] = [];
  const good: { label: number; features: number[] }[] = [];
  const refused: { record: unknown; reason: RegExp }[] = [];
  const unusable: { record: unknown; reason: RegExp }[] = [];
  const addGood = (label: number, features: Float64Array | number[]) => {
    const record =
      records.length % 2 === 0 ? new LabeledPoint(label, features) : { label, features };
    good.push({ label, features: Array.from(features) });
    records.push(record);
  };
  for (let i = 0; i < 30; i++) addGood(i % 2, i % 5 === 0 ? Array.from(row()) : row());
  const nan = row();
  nan[d - 1] = Number.NaN;
  records.push({ label: 1, features: nan });
  unusable.push({
    record: records.at(-1),
    reason: new RegExp(`non-finite value NaN at position ${d - 1}`),
  });
  records.push({ label: 2, features: row() });
  refused.push({ record: records.at(-1), reason: /needs labels 0 or 1, got 2/ });
  addGood(1, row());
  records.push({ label: 0, features: [1, 2] });
  unusable.push({ record: records.at(-1), reason: new RegExp(`dimension ${d}, got dimension 2`) });
  records.push('junk');
  refused.push({ record: 'junk', reason: /expected a labelled point .*string "junk"/ });
  records.push({ label: 0 });
  refused.push({ record: records.at(-1), reason: /labelled point has no features/ });
  const infinite = row();
  infinite[0] = -Infinity;
  records.push({ label: 0, features: infinite });
  unusable.push({ record: records.at(-1), reason: /non-finite value -Infinity at position 0/ });
  for (let i = 0; i < 10; i++) addGood(0, row());
  return { records, good, expected: [...refused, ...unusable] };
}

describe('packLabeledPartition', () => {
  for (const d of [4, 24]) {
    it(`d = ${d}: packs usable points with their labels; rejects the rest, refused records first`, () => {
      const { records, good, expected } = mixedPartition(d, 60 + d);
      const rejections: Rejection[] = [];
      const packed = packLabeledPartition(records, d, binaryLabel, (record, reason) =>
        rejections.push({ record, reason }),
      );
      try {
        const { rows, labels } = packed;
        expect(rows.kind).toBe('dense');
        expect(rows.n).toBe(good.length);
        if (rows.kind !== 'dense') return;
        good.forEach((point, i) => {
          expect(Array.from(rows.data.subarray(i * d, (i + 1) * d))).toEqual(point.features);
          expect(labels[i]).toBe(point.label);
        });
        expect(rejections.map((r) => r.record)).toEqual(expected.map((e) => e.record));
        rejections.forEach((r, i) => expect(r.reason).toMatch(expected[i].reason));
      } finally {
        packed.release();
      }
    });
  }

  it('packs sparse features in CSR form, with the same rejections', () => {
    const records = [
      { label: 0.5, features: Vectors.sparse(40, [1, 30], [2, 3]) },
      { label: Number.NaN, features: Vectors.sparse(40, [0], [1]) },
      { label: -1, features: Vectors.sparse(40, [5], [Number.POSITIVE_INFINITY]) },
      { label: 2, features: Vectors.sparse(40, [39], [4]) },
    ];
    const rejections: Rejection[] = [];
    const packed = packLabeledPartition(records, 40, anyFiniteLabel, (record, reason) =>
      rejections.push({ record, reason }),
    );
    expect(packed.rows.kind).toBe('sparse');
    expect(Array.from(packed.labels)).toEqual([0.5, 2]);
    expect(rejections).toEqual([
      { record: records[1], reason: 'label NaN is not a finite number' },
      { record: records[2], reason: 'non-finite value Infinity at position 0' },
    ]);
    packed.release();
  });
});
