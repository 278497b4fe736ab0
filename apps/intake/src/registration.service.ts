import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import canonicalize from 'canonicalize';
import { Topics, VisitRegistered } from '@bhyt/contracts';
import { createEvent } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { FACILITY_REGISTRY, type FacilityRegistry, ValidationFailed } from '@bhyt/service-kit';
import { CardLookupService, type CardCheckResult } from './card-lookup.service';
import { IntakeErrors } from './errors';
import { checkIdentifier, checkRegistrationDates } from './identifier-check';
import type { FieldError } from '@bhyt/service-kit';
import { RegisterVisitRequest } from './registration.schema';
import { INTAKE_CONFIG } from './tokens';
import type { IntakeConfig } from './config';
import { RegistrationStore } from './registration.store';

export interface RegisteredVisit {
  visitId: string;
  maLk: string;
  patientRef: string;
  facilityCode: string;
  cardCheck: VisitRegistered['cardCheck'];
  /** The gateway's maKetQua when the card was checked (000 valid, 010 expired…). */
  cardCheckCode?: string;
  duplicate: boolean;
  /** Consistency findings that did not refuse the visit (e.g. the name typed without diacritics). */
  warnings?: FieldError[];
}

@Injectable()
export class RegistrationService {
  constructor(
    private readonly store: RegistrationStore,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    private readonly cards: CardLookupService,
    @Inject(FACILITY_REGISTRY) private readonly facilities: Pick<FacilityRegistry, 'has'>,
  ) {}

  private hash(type: string, value: string): string {
    return createHmac('sha256', this.config.identityKey).update(`${type}:${value}`).digest('hex');
  }

  /**
   * The request's fingerprint: a keyed hash (the body holds personal data) of its canonical
   * JSON, so that a requestId re-used for another body is recognised whatever the key order.
   */
  private fingerprint(facilityCode: string, req: RegisterVisitRequest): string {
    return createHmac('sha256', this.config.identityKey)
      .update(`request:${facilityCode}:${canonicalize(req)}`)
      .digest('hex');
  }

  /**
   * Registers a visit: resolves the patient identity by identifier, creates the visit with a
   * new MA_LK and writes intake.registered to the outbox, all in one transaction.
   */
  async register(facilityCode: string, req: RegisterVisitRequest): Promise<RegisteredVisit> {
    const checked = checkIdentifier(req);
    const errors = [
      ...checked.errors,
      ...checkRegistrationDates(req, new Date(), this.config.CLOCK_TOLERANCE_MINUTES * 60_000),
    ];
    if (errors.length) throw new ValidationFailed(errors);
    if (!this.facilities.has(facilityCode)) {
      throw IntakeErrors.raise(
        'FACILITY_UNKNOWN',
        `facility ${facilityCode} is not registered on this platform`,
      );
    }
    const fingerprint = this.fingerprint(facilityCode, req);
    const warnings = checked.warnings.length ? { warnings: checked.warnings } : {};
    const earlier = await this.findByRequest(facilityCode, req.requestId, fingerprint);
    if (earlier) return { ...earlier, ...warnings };
    // The card is looked up before the transaction (no connection held while the gateway
    // answers); a gateway that is down makes it PENDING, and the re-checker asks again.
    const card: CardCheckResult | undefined = req.insuranceCard
      ? await this.cards.check({
          facilityCode,
          cardNumber: req.insuranceCard.number,
          fullName: req.patient.fullName,
          birthDate: req.patient.birthDate,
        })
      : undefined;
    try {
      return {
        ...(await this.insertVisit(facilityCode, req, checked.citizenId, card, fingerprint)),
        ...warnings,
      };
    } catch (err) {
      // The same requestId registered concurrently: the other transaction won; answer with its visit.
      if ((err as { code?: string }).code === '23505') {
        const winner = await this.findByRequest(facilityCode, req.requestId, fingerprint);
        if (winner) return { ...winner, ...warnings };
      }
      throw err;
    }
  }

