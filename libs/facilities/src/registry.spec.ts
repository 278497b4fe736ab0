import fc from 'fast-check';
import { InactiveFacilityError, UnknownFacilityError } from './errors';
import { Facility } from './facility';
import { FacilityRegistry } from './registry';

const facility = (code: string, active = true): Facility => ({
  code,
  name: `Facility ${code}`,
  level: 'district',
  province: code.slice(0, 2),
  gatewayAccount: `${code}_BV`,
  certificateAlias: `facility-${code}`,
  active,
});

describe('FacilityRegistry', () => {
  const registry = new FacilityRegistry([facility('79002'), facility('01001'), facility('48001', false)]);

  it('gets a known facility, active or not', () => {
    expect(registry.get('01001').name).toBe('Facility 01001');
    expect(registry.get('48001').active).toBe(false);
  });

  it('throws UnknownFacilityError with code FACILITY_UNKNOWN for an unknown code', () => {
    expect(() => registry.get('79999')).toThrow(UnknownFacilityError);
    try {
      registry.get('79999');
    } catch (e) {
      expect(e).toMatchObject({
        code: 'FACILITY_UNKNOWN',
        facilityCode: '79999',
        message: 'unknown facility 79999',
      });
    }
  });

  it('does not echo a value that is not shaped like a facility code', () => {
    expect(() => registry.get('079085000123')).toThrow('unknown facility (malformed code)');
  });

  it('requires facilities to be known and active', () => {
    expect(registry.require('79002').code).toBe('79002');
    expect(() => registry.require('79999')).toThrow(UnknownFacilityError);
    expect(() => registry.require('48001')).toThrow(InactiveFacilityError);
    expect(() => registry.require('48001')).toThrow(expect.objectContaining({ code: 'FACILITY_INACTIVE' }));
  });

  it('answers has/find without throwing', () => {
    expect(registry.has('48001')).toBe(true);
    expect(registry.has('79999')).toBe(false);
    expect(registry.find('79999')).toBeUndefined();
  });

  it('lists facilities sorted by code, optionally only the active ones', () => {
    expect(registry.list().map((f) => f.code)).toEqual(['01001', '48001', '79002']);
    expect(registry.list({ activeOnly: true }).map((f) => f.code)).toEqual(['01001', '79002']);
  });

  it('hands out frozen facilities that callers cannot change', () => {
    const f = registry.get('01001');
    expect(Object.isFrozen(f)).toBe(true);
  });

  it('refuses duplicate codes', () => {
    expect(() => new FacilityRegistry([facility('01001'), facility('01001')])).toThrow(
      'duplicate facility code 01001',
    );
  });

  it('knows exactly the codes it was built with', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.integer({ min: 1000, max: 99999 }).map((n) => String(n).padStart(5, '0')),
          { maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 99999 }).map((n) => String(n).padStart(5, '0')),
        (codes, probe) => {
          const r = new FacilityRegistry(codes.map((c) => facility(c)));
          expect(r.has(probe)).toBe(codes.includes(probe));
          expect(r.list()).toHaveLength(codes.length);
          for (const c of codes) expect(r.get(c).code).toBe(c);
        },
      ),
    );
  });
});
