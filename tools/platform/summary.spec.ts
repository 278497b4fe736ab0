import type { DemoEncounter } from './demo';
import { percentile, summarize, SimulatorSubmission } from './summary';

const enc = (maLk: string, encounterEnd: number, closedAt: number): DemoEncounter => ({
  facilityCode: '79001',
  maLk,
  scenario: 's',
  careType: 'OUTPATIENT_VISIT',
  identifierType: 'CCCD',
  encounterEnd,
  closedAt,
});
const sub = (
  maLk: string,
  receivedAt: number,
  sha = maLk,
  extra: Partial<SimulatorSubmission> = {},
): SimulatorSubmission => ({
  maGiaoDich: `GD-${maLk}-${receivedAt}`,
  facility: '79001',
  kind: 'record',
  maLk,
  version: 1,
  receivedAt: new Date(receivedAt).toISOString(),
  sha256: sha,
  status: 'processed',
  ...extra,
});

describe('demo summary', () => {
  const H = 3600_000;

  it('counts a claim on time only when the gateway received it before encounter end + window', () => {
    const demo = [enc('A', 0, 1000), enc('B', 0, 1000)];
    const s = summarize(demo, [sub('A', 24 * H - 1), sub('B', 24 * H + 1)], 24 * H);
    expect(s.submitted).toBe(2);
    expect(s.onTimePercent).toBe(50);
  });

  it('reports a re-send of the same document as a duplicate, and a check-in not at all', () => {
    const demo = [enc('A', 0, 1)];
    const s = summarize(demo, [sub('A', 10), sub('A', 20), sub('A', 5, 'x', { kind: 'checkin' })], H);
    expect(s.duplicates).toBe(1);
    expect(s.submitted).toBe(1);
  });

  it('measures closed to submitted from the first reception', () => {
    const s = summarize([enc('A', 0, 100)], [sub('A', 350)], H);
    expect(s.p50ClosedToSubmittedMs).toBe(250);
  });

  it('counts receptions per gateway route', () => {
    const s = summarize(
      [enc('A', 0, 1)],
      [
        sub('A', 10, 'a', { endpoint: '/api/qd130/guiHoSoXmlQD3176' }),
        sub('A', 5, 'x', { kind: 'checkin', endpoint: '/api/qd130/checkInKcbQd3176' }),
      ],
      H,
    );
    expect(s.byEndpoint).toEqual({ '/api/qd130/guiHoSoXmlQD3176': 1, '/api/qd130/checkInKcbQd3176': 1 });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });
});
