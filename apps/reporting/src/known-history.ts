import { randomUUID } from 'node:crypto';
import {
  CareType,
  ClaimRejected,
  EventTopic,
  fromVietnamWallClock,
  IdentifierType,
  PayloadOf,
  Topics,
} from '@bhyt/contracts';
import { createEvent } from '@bhyt/messaging';

/**
 * A known event history for the reporting tests (the figures integration test and the page's
 * browser test): eight claims of three facilities around the week of Thursday 8 to Wednesday 14
 * January 2026, registrations and health-book reads, with edge cases at local midnight, a
 * correction, a late submission, rejections at the gateway and at the signer, and a backlog.
 * Expected figures are worked out in figures.int-spec.ts.
 */
export const t = (local: string) => new Date(fromVietnamWallClock(local)).toISOString();
export const H = 3600_000;
const sha = 'a'.repeat(64);

export type Msg = { topic: EventTopic; value: string };
export const ev = <T extends EventTopic>(
  topic: T,
  facilityCode: string,
  key: string,
  payload: PayloadOf<T>,
  eventId?: string,
): Msg => ({
  topic,
  value: createEvent(topic, { facilityCode, key, payload, ...(eventId ? { eventId } : {}) }).message
    .value as string,
});

export interface ClaimSpec {
  facility: string;
  maLk: string;
  version?: number;
  careType: CareType;
  insured: boolean;
  end: string;
  closed?: string;
  signed?: string;
  submitted?: { at: string; onTime: boolean };
  accepted?: string;
  rejected?: { at: string; code: string; stage: ClaimRejected['stage'] };
  missed?: string;
}

export function claimEvents(c: ClaimSpec): Msg[] {
  const base = { facilityCode: c.facility, maLk: c.maLk, version: c.version ?? 1 };
  const end = t(c.end);
  const out: Msg[] = [];
  if (c.closed)
    out.push(
      ev(Topics.encounterClosed.name, c.facility, c.maLk, {
        ...base,
        careType: c.careType,
        insured: c.insured,
        encounterStart: new Date(Date.parse(end) - H).toISOString(),
        encounterEnd: end,
        closedAt: t(c.closed),
        tables: [{ loaiHoSo: 'XML1', xml: '<TONG_HOP/>' }],
      }),
    );
  if (c.signed)
    out.push(
      ev(Topics.claimSigned.name, c.facility, c.maLk, {
        ...base,
        careType: c.careType,
        encounterEnd: end,
        signedAt: t(c.signed),
        documentSha256: sha,
        certificateSha256: sha,
        signedXmlBase64: 'PHgvPg==',
      }),
    );
  if (c.submitted)
    out.push(
      ev(Topics.claimSubmitted.name, c.facility, c.maLk, {
        ...base,
        careType: c.careType,
        maGiaoDich: `GD-${c.maLk}-${base.version}`,
        receivedAt: t(c.submitted.at),
        encounterEnd: end,
        deadline: new Date(Date.parse(end) + 24 * H).toISOString(),
        onTime: c.submitted.onTime,
        attempts: 1,
      }),
    );
  if (c.accepted)
    out.push(
      ev(Topics.claimAccepted.name, c.facility, c.maLk, {
        ...base,
        maGiaoDich: `GD-${c.maLk}-${base.version}`,
        acceptedAt: t(c.accepted),
      }),
    );
  if (c.rejected)
    out.push(
      ev(Topics.claimRejected.name, c.facility, c.maLk, {
        ...base,
        stage: c.rejected.stage,
        codes: [{ code: c.rejected.code, message: 'rejected' }],
        rejectedAt: t(c.rejected.at),
      }),
    );
  if (c.missed)
    out.push(
      ev(Topics.claimDeadlineMissed.name, c.facility, c.maLk, {
        ...base,
        encounterEnd: end,
        deadline: new Date(Date.parse(end) + 24 * H).toISOString(),
        observedAt: t(c.missed),
      }),
    );
  return out;
}

export const registration = (
  facility: string,
  identifierType: IdentifierType,
  at: string,
  insured = true,
): Msg => {
  const visitId = randomUUID();
  return ev(Topics.intakeRegistered.name, facility, visitId, {
    visitId,
    facilityCode: facility,
    maLk: `LK-${visitId.slice(0, 8)}`,
    careType: 'OUTPATIENT_VISIT',
    identifierType,
    insured,
    cardCheck: insured ? 'VALID' : 'NOT_APPLICABLE',
    registeredAt: t(at),
    patient: {
      patientRef: randomUUID(),
      maBn: 'BN1',
      fullName: 'Bệnh nhân Mẫu',
      birthDate: '199001010000',
      sex: '1',
    },
  });
};
export const read = (facility: string, at: string): Msg =>
  ev(Topics.healthBookRead.name, facility, randomUUID(), {
    facilityCode: facility,
    readerRole: 'doctor',
    purpose: 'treatment',
    readAt: t(at),
  });

