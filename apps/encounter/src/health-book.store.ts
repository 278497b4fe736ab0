import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EncounterDraft } from '@bhyt/encounter-domain';
import type { HealthBookEntry } from '@bhyt/health-book';
import { DATA_SOURCE, type DataSource } from '@bhyt/service-kit';

/** An encounter of a patient, as a health-book read needs it. */
export interface PatientEncounter {
  readonly facilityCode: string;
  readonly draft: EncounterDraft;
  readonly openedAt: Date;
}

/** One row of the health-book read audit (health_book_reads): who, where, whom, why, outcome. */
export interface HealthBookReadRecord {
  readonly actor: string;
  readonly actorRole: string;
  readonly facilityCode: string;
  readonly patientRef: string;
  readonly purpose: string;
  /** GRANTED or the refusal code. */
  readonly outcome: string;
  readonly episodes: number;
}

/** Owns the SQL of health-book reads: the patient's encounters, their entries and the read audit. */
@Injectable()
export class HealthBookStore {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** The patient's encounters at every facility, latest opened first. */
  async encountersOf(m: EntityManager, patientRef: string): Promise<PatientEncounter[]> {
    const rows = (await m.query(
      `SELECT facility_code, draft, opened_at FROM encounters WHERE patient_ref = $1 ORDER BY opened_at DESC`,
      [patientRef],
    )) as Array<{
      facility_code: string;
      draft: EncounterDraft;
      opened_at: Date;
    }>;
    return rows.map((r) => ({ facilityCode: r.facility_code, draft: r.draft, openedAt: r.opened_at }));
  }

  /** The patient's health-book entries (one per closed version), in no particular order. */
  async entriesOf(m: EntityManager, patientRef: string): Promise<HealthBookEntry[]> {
    const rows = (await m.query(`SELECT entry FROM health_book_entries WHERE patient_ref = $1`, [
      patientRef,
    ])) as Array<{ entry: HealthBookEntry }>;
    return rows.map((r) => r.entry);
  }

  async recordRead(m: EntityManager, read: HealthBookReadRecord): Promise<void> {
    await m.query(
      `INSERT INTO health_book_reads (actor, actor_role, facility_code, patient_ref, purpose, outcome, episodes) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [
        read.actor,
        read.actorRole,
        read.facilityCode,
        read.patientRef,
        read.purpose,
        read.outcome,
        read.episodes,
      ],
    );
  }
}
