import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { Logger, scrubText } from '@bhyt/observability';
import { HTTP_STATUS_OF_KIND, PlatformError } from '@bhyt/contracts';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/**
 * Codes of the errors the platform's own HTTP layer raises, with their status: the one place
 * where such a code meets HTTP. Services' domain codes travel in {@link DomainError} with theirs.
 */
export const HttpProblemCodes = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  PATH_PARAMETER_INVALID: 400,
  QUERY_PARAMETER_INVALID: 400,
  INPUT_INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  FACILITY_UNKNOWN: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  INTERNAL: 500,
  AUDIT_UNAVAILABLE: 503,
} as const;
export type HttpProblemCode = keyof typeof HttpProblemCodes;

/** 422 with every field error named; never echoes submitted values (personal data). */
export class ValidationFailed extends HttpException {
  constructor(errors: FieldError[], message = 'request validation failed') {
    super({ error: 'VALIDATION_FAILED', message, errors }, HttpStatus.UNPROCESSABLE_ENTITY);
  }
}

/** A refusal with a stable code (the code's HTTP status given where the code is defined). */
export class DomainError extends HttpException {
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super({ ...extra, error: code, message }, status);
  }
}

/** A malformed path or query parameter: 400 naming it (never its value). */
export class ParameterInvalid extends HttpException {
  constructor(errors: FieldError[], where: 'path' | 'query' = 'path') {
    const code: HttpProblemCode = where === 'path' ? 'PATH_PARAMETER_INVALID' : 'QUERY_PARAMETER_INVALID';
    super(
      {
        error: code,
        message: `${where} parameter invalid: ${errors.map((e) => e.field).join(', ')}`,
        errors,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
}

/**
 * RFC 9457 problem details, the one error shape of every service. `code` is the stable code;
 * `error` and `message` repeat `code` and `detail` for clients written before this shape.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    ...extra,
    type: `urn:bhyt:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error',
    status,
    detail,
    code,
    error: code,
    message: detail,
  };
}

const NEST_CODES: Record<number, HttpProblemCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** An HttpException as a problem: our own bodies carry `error` (the code), Nest's carry `statusCode`. */
function fromHttpException(exception: HttpException): Problem {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === 'string') return problem(status, NEST_CODES[status] ?? 'ERROR', scrubText(body));
  const b = body as Record<string, unknown>;
  if (typeof b['error'] === 'string' && !('statusCode' in b)) {
    // The guard's refusals name the policy rule in `code` under a generic `error`.
    const { error, message, code, ...extra } = b;
    const stable = typeof code === 'string' ? code : String(error);
    return problem(status, stable, String(message ?? error), extra);
  }
  // Nest's own exceptions (unknown route, malformed JSON…): keep the status, scrub the text.
  const detail = Array.isArray(b['message'])
    ? b['message'].join('; ')
    : String(b['message'] ?? HttpStatus[status] ?? 'error');
  const code = status === 400 && /JSON/i.test(detail) ? 'MALFORMED_JSON' : (NEST_CODES[status] ?? 'ERROR');
  return problem(status, code, scrubText(detail));
}

/**
 * Errors thrown below Nest: body-parser's (`type` entity.too.large, entity.parse.failed…, with
 * a 4xx `status`) and PostgreSQL's data exceptions (SQLSTATE class 22: a value the column type
 * cannot hold — e.g. a non-numeric version in a path — is the caller's input, not a fault).
 */
function fromLowerLayer(exception: unknown): Problem | undefined {
  if (!exception || typeof exception !== 'object') return undefined;
  const e = exception as { type?: unknown; status?: unknown; code?: unknown };
  if (e.type === 'entity.too.large')
    return problem(413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than this service accepts');
  if (e.type === 'entity.parse.failed')
    return problem(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
  if (typeof e.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return problem(
      e.status,
      e.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST',
      `the request body cannot be read (${e.type})`,
    );
  }
  if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && 'severity' in exception) {
    return problem(400, 'INPUT_INVALID', 'a parameter has a value of the wrong type or range');
  }
  return undefined;
}

/** The problem for any exception (exported for tests and for non-HTTP callers that report it). */
export function toProblem(exception: unknown): Problem {
  // The domain's refusals carry a kind, never a status: this is where the kind becomes one.
  if (exception instanceof PlatformError)
    return problem(
      HTTP_STATUS_OF_KIND[exception.kind],
      exception.code,
      scrubText(exception.message),
      exception.details,
    );
  if (exception instanceof HttpException) return fromHttpException(exception);
  return fromLowerLayer(exception) ?? problem(500, 'INTERNAL', 'internal error');
}

/**
 * Every error leaves as `application/problem+json` with a stable `code`. Unexpected errors are
 * logged (scrubbed) and answered with 500 without internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}
  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    const p = toProblem(exception);
    if (p.status >= 500 && !(exception instanceof HttpException) && !(exception instanceof PlatformError))
      this.logger.error({ error: exception }, 'unhandled error in request');
    else if (p.code === 'INPUT_INVALID')
      this.logger.warn(
        { sqlState: (exception as { code?: string }).code },
        'request refused by a database type check',
      );
    if (res.headersSent) return;
    res.status(p.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(p));
  }
}
