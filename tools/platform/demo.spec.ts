import fc from 'fast-check';
import { listScenarios } from '@bhyt/xml130';
import { RegisterVisitRequest } from '../../apps/intake/src/registration.schema';
import { checkIdentifier, checkRegistrationDates } from '../../apps/intake/src/identifier-check';
import { planEncounter, qrIssueDate, registrationFor } from './demo';

const scenarios = listScenarios();
const FACILITIES = ['79001', '79002', '01001'];

describe('demo generator', () => {
  it('never prints a QR issue date before the birth date or after the visit', () => {
    expect(qrIssueDate('20230402', new Date('2026-12-01T08:00:00Z'))).toBe('20230402');
    expect(qrIssueDate('19850101', new Date('2026-12-01T08:00:00Z'))).toBe('20210715');
    expect(qrIssueDate('20260915', new Date('2026-09-15T08:00:00Z'))).toBe('20260915');
  });

  it('sends only registrations that intake accepts, whatever the encounter index and clock', () => {
    fc.assert(
      fc.property(fc.nat(20_000), fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-12-31') }), (i, now) => {
        const { record, identifierType } = planEncounter(i, now, FACILITIES, scenarios);
        const body = registrationFor(record, identifierType, `demo-${i}`);
        const req = RegisterVisitRequest.parse(body);
        const checked = checkIdentifier(req);
        expect([checked.errors, checked.warnings]).toEqual([[], []]);
        expect(checkRegistrationDates(req, new Date(now), 0)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
