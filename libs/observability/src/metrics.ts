import { isSpanContextValid, trace } from '@opentelemetry/api';
import {
  Counter,
  Histogram,
  HistogramConfiguration,
  Gauge,
  OpenMetricsContentType,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/**
 * One Prometheus registry per process, exposed on /metrics by the service kit. Labels carry
 * facility codes, topics and result codes — never personal data or MA_LK (unbounded). The
 * OpenMetrics format is the one that carries exemplars (Prometheus negotiates it); counter
 * series keep their `_total` names.
 */
// prom-client's typings omit the constructor's content-type argument that its code takes.
const OpenMetricsRegistry = Registry as unknown as new (
  contentType: OpenMetricsContentType,
) => Registry<OpenMetricsContentType>;
export const metricsRegistry = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
let defaultsStarted = false;

export function initMetrics(service: string): Registry<OpenMetricsContentType> {
  if (!defaultsStarted) {
    metricsRegistry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: metricsRegistry });
    defaultsStarted = true;
  }
  return metricsRegistry;
}

/**
 * A latency histogram whose observations carry the active span's trace id as an exemplar
 * (`trace_id`, the name the Grafana datasource links to Tempo): from a slow bucket on a
 * dashboard to the trace behind it. Call sites keep prom-client's usual observe/startTimer.
 */
function tracedHistogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
  const h = new Histogram<T>({ ...config, enableExemplars: true });
  const observeWithExemplar = h.observe.bind(h) as unknown as (o: {
    labels?: object;
    value: number;
    exemplarLabels?: Record<string, string>;
  }) => void;
  const observe = (labelsOrValue: object | number, maybeValue?: number) => {
    const [labels, value] =
      typeof labelsOrValue === 'number' ? [{}, labelsOrValue] : [labelsOrValue, maybeValue ?? 0];
    const span = trace.getActiveSpan()?.spanContext();
    observeWithExemplar({
      labels,
      value,
      exemplarLabels: span && isSpanContextValid(span) ? { trace_id: span.traceId } : {},
    });
  };
  h.observe = observe as Histogram<T>['observe'];
  // startTimer reads the active span when the timer ends, as observe does.
  h.startTimer = ((labels?: object) => {
    const start = process.hrtime.bigint();
    return (more?: object) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      observe({ ...(labels ?? {}), ...(more ?? {}) }, seconds);
      return seconds;
    };
  }) as Histogram<T>['startTimer'];
  return h;
}

/** Read at each scrape by the gauges below (set by the service that owns the state). */
const readers: { circuitOpen?: () => boolean } = {};
export function reportCircuitState(read: () => boolean): void {
  readers.circuitOpen = read;
  Metrics.gatewayCircuitOpen(); // registered now: the alert has a series before the first change
}

const cache = new Map<string, unknown>();
function once<T>(name: string, make: () => T): T {
  if (!cache.has(name)) cache.set(name, make());
  return cache.get(name) as T;
}

