import { endpointFamilyFor } from './gateway-client';

describe('endpoint family', () => {
  it('follows the edition in force on the Vietnam-time day the encounter ended under auto', () => {
    expect(endpointFamilyFor('auto', new Date('2024-12-31T16:59:00Z'))).toBe('4750'); // 23:59 on 31/12/2024 in Vietnam
    expect(endpointFamilyFor('auto', new Date('2024-12-31T17:00:00Z'))).toBe('3176'); // 00:00 on 01/01/2025
    expect(endpointFamilyFor('auto', undefined)).toBe('3176');
  });

  it('is the configured family when one is forced', () => {
    expect(endpointFamilyFor('4750', new Date('2026-01-01T00:00:00Z'))).toBe('4750');
    expect(endpointFamilyFor('3176', new Date('2024-06-01T00:00:00Z'))).toBe('3176');
  });
});
