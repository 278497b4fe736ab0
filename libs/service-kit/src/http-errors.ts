import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { Logger, scrubText } from '@bhyt/observability';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** 422 with every field error named; never echoes submitted values (personal data). */
export class ValidationFailed extends HttpException {
  constructor(errors: FieldError[], message = 'request validation failed') {
    super({ error: 'VALIDATION_FAILED', message, errors }, HttpStatus.UNPROCESSABLE_ENTITY);
  }
}

export class DomainError extends HttpException {
  constructor(status: number, code: string, message: string) {
    super({ error: code, message }, status);
  }
}

/**
 * Every error leaves as JSON with a stable `error` code. Unexpected errors are logged (scrubbed)
 * and answered with 500 without internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}
  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const payload = typeof body === 'string' ? { error: HttpStatus[status] ?? 'ERROR', message: body } : body;
      if (status === 400 && typeof body === 'object' && body && 'message' in body && !('errors' in body)) {
        // Nest's own parse errors (e.g. malformed JSON) keep their status with our shape.
        res.status(400).json({ error: 'BAD_REQUEST', message: scrubText(String((body as { message: unknown }).message)) });
        return;
      }
      res.status(status).json(payload);
      return;
    }
    this.logger.error({ error: exception }, 'unhandled error in request');
    res.status(500).json({ error: 'INTERNAL', message: 'internal error' });
  }
}
