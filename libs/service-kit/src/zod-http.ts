import { z } from 'zod';
import { FieldError, ParameterInvalid, ValidationFailed } from './http-errors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Paths of strings (values and keys) PostgreSQL cannot store: NUL characters (text and jsonb
 * refuse them) and unpaired UTF-16 surrogates (jsonb refuses their escapes). Found at the
 * edge, they are a 422 field error instead of a database error (500, or a Kafka retry loop).
 */
export function unstorableTextPaths(value: unknown, path = '', out: string[] = [], depth = 0): string[] {
  if (out.length >= 20 || depth > 64) return out;
  const bad = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
  if (typeof value === 'string') {
    if (bad(value)) out.push(path || '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableTextPaths(v, path ? `${path}.${i}` : String(i), out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (bad(k)) out.push(`${path || '(body)'}[key]`);
      else unstorableTextPaths(v, p, out, depth + 1);
    }
  }
  return out;
}

/** Parses a request body with a zod schema; a failure lists every field error (422). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  const errors: FieldError[] = unstorableTextPaths(body).map((field) => ({
    field,
    code: 'UNSTORABLE_TEXT',
    message: 'text contains NUL or unpaired surrogate characters',
  }));
  if (result.success && errors.length === 0) return result.data;
  if (!result.success) {
    errors.push(
      ...result.error.issues.map((i) => ({
        field: i.path.length ? i.path.join('.') : '(body)',
        code: i.code.toUpperCase(),
        message: i.message,
      })),
    );
  }
  throw new ValidationFailed(errors);
}

/** Parses path (or query) parameters with a zod schema; a failure is a 400 naming each parameter. */
export function parseParams<S extends z.ZodType>(
  schema: S,
  params: unknown,
  where: 'path' | 'query' = 'path',
): z.infer<S> {
  const result = schema.safeParse(params);
  const errors: FieldError[] = unstorableTextPaths(params).map((field) => ({
    field,
    code: 'UNSTORABLE_TEXT',
    message: 'text contains NUL or unpaired surrogate characters',
  }));
  if (result.success && errors.length === 0) return result.data;
  if (!result.success)
    errors.push(
      ...result.error.issues.map((i) => ({
        field: i.path.length ? i.path.join('.') : `(${where})`,
        code: i.code.toUpperCase(),
        message: i.message,
      })),
    );
  throw new ParameterInvalid(errors, where);
}