// The week of Thursday 8 to Wednesday 14 January 2026 (local time), and its edges.
export const KNOWN_CLAIMS: ClaimSpec[] = [
  {
    facility: '79001',
    maLk: 'A',
    careType: 'OUTPATIENT_VISIT',
    insured: true,
    end: '2026-01-08T10:00:00',
    closed: '2026-01-08T10:05:00',
    signed: '2026-01-08T10:06:00',
    submitted: { at: '2026-01-08T12:00:00', onTime: true },
    accepted: '2026-01-08T12:05:00',
  },
  // Ends 23:30 local on the 9th (16:30 UTC): belongs to the 9th. Submitted late, then rejected by the gateway.
  {
    facility: '79001',
    maLk: 'B',
    careType: 'INPATIENT',
    insured: false,
    end: '2026-01-09T23:30:00',
    closed: '2026-01-09T23:40:00',
    signed: '2026-01-09T23:41:00',
    submitted: { at: '2026-01-11T08:00:00', onTime: false },
    rejected: { at: '2026-01-11T08:10:00', code: 'XML1_MA_THE', stage: 'gateway' },
  },
  // Closed a minute before the week ends, never sent: backlog under 6 hours at the week's end.
  {
    facility: '79001',
    maLk: 'C',
    careType: 'TELEMEDICINE',
    insured: true,
    end: '2026-01-14T23:59:00',
    closed: '2026-01-14T23:59:30',
  },
  // The day before the week: outside it, but in its backlog (over 24 hours) and in the month (missed).
  {
    facility: '79001',
    maLk: 'D',
    careType: 'OUTPATIENT_VISIT',
    insured: true,
    end: '2026-01-07T23:59:00',
    closed: '2026-01-08T00:01:00',
    missed: '2026-01-08T23:59:30',
  },
  // A correction: version 1 rejected, version 2 accepted. One encounter, two claims.
  {
    facility: '79001',
    maLk: 'E',
    version: 1,
    careType: 'OUTPATIENT_TREATMENT',
    insured: true,
    end: '2026-01-10T09:00:00',
    closed: '2026-01-10T09:10:00',
    signed: '2026-01-10T09:11:00',
    submitted: { at: '2026-01-10T10:00:00', onTime: true },
    rejected: { at: '2026-01-10T10:05:00', code: 'XML2_THUOC', stage: 'gateway' },
  },
  {
    facility: '79001',
    maLk: 'E',
    version: 2,
    careType: 'OUTPATIENT_TREATMENT',
    insured: true,
    end: '2026-01-10T09:00:00',
    closed: '2026-01-10T13:00:00',
    signed: '2026-01-10T13:01:00',
    submitted: { at: '2026-01-10T15:00:00', onTime: true },
    accepted: '2026-01-10T15:10:00',
  },
  {
    facility: '79002',
    maLk: 'F',
    careType: 'DAY_TREATMENT',
    insured: false,
    end: '2026-01-12T08:00:00',
    closed: '2026-01-12T08:01:00',
    signed: '2026-01-12T08:02:00',
    submitted: { at: '2026-01-12T09:00:00', onTime: true },
    accepted: '2026-01-12T09:30:00',
  },
  // Refused by the signer: never submitted, not backlog.
  {
    facility: '01001',
    maLk: 'G',
    careType: 'SCHEDULED_REFILL',
    insured: true,
    end: '2026-01-13T15:00:00',
    closed: '2026-01-13T15:01:00',
    signed: '2026-01-13T15:02:00',
    rejected: { at: '2026-01-13T15:03:00', code: 'SIGNER_CERT', stage: 'signer' },
  },
];

export function knownHistory(): Msg[] {
  return [
    ...KNOWN_CLAIMS.flatMap(claimEvents),
    registration('79001', 'CCCD', '2026-01-08T08:00:00'),
    registration('79001', 'BHYT_CARD', '2026-01-08T20:00:00'),
    registration('79001', 'VNEID_QR', '2026-01-10T08:30:00'),
    registration('79001', 'CCCD', '2026-01-14T23:30:00'),
    registration('79001', 'CCCD', '2026-01-07T23:00:00'), // the day before the week
    registration('79002', 'PERSONAL_ID', '2026-01-12T07:00:00', false),
    registration('01001', 'CCCD', '2026-01-13T14:00:00'),
    read('79001', '2026-01-09T10:00:00'),
    read('79001', '2026-01-09T11:00:00'),
    read('79002', '2026-01-15T00:30:00'), // the day after the week
  ];
}

/** A deterministic shuffle (Park–Miller), so a failure can be replayed. */
export function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 48271) % 2147483647;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
