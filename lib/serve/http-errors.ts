/**
 * How the service answers an error: `{ "error": { "code", "message" } }`
 * with a status that says whose fault it is. MfrecError codes map to
 * 400 (the request is wrong), 404 (an id the model does not know) or 503
 * (no model to answer with, or it is busy); the service's own failures
 * (request validation, body parsing, unknown routes, missing metadata) get
 * codes in the same style. Anything else is a 500 whose details go to the
 * log, not to the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, MfrecError, type ErrorCode } from '../errors.js';

/** Codes only the service answers with (the library never throws them). */
export const ServiceErrorCodes = {
  /** No route has this method and path. */
  NOT_FOUND: 'ERR_MFREC_NOT_FOUND',
  /** The model holds no metadata for this item (or none at all). */
  NO_METADATA: 'ERR_MFREC_NO_METADATA',
  /** A failure of the service itself; the log has the details. */
  INTERNAL: 'ERR_MFREC_INTERNAL',
} as const;

export type ServiceErrorCode = (typeof ServiceErrorCodes)[keyof typeof ServiceErrorCodes];

const STATUS: Record<ErrorCode, number> = {
  [ErrorCodes.INVALID_ARGUMENT]: 400,
  [ErrorCodes.UNKNOWN_OPTION]: 400,
  [ErrorCodes.PARSE]: 400,
  [ErrorCodes.EMPTY_DATA]: 400,
  [ErrorCodes.UNKNOWN_ID]: 404,
  [ErrorCodes.NOT_FITTED]: 503,
  [ErrorCodes.BUSY]: 503,
  [ErrorCodes.ABORTED]: 503,
  [ErrorCodes.OUT_OF_MEMORY]: 503,
  [ErrorCodes.REFUSED]: 503,
  [ErrorCodes.IO]: 500,
  [ErrorCodes.BAD_MAGIC]: 500,
  [ErrorCodes.UNSUPPORTED_VERSION]: 500,
  [ErrorCodes.CORRUPT_FILE]: 500,
  [ErrorCodes.DIVERGED]: 500,
  [ErrorCodes.NATIVE]: 500,
};

/** An error the service raises itself, with its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ServiceErrorCode | ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

/** fastify's error handler for the service's routes. */
export function handleError(error: FastifyError | MfrecError | HttpError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof MfrecError) {
    const status = STATUS[error.code] ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'model error');
    return sendError(reply, status, error.code, status >= 500 && status !== 503 ? 'internal error' : error.message);
  }
  if (error instanceof HttpError) return sendError(reply, error.statusCode, error.code, error.message);
  const f = error as FastifyError;
  // Schema validation: name the part of the request that was wrong.
  if (f.validation !== undefined) return sendError(reply, 400, ErrorCodes.INVALID_ARGUMENT, f.message);
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    const code = f.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || f.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? ErrorCodes.PARSE : ErrorCodes.INVALID_ARGUMENT;
    return sendError(reply, f.statusCode, code, f.message);
  }
  request.log.error({ err: error }, 'request failed');
  return sendError(reply, 500, ServiceErrorCodes.INTERNAL, 'internal error');
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, ServiceErrorCodes.NOT_FOUND, `No route ${request.method} ${request.url.split('?')[0]}`);
}
