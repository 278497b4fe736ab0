import { z } from 'zod';
import { FacilityCode, MaLk } from './events';

/**
 * Ward events: what ward systems (HIS, LIS, PACS, pharmacy) send about an encounter, over
 * Kafka (encounter.ward-events.v1) or REST. The envelope is {@link WardEvent}; the `data` of
 * each type has its own schema in {@link WardEventData}, named with the event's own fields
 * (`patient.nationalityCode`, `name`), never the XML 130 element they end up in.
 *
 * Each schema refuses, on arrival, what would make the record unbuildable or invalid at close:
 * wrong shapes, texts longer than the XML 130/4750 column they fill (lengths from
 * xml130-fields.json), malformed amounts and quantities (decimal strings within the column's
 * digits and decimals), codes of the wrong form, impossible calendar dates. Rules that need the
 * encounter (order of dates, discharge) or the clock are checked by the encounter domain.
 */

/** Free text whose column the standard leaves unbounded: a generous bound so that a runaway value is refused. */
export const FREE_TEXT_MAX = 10_000;

const text = (max: number) =>
  z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const freeText = text(FREE_TEXT_MAX);
const code = (max: number) =>
  z
    .string()
    .regex(/^[0-9A-Za-z._/;:+-]+$/, 'must be a code (letters, digits, . _ / ; : + -)')
    .max(max, `must be at most ${max} characters`);
/** An optional field a ward system may also send empty (as the standard's empty element). */
const blankable = <S extends z.ZodType>(schema: S) => z.union([z.literal(''), schema]).optional();
const IsoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' });

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A real calendar day yyyyMMdd (years 1900–2199). */
export function isCalendarDate(v: string): boolean {
  if (!/^(19|20|21)\d{6}$/.test(v)) return false;
  const y = +v.slice(0, 4);
  const m = +v.slice(4, 6);
  const d = +v.slice(6, 8);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]!);
}

/** yyyyMMddHHmm, a real date and time; with `gaps`, an unknown day, month or time may be 00 (birth dates). */
export function isStandardDateTime(v: string, gaps = false): boolean {
  if (!/^\d{12}$/.test(v)) return false;
  const hh = +v.slice(8, 10);
  const mm = +v.slice(10, 12);
  if (hh > 23 || mm > 59) return false;
  if (gaps && /^(19|20|21)\d{2}0000$/.test(v.slice(0, 8))) return true;
  if (gaps && /^(19|20|21)\d{4}00$/.test(v.slice(0, 8))) return +v.slice(4, 6) >= 1 && +v.slice(4, 6) <= 12;
  return isCalendarDate(v.slice(0, 8));
}

export const CalendarDate = z.string().refine(isCalendarDate, 'must be a real date as yyyyMMdd');
export const BirthDateTime = z
  .string()
  .refine(
    (v) => isStandardDateTime(v, true),
    'must be a real birth date as yyyyMMddHHmm (unknown day/month as 00)',
  );

/** A non-negative decimal string with at most `digits` integer digits and `decimals` decimals (XML 130 numbers). */
const decimal = (digits: number, decimals: number) =>
  z
    .string()
    .regex(
      new RegExp(`^\\d{1,${digits}}${decimals ? `(\\.\\d{1,${decimals}})?` : ''}$`),
      `must be a non-negative number with at most ${digits} digits and ${decimals} decimals`,
    );
/** SO_LUONG: 10 digits of which 3 decimals. */
export const Quantity = decimal(7, 3);
/** DON_GIA…: 15 digits of which 3 decimals. */
export const UnitPrice = decimal(12, 3);
const Percent = z.number().int().min(0).max(100);
const Scope = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const PaymentMethod = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const Icd10 = z.string().regex(/^[A-Z]\d{2}(\.[0-9A-Z]{1,2})?$/, 'must be an ICD-10 code such as J06.9');

const OtherSources = z.strictObject({
  nsnn: UnitPrice.optional(),
  vtnn: UnitPrice.optional(),
  vttn: UnitPrice.optional(),
  cl: UnitPrice.optional(),
});

export const InsuranceCardData = z
  .object({
    cardNumber: z
      .string()
      .regex(
        /^[A-Z]{2}[1-5]\d{12}$/,
        'must be a 15-character BHYT card number (group, benefit digit 1–5, 12 digits)',
      ),
    registrationFacility: z.string().regex(/^\d{5}$/, 'must be a 5-digit facility code'),
    validFrom: CalendarDate,
    validTo: CalendarDate,
    areaCode: blankable(code(2)),
    fiveYearsSince: blankable(CalendarDate),
    copaymentExemptSince: blankable(
      z
        .string()
        .refine(
          (v) => isCalendarDate(v) || isStandardDateTime(v),
          'must be a real date as yyyyMMdd or yyyyMMddHHmm',
        ),
    ),
  })
  .refine((c) => c.validFrom <= c.validTo, { message: 'validTo is before validFrom', path: ['validTo'] });

