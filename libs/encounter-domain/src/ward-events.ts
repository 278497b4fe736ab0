import { z } from 'zod';
import type { EncounterRecord } from '@bhyt/xml130';

/**
 * Events that ward systems (HIS, LIS, PACS, pharmacy) send about an encounter, over Kafka
 * (encounter.ward-events.v1) or REST. Each carries its own eventId: a re-sent event is applied
 * once. The `data` of each type is the matching part of the XML library's encounter model.
 */
export const WARD_EVENT_TYPES = [
  'admission',
  'diagnosis',
  'drug.ordered',
  'service.ordered',
  'supply.used',
  'result.reported',
  'note.recorded',
  'department.transferred',
  'discharge',
  'referral',
  'follow-up',
  'sick-leave',
  'birth-certificate',
  'tb-treatment',
] as const;
export type WardEventType = (typeof WARD_EVENT_TYPES)[number];

export const WardEvent = z.object({
  eventId: z.uuid(),
  facilityCode: z.string().regex(/^\d{5}$/, 'facility code must be 5 digits'),
  maLk: z.string().min(1).max(100),
  type: z.enum(WARD_EVENT_TYPES),
  occurredAt: z.iso.datetime({ offset: true }),
  /** Which ward system sent it (HIS, LIS, PACS, pharmacy…), for the audit trail. */
  source: z.string().min(1).max(50).default('HIS'),
  data: z.record(z.string(), z.unknown()),
});
export type WardEvent = z.infer<typeof WardEvent>;

/** Record-level fields a ward system sets at admission (patient details, category, codes). */
export const ADMISSION_FIELDS = [
  'patientCategory', 'reasonForVisit', 'departments', 'inpatientAdmittedAt', 'inpatientReason', 'inpatientReasonCode',
  'recordNumber', 'headOfFacility', 'headOfFacilityInsuranceNumber', 'benefitLevel', 'paymentMethod', 'referredFrom', 'referralPaperIn', 'accidentCode', 'note', 'admittedAt',
] as const satisfies ReadonlyArray<keyof EncounterRecord>;

export const DISCHARGE_FIELDS = [
  'dischargedAt', 'outcome', 'dischargeType', 'treatmentMethod', 'discharge', 'summary', 'paidAt', 'newbornWeights', 'nextVisitDates', 'referredTo',
] as const satisfies ReadonlyArray<keyof EncounterRecord>;
