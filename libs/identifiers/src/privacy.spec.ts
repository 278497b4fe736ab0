import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { maskIdentifier, pseudonymize } from './privacy';

const KEY = 'test-key-0123456789abcdef';

describe('pseudonymize', () => {
  it('is the HMAC-SHA256 hex of the value under the key', () => {
    expect(pseudonymize('079085000123', KEY)).toBe(
      createHmac('sha256', KEY).update('079085000123').digest('hex'),
    );
    expect(pseudonymize('079085000123', KEY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable for a key, differs between keys and never contains the value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (v) => {
        const p = pseudonymize(v, KEY);
        expect(pseudonymize(v, KEY)).toBe(p);
        expect(pseudonymize(v, `${KEY}-other`)).not.toBe(p);
      }),
    );
  });

  it('accepts binary keys and refuses keys shorter than 16 bytes without echoing the value', () => {
    expect(pseudonymize('x', Buffer.alloc(32, 7))).toHaveLength(64);
    expect(() => pseudonymize('079085000123', 'short')).toThrow(
      'pseudonymization key must be at least 16 bytes',
    );
  });
});

describe('maskIdentifier', () => {
  it('masks a personal ID number as 0790******23', () => {
    expect(maskIdentifier('079085000123')).toBe('0790******23');
    expect(maskIdentifier('GD4797912345678')).toBe('GD47*********78');
    expect(maskIdentifier('025123456')).toBe('02******6');
    expect(maskIdentifier('7912345678')).toBe('791******8');
    expect(maskIdentifier('12345')).toBe('*****');
    expect(maskIdentifier('')).toBe('');
  });

  it('keeps the length and hides at least half of any identifier of 6+ characters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{6,20}$/), (v) => {
        const m = maskIdentifier(v);
        expect(m).toHaveLength(v.length);
        expect([...m].filter((c) => c === '*').length).toBeGreaterThanOrEqual(v.length / 2);
      }),
    );
  });
});
