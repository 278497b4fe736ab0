import { z } from 'zod';
import { Topics, TopicName } from './topics';

/**
 * Event schemas. Every message on a platform topic is an {@link EventEnvelope} whose payload
 * matches the schema registered for that topic and schema version. Consumers validate with
 * {@link parseEvent}; a message that does not parse is dead-lettered with the reason.
 *
 * Personal data (names, CCCD, card numbers, birth dates, addresses) may travel inside
 * payloads between services, never in headers, keys, logs or spans: keys are MA_LK or opaque
 * ids.
 */

export const FacilityCode = z.string().regex(/^\d{5}$/, 'facility code must be 5 digits (QĐ 384)');
export const MaLk = z.string().min(1).max(100);
const IsoTime = z.iso.datetime({ offset: true });

/** The six forms of care of the pilot (QĐ 2733 Art. 2); MA_LOAI_KCB codes live in the XML lib. */
export const CareType = z.enum([
  'OUTPATIENT_VISIT',
  'OUTPATIENT_TREATMENT',
  'INPATIENT',
  'DAY_TREATMENT',
  'SCHEDULED_REFILL',
  'TELEMEDICINE',
]);
export type CareType = z.infer<typeof CareType>;

export const IdentifierType = z.enum(['CCCD', 'PERSONAL_ID', 'BHYT_CARD', 'VNEID_QR']);
export type IdentifierType = z.infer<typeof IdentifierType>;

export const PatientSnapshot = z.object({
  patientRef: z.uuid(),
  maBn: z.string().min(1).max(100),
  fullName: z.string().min(1).max(255),
  birthDate: z.string().regex(/^\d{12}$/, 'birth date as yyyyMMddHHmm'),
  sex: z.enum(['1', '2', '3']),
  citizenId: z.string().max(15).optional(),
  insuranceCard: z
    .object({
      number: z.string().length(15),
      registeredFacility: z.string().min(5).max(5),
      validFrom: z.string().regex(/^\d{8}$/),
      validTo: z.string().regex(/^\d{8}$/),
    })
    .optional(),
  address: z.string().max(1024).optional(),
});
export type PatientSnapshot = z.infer<typeof PatientSnapshot>;

export const VisitRegistered = z.object({
  visitId: z.uuid(),
  facilityCode: FacilityCode,
  maLk: MaLk,
  careType: CareType,
  identifierType: IdentifierType,
  insured: z.boolean(),
  cardCheck: z.enum(['VALID', 'PENDING', 'INVALID', 'NOT_APPLICABLE']),
  registeredAt: IsoTime,
  patient: PatientSnapshot,
});
export type VisitRegistered = z.infer<typeof VisitRegistered>;

/**
 * The outcome of a card check that was PENDING at registration (gateway down): emitted once
 * the background re-check gets an answer. Carries the gateway's result code, no card data.
 */
export const CardChecked = z.object({
  visitId: z.uuid(),
  facilityCode: FacilityCode,
  maLk: MaLk,
  cardCheck: z.enum(['VALID', 'INVALID']),
  /** KQNhanLichSuKCB2024 maKetQua (3 digits, e.g. 000 valid, 010 expired). */
  resultCode: z.string().regex(/^\d{3}$/),
  attempts: z.number().int().positive(),
  checkedAt: IsoTime,
});
export type CardChecked = z.infer<typeof CardChecked>;

export const TableDocument = z.object({
  /** LOAIHOSO as the envelope spells it: XML1 … XML15 (never XML12). */
  loaiHoSo: z.string().regex(/^XML(1|2|3|4|5|6|7|8|9|10|11|13|14|15)$/),
  /** The table's UTF-8 XML document, exactly as serialized by the XML library. */
  xml: z.string().min(1),
});

export const EncounterClosed = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  version: z.number().int().positive(),
  careType: CareType,
  insured: z.boolean(),
  encounterStart: IsoTime,
  encounterEnd: IsoTime,
  closedAt: IsoTime,
  tables: z.array(TableDocument).min(1),
});
export type EncounterClosed = z.infer<typeof EncounterClosed>;

export const CheckinReady = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  sequence: z.number().int().positive(),
  careType: CareType,
  xml: z.string().min(1),
  firstBillableAt: IsoTime,
});
export type CheckinReady = z.infer<typeof CheckinReady>;

export const CheckinSigned = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  sequence: z.number().int().positive(),
  careType: CareType,
  firstBillableAt: IsoTime,
  signedAt: IsoTime,
  documentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  signedXmlBase64: z.string().min(1),
});
export type CheckinSigned = z.infer<typeof CheckinSigned>;

export const ClaimSigned = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  version: z.number().int().positive(),
  careType: CareType,
  encounterEnd: IsoTime,
  signedAt: IsoTime,
  documentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  certificateSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The signed GIAMDINHHS document, base64 of its UTF-8 bytes (what goes into fileHSBase64). */
  signedXmlBase64: z.string().min(1),
});
export type ClaimSigned = z.infer<typeof ClaimSigned>;

export const ClaimSubmitted = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  version: z.number().int().positive(),
  careType: CareType,
  maGiaoDich: z.string().min(1),
  receivedAt: IsoTime,
  encounterEnd: IsoTime,
  deadline: IsoTime,
  onTime: z.boolean(),
  attempts: z.number().int().positive(),
});
export type ClaimSubmitted = z.infer<typeof ClaimSubmitted>;