export const PatientData = z
  .object({
    patientId: text(100),
    fullName: text(255),
    citizenId: z
      .string()
      .regex(/^(\d{9}|\d{12}|[A-Z]{1,2}\d{7})$/, 'must be 12 digits (CCCD), 9 (old ID) or a passport number'),
    birthDateTime: BirthDateTime,
    sex: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    bloodGroup: text(5),
    nationalityCode: code(3),
    ethnicityCode: code(2),
    occupationCode: code(5),
    address: text(1024),
    provinceCode: code(3),
    districtCode: code(3),
    communeCode: code(5),
    phone: z
      .string()
      .regex(/^\+?\d{6,14}$/, 'must be a phone number (digits, optional +, at most 15 characters)'),
    weightKg: decimal(3, 2),
    fatherName: text(255),
    motherName: text(255),
    guardianName: text(255),
    workplace: text(1024),
    socialInsuranceNumber: z
      .string()
      .regex(/^(?!0+$)\d{10}$/, 'must be the 10-digit social insurance number'),
  })
  .partial();

/** Fields of the admission event: the patient, cards and record-level codes. */
export const AdmissionData = z.object({
  patient: PatientData.optional(),
  cards: z.array(InsuranceCardData).max(10).optional(),
  patientCategory: code(4).optional(),
  reasonForVisit: freeText.optional(),
  departments: z.array(code(50)).min(1).max(20).optional(),
  inpatientAdmittedAt: IsoTime.optional(),
  inpatientReason: freeText.optional(),
  inpatientReasonCode: code(5).optional(),
  recordNumber: text(100).optional(),
  // MA_TTDV: under QĐ 3176 the head's practising-licence number (no fixed layout, up to 255);
  // under 4750 the 10-digit BHXH number, sent apart for encounters that ended before 2025.
  headOfFacility: text(255).optional(),
  headOfFacilityInsuranceNumber: z
    .string()
    .regex(/^\d{10}$/, 'must be the 10-digit BHXH number of the head of facility')
    .optional(),
  benefitLevel: Percent.optional(),
  paymentMethod: PaymentMethod.optional(),
  referredFrom: z
    .string()
    .regex(/^\d{5}$/, 'must be a 5-digit facility code')
    .optional(),
  referralPaperIn: text(50).optional(),
  accidentCode: z.string().regex(/^\d$/, 'must be one digit').optional(),
  note: freeText.optional(),
  admittedAt: IsoTime.optional(),
});

export const DiagnosisData = z
  .object({
    admissionText: freeText,
    dischargeText: freeText,
    main: Icd10,
    secondary: z.array(Icd10).max(12).optional(),
    traditional: z.array(code(20)).max(12).optional(),
    procedures: z.array(code(10)).max(12).optional(),
  })
  .refine((d) => (d.secondary ?? []).join(';').length <= 100, {
    message: 'secondary codes joined by ; must be at most 100 characters',
    path: ['secondary'],
  })
  .refine((d) => (d.traditional ?? []).join(';').length <= 255, {
    message: 'traditional codes joined by ; must be at most 255 characters',
    path: ['traditional'],
  })
  .refine((d) => (d.procedures ?? []).join(';').length <= 125, {
    message: 'procedure codes joined by ; must be at most 125 characters',
    path: ['procedures'],
  });

const lineCommon = {
  code: code(255),
  name: text(1024),
  costGroup: z.string().regex(/^\d{1,2}$/, 'must be a cost-group code (MA_NHOM)'),
  unit: text(50),
  quantity: Quantity,
  paymentRatio: Percent.optional(),
  scope: Scope.optional(),
  otherSources: OtherSources.optional(),
  department: code(50),
  doctor: z.string().min(1).max(255),
  orderedAt: IsoTime,
  executedAt: IsoTime.optional(),
  benefitLevel: Percent.optional(),
  paymentMethod: PaymentMethod.optional(),
};

export const DrugOrderedData = z.object({
  ...lineCommon,
  strength: text(1024),
  route: code(4),
  dosage: text(1024),
  usage: text(1024).optional(),
  dosageForm: text(1024).optional(),
  registrationNumber: text(255).optional(),
  tender: text(50).optional(),
  unitPrice: UnitPrice,
  serviceCode: code(255).optional(),
  fundingSource: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
  preparationMethod: text(255).optional(),
  originCode: code(10).optional(),
});

