import { Writable } from 'node:stream';
import pino from 'pino';
import { redact, scrubText, createLogger } from './logger';

describe('personal-data redaction', () => {
  it('replaces personal-data fields at any depth', () => {
    const out = redact({ maLk: 'LK1', patient: { fullName: 'NGUYEN VAN A' }, nested: { SO_CCCD: '079085000123', ok: 1 } });
    expect(out).toEqual({ maLk: 'LK1', patient: '[redacted]', nested: { SO_CCCD: '[redacted]', ok: 1 } });
  });

  it('scrubs citizen-ID and card-number shapes from free text', () => {
    expect(scrubText('lookup of 079085000123 and GD4797912345678 failed')).toBe(
      'lookup of [redacted] and [redacted] failed',
    );
  });

  it('keeps facility codes and MA_LK values readable', () => {
    expect(scrubText('facility 79001 claim 79001.2026.000123')).toBe('facility 79001 claim 79001.2026.000123');
  });

  it('never writes a CCCD into the JSON log line', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const base = createLogger('test');
    const logger = pino({ ...base.levels, level: 'info', formatters: { log: (o) => redact(o) as Record<string, unknown> } }, sink);
    logger.info({ citizenId: '079085000123', detail: 'card 079085000123' }, 'registered');
    expect(lines.join('')).not.toContain('079085000123');
    expect(lines.join('')).toContain('registered');
  });
});