export const Metrics = {
  messagesConsumed: () =>
    once(
      'consumed',
      () =>
        new Counter({
          name: 'bhyt_messages_consumed_total',
          help: 'Messages consumed, by topic and outcome',
          labelNames: ['topic', 'outcome'],
          registers: [metricsRegistry],
        }),
    ),
  messagesPublished: () =>
    once(
      'published',
      () =>
        new Counter({
          name: 'bhyt_messages_published_total',
          help: 'Messages published by the outbox relay, by topic',
          labelNames: ['topic'],
          registers: [metricsRegistry],
        }),
    ),
  deadLettered: () =>
    once(
      'dlq',
      () =>
        new Counter({
          name: 'bhyt_messages_dead_lettered_total',
          help: 'Messages sent to the dead-letter topic, by source topic and reason code',
          labelNames: ['topic', 'reason'],
          registers: [metricsRegistry],
        }),
    ),
  outboxBacklog: () =>
    once(
      'outbox',
      () =>
        new Gauge({
          name: 'bhyt_outbox_backlog',
          help: 'Outbox rows not yet published',
          registers: [metricsRegistry],
        }),
    ),
  consumerLag: () =>
    once(
      'lag',
      () =>
        new Gauge({
          name: 'bhyt_consumer_lag',
          help: 'Consumer lag per topic partition (messages)',
          labelNames: ['topic', 'partition'],
          registers: [metricsRegistry],
        }),
    ),
  hsmSignSeconds: () =>
    once('hsm', () =>
      tracedHistogram({
        name: 'bhyt_hsm_sign_seconds',
        help: 'HSM signing latency',
        labelNames: ['facility'],
        buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
        registers: [metricsRegistry],
      }),
    ),
  /** 1 while the signer's HSM answers (its sessions are logged in), 0 while it is being reopened. */
  hsmUp: () =>
    once(
      'hsmUp',
      () =>
        new Gauge({
          name: 'bhyt_hsm_up',
          help: 'Whether the HSM answers: 1 logged-in sessions, 0 failed or reopening',
          registers: [metricsRegistry],
        }),
    ),
  /** 1 while gateway-sync's circuit breaker holds calls back (open or half-open), 0 when closed. */
  gatewayCircuitOpen: () =>
    once(
      'circuit',
      () =>
        new Gauge({
          name: 'bhyt_gateway_circuit_open',
          help: 'Whether the circuit breaker to the BHYT gateway is open (1) or closed (0)',
          registers: [metricsRegistry],
          collect() {
            if (readers.circuitOpen) this.set(readers.circuitOpen() ? 1 : 0);
          },
        }),
    ),
  claimsNeedingOperator: () =>
    once(
      'operator',
      () =>
        new Gauge({
          name: 'bhyt_claims_needing_operator',
          help: 'Claims that gateway-sync will not retry on its own (status NEEDS_OPERATOR), by facility',
          labelNames: ['facility'],
          registers: [metricsRegistry],
        }),
    ),
  gatewaySeconds: () =>
    once('gw', () =>
      tracedHistogram({
        name: 'bhyt_gateway_request_seconds',
        help: 'Gateway call latency by operation and result code',
        labelNames: ['operation', 'code'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [metricsRegistry],
      }),
    ),
  timeToSubmitSeconds: () =>
    once('tts', () =>
      tracedHistogram({
        name: 'bhyt_claim_time_to_submit_seconds',
        help: 'Encounter end to gateway reception',
        labelNames: ['facility'],
        buckets: [1, 10, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 48 * 3600],
        registers: [metricsRegistry],
      }),
    ),
  deadlines: () =>
    once(
      'deadline',
      () =>
        new Counter({
          name: 'bhyt_claim_deadline_events_total',
          help: 'Deadline at-risk and missed events',
          labelNames: ['facility', 'kind'],
          registers: [metricsRegistry],
        }),
    ),
  certificateDaysToExpiry: () =>
    once(
      'cert',
      () =>
        new Gauge({
          name: 'bhyt_certificate_days_to_expiry',
          help: 'Days until the facility signing certificate expires',
          labelNames: ['facility'],
          registers: [metricsRegistry],
        }),
    ),
  claimsOpenByAge: () =>
    once(
      'age',
      () =>
        new Gauge({
          name: 'bhyt_claims_open',
          help: 'Claims not yet at the gateway, by facility and hours since the encounter ended',
          labelNames: ['facility', 'age'],
          registers: [metricsRegistry],
        }),
    ),
  claimsDeadlineState: () =>
    once(
      'dlstate',
      () =>
        new Gauge({
          name: 'bhyt_claims_deadline_state',
          help: 'Claims not yet at the gateway that are at risk of or past their deadline, now',
          labelNames: ['facility', 'state'],
          registers: [metricsRegistry],
        }),
    ),
  outboxOldestSeconds: () =>
    once(
      'outboxAge',
      () =>
        new Gauge({
          name: 'bhyt_outbox_oldest_seconds',
          help: 'Age of the oldest unpublished outbox row (0 when empty)',
          registers: [metricsRegistry],
        }),
    ),
  uncertainSends: () =>
    once(
      'uncertain',
      () =>
        new Counter({
          name: 'bhyt_gateway_uncertain_sends_total',
          help: 'Gateway sends whose outcome is unknown (ambiguous answer, expired lease) and re-sends that may have made a duplicate at the gateway',
          labelNames: ['kind'],
          registers: [metricsRegistry],
        }),
    ),
  parkedWardEvents: () =>
    once(
      'parked',
      () =>
        new Gauge({
          name: 'bhyt_parked_ward_events',
          help: 'Ward events waiting for their encounter to open (intake.registered not seen yet), by facility',
          labelNames: ['facility'],
          registers: [metricsRegistry],
        }),
    ),
  parkedWardEventOldestSeconds: () =>
    once(
      'parkedAge',
      () =>
        new Gauge({
          name: 'bhyt_parked_ward_event_oldest_seconds',
          help: 'Age of the oldest parked ward event by facility (0 when none); dead-lettered as ENCOUNTER_NEVER_OPENED after PARKED_WARD_EVENT_MAX_AGE_MINUTES',
          labelNames: ['facility'],
          registers: [metricsRegistry],
        }),
    ),
};

/** Every metric the platform defines, created now (dashboards and alerts are checked against this list). */
export function registerAllMetrics(): string[] {
  return Object.values(Metrics)
    .map((make) => (make() as { name?: string }).name ?? '')
    .filter(Boolean);
}

/** Hours since the encounter ended, in the buckets of the 24-hour SLA dashboard. */
export const AGE_BUCKETS = ['0-6h', '6-12h', '12-18h', '18-24h', '24h+'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

export function ageBucket(hoursSinceEncounterEnd: number): AgeBucket {
  if (hoursSinceEncounterEnd < 6) return '0-6h';
  if (hoursSinceEncounterEnd < 12) return '6-12h';
  if (hoursSinceEncounterEnd < 18) return '12-18h';
  if (hoursSinceEncounterEnd < 24) return '18-24h';
  return '24h+';
}

export interface OpenClaimSample {
  facilityCode: string;
  hoursSinceEncounterEnd: number;
  atRisk: boolean;
  missed: boolean;
  /** Status NEEDS_OPERATOR: the gateway's answer needs a person (docs/runbook.md). */
  needsOperator?: boolean;
}

/**
 * Sets the open-claims gauges from a full sample: every (facility, bucket) and (facility,
 * state) seen before is reset to 0 first, so a bucket that empties reads 0 — not its last value.
 */
export function publishOpenClaims(samples: OpenClaimSample[], facilities: string[] = []): void {
  const byAge = Metrics.claimsOpenByAge();
  const byState = Metrics.claimsDeadlineState();
  const known = new Set([...facilities, ...samples.map((s) => s.facilityCode)]);
  const age = new Map<string, number>();
  const state = new Map<string, number>();
  const operator = new Map<string, number>([...known].map((f) => [f, 0]));
  for (const f of known) {
    for (const b of AGE_BUCKETS) age.set(`${f}|${b}`, 0);
    state.set(`${f}|at-risk`, 0);
    state.set(`${f}|missed`, 0);
  }
  for (const s of samples) {
    const a = `${s.facilityCode}|${ageBucket(s.hoursSinceEncounterEnd)}`;
    age.set(a, (age.get(a) ?? 0) + 1);
    const st = s.missed ? 'missed' : s.atRisk ? 'at-risk' : undefined;
    if (st) state.set(`${s.facilityCode}|${st}`, (state.get(`${s.facilityCode}|${st}`) ?? 0) + 1);
    if (s.needsOperator) operator.set(s.facilityCode, (operator.get(s.facilityCode) ?? 0) + 1);
  }
  // Deadline-event counters exist from the start at 0, so that increase() in the alert rules
  // has a series to compare against before the first event.
  for (const f of known)
    for (const kind of ['at-risk', 'missed']) Metrics.deadlines().inc({ facility: f, kind }, 0);
  byAge.reset();
  byState.reset();
  for (const [k, n] of age) {
    const [facility, bucket] = k.split('|') as [string, string];
    byAge.set({ facility, age: bucket }, n);
  }
  for (const [k, n] of state) {
    const [facility, st] = k.split('|') as [string, string];
    byState.set({ facility, state: st }, n);
  }
  const byOperator = Metrics.claimsNeedingOperator();
  byOperator.reset();
  for (const [facility, n] of operator) byOperator.set({ facility }, n);
}

export interface CertificateKey {
  facilityCode: string;
  current: boolean;
  certificate?: { notAfter: Date };
}

/** Days to expiry of each facility's current certificate (fractional days, negative once expired). */
export function certificateDays(keys: CertificateKey[], now: Date): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of keys) {
    if (!k.current || !k.certificate) continue;
    out.set(k.facilityCode, (k.certificate.notAfter.getTime() - now.getTime()) / 86_400_000);
  }
  return out;
}

/**
 * Samples the signing certificates now and then every intervalMs into
 * bhyt_certificate_days_to_expiry. @returns a function that stops the sampling.
 */
export function watchCertificateExpiry(
  list: () => Promise<CertificateKey[]>,
  onError: (err: unknown) => void,
  intervalMs = 10 * 60_000,
): () => void {
  const sample = async () => {
    try {
      const days = certificateDays(await list(), new Date());
      const gauge = Metrics.certificateDaysToExpiry();
      gauge.reset(); // a retired facility key leaves the gauge
      for (const [facility, d] of days) gauge.set({ facility }, Math.round(d * 100) / 100);
    } catch (err) {
      onError(err);
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
