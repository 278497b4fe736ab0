import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before the application is loaded. Spans go to the OTLP endpoint named
 * by OTEL_EXPORTER_OTLP_ENDPOINT; without one, the SDK still runs (W3C context propagation
 * through Kafka headers works) and exports nothing.
 */
export function startTracing(service: string): void {
  if (sdk) return;
  process.env['OTEL_SERVICE_NAME'] ??= `bhyt-${service}`;
  if (!process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    process.env['OTEL_TRACES_EXPORTER'] ??= 'none';
  }
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  sdk = new NodeSDK({});
  sdk.start();
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
