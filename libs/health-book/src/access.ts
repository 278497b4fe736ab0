import { z } from 'zod';

/**
 * Who may read a health book, and why. Until the platform's authentication lands, the reader
 * is named by placeholder headers (x-actor: an opaque staff id, never a name; x-actor-role);
 * the facility is the one in the path. Every read states a purpose from a closed list, so
 * the audit trail never holds free text (which could carry personal data).
 */
export const ACTOR_HEADER = 'x-actor';
export const ACTOR_ROLE_HEADER = 'x-actor-role';

export const HealthBookPurpose = z.enum([
  'TREATMENT',
  'EMERGENCY',
  'REFERRAL',
  'FOLLOW_UP',
  'PATIENT_REQUEST',
]);
export type HealthBookPurpose = z.infer<typeof HealthBookPurpose>;

/** Roles that may read the book: treating staff only (Decision 1332: "for a doctor"). */
export const READER_ROLES = ['DOCTOR'] as const;

export const HealthBookReadRequest = z.object({
  facilityCode: z.string().regex(/^\d{5}$/, 'facility code must be 5 digits'),
  patientRef: z.uuid('patientRef must be the pseudonymous patient reference (uuid) from intake'),
  purpose: HealthBookPurpose,
  actor: z
    .string()
    .regex(/^[A-Za-z0-9._:@-]{1,100}$/, 'x-actor must be an opaque staff id (letters, digits, . _ : @ -)'),
  actorRole: z
    .string()
    .regex(/^[A-Z_]{1,30}$/, 'x-actor-role must be an upper-case role code such as DOCTOR'),
});
export type HealthBookReadRequest = z.infer<typeof HealthBookReadRequest>;

export type AccessDecision =
  | { granted: true }
  | { granted: false; status: 403; code: 'ROLE_NOT_ALLOWED' | 'NO_CARE_RELATIONSHIP'; reason: string };

/**
 * A facility reads the network-wide book of a patient only when it has a care relationship
 * with them: the patient was registered there (an encounter at that facility, open or
 * closed). Other facilities are refused, even for patients that exist.
 */
export function decideAccess(
  request: Pick<HealthBookReadRequest, 'facilityCode' | 'actorRole'>,
  facilitiesWithEncounters: ReadonlySet<string>,
): AccessDecision {
  if (!(READER_ROLES as readonly string[]).includes(request.actorRole)) {
    return {
      granted: false,
      status: 403,
      code: 'ROLE_NOT_ALLOWED',
      reason: `role ${request.actorRole} may not read health books`,
    };
  }
  if (!facilitiesWithEncounters.has(request.facilityCode)) {
    return {
      granted: false,
      status: 403,
      code: 'NO_CARE_RELATIONSHIP',
      reason: `facility ${request.facilityCode} has no encounter with this patient`,
    };
  }
  return { granted: true };
}

/**
 * The audit log's outcome for a read: what was decided — `allowed`, or `denied:<code>` with the
 * refusal's stable code as the reason (PATIENT_UNKNOWN, ROLE_NOT_ALLOWED, NO_CARE_RELATIONSHIP).
 */
export function auditOutcome(decision: { granted: true } | { granted: false; code: string }): string {
  return decision.granted ? 'allowed' : `denied:${decision.code}`;
}
