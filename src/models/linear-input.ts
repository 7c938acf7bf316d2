import { borrowKernelArray, returnKernelArray } from './kernels/kernel-arrays.js';
import { packDenseInOnePass, type FeaturesOf } from './kernels/pack-dense.js';
import { KERNEL_MEMORY, packVectors, type RejectRecord } from './kernels/pack.js';
import { describeRecord } from './kernels/vector-problems.js';
import type { LabeledRows } from './optim/gradient-sum.js';
import { rejectAsOriginals } from './rejected-records.js';

/*
 * Turns one partition of labelled records into packed rows and labels for the linear models'
 * training and evaluation, sending every record they can't use to `reject` with the reason:
 * records that aren't labelled points, labels the model can't learn from, vectors of the wrong
 * dimension or with NaN / infinite values. The vectors are packed by `kernels/pack.ts`, dense
 * ones straight into kernel memory with their labels beside them. Records the label check refuses
 * are rejected first, then those whose vectors are unusable, each group in record order.
 */

/** A packed labelled partition whose memory goes back with `release()` (no use after it). */
export interface ReleasableLabeledRows extends LabeledRows {
  release(): void;
}

/** Why a label can't be used by a model, or undefined when it can. */
export type LabelCheck = (label: number) => string | undefined;

/** Any finite number is a regression label. */
export const anyFiniteLabel: LabelCheck = (label) =>
  Number.isFinite(label) ? undefined : `label ${String(label)} is not a finite number`;

/** Logistic regression learns from labels 0 and 1 only (Spark's binary label validator). */
export const binaryLabel: LabelCheck = (label) =>
  label === 0 || label === 1 ? undefined : `logistic regression needs labels 0 or 1, got ${label}`;

/** Packs a partition of labelled points (`LabeledPoint` or `{ label, features }`). */
export function packLabeledPartition(
  records: readonly unknown[],
  d: number,
  checkLabel: LabelCheck,
  reject: RejectRecord,
): ReleasableLabeledRows {
  const featuresOf: FeaturesOf = (record) =>
    labeledPointProblem(record, checkLabel) ?? (record as { features: unknown });
  const dense = packDenseInOnePass(records, d, reject, KERNEL_MEMORY, featuresOf);
  if (dense === undefined) return packWithSparse(records, d, checkLabel, reject);
  const { rows, kept } = dense;
  let labels: Float64Array;
  try {
    labels = borrowKernelArray(rows.n);
  } catch (error) {
    dense.release();
    throw error;
  }
  for (let i = 0; i < rows.n; i++) labels[i] = (records[kept[i]] as { label: number }).label;
  return {
    rows,
    labels,
    release: () => {
      dense.release();
      returnKernelArray(labels);
    },
  };
}

/** A partition with sparse vectors, packed in ordinary memory (the JavaScript kernels' case). */
function packWithSparse(
  records: readonly unknown[],
  d: number,
  checkLabel: LabelCheck,
  reject: RejectRecord,
): ReleasableLabeledRows {
  const originals: unknown[] = [];
  const features: unknown[] = [];
  const labels: number[] = [];
  for (const record of records) {
    const problem = labeledPointProblem(record, checkLabel);
    if (problem !== undefined) {
      reject(record, problem);
      continue;
    }
    const point = record as { label: number; features: unknown };
    originals.push(record);
    features.push(point.features);
    labels.push(point.label);
  }
  const { rows, kept } = rejectAsOriginals(originals, reject, (onReject) =>
    packVectors(features, d, onReject),
  );
  const keptLabels = new Float64Array(rows.n);
  for (let i = 0; i < rows.n; i++) keptLabels[i] = labels[kept[i]];
  return { rows, labels: keptLabels, release: () => undefined };
}

function labeledPointProblem(record: unknown, checkLabel: LabelCheck): string | undefined {
  if (typeof record !== 'object' || record === null || !('label' in record)) {
    return `expected a labelled point { label, features }, got ${describeRecord(record)}`;
  }
  if (!('features' in record)) return 'labelled point has no features';
  const label = (record as { label: unknown }).label;
  if (typeof label !== 'number') return `label must be a number, got ${describeRecord(label)}`;
  return checkLabel(label);
}
