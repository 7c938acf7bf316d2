import { ModelFormatError } from '../streaming/errors.js';
import {
  envelope,
  openEnvelope,
  readNumbers,
  restoreSaved,
  type ModelEnvelope,
} from './persistence.js';
import {
  checkLinearSettings,
  type StreamingLinearOptions,
  type StreamingLinearSettings,
} from './streaming-linear-options.js';

/** Layout version of saved streaming linear models; `fromJSON` refuses any other. */
const FORMAT_VERSION = 1;

/**
 * What a streaming linear model's `toJSON()` gives: its settings, initial weights and current
 * model (the `toJSON()` of a `LinearRegressionModel` or `LogisticRegressionModel`).
 *
 * @example
 * import { StreamingLinearRegressionWithSGD } from 'millrace';
 * const saved = new StreamingLinearRegressionWithSGD({ initialWeights: [0, 0] }).toJSON();
 * saved.settings.stepSize; // 0.1
 */
export interface StreamingLinearJSON extends ModelEnvelope {
  readonly name: string | null;
  readonly settings: StreamingLinearSettings;
  readonly initialWeights: number[] | null;
  readonly model: object | null;
}

/** Wraps a streaming linear model's fields in the versioned envelope. */
export function savedAlgorithm(
  className: string,
  payload: Omit<StreamingLinearJSON, keyof ModelEnvelope>,
): StreamingLinearJSON {
  return envelope(className, FORMAT_VERSION, payload);
}

/**
 * Reads a saved streaming linear model of `className` back into constructor options and the
 * saved model's JSON; anything malformed is a ModelFormatError naming the field.
 */
export function readSavedAlgorithm(
  json: unknown,
  className: string,
): { options: StreamingLinearOptions; model: unknown } {
  const record = openEnvelope(json, className, [FORMAT_VERSION]);
  const { name, settings, model } = record;
  if (name !== null && typeof name !== 'string') {
    throw new ModelFormatError(`saved ${className} has a "name" that is neither a string nor null`);
  }
  if (typeof settings !== 'object' || settings === null) {
    throw new ModelFormatError(`saved ${className} has no "settings" object`);
  }
  restoreSaved(`saved ${className} has invalid settings`, () =>
    checkLinearSettings(settings as StreamingLinearSettings),
  );
  const initialWeights =
    record.initialWeights === null ? undefined : readNumbers(record, 'initialWeights', className);
  return {
    options: {
      ...(settings as StreamingLinearSettings),
      ...(name === null ? {} : { name }),
      ...(initialWeights === undefined ? {} : { initialWeights }),
    },
    model: model ?? null,
  };
}
