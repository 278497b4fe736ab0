import { PASSPORT_NUMBER_FORM, TREATMENT_DAYS_01_UNDER_3176 } from '../unconfirmed';
import type { StandardId } from './standards';
import { STANDARDS } from './standards';

/** How SO_NGAY_DTRI is counted for one MA_LOAI_KCB. */
export type TreatmentDaysRule =
  /** 0 */
  | 'zero'
  /** NGAY_RA − NGAY_VAO + 1 (calendar dates, UTC+7) */
  | 'span'
  /** distinct days on which XML3 services were performed */
  | 'serviceDays'
  /** the longest drug-use period of the episode (not in the XML: not checked) */
  | 'longestDrugPeriod';

/**
 * Rules of an edition that are behaviour rather than field metadata. Each edition lists only
 * what it changes; rulesOf() applies the changes in date order, so an amendment that changes no
 * rule needs no entry here.
 */
export interface StandardRules {
  /** SO_NGAY_DTRI per MA_LOAI_KCB; codes not listed use `treatmentDaysDefault` (null = not checked). */
  readonly treatmentDays: Readonly<Record<string, TreatmentDaysRule>>;
  readonly treatmentDaysDefault: TreatmentDaysRule | null;
  /** Field patterns replacing those of codelists/enumerations.json; null removes the check. */
  readonly patterns: Readonly<Record<string, string | null>>;
  /** Allowed codes added to (or replacing) codelists/enumerations.json `fields`. */
  readonly enumerations: Readonly<Record<string, readonly string[]>>;
  /** Maximum number of ';' items, added to enumerations.json `maxListItems`. */
  readonly maxListItems: Readonly<Record<string, number>>;
  /** XML2 T_BNTT/T_BHTT/T_BNCCT computed from THANH_TIEN_BV (3176 rows 30–32) instead of THANH_TIEN_BH. */
  readonly drugSplitFromHospitalAmount: boolean;
  /** XML3 special-price THANH_TIEN_BV = SL×DON_GIA_BV − SL×DON_GIA_BH×(100−TYLE_TT_DV)/100 is allowed (3176 row 22). */
  readonly specialPriceFormula: boolean;
  /** MA_MAY layout: `XX.n.YYYYY.Z` (with the facility code) or `XX.n.Z`. */
  readonly machineCodeHasFacility: boolean;
  /** XML1 MA_NGHE_NGHIEP written as the level-2 code (2 digits, 3176) instead of 5 digits. */
  readonly occupationLevel2: boolean;
  /** PHAM_VI 2 means "paid by the patient" (3176): the fund pays nothing on that line. */
  readonly scope2PaidByPatient: boolean;
  /** XML13 MA_CSKCB_DI may list several facilities; the facility's own code is never one of them. */
  readonly referralFromList: boolean;
}

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
}

const BASE_4750: StandardRules = {
  // xml130.md §11 (gateway sheet): 0 for 01/07/09, span for 02/03/04/06; 05/08 span (unconfirmed.ts TREATMENT_DAYS_RULE_SOURCE).
  treatmentDays: {
    '01': 'zero',
    '07': 'zero',
    '09': 'zero',
    '14': 'zero',
    '02': 'span',
    '03': 'span',
    '04': 'span',
    '05': 'span',
    '06': 'span',
    '08': 'span',
  },
  treatmentDaysDefault: null,
  patterns: { MA_MAY: '^[A-ZĐ]{2,3}\\.[123]\\.\\d{5}\\.[^.;]+$' },
  // xml130-fields.json: XML6 NHOM_DOI_TUONG 0–11, TB regimens PHACDO_DTRI_LAO 1–25.
  enumerations: { NHOM_DOI_TUONG: range(0, 11), PHACDO_DTRI_LAO: range(1, 25) },
  maxListItems: {},
  drugSplitFromHospitalAmount: false,
  specialPriceFormula: false,
  machineCodeHasFacility: true,
  occupationLevel2: false,
  scope2PaidByPatient: false,
  referralFromList: false,
};

const CHANGES: Partial<Record<StandardId, Partial<StandardRules>>> = {
  '3176': {
    // xml3176.md §4 XML1 SO_NGAY_DTRI: general formula with exceptions (01: see unconfirmed.ts).
    treatmentDays: {
      '01': TREATMENT_DAYS_01_UNDER_3176,
      '02': 'serviceDays',
      '08': 'serviceDays',
      '05': 'longestDrugPeriod',
      '07': 'longestDrugPeriod',
      '09': 'zero',
      '14': 'zero',
    },
    treatmentDaysDefault: 'span',
    patterns: {
      // GPHN numbers (§3): no fixed layout any more; the 4750 sheet's 10 digits no longer fit.
      MA_TTDV: null,
      // §3: citizen-ID / personal number (12 digits) or a passport number; the 9-digit card is gone.
      SO_CCCD: `^(\\d{12}|${PASSPORT_NUMBER_FORM})$`,
      SO_CCCD_NND: `^(\\d{12}|${PASSPORT_NUMBER_FORM})$`,
      // §4 XML3 MA_MAY: XX.n.Z, funding source in brackets after n (unconfirmed.ts MACHINE_FUNDING_BRACKET).
      MA_MAY: '^[A-ZĐ]{2,3}\\.[123](\\[[^\\]]+\\])?\\.[^.;]+$',
      MA_NGHE_NGHIEP: '^\\d{2}$',
    },
    // §4 XML6: NHOM_DOI_TUONG renumbered 1–11; XML6/XML15 regimens 1–27 (26 INH, 27 other); XML1 ≤ 13 traditional codes.
    enumerations: { NHOM_DOI_TUONG: range(1, 11), PHACDO_DTRI_LAO: range(1, 27) },
    maxListItems: { MA_BENH_YHCT: 13 },
    drugSplitFromHospitalAmount: true,
    specialPriceFormula: true,
    machineCodeHasFacility: false,
    occupationLevel2: true,
    scope2PaidByPatient: true,
    referralFromList: true,
  },
};

const cache = new Map<StandardId, StandardRules>();

/** The rules of an edition: the 4750 rules with every later edition's changes up to it applied. */
export function rulesOf(standard: StandardId): StandardRules {
  let r = cache.get(standard);
  if (r) return r;
  r = BASE_4750;
  for (const s of STANDARDS) {
    const c = CHANGES[s.id];
    if (c)
      r = {
        ...r,
        ...c,
        patterns: { ...r.patterns, ...(c.patterns ?? {}) },
        enumerations: { ...r.enumerations, ...(c.enumerations ?? {}) },
        maxListItems: { ...r.maxListItems, ...(c.maxListItems ?? {}) },
      };
    if (s.id === standard) break;
  }
  cache.set(standard, r);
  return r;
}
