import type { EncounterRecord, FollowUp, Referral } from '@bhyt/xml130';
import { maLoaiKcb } from '@bhyt/xml130';

/**
 * One episode of care as the health book shows it (Decision 1332 §2 C–D; mapping of QĐ 2733
 * Annex 2 to XML1/XML8/XML13/XML14). Built from the record of a closed encounter version, so
 * the book shows exactly what was sent to the gateway — never an open draft.
 */
export interface HealthBookEntry {
  facilityCode: string;
  maLk: string;
  version: number;
  closedAt: string;
  careType: EncounterRecord['careType'];
  /** MA_LOAI_KCB */
  careTypeCode: string;
  admittedAt: string;
  inpatientAdmittedAt?: string;
  dischargedAt: string;
  reasonForVisit: string;
  diagnoses: {
    main: string;
    secondary: string[];
    traditional: string[];
    admissionText: string;
    dischargeText: string;
    procedures: string[];
  };
  /** KET_QUA_DTRI and MA_LOAI_RV */
  outcome: number;
  dischargeType: number;
  departments: string[];
  treatment: {
    method?: string;
    history?: string;
    keyResults?: string;
    note?: string;
    drugs: Array<{ code: string; name: string; orderedAt: string }>;
    services: Array<{ code: string; name: string; orderedAt: string }>;
  };
  followUp?: { appointmentNumber: string; appointmentAt: string; doctorCode: string; issuedOn: string };
  referral?: {
    referralPaperNumber: string;
    toFacility: string;
    reason: number;
    direction: string;
    keyResults: string;
    treatmentMethod?: string;
  };
  /** Administrative data as recorded at this episode (the book shows the latest). */
  patient: {
    fullName: string;
    birthDate: string;
    sex: number;
    citizenId?: string;
    nationalityCode?: string;
    ethnicityCode?: string;
    occupationCode?: string;
    phone?: string;
    address?: string;
    provinceCode?: string;
    districtCode?: string;
    communeCode?: string;
    bloodGroup?: string;
    weightKg?: string;
  };
  cards: Array<{ cardNumber: string; registrationFacility: string; validFrom: string; validTo: string }>;
}

const iso = (d: Date | string | undefined): string | undefined => {
  const t = d === undefined ? NaN : new Date(d).getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
};
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;

function followUpOf(f: FollowUp | undefined): HealthBookEntry['followUp'] {
  return f
    ? {
        appointmentNumber: f.appointmentNumber,
        appointmentAt: iso(f.appointmentAt) ?? '',
        doctorCode: f.doctorCode,
        issuedOn: f.issuedOn,
      }
    : undefined;
}

function referralOf(r: Referral | undefined): HealthBookEntry['referral'] {
  return r
    ? defined({
        referralPaperNumber: r.referralPaperNumber,
        toFacility: r.toFacility,
        reason: r.reason,
        direction: r.direction,
        keyResults: r.keyResults,
        treatmentMethod: r.treatmentMethod,
      })
    : undefined;
}

/** The health-book entry of a closed encounter version (pure). */
export function toHealthBookEntry(record: EncounterRecord, version: number, closedAt: Date): HealthBookEntry {
  const p = record.patient;
  const d = record.diagnoses;
  return defined({
    facilityCode: record.facilityCode,
    maLk: record.maLk,
    version,
    closedAt: closedAt.toISOString(),
    careType: record.careType,
    careTypeCode: maLoaiKcb(record),
    admittedAt: iso(record.admittedAt) ?? '',
    inpatientAdmittedAt: iso(record.inpatientAdmittedAt),
    dischargedAt: iso(record.dischargedAt) ?? '',
    reasonForVisit: record.reasonForVisit,
    diagnoses: {
      main: d.main,
      secondary: d.secondary ?? [],
      traditional: d.traditional ?? [],
      admissionText: d.admissionText,
      dischargeText: d.dischargeText,
      procedures: d.procedures ?? [],
    },
    outcome: record.outcome,
    dischargeType: record.dischargeType,
    departments: record.departments,
    treatment: defined({
      method: record.summary?.treatmentMethod ?? record.treatmentMethod ?? record.discharge?.treatmentMethod,
      history: record.summary?.history,
      keyResults: record.summary?.keyResults,
      note: record.note,
      drugs: record.drugs.map((l) => ({ code: l.code, name: l.name, orderedAt: iso(l.orderedAt) ?? '' })),
      services: record.services.map((l) => ({
        code: l.code,
        name: l.name,
        orderedAt: iso(l.orderedAt) ?? '',
      })),
    }),
    followUp: followUpOf(record.followUp),
    referral: referralOf(record.referral),
    patient: defined({
      fullName: p.fullName,
      birthDate: p.birthDateTime,
      sex: p.sex,
      citizenId: p.citizenId,
      nationalityCode: p.nationalityCode,
      ethnicityCode: p.ethnicityCode,
      occupationCode: p.occupationCode,
      phone: p.phone,
      address: p.address,
      provinceCode: p.provinceCode,
      districtCode: p.districtCode,
      communeCode: p.communeCode,
      bloodGroup: p.bloodGroup,
      weightKg: p.weightKg,
    }),
    cards: record.cards.map((c) => ({
      cardNumber: c.cardNumber,
      registrationFacility: c.registrationFacility,
      validFrom: c.validFrom,
      validTo: c.validTo,
    })),
  });
}
