import { generationIsStale } from './staleness';

const d = (iso: string) => new Date(iso);

describe('a stored report generation', () => {
  it('is stale when generated before its period was over (the current week)', () => {
    expect(
      generationIsStale({
        generatedAt: d('2026-01-12T03:00:00Z'),
        periodEnd: d('2026-01-14T17:00:00Z'),
        lastActivityAt: null,
      }),
    ).toBe(true);
  });
  it('is stale when an event of the period came in after it was generated', () => {
    expect(
      generationIsStale({
        generatedAt: d('2026-01-15T03:00:00Z'),
        periodEnd: d('2026-01-14T17:00:00Z'),
        lastActivityAt: d('2026-01-15T05:00:00Z'),
      }),
    ).toBe(true);
  });
  it('is current when generated after the period and after its last event', () => {
    expect(
      generationIsStale({
        generatedAt: d('2026-01-15T03:00:00Z'),
        periodEnd: d('2026-01-14T17:00:00Z'),
        lastActivityAt: d('2026-01-14T16:00:00Z'),
      }),
    ).toBe(false);
  });
});
