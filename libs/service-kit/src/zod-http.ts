import { z } from 'zod';
import { ValidationFailed, FieldError } from './http-errors';

/** Parses a request body with a zod schema; a failure lists every field error (422). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : '(body)',
    code: i.code.toUpperCase(),
    message: i.message,
  }));
  throw new ValidationFailed(errors);
}
