import { Inject, Injectable } from '@nestjs/common';
import { CheckinSigned, parseEvent, Topics } from '@bhyt/contracts';
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
import { signForFacility, unlessSignedBefore } from './facility-sign';
import { SignedDocumentStore } from './signed-document.store';
import { SignerErrors } from './signer-errors';

/**
 * checkin.ready (the unsigned XML0 document, built by the encounter service) → XMLDSig signed in
 * the HSM with the fast path (the check-in root is canonical like the claim envelope) →
 * signed_checkins row + checkin.signed in the outbox, in one transaction.
 */
@Injectable()
export class SignCheckinConsumer implements DeclaredConsumer {
  constructor(
    @Inject(SignedDocumentStore) private readonly store: SignedDocumentStore,
    @Inject(FacilityKeyStore) private readonly keys: FacilityKeyStore,
    @Inject(REPEATABLE_TRANSACTION) private readonly tx: RepeatableTransaction,
    @Inject(FACILITY_REGISTRY) private readonly facilities: FacilityRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  consumerSpec(): ConsumerSpec {
    return {
      name: 'checkins',
      topics: [Topics.checkinReady.name],
      handler: (message) => this.handle(message),
      concurrency: 2,
    };
  }

  async handle(message: ReceivedMessage): Promise<void> {
    const event = parseEvent(Topics.checkinReady.name, message.value);
    const c = event.payload;
    const key = { facilityCode: c.facilityCode, maLk: c.maLk, sequence: c.sequence };
    if (!this.facilities.has(c.facilityCode))
      throw SignerErrors.raise('FACILITY_UNKNOWN', `facility ${c.facilityCode} is not registered`);
    const signed = await signForFacility(this.keys, c.facilityCode, c.xml, {
      name: 'hsm sign check-in',
      attributes: { 'bhyt.ma_lk': c.maLk, 'bhyt.sequence': c.sequence },
    }).catch(unlessSignedBefore(() => this.store.checkinSignedBefore(key)));
    if (!signed) {
      this.logger.info(
        { facility: c.facilityCode },
        'check-in signed before its key was retired: redelivery skipped',
      );
      return;
    }
    await this.tx(async (m) => {
      // The row's primary key is the idempotency check (no inbox row, no lookup before signing):
      // a redelivered message is signed again and then inserts nothing and emits nothing.
      if (!(await this.store.recordCheckin(m, key, signed))) return;
      const payload: CheckinSigned = {
        facilityCode: c.facilityCode,
        maLk: c.maLk,
        sequence: c.sequence,
        careType: c.careType,
        firstBillableAt: c.firstBillableAt,
        signedAt: new Date().toISOString(),
        documentSha256: signed.documentSha256,
        signedXmlBase64: Buffer.from(signed.signedXml, 'utf8').toString('base64'),
      };
      await enqueueOutbox(m, [
        createEvent(Topics.checkinSigned.name, { facilityCode: c.facilityCode, key: c.maLk, payload })
          .message,
      ]);
    });
  }
}
