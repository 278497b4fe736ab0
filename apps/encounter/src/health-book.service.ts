import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HealthBookRead, Topics } from '@bhyt/contracts';
import type { EncounterDraft } from '@bhyt/encounter-domain';
import { AuditLog } from '@bhyt/audit';
import type { AccessRecord } from '@bhyt/auth';
import {
  assembleHealthBook,
  auditOutcome,
  decideAccess,
  HealthBook,
  HealthBookReadRequest,
  RegistrationFallback,
} from '@bhyt/health-book';
import { createEvent } from '@bhyt/messaging';
import type { Logger } from '@bhyt/observability';
import { enqueueOutbox } from '@bhyt/persistence';
import { DATA_SOURCE, FACILITY_REGISTRY, LOGGER, type DataSource } from '@bhyt/service-kit';
import { EncounterErrors } from './encounter-errors';
import { HealthBookStore } from './health-book.store';

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
  private readonly auditLog: AuditLog;

  constructor(
    @Inject(HealthBookStore) private readonly store: HealthBookStore,
    @Inject(FACILITY_REGISTRY) private readonly facilities: { has(code: string): boolean },
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'error'>,
    @Inject(DATA_SOURCE) ds: DataSource,
  ) {
    this.auditLog = new AuditLog(ds);
  }

  /**
   * @param pendingAudit the platform guard's record for this request (authenticated deployments):
   * completed with the decision taken here and appended before the answer, so the audit log
   * says `denied:<code>` for a refused read — never the guard's `allowed`.
   */
  async read(req: HealthBookReadRequest, pendingAudit?: AccessRecord): Promise<HealthBook> {
    if (!this.facilities.has(req.facilityCode)) {
      await this.recordDecision(pendingAudit, { granted: false, code: 'FACILITY_UNKNOWN' });
      throw EncounterErrors.raise(
        'FACILITY_UNKNOWN',
        `facility ${req.facilityCode} is not registered on this platform`,
      );
    }
    const refusal = await this.store.transaction(async (m) => {
      const encounters = await this.store.encountersOf(m, req.patientRef);
      if (encounters.length === 0) {
        await this.audit(m, req, 'PATIENT_UNKNOWN', 0);
        return EncounterErrors.raise(
          'PATIENT_UNKNOWN',
          'no patient with this reference is known to the network',
        );
      }
      const decision = decideAccess(req, new Set(encounters.map((e) => e.facilityCode)));
      if (!decision.granted) {
        await this.audit(m, req, decision.code, 0);
        return EncounterErrors.raise(decision.code, decision.reason);
      }
      const entries = await this.store.entriesOf(m, req.patientRef);
      const book = assembleHealthBook(
        req.patientRef,
        entries,
        registrationOf(encounters[0]!.draft, encounters[0]!.openedAt),
      );
      await this.audit(m, req, 'GRANTED', book.encounters.length);
      const payload: HealthBookRead = {
        facilityCode: req.facilityCode,
        readerRole: req.actorRole,
        purpose: req.purpose,
        readAt: new Date().toISOString(),
      };
      await enqueueOutbox(m, [
        createEvent(Topics.healthBookRead.name, {
          facilityCode: req.facilityCode,
          key: req.facilityCode,
          payload,
        }).message,
      ]);
      return book;
    });
    // Refusals are thrown after the commit, so that their audit rows are kept.
    if (EncounterErrors.is(refusal)) {
      await this.recordDecision(pendingAudit, { granted: false, code: refusal.code });
      throw refusal;
    }
    await this.recordDecision(pendingAudit, { granted: true });
    return refusal;
  }

  /** Appends the decision taken to the audit log (before answering; no answer without it). */
  async recordDecision(
    pendingAudit: AccessRecord | undefined,
    decision: { granted: true } | { granted: false; code: string },
  ): Promise<void> {
    if (!pendingAudit) return;
    try {
      await this.auditLog.append({ ...pendingAudit, outcome: auditOutcome(decision) });
    } catch (err) {
      this.logger.error({ error: err }, 'audit log append failed');
      throw EncounterErrors.raise('AUDIT_UNAVAILABLE', 'the audit log cannot be written; try again');
    }
  }

  private async audit(
    m: EntityManager,
    req: HealthBookReadRequest,
    outcome: string,
    episodes: number,
  ): Promise<void> {
    await this.store.recordRead(m, {
      actor: req.actor,
      actorRole: req.actorRole,
      facilityCode: req.facilityCode,
      patientRef: req.patientRef,
      purpose: req.purpose,
      outcome,
      episodes,
    });
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
    cards: draft.cards.map((c) => ({
      cardNumber: c.cardNumber,
      registrationFacility: c.registrationFacility,
      validFrom: c.validFrom,
      validTo: c.validTo,
    })),
    registeredAt: openedAt.toISOString(),
  };
}
