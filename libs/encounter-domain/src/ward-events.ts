import type { EncounterRecord } from '@bhyt/xml130';

/**
 * Events that ward systems (HIS, LIS, PACS, pharmacy) send about an encounter: the envelope and
 * the `data` schema of each type live in @bhyt/contracts (ward-events.ts), with the topic. The
 * `data` of each type is the matching part of the XML library's encounter model.
 */
export {
  WARD_EVENT_TYPES,
  WardEvent,
  CheckedWardEvent,
  WardEventData,
  type WardEventType,
} from '@bhyt/contracts';

/** Record-level fields a ward system sets at admission (patient details, category, codes). */
export const ADMISSION_FIELDS = [
  'patientCategory',
  'reasonForVisit',
  'departments',
  'inpatientAdmittedAt',
  'inpatientReason',
  'inpatientReasonCode',
  'recordNumber',
  'headOfFacility',
  'headOfFacilityInsuranceNumber',
  'benefitLevel',
  'paymentMethod',
  'referredFrom',
  'referralPaperIn',
  'accidentCode',
  'note',
  'admittedAt',
] as const satisfies ReadonlyArray<keyof EncounterRecord>;

export const DISCHARGE_FIELDS = [
  'dischargedAt',
  'outcome',
  'dischargeType',
  'treatmentMethod',
  'discharge',
  'summary',
  'paidAt',
  'newbornWeights',
  'nextVisitDates',
  'referredTo',
] as const satisfies ReadonlyArray<keyof EncounterRecord>;
