import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { HealthBookRead, Topics } from '@bhyt/contracts';
import type { EncounterDraft } from '@bhyt/encounter-domain';
import { AuditLog } from '@bhyt/audit';
import type { AccessRecord } from '@bhyt/auth';
import { assembleHealthBook, auditOutcome, decideAccess, HealthBook, HealthBookEntry, HealthBookReadRequest, RegistrationFallback } from '@bhyt/health-book';
import { createEvent } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { DomainError, ServiceRuntime } from '@bhyt/service-kit';

/**
 * Health-book reads (Decision 1332). They live in the encounter service because it holds the
 * clinical data: each closed version writes a health-book entry keyed by the pseudonymous
 * patient ref that intake resolved, so a read is one indexed query and needs no call to
 * another service (intake keeps identity; the book never needs a CCCD to be found).
 *
 * Every attempt — granted or refused — is written to health_book_reads in the transaction
 * that reads; a granted read also emits healthbook.read.v1 (no patient in it) through the
 * outbox, for reporting's counts.
 */
@Injectable()
export class HealthBookService {
  constructor(private readonly runtime: ServiceRuntime) {}

  /**
   * @param pendingAudit the platform guard's record for this request (authenticated deployments):
   * completed with the decision taken here and appended before the answer, so the audit log
   * says `denied:<code>` for a refused read — never the guard's `allowed`.
   */
  async read(req: HealthBookReadRequest, pendingAudit?: AccessRecord): Promise<HealthBook> {
    if (!this.runtime.facilities.has(req.facilityCode)) {
      await this.recordDecision(pendingAudit, { granted: false, code: 'FACILITY_UNKNOWN' });
      throw new DomainError(404, 'FACILITY_UNKNOWN', `facility ${req.facilityCode} is not registered on this platform`);
    }
    const refusal = await this.runtime.ds.transaction(async (m) => {
      const encounters: Array<{ facility_code: string; draft: EncounterDraft; opened_at: Date }> = await m.query(
        `SELECT facility_code, draft, opened_at FROM encounters WHERE patient_ref = $1 ORDER BY opened_at DESC`,
        [req.patientRef],
      );
      if (encounters.length === 0) {
        await this.audit(m, req, 'PATIENT_UNKNOWN', 0);
        return new DomainError(404, 'PATIENT_UNKNOWN', 'no patient with this reference is known to the network');
      }
      const decision = decideAccess(req, new Set(encounters.map((e) => e.facility_code)));
      if (!decision.granted) {
        await this.audit(m, req, decision.code, 0);
        return new DomainError(decision.status, decision.code, decision.reason);
      }
      const rows: Array<{ entry: HealthBookEntry }> = await m.query(`SELECT entry FROM health_book_entries WHERE patient_ref = $1`, [req.patientRef]);
      const book = assembleHealthBook(req.patientRef, rows.map((r) => r.entry), registrationOf(encounters[0]!.draft, encounters[0]!.opened_at));
      await this.audit(m, req, 'GRANTED', book.encounters.length);
      const payload: HealthBookRead = { facilityCode: req.facilityCode, readerRole: req.actorRole, purpose: req.purpose, readAt: new Date().toISOString() };
      await enqueueOutbox(m, [createEvent(Topics.healthBookRead.name, { facilityCode: req.facilityCode, key: req.facilityCode, payload }).message]);
      return book;
    });
    const code = refusal instanceof DomainError ? (refusal.getResponse() as { error: string }).error : undefined;
    await this.recordDecision(pendingAudit, code ? { granted: false, code } : { granted: true });
    // Refusals are thrown after the commit, so that their audit rows are kept.
    if (refusal instanceof DomainError) throw refusal;
    return refusal;
  }

  /** Appends the decision taken to the audit log (before answering; no answer without it). */
  async recordDecision(pendingAudit: AccessRecord | undefined, decision: { granted: true } | { granted: false; code: string }): Promise<void> {
    if (!pendingAudit) return;
    try {
      await new AuditLog(this.runtime.ds).append({ ...pendingAudit, outcome: auditOutcome(decision) });
    } catch (err) {
      this.runtime.logger.error({ error: err }, 'audit log append failed');
      throw new DomainError(503, 'AUDIT_UNAVAILABLE', 'the audit log cannot be written; try again');
    }
  }

  private async audit(m: EntityManager, req: HealthBookReadRequest, outcome: string, episodes: number): Promise<void> {
    await m.query(`INSERT INTO health_book_reads (actor, actor_role, facility_code, patient_ref, purpose, outcome, episodes) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      req.actor,
      req.actorRole,
      req.facilityCode,
      req.patientRef,
      req.purpose,
      outcome,
      episodes,
    ]);
  }
}

/** The registration data of the latest encounter, for a patient with no closed episode yet. */
function registrationOf(draft: EncounterDraft, openedAt: Date): RegistrationFallback {
  const p = draft.patient;
  return {
    patient: {
      fullName: String(p.fullName ?? ''),
      birthDate: String(p.birthDateTime ?? ''),
      sex: Number(p.sex ?? 3),
      ...(p.citizenId ? { citizenId: String(p.citizenId) } : {}),
      ...(p.address ? { address: String(p.address) } : {}),
    },
    cards: draft.cards.map((c) => ({ cardNumber: c.cardNumber, registrationFacility: c.registrationFacility, validFrom: c.validFrom, validTo: c.validTo })),
    registeredAt: openedAt.toISOString(),
  };
}
