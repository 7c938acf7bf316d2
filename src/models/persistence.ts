import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigurationError, ModelFormatError } from '../streaming/errors.js';

/** The envelope every saved model carries, so a reader knows what it holds and which layout. */
export interface ModelEnvelope {
  readonly format: 'millrace-model';
  /** The class that wrote it, e.g. `StreamingKMeansModel`. */
  readonly kind: string;
  /** Layout version of that kind; readers refuse versions they don't know. */
  readonly version: number;
}

/** Wraps a model's JSON-able fields in the versioned envelope. */
export function envelope<P extends object>(
  kind: string,
  version: number,
  payload: P,
): ModelEnvelope & P {
  return { format: 'millrace-model', kind, version, ...payload };
}

/**
 * Checks that `json` is a saved model of `kind` in one of `supportedVersions`, and returns it.
 * Floats survive the JSON round-trip exactly: JavaScript prints the shortest text that reads back
 * to the same float64.
 */
export function openEnvelope(
  json: unknown,
  kind: string,
  supportedVersions: readonly number[],
): Record<string, unknown> {
  if (typeof json !== 'object' || json === null) {
    throw new ModelFormatError(
      `expected a saved ${kind} (an object), got ${json === null ? 'null' : typeof json}`,
    );
  }
  const record = json as Record<string, unknown>;
  if (record.format !== 'millrace-model') {
    throw new ModelFormatError(
      `not a millrace model: "format" is ${JSON.stringify(record.format)}`,
    );
  }
  if (record.kind !== kind) {
    throw new ModelFormatError(`expected a saved ${kind}, got a ${String(record.kind)}`);
  }
  if (typeof record.version !== 'number' || !supportedVersions.includes(record.version)) {
    throw new ModelFormatError(
      `${kind} format version ${String(record.version)} is not supported by this millrace (supported: ${supportedVersions.join(', ')}); upgrade millrace or re-save the model`,
    );
  }
  return record;
}

/** Reads a numeric array field of a saved model, failing clearly on anything else. */
export function readNumbers(
  record: Record<string, unknown>,
  field: string,
  kind: string,
): Float64Array {
  const value = record[field];
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'number')) {
    throw new ModelFormatError(`saved ${kind} has no numeric array "${field}"`);
  }
  return Float64Array.from(value as number[]);
}

/**
 * Runs `restore` (constructors and setters fed with saved values) and turns the
 * `ConfigurationError` they throw on a bad value into a `ModelFormatError` starting with
 * `problem`: the fault is in the saved data, not in the caller's code.
 */
export function restoreSaved<T>(problem: string, restore: () => T): T {
  try {
    return restore();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new ModelFormatError(`${problem}: ${error.message}`, { cause: error });
  }
}

/** Writes a model's JSON atomically (temporary file, then rename), creating the directory. */
export async function writeModelFile(path: string, json: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(json));
  await rename(temporary, path);
}

/** Reads a model file's JSON; a missing or malformed file fails with the path named. */
export async function readModelFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelFormatError(`model file ${path} is not valid JSON`, { cause: error });
  }
}
