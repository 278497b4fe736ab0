import { CheckinSigned, parseEvent, Topics } from '@bhyt/contracts';
import { createEvent, ReceivedMessage } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { FacilityKeyStore } from '@bhyt/signing';
import { signForFacility, unlessSignedBefore } from './facility-sign';
import { SignedDocumentStore } from './signed-document.store';
import { SignerErrors } from './signer-errors';

/**
 * checkin.ready (the unsigned XML0 document, built by the encounter service) → XMLDSig signed in
 * the HSM with the fast path (the check-in root is canonical like the claim envelope) →
 * signed_checkins row + checkin.signed in the outbox, in one transaction.
 */
export function signCheckinHandler(runtime: ServiceRuntime, keys: FacilityKeyStore, store: SignedDocumentStore) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.checkinReady.name, message.value);
    const c = event.payload;
    const key = { facilityCode: c.facilityCode, maLk: c.maLk, sequence: c.sequence };
    if (!runtime.facilities.has(c.facilityCode)) throw SignerErrors.raise('FACILITY_UNKNOWN', `facility ${c.facilityCode} is not registered`);
    const signed = await signForFacility(keys, c.facilityCode, c.xml, { name: 'hsm sign check-in', attributes: { 'bhyt.ma_lk': c.maLk, 'bhyt.sequence': c.sequence } }).catch(
      unlessSignedBefore(() => store.checkinSignedBefore(key)),
    );
    if (!signed) return; // a redelivery of a check-in signed before its key was retired
    await runtime.tx(async (m) => {
      const inserted = await store.recordCheckin(m, key, signed);
      // The row's primary key is the idempotency check (no inbox row, no lookup before signing):
      // a redelivered message is signed again — only after a crash, a few dozen signatures —
      // and then inserts nothing and emits nothing. Looking first cost a round trip per claim.
      if (!inserted) return;
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
      await enqueueOutbox(m, [createEvent(Topics.checkinSigned.name, { facilityCode: c.facilityCode, key: c.maLk, payload }).message]);
    });
  };
}