  private insertVisit(
    facilityCode: string,
    req: RegisterVisitRequest,
    citizenId: string | undefined,
    card: CardCheckResult | undefined,
    fingerprint: string,
  ): Promise<RegisteredVisit> {
    const checked = { citizenId };
    return this.store.transaction(async (m) => {
      const existing = await this.findByRequest(facilityCode, req.requestId, fingerprint, m);
      if (existing) return existing;
      const patientRef = await this.resolvePatient(m, req, checked.citizenId);
      const registeredAt = req.registeredAt ? new Date(req.registeredAt) : new Date();
      const maLk = buildMaLk(facilityCode, registeredAt, await this.store.nextMaLkSequence(m));
      const visitId = randomUUID();
      const insured = req.insuranceCard !== undefined;
      // A down gateway never blocks reception (regulation: keep treating, re-check later).
      const cardCheck: VisitRegistered['cardCheck'] = card?.cardCheck ?? 'NOT_APPLICABLE';
      const maBn = req.maBn ?? `BN${patientRef.slice(0, 8).toUpperCase()}`;
      await this.store.insertVisit(m, {
        visitId,
        facilityCode,
        maLk,
        maBn,
        patientRef,
        careType: req.careType,
        identifierType: req.identifier.type,
        insured,
        cardNumber: req.insuranceCard?.number ?? null,
        cardCheck,
        registeredAt,
        requestId: req.requestId,
        cardCheckCode: card?.code ?? null,
        cardCheckedAt: card && card.cardCheck !== 'PENDING' ? new Date() : null,
        cardNextCheckAt:
          cardCheck === 'PENDING' ? new Date(Date.now() + this.config.CARD_RECHECK_INTERVAL_MS) : null,
        requestFingerprint: fingerprint,
      });
      const payload: VisitRegistered = {
        visitId,
        facilityCode,
        maLk,
        careType: req.careType,
        identifierType: req.identifier.type,
        insured,
        cardCheck,
        registeredAt: registeredAt.toISOString(),
        patient: {
          patientRef,
          maBn,
          fullName: req.patient.fullName,
          birthDate:
            req.patient.birthDate.length === 8 ? `${req.patient.birthDate}0000` : req.patient.birthDate,
          sex: req.patient.sex,
          ...(checked.citizenId ? { citizenId: checked.citizenId } : {}),
          ...(req.insuranceCard ? { insuranceCard: req.insuranceCard } : {}),
          ...(req.patient.address ? { address: req.patient.address } : {}),
        },
      };
      const { message } = createEvent(Topics.intakeRegistered.name, { facilityCode, key: maLk, payload });
      await enqueueOutbox(m, [message]);
      return {
        visitId,
        maLk,
        patientRef,
        facilityCode,
        cardCheck,
        ...(card ? { cardCheckCode: card.code } : {}),
        duplicate: false,
      };
    });
  }

  /**
   * The visit an earlier request with this requestId registered. The same requestId with
   * another body is a 409 naming the key — never the other request's visit (another patient's).
   */
  private async findByRequest(
    facilityCode: string,
    requestId: string,
    fingerprint: string,
    m?: EntityManager,
  ): Promise<RegisteredVisit | undefined> {
    const v = await this.store.findByRequest(facilityCode, requestId, m);
    if (!v) return undefined;
    // Visits registered before fingerprints were kept (NULL) can only be taken as the same request.
    if (v.requestFingerprint !== null && v.requestFingerprint !== fingerprint) {
      throw IntakeErrors.raise(
        'REQUEST_ID_CONFLICT',
        'this requestId was already used for a different registration; use a new requestId for a new request',
        { key: 'requestId' },
      );
    }
    return {
      visitId: v.visitId,
      maLk: v.maLk,
      patientRef: v.patientRef,
      facilityCode,
      cardCheck: v.cardCheck,
      ...(v.cardCheckCode ? { cardCheckCode: v.cardCheckCode } : {}),
      duplicate: true,
    };
  }

  private async resolvePatient(
    m: EntityManager,
    req: RegisterVisitRequest,
    citizenId: string | undefined,
  ): Promise<string> {
    const keys = [
      {
        type:
          req.identifier.type === 'VNEID_QR' || req.identifier.type === 'PERSONAL_ID'
            ? 'CCCD'
            : req.identifier.type,
        value: citizenId ?? req.identifier.value,
      },
    ];
    if (req.insuranceCard) keys.push({ type: 'BHYT_CARD', value: req.insuranceCard.number });
    if (citizenId) keys.push({ type: 'CCCD', value: citizenId });
    const hashes = [...new Set(keys.map((k) => this.hash(k.type, k.value)))];
    const found = await this.store.findPatientRefs(m, hashes);
    const patientRef = found[0] ?? randomUUID();
    if (!found.length) {
      // Personal data only as AES-256-GCM ciphertext (pii-cipher.ts); found again via identifier hashes.
      await this.store.createPatient(m, patientRef, {
        fullName: req.patient.fullName,
        birthDate: req.patient.birthDate,
        sex: req.patient.sex,
        address: req.patient.address ?? null,
        citizenId: citizenId ?? null,
      });
    }
    await this.store.linkIdentifiers(m, patientRef, req.identifier.type, hashes);
    return patientRef;
  }
}

/** MA_LK: unique per episode, stable across corrections; facility + period + sequence. */
export function buildMaLk(facilityCode: string, at: Date, seq: string): string {
  const y = at.getUTCFullYear();
  const mo = String(at.getUTCMonth() + 1).padStart(2, '0');
  return `${facilityCode}_${y}_${mo}_${seq.padStart(7, '0')}`;
}
