import { Inject, Injectable } from '@nestjs/common';
import { ClaimSigned, parseEvent, Topics, vietnamCompact } from '@bhyt/contracts';
import { createEvent, ReceivedMessage } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import {
  FACILITY_REGISTRY,
  LOGGER,
  REPEATABLE_TRANSACTION,
  type ConsumerSpec,
  type DeclaredConsumer,
  type FacilityRegistry,
  type Logger,
  type RepeatableTransaction,
} from '@bhyt/service-kit';
import { FacilityKeyStore } from '@bhyt/signing';
import { buildEnvelope } from '@bhyt/xml130';
import { signForFacility, unlessSignedBefore } from './facility-sign';
import { SignedDocumentStore } from './signed-document.store';
import { SignerErrors } from './signer-errors';
import { SIGNER_CONCURRENCY } from './tokens';

/** NGAYLAP: the file date, yyyyMMdd in Vietnam time. */
export function ngayLap(at: Date): string {
  return vietnamCompact(at, 8);
}

/**
 * encounter.closed → GIAMDINHHS envelope (XML library) → XMLDSig signed in the HSM →
 * signed_claims row + claim.signed in the outbox, in one transaction.
 */
@Injectable()
export class SignClaimConsumer implements DeclaredConsumer {
  constructor(
    @Inject(SignedDocumentStore) private readonly store: SignedDocumentStore,
    @Inject(FacilityKeyStore) private readonly keys: FacilityKeyStore,
    @Inject(REPEATABLE_TRANSACTION) private readonly tx: RepeatableTransaction,
    @Inject(FACILITY_REGISTRY) private readonly facilities: FacilityRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SIGNER_CONCURRENCY) private readonly concurrency: number,
  ) {}

  consumerSpec(): ConsumerSpec {
    return {
      name: 'claims',
      topics: [Topics.encounterClosed.name],
      handler: (message) => this.handle(message),
      concurrency: this.concurrency,
      inFlightPerPartition: 16,
    };
  }

  async handle(message: ReceivedMessage): Promise<void> {
    const event = parseEvent(Topics.encounterClosed.name, message.value);
    const c = event.payload;
    const key = { facilityCode: c.facilityCode, maLk: c.maLk, version: c.version };
    if (!this.facilities.has(c.facilityCode))
      throw SignerErrors.raise('FACILITY_UNKNOWN', `facility ${c.facilityCode} is not registered`);
    const envelope = buildEnvelope({
      facilityCode: c.facilityCode,
      ngayLap: ngayLap(new Date(c.closedAt)),
      files: c.tables,
    });
    const signed = await signForFacility(this.keys, c.facilityCode, envelope, {
      name: 'hsm sign',
      attributes: { 'bhyt.ma_lk': c.maLk, 'bhyt.version': c.version },
    }).catch(unlessSignedBefore(() => this.store.claimSignedBefore(key)));
    if (!signed) {
      this.logger.info(
        { facility: c.facilityCode },
        'claim signed before its key was retired: redelivery skipped',
      );
      return;
    }
    await this.tx(async (m) => {
      // The row's primary key is the idempotency check (no inbox row, no lookup before signing):
      // a redelivered message is signed again — only after a crash, a few dozen signatures —
      // and then inserts nothing and emits nothing. Looking first cost a round trip per claim.
      if (!(await this.store.recordClaim(m, key, signed))) return;
      const payload: ClaimSigned = {
        facilityCode: c.facilityCode,
        maLk: c.maLk,
        version: c.version,
        careType: c.careType,
        encounterEnd: c.encounterEnd,
        signedAt: new Date().toISOString(),
        documentSha256: signed.documentSha256,
        certificateSha256: signed.certificateSha256,
        signedXmlBase64: Buffer.from(signed.signedXml, 'utf8').toString('base64'),
      };
      await enqueueOutbox(m, [
        createEvent(Topics.claimSigned.name, { facilityCode: c.facilityCode, key: c.maLk, payload }).message,
      ]);
    });
  }
}
