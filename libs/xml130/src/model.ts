import type { CareType } from '@bhyt/contracts';
import type { ClaimTableId } from './spec/metadata';
import type { RowTypes } from './spec/row-types.generated';

export type { CareType };

/** Typed rows per table present; single-record tables hold an array of one row. */
export type ClaimTables = { [T in ClaimTableId]?: Array<RowTypes[T]> };
export type CheckinRow = RowTypes['XML0'];

/** A rule violation; messages name table/row/field and the rule, never the value. */
export interface Violation {
  table: string;
  /** 1-based row index within the table, when the violation concerns one row. */
  row?: number;
  field?: string;
  code: ViolationCode;
  message: string;
  /** Absent for errors; 'warning' for assessment findings of public checkers that do not invalidate the claim. */
  severity?: 'warning';
}

export type ViolationCode =
  | 'TABLE_MISSING'
  | 'TABLE_NOT_ALLOWED'
  | 'TOO_MANY_ROWS'
  | 'FIELD_REQUIRED'
  | 'FIELD_UNKNOWN'
  | 'MAX_LENGTH'
  | 'TYPE_NUMBER'
  | 'DECIMALS'
  | 'DATE_FORMAT'
  | 'LIST_FORMAT'
  | 'INVALID_CHARACTER'
  | 'INVALID_VALUE'
  | 'CODE_UNKNOWN'
  | 'MA_LK_MISMATCH'
  | 'STT_SEQUENCE'
  | 'TOTAL_MISMATCH'
  | 'LINE_AMOUNT_MISMATCH'
  | 'DATE_ORDER'
  | 'CARD_LIST_MISALIGNED'
  | 'VALUE_MISMATCH'
  | 'TREATMENT_DAYS'
  | 'FIRST_COST_AMBIGUOUS'
  | 'TOO_MANY_EXAM_FEES'
  | 'BED_DAYS_NOT_ALLOWED'
  | 'STAY_TOO_LONG'
  | 'OTHER_SOURCES_RANGE'
  | 'LIST_TOO_LONG'
  | 'CONDITIONAL_FIELDS'
  | 'REFERRAL_FACILITY_MISMATCH'
  | 'SCOPE_PAID_BY_PATIENT'
  | 'LINE_QUANTITY_OVER_ONE'
  | 'BED_DAYS_EXCEED_STAY'
  | 'TENDER_FORMAT'
  | 'IMAGING_CONCLUSION_MISSING'
  | 'TRADITIONAL_CODE_AS_MAIN'
  | 'APPOINTMENT_NOT_AFTER_DISCHARGE';

/** Sex code GIOI_TINH: 1 male, 2 female, 3 undetermined. */
export type Sex = 1 | 2 | 3;

export interface Patient {
  /** MA_BN: facility patient number. */
  patientId: string;
  fullName: string;
  /** Citizen-ID / personal identification number; absent for newborns and foreigners. */
  citizenId?: string;
  /** Passport number of a foreigner (SO_CCCD when there is no citizen ID). */
  passportNumber?: string;
  /** Height in cm (XML1 DU_PHONG under 3176), when used for diagnosis or treatment. */
  heightCm?: string;
  /** NGAY_SINH as written in the standard: yyyyMMddHHmm, gaps as 0000 allowed. */
  birthDateTime: string;
  sex: Sex;
  bloodGroup?: string;
  nationalityCode: string;
  ethnicityCode: string;
  occupationCode: string;
  address: string;
  provinceCode: string;
  districtCode: string;
  communeCode: string;
  phone?: string;
  /** Weight in kg as a decimal string with up to 2 decimals. */
  weightKg: string;
  fatherName?: string;
  motherName?: string;
  guardianName?: string;
  workplace?: string;
  socialInsuranceNumber?: string;
}

export interface InsuranceCard {
  /** 15 characters: group (2 letters), benefit digit, province (2 digits), 10 digits. */
  cardNumber: string;
  /** MA_DKBD: registered primary-care facility code. */
  registrationFacility: string;
  /** yyyyMMdd */
  validFrom: string;
  /** yyyyMMdd */
  validTo: string;
  areaCode?: string;
  /** NAM_NAM_LIEN_TUC yyyyMMdd */
  fiveYearsSince?: string;
  /** NGAY_MIEN_CCT yyyyMMdd */
  copaymentExemptSince?: string;
}

