import { ageBucket, certificateDays, Metrics, metricsRegistry, publishOpenClaims } from './metrics';

describe('claim metrics', () => {
  it('puts claims in the 24-hour SLA buckets by hours since the encounter ended', () => {
    expect([0, 5.99, 6, 11.9, 12, 18, 23.99, 24, 300].map(ageBucket)).toEqual(['0-6h', '0-6h', '6-12h', '6-12h', '12-18h', '18-24h', '18-24h', '24h+', '24h+']);
  });

  it('counts open claims per bucket and state, and reads 0 for a bucket that emptied', async () => {
    publishOpenClaims([
      { facilityCode: '79001', hoursSinceEncounterEnd: 2, atRisk: false, missed: false },
      { facilityCode: '79001', hoursSinceEncounterEnd: 19, atRisk: true, missed: false },
      { facilityCode: '01001', hoursSinceEncounterEnd: 30, atRisk: true, missed: true },
    ]);
    publishOpenClaims([{ facilityCode: '79001', hoursSinceEncounterEnd: 20, atRisk: true, missed: false }], ['79001', '01001']);
    const age = (await Metrics.claimsOpenByAge().get()).values;
    const v = (facility: string, bucket: string) => age.find((x) => x.labels['facility'] === facility && x.labels['age'] === bucket)?.value;
    expect(v('79001', '0-6h')).toBe(0);
    expect(v('79001', '18-24h')).toBe(1);
    expect(v('01001', '24h+')).toBe(0);
    const state = (await Metrics.claimsDeadlineState().get()).values;
    expect(state.find((x) => x.labels['facility'] === '79001' && x.labels['state'] === 'at-risk')?.value).toBe(1);
    expect(state.find((x) => x.labels['facility'] === '01001' && x.labels['state'] === 'missed')?.value).toBe(0);
    // The deadline-event counter exists at 0 for alerting before its first event.
    expect(await metricsRegistry.metrics()).toMatch(/bhyt_claim_deadline_events_total\{facility="01001",kind="missed"\} 0/);
  });

  it("reports the days to expiry of each facility's current certificate only", () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const days = certificateDays(
      [
        { facilityCode: '79001', current: true, certificate: { notAfter: new Date('2026-01-31T00:00:00Z') } },
        { facilityCode: '79001', current: false, certificate: { notAfter: new Date('2026-01-02T00:00:00Z') } },
        { facilityCode: '01001', current: true, certificate: { notAfter: new Date('2025-12-31T12:00:00Z') } },
        { facilityCode: '48001', current: true },
      ],
      now,
    );
    expect(Object.fromEntries(days)).toEqual({ '79001': 30, '01001': -0.5 });
  });
});
