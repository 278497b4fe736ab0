import fc from 'fast-check';
import {
  applyWardEvent,
  checkWardEventAgainstEncounter,
  checkWardEventOnReceipt,
  openDraft,
  wardEventsFromRecord,
  type WardEvent,
} from '@bhyt/encounter-domain';
import { listScenarios } from '@bhyt/xml130/testing';
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
      fc.property(
        fc.nat(20_000),
        fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-12-31') }),
        (i, now) => {
          const { record, identifierType } = planEncounter(i, now, FACILITIES, scenarios);
          const body = registrationFor(record, identifierType, `demo-${i}`);
          const req = RegisterVisitRequest.parse(body);
          const checked = checkIdentifier(req);
          expect([checked.errors, checked.warnings]).toEqual([[], []]);
          expect(checkRegistrationDates(req, new Date(now), 0)).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('sends only ward events that encounter accepts, in order, whatever the encounter index and clock', () => {
    fc.assert(
      fc.property(
        fc.nat(20_000),
        fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-12-31') }),
        (i, now) => {
          const { record } = planEncounter(i, now, FACILITIES, scenarios);
          const p = record.patient;
          let draft = openDraft({
            facilityCode: record.facilityCode,
            maLk: record.maLk,
            careType: record.careType,
            registeredAt: record.admittedAt.toISOString(),
            patient: {
              maBn: p.patientId,
              fullName: p.fullName,
              birthDate: p.birthDateTime,
              sex: String(p.sex) as '1',
            },
          });
          const seen = new Set<string>();
          const refused: string[] = [];
          for (const e of wardEventsFromRecord(record, new Date(now))) {
            const wire = JSON.parse(JSON.stringify(e)) as WardEvent;
            refused.push(
              ...checkWardEventOnReceipt(wire, { now: new Date(now), toleranceMs: 0 }).errors.map(
                (x) => `${e.type} ${x.field} ${x.code}`,
              ),
            );
            refused.push(
              ...checkWardEventAgainstEncounter(draft, wire, { eventIds: seen, retractions: new Set() }).map(
                (x) => `${e.type} ${x.field} ${x.code}`,
              ),
            );
            seen.add(wire.eventId);
            draft = applyWardEvent(draft, wire);
          }
          expect(refused).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
