import { DataError } from '../streaming/errors.js';
import { Vectors, formatVector, toVector, type Vector, type VectorLike } from './vectors.js';

/** What public methods accept wherever a labelled point goes. */
export interface LabeledPointLike {
  readonly label: number;
  readonly features: VectorLike;
}

/** A label with its feature vector (Spark's `LabeledPoint`). */
export class LabeledPoint {
  readonly features: Vector;

  constructor(
    readonly label: number,
    features: VectorLike,
  ) {
    this.features = toVector(features);
  }

  /** A `LabeledPoint` from anything shaped like one (plain objects, `number[]` features). */
  static from(point: LabeledPointLike): LabeledPoint {
    return point instanceof LabeledPoint ? point : new LabeledPoint(point.label, point.features);
  }

  /**
   * Parses Spark's text form `"(label,[f1,f2])"` or `"(label,(size,[i...],[v...]))"`.
   *
   * @example LabeledPoint.parse('(1.0,[2,3])') // label 1, features [2, 3]
   */
  static parse(text: string): LabeledPoint {
    if (typeof text !== 'string')
      throw new DataError(`LabeledPoint.parse needs a string, got ${typeof text}`);
    const trimmed = text.trim();
    const match = /^\(\s*([^,]+?)\s*,\s*(.+)\)$/.exec(trimmed);
    if (!match) {
      throw new DataError(
        `cannot parse "${trimmed}" as a labelled point: expected "(label,[features])"`,
      );
    }
    const label = Number(match[1]);
    if (Number.isNaN(label))
      throw new DataError(`cannot parse label "${match[1]}" in "${trimmed}"`);
    return new LabeledPoint(label, Vectors.parse(match[2]));
  }

  toString(): string {
    return `(${this.label},${formatVector(this.features)})`;
  }
}
