import type { CareType, EncounterRecord, Patient, InsuranceCard } from '@bhyt/xml130';
import { ADMISSION_FIELDS, DISCHARGE_FIELDS, WardEvent } from './ward-events';

/**
 * The encounter while it is open: a JSON-safe, partial EncounterRecord. It is stored as
 * JSONB; dates are ISO strings until the record is materialized for the XML library.
 */
export type EncounterDraft = Partial<Record<keyof EncounterRecord, unknown>> & {
  facilityCode: string;
  maLk: string;
  careType: CareType;
  patient: Partial<Patient>;
  cards: InsuranceCard[];
  drugs: unknown[];
  services: unknown[];
  supplies: unknown[];
  results: unknown[];
  clinicalNotes: unknown[];
  birthCertificates?: unknown[];
};

export interface RegistrationFacts {
  facilityCode: string;
  maLk: string;
  careType: CareType;
  registeredAt: string;
  patient: {
    maBn: string;
    fullName: string;
    birthDate: string;
    sex: '1' | '2' | '3';
    citizenId?: string;
    address?: string;
    insuranceCard?: { number: string; registeredFacility: string; validFrom: string; validTo: string };
  };
}

/** A new draft from the registration at intake. */
export function openDraft(r: RegistrationFacts): EncounterDraft {
  const p = r.patient;
  return {
    facilityCode: r.facilityCode,
    maLk: r.maLk,
    careType: r.careType,
    admittedAt: r.registeredAt,
    patient: {
      patientId: p.maBn,
      fullName: p.fullName,
      birthDateTime: p.birthDate,
      sex: Number(p.sex) as Patient['sex'],
      ...(p.citizenId ? { citizenId: p.citizenId } : {}),
      ...(p.address ? { address: p.address } : {}),
    },
    cards: p.insuranceCard
      ? [
          {
            cardNumber: p.insuranceCard.number,
            registrationFacility: p.insuranceCard.registeredFacility,
            validFrom: p.insuranceCard.validFrom,
            validTo: p.insuranceCard.validTo,
          },
        ]
      : [],
    drugs: [],
    services: [],
    supplies: [],
    results: [],
    clinicalNotes: [],
  };
}

const pick = (data: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(Object.entries(data).filter(([k]) => keys.includes(k)));

/** Applies one ward event to the draft (pure). Unknown keys in `data` are ignored. */
export function applyWardEvent(draft: EncounterDraft, event: WardEvent): EncounterDraft {
  const d = event.data;
  switch (event.type) {
    case 'admission': {
      const patient =
        typeof d['patient'] === 'object' && d['patient'] ? (d['patient'] as Partial<Patient>) : {};
      const cards = Array.isArray(d['cards']) ? (d['cards'] as InsuranceCard[]) : draft.cards;
      return { ...draft, ...pick(d, ADMISSION_FIELDS), patient: { ...draft.patient, ...patient }, cards };
    }
    case 'diagnosis':
      return { ...draft, diagnoses: d };
    case 'drug.ordered':
      return { ...draft, drugs: [...draft.drugs, d] };
    case 'service.ordered':
      return { ...draft, services: [...draft.services, d] };
    case 'supply.used':
      return { ...draft, supplies: [...draft.supplies, d] };
    case 'result.reported':
      return { ...draft, results: [...draft.results, d] };
    case 'note.recorded':
      return { ...draft, clinicalNotes: [...draft.clinicalNotes, d] };
    case 'department.transferred': {
      const departments = Array.isArray(draft.departments) ? (draft.departments as string[]) : [];
      return { ...draft, departments: [...departments, String(d['department'] ?? '')] };
    }
    case 'discharge':
      return { ...draft, ...pick(d, DISCHARGE_FIELDS) };
    case 'referral':
      return { ...draft, referral: d, ...(d['toFacility'] ? { referredTo: d['toFacility'] } : {}) };
    case 'follow-up':
      return { ...draft, followUp: d };
    case 'sick-leave':
      return { ...draft, sickLeave: d };
    case 'birth-certificate':
      return { ...draft, birthCertificates: [...(draft.birthCertificates ?? []), d] };
    case 'tb-treatment':
      return { ...draft, tbTreatment: d };
    case 'retraction':
      // Taking an event back rebuilds the draft from the events in force (retraction.ts).
      return draft;
  }
}

const DATE_KEY = /(^at$|At$)/;

/** Turns ISO strings under date-named keys ("…At", "at") back into Dates. */
export function reviveDates<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => reviveDates(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] =
        DATE_KEY.test(k) && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)
          ? new Date(v)
          : reviveDates(v);
    }
    return out as T;
  }
  return value;
}

/** Fields the close step needs before the XML library can even build the tables. */
const REQUIRED_AT_CLOSE: Array<keyof EncounterRecord> = [
  'patientCategory',
  'diagnoses',
  'dischargedAt',
  'outcome',
  'dischargeType',
  'recordNumber',
  'headOfFacility',
  'benefitLevel',
  'paymentMethod',
  'reasonForVisit',
  'departments',
];

export interface CompletenessError {
  field: string;
  code: 'MISSING_AT_CLOSE';
  message: string;
}

export function checkCompleteness(draft: EncounterDraft): CompletenessError[] {
  const missing = REQUIRED_AT_CLOSE.filter((k) => draft[k] === undefined || draft[k] === null);
  return missing.map((field) => ({
    field,
    code: 'MISSING_AT_CLOSE',
    message: `${field} must be recorded before the encounter can close`,
  }));
}

/** The draft as the XML library's EncounterRecord (call only after checkCompleteness passed). */
export function materialize(draft: EncounterDraft): EncounterRecord {
  return reviveDates(draft) as unknown as EncounterRecord;
}