export const ClaimAccepted = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  version: z.number().int().positive(),
  maGiaoDich: z.string().min(1),
  acceptedAt: IsoTime,
});
export type ClaimAccepted = z.infer<typeof ClaimAccepted>;

export const RejectionCode = z.object({ code: z.string(), message: z.string(), path: z.string().optional() });
export const ClaimRejected = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  version: z.number().int().positive(),
  stage: z.enum(['encounter', 'signer', 'gateway-sync', 'gateway']),
  maGiaoDich: z.string().optional(),
  codes: z.array(RejectionCode).min(1),
  rejectedAt: IsoTime,
});
export type ClaimRejected = z.infer<typeof ClaimRejected>;

export const ClaimDeadline = z.object({
  facilityCode: FacilityCode,
  maLk: MaLk,
  version: z.number().int().positive(),
  encounterEnd: IsoTime,
  deadline: IsoTime,
  observedAt: IsoTime,
});
export type ClaimDeadline = z.infer<typeof ClaimDeadline>;

export const HealthBookRead = z.object({
  facilityCode: FacilityCode,
  readerRole: z.string(),
  purpose: z.string(),
  readAt: IsoTime,
});
export type HealthBookRead = z.infer<typeof HealthBookRead>;

/** Which payload schema (and current version) belongs to which topic. */
export const EventSchemas = {
  [Topics.intakeIngress.name]: { type: 'visit.register-requested', version: 1, schema: z.unknown() },
  [Topics.wardEvents.name]: { type: 'ward.event', version: 1, schema: z.unknown() },
  [Topics.intakeRegistered.name]: { type: 'visit.registered', version: 1, schema: VisitRegistered },
  [Topics.intakeCardChecked.name]: { type: 'visit.card-checked', version: 1, schema: CardChecked },
  [Topics.encounterClosed.name]: { type: 'encounter.closed', version: 1, schema: EncounterClosed },
  [Topics.checkinReady.name]: { type: 'checkin.ready', version: 1, schema: CheckinReady },
  [Topics.checkinSigned.name]: { type: 'checkin.signed', version: 1, schema: CheckinSigned },
  [Topics.claimSigned.name]: { type: 'claim.signed', version: 1, schema: ClaimSigned },
  [Topics.claimSubmitted.name]: { type: 'claim.submitted', version: 1, schema: ClaimSubmitted },
  [Topics.claimAccepted.name]: { type: 'claim.accepted', version: 1, schema: ClaimAccepted },
  [Topics.claimRejected.name]: { type: 'claim.rejected', version: 1, schema: ClaimRejected },
  [Topics.claimDeadlineAtRisk.name]: { type: 'claim.deadline-at-risk', version: 1, schema: ClaimDeadline },
  [Topics.claimDeadlineMissed.name]: { type: 'claim.deadline-missed', version: 1, schema: ClaimDeadline },
  [Topics.healthBookRead.name]: { type: 'healthbook.read', version: 1, schema: HealthBookRead },
} as const;

/** A topic that carries platform events (every topic but the dead-letter topic). */
export type EventTopic = keyof typeof EventSchemas;
type SchemaTopics = EventTopic;
export type PayloadOf<T extends SchemaTopics> = z.infer<(typeof EventSchemas)[T]['schema']>;

export const EventEnvelope = z.object({
  eventId: z.uuid(),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  occurredAt: IsoTime,
  facilityCode: FacilityCode,
  /** Partition key: MA_LK for claims, visit id for intake. Never personal data. */
  key: z.string().min(1).max(120),
  payload: z.unknown(),
});
export type EventEnvelope<P = unknown> = Omit<z.infer<typeof EventEnvelope>, 'payload'> & { payload: P };

export class EventContractError extends Error {
  constructor(
    readonly code: 'MALFORMED_JSON' | 'ENVELOPE_INVALID' | 'UNKNOWN_SCHEMA_VERSION' | 'PAYLOAD_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'EventContractError';
  }
}

/** Zod issues as "path: message" lines; values are never echoed (they may be personal data). */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');

/** Parse and validate a raw message value for a topic. Throws {@link EventContractError}. */
export function parseEvent<T extends SchemaTopics>(
  topic: T,
  raw: Buffer | string | null,
): EventEnvelope<PayloadOf<T>> {
  let json: unknown;
  try {
    json = JSON.parse(raw === null ? '' : raw.toString('utf8'));
  } catch {
    throw new EventContractError('MALFORMED_JSON', `message on ${topic} is not JSON`);
  }
  const env = EventEnvelope.safeParse(json);
  if (!env.success)
    throw new EventContractError('ENVELOPE_INVALID', `envelope invalid: ${describeIssues(env.error)}`);
  const spec = EventSchemas[topic];
  if (env.data.schemaVersion !== spec.version) {
    throw new EventContractError(
      'UNKNOWN_SCHEMA_VERSION',
      `schemaVersion ${env.data.schemaVersion} on ${topic} is not supported (expected ${spec.version})`,
    );
  }
  const payload = spec.schema.safeParse(env.data.payload);
  if (!payload.success)
    throw new EventContractError('PAYLOAD_INVALID', `payload invalid: ${describeIssues(payload.error)}`);
  return { ...env.data, payload: payload.data as PayloadOf<T> };
}

export function eventTypeFor(topic: TopicName): { type: string; version: number } {
  const spec = EventSchemas[topic as SchemaTopics];
  if (!spec) throw new Error(`no schema registered for topic ${topic}`);
  return { type: spec.type, version: spec.version };
}
