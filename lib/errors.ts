/**
 * Every error mfrec raises on purpose is an {@link MfrecError}. Match on
 * `code`, which is stable across releases; the message may improve.
 */
export const ErrorCodes = {
  /** A function argument or option has the wrong type, range or value. */
  INVALID_ARGUMENT: 'ERR_MFREC_INVALID_ARGUMENT',
  /** An option name that the function does not know (often a typo). */
  UNKNOWN_OPTION: 'ERR_MFREC_UNKNOWN_OPTION',
  /** A line of an input file could not be parsed. */
  PARSE: 'ERR_MFREC_PARSE',
  /** An input file could not be read (missing, unreadable, bad gzip). */
  IO: 'ERR_MFREC_IO',
  /** The data cannot be used (empty, or no overlap with the model). */
  EMPTY_DATA: 'ERR_MFREC_EMPTY_DATA',
  /** A user or item id that the model has never seen, under the 'error' policy. */
  UNKNOWN_ID: 'ERR_MFREC_UNKNOWN_ID',
  /** The model has not been trained yet. */
  NOT_FITTED: 'ERR_MFREC_NOT_FITTED',
  /** The model is being trained; this call must wait. */
  BUSY: 'ERR_MFREC_BUSY',
  /** The operation was cancelled through its AbortSignal. */
  ABORTED: 'ERR_MFREC_ABORTED',
  /** A model file is not an mfrec model file (wrong magic). */
  BAD_MAGIC: 'ERR_MFREC_BAD_MAGIC',
  /** A model file was written by a newer, incompatible format version. */
  UNSUPPORTED_VERSION: 'ERR_MFREC_UNSUPPORTED_VERSION',
  /** A model file is truncated or its checksum does not match. */
  CORRUPT_FILE: 'ERR_MFREC_CORRUPT_FILE',
  /** Training diverged (non-finite factors): lower the learning rate. */
  DIVERGED: 'ERR_MFREC_DIVERGED',
  /** A request would need more memory than can be allocated. */
  OUT_OF_MEMORY: 'ERR_MFREC_OUT_OF_MEMORY',
  /** Failure inside the native core. */
  NATIVE: 'ERR_MFREC_NATIVE',
  /** A new model was refused by a promotion gate (lib/serve): the running model keeps serving. */
  REFUSED: 'ERR_MFREC_REFUSED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class MfrecError extends Error {
  /** One of {@link ErrorCodes}: a closed set, so a `switch` over it can be exhaustive. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MfrecError';
    this.code = code;
  }
}

export function isMfrecError(e: unknown, code?: ErrorCode): e is MfrecError {
  return e instanceof MfrecError && (code === undefined || e.code === code);
}
