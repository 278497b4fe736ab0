import { context, propagation, trace, SpanKind, SpanStatusCode, Span, Context } from '@opentelemetry/api';

/**
 * Tracing helpers. The OpenTelemetry SDK itself is started by `startTracing()` in the
 * service's entry file, before anything else is imported (see libs/service-kit/src/tracing-preload.ts).
 */
export const tracer = () => trace.getTracer('bhyt-platform');

export type CarrierHeaders = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

export function injectTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function extractTraceContext(headers: CarrierHeaders | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    carrier[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return propagation.extract(context.active(), carrier);
}

/** Runs fn inside a span; records the error status; attributes must not hold personal data. */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  options: { kind?: SpanKind; parent?: Context } = {},
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}
export { SpanKind };
