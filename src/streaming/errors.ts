/**
 * The error classes millrace throws. Every error is a {@link MillraceError} with a stable `code`,
 * so callers can branch on `err.code` without matching message text.
 */

/** Base class of every error millrace throws on purpose. */
export class MillraceError extends Error {
  /** A stable, machine-readable identifier of the error's family. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A setting or argument is invalid: raised at once, where the setting is made. */
export class ConfigurationError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIGURATION', message, options);
  }
}

/** An operation is not allowed in the object's current lifecycle state (e.g. start twice). */
export class StateError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STATE', message, options);
  }
}

/** A record can't be parsed or used; parsing operators route it to the dead-letter stream. */
export class DataError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DATA', message, options);
  }
}

/** A source failed to deliver data. `retriable` says whether trying again may succeed. */
export class SourceError extends MillraceError {
  readonly retriable: boolean;

  constructor(message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super('ERR_SOURCE', message, options);
    this.retriable = options?.retriable ?? false;
  }
}

/** A batch failed because one of its output operations threw; names the batch and operator. */
export class BatchFailedError extends MillraceError {
  readonly batchTime: number;
  readonly operatorName: string;

  constructor(batchTime: number, operatorName: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'ERR_BATCH_FAILED',
      `batch ${batchTime} failed in output operation "${operatorName}": ${reason}`,
      { cause },
    );
    this.batchTime = batchTime;
    this.operatorName = operatorName;
  }
}

/** A saved model can't be read: wrong kind, unknown format version, or malformed content. */
export class ModelFormatError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MODEL_FORMAT', message, options);
  }
}

/** Describes a thrown value for messages and records, whatever was thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
