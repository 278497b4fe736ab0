import { fromVietnamWallClock, vietnamCompact, vietnamDay, vietnamWallClock } from './vietnam-time';

describe('Vietnam time', () => {
  it('shows an instant at 17:30 UTC as the next day at 00:30 in Vietnam', () => {
    const at = Date.parse('2025-03-31T17:30:00Z');
    expect(vietnamWallClock(at)).toBe('2025-04-01T00:30:00.000');
    expect(vietnamDay(new Date(at))).toBe('2025-04-01');
    expect(vietnamCompact(at)).toBe('20250401003000');
    expect(vietnamCompact(at, 8)).toBe('20250401');
  });

  it('reads a Vietnam wall-clock time back as the same instant, whatever the host zone', () => {
    expect(new Date(fromVietnamWallClock('2025-04-01T00:30:00')).toISOString()).toBe(
      '2025-03-31T17:30:00.000Z',
    );
    expect(new Date(fromVietnamWallClock('2025-04-01')).toISOString()).toBe('2025-03-31T17:00:00.000Z');
  });

  it('agrees with the IANA zone on dates across the year', () => {
    const fmt = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Ho_Chi_Minh',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    for (const iso of [
      '2025-01-01T00:00:00Z',
      '2025-06-30T16:59:00Z',
      '2025-10-26T01:30:00Z',
      '2026-12-31T23:59:00Z',
    ]) {
      expect(vietnamWallClock(Date.parse(iso)).slice(0, 16).replace('T', ' ')).toBe(
        fmt.format(new Date(iso)),
      );
    }
  });
});