export interface Diagnoses {
  admissionText: string;
  dischargeText: string;
  /** ICD-10 code of the main disease (with dot, e.g. J06.9). */
  main: string;
  secondary?: string[];
  traditional?: string[];
  /** ICD-9-CM procedure codes. */
  procedures?: string[];
}

export interface OtherSources {
  nsnn?: string;
  vtnn?: string;
  vttn?: string;
  cl?: string;
}

export interface DrugLine {
  code: string;
  name: string;
  /** MA_NHOM: 4, 5, 6, 7 or 17 (code list). */
  costGroup: string;
  unit: string;
  strength: string;
  /** DUONG_DUNG route code, e.g. 1.01 oral. */
  route: string;
  dosage: string;
  usage?: string;
  dosageForm?: string;
  registrationNumber?: string;
  /** TT_THAU decision;package;group;year */
  tender?: string;
  scope?: 1 | 2 | 3;
  paymentRatio?: number;
  quantity: string;
  unitPrice: string;
  otherSources?: OtherSources;
  department: string;
  doctor: string;
  serviceCode?: string;
  orderedAt: Date;
  executedAt?: Date;
  fundingSource?: 1 | 2 | 3 | 4;
  benefitLevel?: number;
  paymentMethod?: 1 | 2 | 3;
  preparationMethod?: string;
  originCode?: string;
  /** Days of use the drug was dispensed for (SO_NGAY_DTRI of care types 05/07 under 3176). */
  supplyDays?: number;
}

export interface ServiceLine {
  code: string;
  name: string;
  /** MA_NHOM from the cost-group code list (1–3, 8, 9, 12–16, 18, 19). */
  costGroup: string;
  unit: string;
  quantity: string;
  hospitalPrice: string;
  insurancePrice?: string;
  serviceRatio?: number;
  paymentRatio?: number;
  scope?: 1 | 2 | 3;
  otherSources?: OtherSources;
  department: string;
  beds?: string[];
  doctor: string;
  performers?: string[];
  /** MA_BENH for this line (defaults to the main + secondary diagnoses). */
  diseaseCodes?: string;
  orderedAt: Date;
  executedAt?: Date;
  resultAt?: Date;
  anaesthesia?: 1 | 2 | 3 | 4;
  procedureCode?: string;
  machines?: string[];
  fuelCode?: string;
  ceiling?: string;
  benefitLevel?: number;
  paymentMethod?: 1 | 2 | 3;
  position?: string;
  /**
   * In a special TYLE_TT_DV case the facility does not charge the patient the difference to
   * DON_GIA_BH (3176 special-price THANH_TIEN_BV formula).
   */
  waivesPriceDifference?: boolean;
}

export interface SupplyLine {
  code: string;
  name: string;
  /** MA_NHOM 10 or 11. */
  costGroup: string;
  unit: string;
  quantity: string;
  hospitalPrice: string;
  insurancePrice?: string;
  paymentRatio?: number;
  scope?: 1 | 2 | 3;
  tender?: string;
  packageCode?: string;
  productCode?: string;
  reused?: boolean;
  otherSources?: OtherSources;
  department: string;
  doctor: string;
  /** Service code the supply was used for. */
  serviceCode?: string;
  orderedAt: Date;
  executedAt?: Date;
  benefitLevel?: number;
  paymentMethod?: 1 | 2 | 3;
}

export interface ParaclinicalResult {
  serviceCode: string;
  indexCode?: string;
  indexName: string;
  value?: string;
  unit?: string;
  description?: string;
  conclusion?: string;
  resultAt?: Date;
  readerCode?: string;
}

export interface ClinicalNote {
  text: string;
  stage?: string;
  consultation?: string;
  surgery?: string;
  at: Date;
  authors: string[];
}

export interface DischargePaper {
  archiveNumber: string;
  department: string;
  treatmentMethod: string;
  note?: string;
  doctorCode: string;
  doctorName: string;
  issuedOn: string;
  restDays?: number;
  restFrom?: string;
  restTo?: string;
  temporaryCardNumber?: string;
}

export interface RecordSummary {
  history: string;
  keyResults: string;
  treatmentMethod: string;
  note?: string;
  issuedOn: string;
  birthDate?: string;
  stillbirthDate?: string;
  stillbirths?: number;
}

