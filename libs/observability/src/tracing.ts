import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  Span,
  Context,
  Link,
  Attributes,
} from '@opentelemetry/api';

/**
 * Tracing helpers. The OpenTelemetry SDK itself is started by `startTracing()` (service kit)
 * as the first statement of each service's entry file.
 *
 * One claim is one trace: the W3C context travels in Kafka headers (createEvent injects it,
 * the outbox keeps it, the relay's produce span continues it, the consumer extracts it), and
 * where work is picked up later from a table (encounter close, gateway submission) the stored
 * context of the claim is the parent and the triggering request becomes a link.
 */
export const tracer = () => trace.getTracer('bhyt-platform');

/** Span attribute names for claims. Values are codes and ids — never personal data. */
export const ClaimAttr = {
  facility: 'bhyt.facility',
  maLk: 'bhyt.ma_lk',
  version: 'bhyt.version',
  careType: 'bhyt.care_type',
  gatewayCode: 'bhyt.gateway.code',
  gatewayOutcome: 'bhyt.gateway.outcome',
} as const;

export interface ClaimRef {
  facilityCode?: string;
  maLk?: string;
  version?: number;
  careType?: string;
}

export function claimAttributes(c: ClaimRef): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (c.facilityCode) out[ClaimAttr.facility] = c.facilityCode;
  if (c.maLk) out[ClaimAttr.maLk] = c.maLk;
  if (c.version !== undefined) out[ClaimAttr.version] = c.version;
  if (c.careType) out[ClaimAttr.careType] = c.careType;
  return out;
}

/**
 * Topics whose message key is the claim id (MA_LK). Other topics (audit reads, ingress from
 * ward systems, dead letters) may key by something else, so their key is not put on spans.
 */
const CLAIM_KEYED_TOPICS = /^(intake\.registered|intake\.card-checked|encounter\.closed|checkin\.|claim\.)/;

export function messageKeyAttributes(topic: string, key: string | null | undefined): Record<string, string> {
  if (!key || !CLAIM_KEYED_TOPICS.test(topic)) return {};
  return { 'messaging.kafka.message.key': key, [ClaimAttr.maLk]: key };
}

export type CarrierHeaders = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

export function injectTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function extractTraceContext(
  headers: CarrierHeaders | undefined,
  base: Context = context.active(),
): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    carrier[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return propagation.extract(base, carrier);
}

/** True when the headers carry a valid W3C trace context. */
export function hasTraceContext(headers: CarrierHeaders | undefined): boolean {
  return trace.getSpanContext(extractTraceContext(headers)) !== undefined;
}

/** A link to the span active now (e.g. the HTTP request that triggered work continued in a claim's trace). */
export function linkToActiveSpan(attributes: Attributes = {}): Link[] {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? [{ context: sc, attributes }] : [];
}

/** Runs fn inside a span; records the error status; attributes must not hold personal data. */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  options: { kind?: SpanKind; parent?: Context; links?: Link[] } = {},
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes, links: options.links ?? [] },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        // The error's name only: messages may quote input (personal data).
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
export { SpanKind };
