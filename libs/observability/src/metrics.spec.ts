import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  ageBucket,
  certificateDays,
  Metrics,
  metricsRegistry,
  publishOpenClaims,
  reportCircuitState,
} from './metrics';

describe('claim metrics', () => {
  it('puts claims in the 24-hour SLA buckets by hours since the encounter ended', () => {
    expect([0, 5.99, 6, 11.9, 12, 18, 23.99, 24, 300].map(ageBucket)).toEqual([
      '0-6h',
      '0-6h',
      '6-12h',
      '6-12h',
      '12-18h',
      '18-24h',
      '18-24h',
      '24h+',
      '24h+',
    ]);
  });

  it('counts open claims per bucket and state, and reads 0 for a bucket that emptied', async () => {
    publishOpenClaims([
      { facilityCode: '79001', hoursSinceEncounterEnd: 2, atRisk: false, missed: false },
      { facilityCode: '79001', hoursSinceEncounterEnd: 19, atRisk: true, missed: false },
      { facilityCode: '01001', hoursSinceEncounterEnd: 30, atRisk: true, missed: true },
    ]);
    publishOpenClaims(
      [{ facilityCode: '79001', hoursSinceEncounterEnd: 20, atRisk: true, missed: false }],
      ['79001', '01001'],
    );
    const age = (await Metrics.claimsOpenByAge().get()).values;
    const v = (facility: string, bucket: string) =>
      age.find((x) => x.labels['facility'] === facility && x.labels['age'] === bucket)?.value;
    expect(v('79001', '0-6h')).toBe(0);
    expect(v('79001', '18-24h')).toBe(1);
    expect(v('01001', '24h+')).toBe(0);
    const state = (await Metrics.claimsDeadlineState().get()).values;
    expect(
      state.find((x) => x.labels['facility'] === '79001' && x.labels['state'] === 'at-risk')?.value,
    ).toBe(1);
    expect(state.find((x) => x.labels['facility'] === '01001' && x.labels['state'] === 'missed')?.value).toBe(
      0,
    );
    // The deadline-event counter exists at 0 for alerting before its first event.
    expect(await metricsRegistry.metrics()).toMatch(
      /bhyt_claim_deadline_events_total\{facility="01001",kind="missed"\} 0/,
    );
  });

  it('counts the claims that wait for an operator per facility, 0 for a facility without any', async () => {
    publishOpenClaims(
      [
        {
          facilityCode: '79001',
          hoursSinceEncounterEnd: 3,
          atRisk: false,
          missed: false,
          needsOperator: true,
        },
        {
          facilityCode: '79001',
          hoursSinceEncounterEnd: 4,
          atRisk: false,
          missed: false,
          needsOperator: true,
        },
        { facilityCode: '01001', hoursSinceEncounterEnd: 4, atRisk: false, missed: false },
      ],
      ['79001', '01001', '48001'],
    );
    const values = (await Metrics.claimsNeedingOperator().get()).values;
    expect(Object.fromEntries(values.map((v) => [v.labels['facility'], v.value]))).toEqual({
      '79001': 2,
      '01001': 0,
      '48001': 0,
    });
  });

  it('reads the circuit breaker at each scrape once a service reports it', async () => {
    let open = false;
    reportCircuitState(() => open);
    expect(await metricsRegistry.metrics()).toMatch(/^bhyt_gateway_circuit_open(\{[^}]*\})? 0$/m);
    open = true;
    expect(await metricsRegistry.metrics()).toMatch(/^bhyt_gateway_circuit_open(\{[^}]*\})? 1$/m);
  });

  it("reports the days to expiry of each facility's current certificate only", () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const days = certificateDays(
      [
        { facilityCode: '79001', current: true, certificate: { notAfter: new Date('2026-01-31T00:00:00Z') } },
        {
          facilityCode: '79001',
          current: false,
          certificate: { notAfter: new Date('2026-01-02T00:00:00Z') },
        },
        { facilityCode: '01001', current: true, certificate: { notAfter: new Date('2025-12-31T12:00:00Z') } },
        { facilityCode: '48001', current: true },
      ],
      now,
    );
    expect(Object.fromEntries(days)).toEqual({ '79001': 30, '01001': -0.5 });
  });
});

describe('latency exemplars', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => context.disable());

  it('gives an observation made inside a span the trace id as an exemplar, in the OpenMetrics format', async () => {
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(trace.setSpan(context.active(), span), () =>
      Metrics.gatewaySeconds().observe({ operation: 'submit', code: '200' }, 0.3),
    );
    const end = context.with(trace.setSpan(context.active(), span), () =>
      Metrics.hsmSignSeconds().startTimer({ facility: '79001' }),
    );
    context.with(trace.setSpan(context.active(), span), () => end());
    const text = await metricsRegistry.metrics();
    expect(metricsRegistry.contentType).toContain('application/openmetrics-text');
    expect(text).toMatch(
      /bhyt_gateway_request_seconds_bucket\{le="0.5",[^}]*\} 1 # \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736"\} 0.3 /,
    );
    expect(text).toMatch(
      /bhyt_hsm_sign_seconds_bucket\{[^}]*facility="79001"[^}]*\} 1 # \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736"\}/,
    );
    // Counters keep their _total series names in this format.
    expect(text).toMatch(/^bhyt_claim_deadline_events_total\{/m);
  });

  it('records an observation outside any span without an exemplar', async () => {
    Metrics.timeToSubmitSeconds().observe({ facility: '48001' }, 5);
    const line = (await metricsRegistry.metrics())
      .split('\n')
      .find(
        (l) =>
          l.startsWith('bhyt_claim_time_to_submit_seconds_bucket{le="10",') && l.includes('facility="48001"'),
      );
    expect(line).toMatch(/\} 1$/);
  });
});
