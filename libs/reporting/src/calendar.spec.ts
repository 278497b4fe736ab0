import {
  addDays,
  endOfLocalDay,
  lastScheduledRun,
  localDay,
  nextScheduledRun,
  parsePeriod,
  periodContaining,
  periodLabel,
  runTimeFor,
  startOfLocalDay,
} from './calendar';

describe('reporting calendar (Asia/Ho_Chi_Minh)', () => {
  it('agrees with the IANA zone on the local day of instants around midnight', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Ho_Chi_Minh',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    for (const iso of [
      '2025-12-31T16:59:59Z',
      '2025-12-31T17:00:00Z',
      '2026-06-30T17:00:00Z',
      '1990-04-01T12:00:00Z',
    ]) {
      expect(localDay(new Date(iso))).toBe(fmt.format(new Date(iso)));
    }
  });

  it('starts a local day at 17:00 UTC of the day before and ends it 24 hours later', () => {
    expect(startOfLocalDay('2026-01-15').toISOString()).toBe('2026-01-14T17:00:00.000Z');
    expect(endOfLocalDay('2026-01-15').toISOString()).toBe('2026-01-15T17:00:00.000Z');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });

  it('makes weeks run Thursday to Wednesday', () => {
    // 2026-01-15 is a Thursday.
    expect(periodContaining('weekly', '2026-01-15')).toEqual({
      kind: 'weekly',
      key: '2026-01-15',
      from: '2026-01-15',
      to: '2026-01-21',
    });
    expect(periodContaining('weekly', '2026-01-21')).toMatchObject({ from: '2026-01-15', to: '2026-01-21' });
    expect(periodContaining('weekly', '2026-01-14')).toMatchObject({ from: '2026-01-08', to: '2026-01-14' });
  });

  it('parses monthly and 6-monthly keys into whole months and halves, leap years included', () => {
    expect(parsePeriod('monthly', '2028-02')).toEqual({
      kind: 'monthly',
      key: '2028-02',
      from: '2028-02-01',
      to: '2028-02-29',
    });
    expect(parsePeriod('semiannual', '2026-H2')).toEqual({
      kind: 'semiannual',
      key: '2026-H2',
      from: '2026-07-01',
      to: '2026-12-31',
    });
    expect(parsePeriod('weekly', '2026-01-17').key).toBe('2026-01-15');
  });

  it('refuses malformed periods and unknown kinds', () => {
    expect(() => parsePeriod('monthly', '2026-13')).toThrow('YYYY-MM');
    expect(() => parsePeriod('weekly', '2026-02-30')).toThrow('YYYY-MM-DD');
    expect(() => parsePeriod('semiannual', '2026-H3')).toThrow('H1');
    expect(() => parsePeriod('daily', '2026-01-01')).toThrow('unknown report kind');
  });

  it('generates the weekly report on Thursday at 14:00 local for the week that ended the day before', () => {
    const week = parsePeriod('weekly', '2026-01-08');
    expect(runTimeFor(week).toISOString()).toBe('2026-01-15T07:00:00.000Z'); // 14:00 +07:00
    // Thursday 13:59 local: the run of the 15th is still ahead; the last one reported the week before.
    expect(lastScheduledRun('weekly', new Date('2026-01-15T06:59:00Z')).period.key).toBe('2026-01-01');
    expect(lastScheduledRun('weekly', new Date('2026-01-15T07:00:00Z')).period.key).toBe('2026-01-08');
    const next = nextScheduledRun('weekly', new Date('2026-01-15T06:59:00Z'));
    expect([next.runAt.toISOString(), next.period.key]).toEqual(['2026-01-15T07:00:00.000Z', '2026-01-08']);
    expect(nextScheduledRun('weekly', new Date('2026-01-15T07:00:00Z')).runAt.toISOString()).toBe(
      '2026-01-22T07:00:00.000Z',
    );
  });

  it('generates the monthly and 6-monthly reports on the first morning of the next period', () => {
    expect(nextScheduledRun('monthly', new Date('2026-01-20T00:00:00Z'))).toEqual({
      runAt: new Date('2026-02-01T00:00:00Z'),
      period: parsePeriod('monthly', '2026-01'),
    });
    expect(lastScheduledRun('semiannual', new Date('2026-03-01T00:00:00Z')).period.key).toBe('2025-H2');
  });

  it('labels periods in Vietnamese', () => {
    expect(periodLabel(parsePeriod('weekly', '2026-01-15'))).toBe('Tuần 15/01/2026 – 21/01/2026');
    expect(periodLabel(parsePeriod('monthly', '2026-03'))).toBe('Tháng 03/2026');
    expect(periodLabel(parsePeriod('semiannual', '2026-H1'))).toBe('6 tháng đầu năm 2026');
  });
});
