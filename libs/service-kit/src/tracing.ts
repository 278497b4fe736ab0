import type { IncomingMessage } from 'node:http';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
// The SDK's own reading of OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_PROTOCOL, so that our
// redacting processor can sit in front of the exporters it configures.
import { getSpanProcessorsFromEnv } from '@opentelemetry/sdk-node/build/src/utils';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { scrubAttributes, scrubText } from '@bhyt/observability';

let sdk: NodeSDK | undefined;

/** Paths that are polled by probes and Prometheus: tracing them would bury the claims' traces. */
const UNTRACED_PATHS = [/^\/health(\/|$)/, /^\/metrics$/, /^\/docs(\/|$)/];

/** Query parameters that carry gateway credentials or tokens (BHYT gateway API puts them in the URL). */
export const REDACTED_QUERY_PARAMS = [
  'token',
  'id_token',
  'access_token',
  'username',
  'password',
  'ma_the',
  'maThe',
  'hoTen',
  'ngaySinh',
  'cccd',
];

export function isUntracedRequest(path: string | undefined): boolean {
  const p = (path ?? '').split('?')[0] ?? '';
  return UNTRACED_PATHS.some((re) => re.test(p));
}

/**
 * Starts OpenTelemetry. Spans go to the OTLP endpoint named by OTEL_EXPORTER_OTLP_ENDPOINT
 * (protocol from OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, http/json, grpc);
 * without one, the SDK still runs (W3C context propagation through Kafka headers works) and
 * exports nothing.
 *
 * Instrumented: HTTP server and client (node:http — the Nest/Express server and the gateway
 * client), PostgreSQL queries (pg, only inside a span: the relay's and scheduler's polling
 * would otherwise make a root trace per poll; statements carry placeholders, never values).
 * Kafka produce and consume spans are made by @bhyt/persistence (outbox relay) and
 * @bhyt/messaging (consumer), because the relay publishes outside the request's context and
 * must continue the trace stored with each outbox row.
 *
 * The entry files call this first thing; imports are hoisted, so `http` and `pg` are loaded
 * before it runs — both instrumentations patch prototypes (Server.prototype.emit,
 * Client.prototype.query) when the module is next required, which the e2e tracing suite checks.
 */
/**
 * Runs first on every ended span, before the exporters: attribute, event and status texts go
 * through the personal-data scrub. Our own spans carry codes and ids only; this catches what
 * instrumentations record from the outside (URLs, statements, exception messages).
 */
export class RedactingSpanProcessor implements tracing.SpanProcessor {
  onStart(): void {}
  onEnd(span: tracing.ReadableSpan): void {
    scrubAttributes(span.attributes as Record<string, unknown>);
    for (const e of span.events) if (e.attributes) scrubAttributes(e.attributes as Record<string, unknown>);
    if (span.status.message) (span.status as { message?: string }).message = scrubText(span.status.message);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export function startTracing(service: string): void {
  if (sdk) return;
  process.env['OTEL_SERVICE_NAME'] ??= `bhyt-${service}`;
  if (!process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    process.env['OTEL_TRACES_EXPORTER'] ??= 'none';
  }
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none'; // metrics are Prometheus (prom-client) on /metrics
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none'; // logs are JSON lines on stdout, collected by the platform
  sdk = new NodeSDK({
    // Always a recording provider, exporting or not: trace and span ids then exist for the
    // logs and the Kafka headers even where no collector is configured.
    spanProcessors: [new RedactingSpanProcessor(), ...getSpanProcessorsFromEnv()],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => isUntracedRequest(req.url),
        // Outgoing calls are traced only as part of work (gateway submit, status poll).
        requireParentforOutgoingSpans: true,
        redactedQueryParams: REDACTED_QUERY_PARAMS,
      }),
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  // Node re-requires nothing by itself: ask for the patched modules once so that references
  // taken before start (hoisted imports) see the instrumented prototypes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:http');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('pg');
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