export const ServiceOrderedData = z.object({
  ...lineCommon,
  code: code(50),
  hospitalPrice: UnitPrice,
  insurancePrice: UnitPrice.optional(),
  serviceRatio: Percent.optional(),
  beds: z
    .array(z.string().regex(/^[HTCK]\d{3}$/, 'must be a bed code such as H001'))
    .max(20)
    .optional(),
  performers: z.array(z.string().min(1).max(255)).max(20).optional(),
  diseaseCodes: z.string().max(100).optional(),
  resultAt: IsoTime.optional(),
  anaesthesia: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
  procedureCode: code(255).optional(),
  machines: z.array(code(255)).max(20).optional(),
  fuelCode: code(20).optional(),
  ceiling: UnitPrice.optional(),
  position: code(3).optional(),
});

export const SupplyUsedData = z.object({
  ...lineCommon,
  hospitalPrice: UnitPrice,
  insurancePrice: UnitPrice.optional(),
  tender: text(50).optional(),
  packageCode: z
    .string()
    .regex(/^G[1-9]\d{0,2}$/, 'must be a package code such as G1')
    .optional(),
  productCode: code(255).optional(),
  reused: z.boolean().optional(),
  serviceCode: code(50).optional(),
});

export const ResultReportedData = z.object({
  serviceCode: code(15),
  indexCode: code(50).optional(),
  indexName: text(255),
  value: z.string().max(50).optional(),
  unit: z.string().max(50).optional(),
  description: freeText.optional(),
  conclusion: freeText.optional(),
  resultAt: IsoTime.optional(),
  readerCode: z.string().max(255).optional(),
});

export const NoteRecordedData = z.object({
  text: freeText,
  stage: freeText.optional(),
  consultation: freeText.optional(),
  surgery: freeText.optional(),
  at: IsoTime,
  authors: z.array(z.string().min(1).max(255)).min(1).max(20),
});

export const DepartmentTransferredData = z.object({ department: code(50) });

const DischargePaper = z.object({
  archiveNumber: text(200),
  department: code(50),
  treatmentMethod: freeText,
  note: freeText.optional(),
  doctorCode: code(255),
  doctorName: text(255),
  issuedOn: CalendarDate,
  restDays: z.number().int().min(0).max(999).optional(),
  restFrom: CalendarDate.optional(),
  restTo: CalendarDate.optional(),
  temporaryCardNumber: text(15).optional(),
});

const RecordSummary = z.object({
  history: freeText,
  keyResults: freeText,
  treatmentMethod: freeText,
  note: freeText.optional(),
  issuedOn: CalendarDate,
  birthDate: CalendarDate.optional(),
  stillbirthDate: CalendarDate.optional(),
  stillbirths: z.number().int().min(0).max(99).optional(),
});

export const DischargeData = z.object({
  dischargedAt: IsoTime,
  outcome: z.number().int().min(1).max(8),
  dischargeType: z.number().int().min(1).max(5),
  treatmentMethod: freeText.optional(),
  discharge: DischargePaper.optional(),
  summary: RecordSummary.optional(),
  paidAt: IsoTime.optional(),
  newbornWeights: z.array(decimal(5, 0)).max(10).optional(),
  nextVisitDates: z.array(CalendarDate).max(5).optional(),
  referredTo: z
    .string()
    .regex(/^\d{5}$/, 'must be a 5-digit facility code')
    .optional(),
});

export const ReferralData = z.object({
  dossierNumber: text(50),
  referralNumber: text(50),
  referralPaperNumber: text(50),
  toFacility: z.string().regex(/^\d{5}$/, 'must be a 5-digit facility code'),
  clinicalSigns: freeText,
  history: freeText,
  keyResults: freeText,
  treatmentMethod: freeText.optional(),
  servicesUsed: freeText,
  drugsUsed: freeText.optional(),
  reason: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  direction: freeText,
  transport: text(255),
  escortName: text(255).optional(),
  escortTitle: text(255).optional(),
  doctorCode: code(255),
});

export const FollowUpData = z.object({
  appointmentNumber: text(50),
  appointmentAt: IsoTime,
  doctorCode: code(255),
  issuedOn: CalendarDate,
});

export const SickLeaveData = z
  .object({
    documentNumber: text(200),
    serial: text(200),
    visitNumber: text(200),
    workplace: text(1024),
    socialInsuranceNumber: code(15),
    treatmentMethod: freeText,
    days: z.number().int().min(1).max(999),
    from: CalendarDate,
    to: CalendarDate,
    doctorCode: code(255),
    issuedOn: CalendarDate,
    formCode: code(50).optional(),
  })
  .refine((s) => s.from <= s.to, { message: 'to is before from', path: ['to'] });

