import { laneDatabaseName } from './testing';

describe('scratch database names', () => {
  const saved = process.env['E2E_LANE'];
  afterEach(() => {
    if (saved === undefined) delete process.env['E2E_LANE'];
    else process.env['E2E_LANE'] = saved;
  });

  it('keeps the plain name outside a lane and adds the lane inside one, so two runs never share a database', () => {
    delete process.env['E2E_LANE'];
    expect(laneDatabaseName('persistence_int_relay')).toBe('bhyt_persistence_int_relay');
    process.env['E2E_LANE'] = '5';
    expect(laneDatabaseName('persistence_int_relay')).toBe('bhyt_persistence_int_relay_l5');
  });

  it('refuses a lane outside 0–9 and a name that would need quoting in CREATE DATABASE', () => {
    process.env['E2E_LANE'] = '12';
    expect(() => laneDatabaseName('x')).toThrow('E2E_LANE must be an integer from 0 to 9');
    delete process.env['E2E_LANE'];
    expect(() => laneDatabaseName('x; DROP DATABASE postgres')).toThrow(/lower-case letters/);
  });
});
