import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process, exposed on /metrics by the service kit. Labels carry
 * facility codes, topics and result codes — never personal data or MA_LK (unbounded).
 */
export const metricsRegistry = new Registry();
let defaultsStarted = false;

export function initMetrics(service: string): Registry {
  if (!defaultsStarted) {
    metricsRegistry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: metricsRegistry });
    defaultsStarted = true;
  }
  return metricsRegistry;
}

const cache = new Map<string, unknown>();
function once<T>(name: string, make: () => T): T {
  if (!cache.has(name)) cache.set(name, make());
  return cache.get(name) as T;
}

export const Metrics = {
  messagesConsumed: () =>
    once('consumed', () => new Counter({ name: 'bhyt_messages_consumed_total', help: 'Messages consumed, by topic and outcome', labelNames: ['topic', 'outcome'], registers: [metricsRegistry] })),
  messagesPublished: () =>
    once('published', () => new Counter({ name: 'bhyt_messages_published_total', help: 'Messages published by the outbox relay, by topic', labelNames: ['topic'], registers: [metricsRegistry] })),
  deadLettered: () =>
    once('dlq', () => new Counter({ name: 'bhyt_messages_dead_lettered_total', help: 'Messages sent to the dead-letter topic, by source topic and reason code', labelNames: ['topic', 'reason'], registers: [metricsRegistry] })),
  outboxBacklog: () =>
    once('outbox', () => new Gauge({ name: 'bhyt_outbox_backlog', help: 'Outbox rows not yet published', registers: [metricsRegistry] })),
  consumerLag: () =>
    once('lag', () => new Gauge({ name: 'bhyt_consumer_lag', help: 'Consumer lag per topic partition (messages)', labelNames: ['topic', 'partition'], registers: [metricsRegistry] })),
  hsmSignSeconds: () =>
    once('hsm', () => new Histogram({ name: 'bhyt_hsm_sign_seconds', help: 'HSM signing latency', labelNames: ['facility'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5], registers: [metricsRegistry] })),
  gatewaySeconds: () =>
    once('gw', () => new Histogram({ name: 'bhyt_gateway_request_seconds', help: 'Gateway call latency by operation and result code', labelNames: ['operation', 'code'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [metricsRegistry] })),
  timeToSubmitSeconds: () =>
    once('tts', () => new Histogram({ name: 'bhyt_claim_time_to_submit_seconds', help: 'Encounter end to gateway reception', labelNames: ['facility'], buckets: [1, 10, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 48 * 3600], registers: [metricsRegistry] })),
  deadlines: () =>
    once('deadline', () => new Counter({ name: 'bhyt_claim_deadline_events_total', help: 'Deadline at-risk and missed events', labelNames: ['facility', 'kind'], registers: [metricsRegistry] })),
  certificateDaysToExpiry: () =>
    once('cert', () => new Gauge({ name: 'bhyt_certificate_days_to_expiry', help: 'Days until the facility signing certificate expires', labelNames: ['facility'], registers: [metricsRegistry] })),
};