export const BirthCertificateData = z.object({
  mother: z.object({
    socialInsuranceNumber: code(15).optional(),
    cardNumber: z
      .string()
      .regex(/^[A-Z]{2}\d{13}$/, 'must be a 15-character BHYT card number')
      .optional(),
    fullName: text(255),
    birthDate: z
      .string()
      .refine(
        (v) => isCalendarDate(v) || isStandardDateTime(v, true),
        'must be a real date as yyyyMMdd or yyyyMMddHHmm',
      ),
    ethnicityCode: code(2),
    citizenId: z.string().regex(/^\d{9}$|^\d{12}$/, 'must be 12 digits (CCCD) or 9 (old ID)'),
    idIssuedOn: CalendarDate,
    idIssuedBy: text(1024),
    residence: text(1024),
  }),
  fatherName: text(255).optional(),
  temporaryCardNumber: text(15),
  childName: text(255).optional(),
  childSex: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  childrenCount: z.number().int().min(1).max(20),
  birthOrder: z.number().int().min(1).max(20),
  childrenAlive: z.number().int().min(0).max(20),
  weightGrams: z.number().int().min(100).max(10_000),
  bornAt: IsoTime,
  birthPlace: text(1024),
  condition: freeText,
  caesarean: z.boolean(),
  under32Weeks: z.boolean(),
  note: z.string().max(FREE_TEXT_MAX),
  midwife: text(255),
  recorder: text(255),
  issuedOn: CalendarDate,
  number: text(200),
  book: text(200),
});

export const TbTreatmentData = z.object({
  siteClass: z.number().int().min(0).max(9),
  historyClass: z.number().int().min(0).max(99),
  hivClass: z.number().int().min(0).max(99),
  bacteriologyClass: z.number().int().min(0).max(99),
  resistanceClass: z.number().int().min(0).max(99),
  treatmentType: z.number().int().min(0).max(99),
  startedOn: CalendarDate,
  regimen: z.number().int().min(0).max(99),
  endedOn: CalendarDate.optional(),
  outcome: z.number().int().min(0).max(99),
  hivDiagnosedOn: CalendarDate.optional(),
  arvStartedOn: CalendarDate,
  ctxStartedOn: CalendarDate,
});

/**
 * Takes back an event sent earlier to this encounter (by its eventId): the encounter is rebuilt
 * from its other events. Itself an event with its own eventId, so that it is applied once.
 */
export const RetractionData = z.object({ eventId: z.uuid('must be the eventId of an event sent earlier') });

/** The `data` schema of each ward-event type. */
export const WardEventData = {
  admission: AdmissionData,
  diagnosis: DiagnosisData,
  'drug.ordered': DrugOrderedData,
  'service.ordered': ServiceOrderedData,
  'supply.used': SupplyUsedData,
  'result.reported': ResultReportedData,
  'note.recorded': NoteRecordedData,
  'department.transferred': DepartmentTransferredData,
  discharge: DischargeData,
  referral: ReferralData,
  'follow-up': FollowUpData,
  'sick-leave': SickLeaveData,
  'birth-certificate': BirthCertificateData,
  'tb-treatment': TbTreatmentData,
  retraction: RetractionData,
} as const satisfies Record<string, z.ZodType>;

export const WARD_EVENT_TYPES = Object.keys(WardEventData) as Array<keyof typeof WardEventData>;
export type WardEventType = keyof typeof WardEventData;

/** The envelope of a ward event; `data` is checked against {@link WardEventData} by its type. */
export const WardEvent = z.object({
  eventId: z.uuid(),
  facilityCode: FacilityCode,
  maLk: MaLk,
  type: z.enum(WARD_EVENT_TYPES as [WardEventType, ...WardEventType[]]),
  occurredAt: IsoTime,
  /** Which ward system sent it (HIS, LIS, PACS, pharmacy…), for the audit trail. */
  source: z.string().min(1).max(50).default('HIS'),
  /** This event replaces one sent earlier (its eventId): the earlier one is retracted in the same step. */
  replaces: z.uuid().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type WardEvent = z.infer<typeof WardEvent>;

/** The whole event, `data` included, in one parse: issues are paths such as `data.patient.nationalityCode`. */
export const CheckedWardEvent = WardEvent.superRefine((event, ctx) => {
  if (event.replaces && event.type === 'retraction')
    ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'a retraction replaces nothing' });
  const schema = WardEventData[event.type] as z.ZodType;
  const r = schema.safeParse(event.data);
  if (r.success) return;
  for (const issue of r.error.issues)
    ctx.addIssue({
      code: 'custom',
      path: ['data', ...issue.path],
      message: issue.message,
      params: { issue: issue.code },
    });
});