export interface Referral {
  dossierNumber: string;
  referralNumber: string;
  referralPaperNumber: string;
  toFacility: string;
  clinicalSigns: string;
  history: string;
  keyResults: string;
  treatmentMethod?: string;
  servicesUsed: string;
  drugsUsed?: string;
  /** MA_LYDO_CT 1, 2 or 3. */
  reason: 1 | 2 | 3;
  direction: string;
  transport: string;
  escortName?: string;
  escortTitle?: string;
  doctorCode: string;
  /** TINH_TRANG_CT (3176): the patient's condition at the time of referral. */
  conditionAtReferral?: string;
  /** Facilities the patient passed through before the one that referred them here (MA_CSKCB_DI list, 3176). */
  earlierFacilities?: string[];
}

export interface FollowUp {
  appointmentNumber: string;
  appointmentAt: Date;
  doctorCode: string;
  issuedOn: string;
}

export interface SickLeave {
  documentNumber: string;
  serial: string;
  visitNumber: string;
  workplace: string;
  socialInsuranceNumber: string;
  treatmentMethod: string;
  days: number;
  from: string;
  to: string;
  doctorCode: string;
  issuedOn: string;
  formCode?: string;
}

export interface BirthCertificate {
  mother: {
    socialInsuranceNumber?: string;
    cardNumber?: string;
    fullName: string;
    birthDate: string;
    ethnicityCode: string;
    citizenId: string;
    idIssuedOn: string;
    idIssuedBy: string;
    residence: string;
  };
  fatherName?: string;
  temporaryCardNumber: string;
  childName?: string;
  childSex: Sex;
  childrenCount: number;
  birthOrder: number;
  childrenAlive: number;
  weightGrams: number;
  bornAt: Date;
  birthPlace: string;
  condition: string;
  caesarean: boolean;
  under32Weeks: boolean;
  note: string;
  midwife: string;
  recorder: string;
  issuedOn: string;
  number: string;
  book: string;
}

export interface TbTreatment {
  siteClass: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  historyClass: number;
  hivClass: number;
  bacteriologyClass: number;
  resistanceClass: number;
  treatmentType: number;
  startedOn: string;
  regimen: number;
  endedOn?: string;
  outcome: number;
  hivDiagnosedOn?: string;
  arvStartedOn: string;
  ctxStartedOn: string;
}

export interface EncounterRecord {
  facilityCode: string;
  maLk: string;
  careType: CareType;
  /** MA_DOITUONG_KCB */
  patientCategory: string;
  patient: Patient;
  /** Several cards in one episode become parallel ';' lists; empty for non-BHYT visits. */
  cards: InsuranceCard[];
  admittedAt: Date;
  inpatientAdmittedAt?: Date;
  inpatientReason?: string;
  inpatientReasonCode?: string;
  dischargedAt: Date;
  paidAt?: Date;
  reasonForVisit: string;
  diagnoses: Diagnoses;
  departments: string[];
  treatmentMethod?: string;
  /** KET_QUA_DTRI 1–8 */
  outcome: number;
  /** MA_LOAI_RV 1–5 */
  dischargeType: number;
  accidentCode?: string;
  referredFrom?: string;
  referredTo?: string;
  referralPaperIn?: string;
  note?: string;
  recordNumber: string;
  /** MA_TTDV under 3176: practising-licence number (GPHN) of the head of facility or authorised signer. */
  headOfFacility: string;
  /** MA_TTDV under 4750: the same person's 10-digit social-insurance number (encounters ended before 2025). */
  headOfFacilityInsuranceNumber?: string;
  /** MUC_HUONG default for lines. */
  benefitLevel: number;
  /** MA_PTTT default for lines (1 fee-for-service). */
  paymentMethod: 1 | 2 | 3;
  newbornWeights?: string[];
  nextVisitDates?: string[];
  drugs: DrugLine[];
  services: ServiceLine[];
  supplies: SupplyLine[];
  results: ParaclinicalResult[];
  clinicalNotes: ClinicalNote[];
  discharge?: DischargePaper;
  summary?: RecordSummary;
  referral?: Referral;
  followUp?: FollowUp;
  sickLeave?: SickLeave;
  birthCertificates?: BirthCertificate[];
  tbTreatment?: TbTreatment;
}
