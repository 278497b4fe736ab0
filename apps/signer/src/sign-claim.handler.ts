import { ClaimSigned, parseEvent, Topics, vietnamCompact } from '@bhyt/contracts';
import { createEvent, PoisonMessageError, ReceivedMessage } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { FacilityKeyStore } from '@bhyt/signing';
import { buildEnvelope } from '@bhyt/xml130';
import { signForFacility, unlessSignedBefore } from './facility-sign';

/** NGAYLAP: the file date, yyyyMMdd in Vietnam time. */
export function ngayLap(at: Date): string {
  return vietnamCompact(at, 8);
}

/**
 * encounter.closed → GIAMDINHHS envelope (XML library) → XMLDSig signed in the HSM →
 * signed_claims row + claim.signed in the outbox, in one transaction.
 */
export function signClaimHandler(runtime: ServiceRuntime, keys: FacilityKeyStore) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.encounterClosed.name, message.value);
    const c = event.payload;
    if (!runtime.facilities.has(c.facilityCode)) throw new PoisonMessageError('FACILITY_UNKNOWN', `facility ${c.facilityCode} is not registered`);
    const envelope = buildEnvelope({ facilityCode: c.facilityCode, ngayLap: ngayLap(new Date(c.closedAt)), files: c.tables });
    const signed = await signForFacility(keys, c.facilityCode, envelope, { name: 'hsm sign', attributes: { 'bhyt.ma_lk': c.maLk, 'bhyt.version': c.version } }).catch(
      unlessSignedBefore(runtime, `SELECT 1 FROM signed_claims WHERE facility_code = $1 AND ma_lk = $2 AND version = $3`, [c.facilityCode, c.maLk, c.version]),
    );
    if (!signed) return; // a redelivery of a claim signed before its key was retired
    await runtime.tx(async (m) => {
      const inserted = await m.query(
        `INSERT INTO signed_claims (facility_code, ma_lk, version, document_sha256, certificate_sha256, key_id, signed_xml)
         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING RETURNING 1`,
        [c.facilityCode, c.maLk, c.version, signed.documentSha256, signed.certificateSha256, signed.keyId, signed.signedXml],
      );
      // The row's primary key is the idempotency check (no inbox row, no lookup before signing):
      // a redelivered message is signed again — only after a crash, a few dozen signatures —
      // and then inserts nothing and emits nothing. Looking first cost a round trip per claim.
      if (inserted.length === 0) return;
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
      await enqueueOutbox(m, [createEvent(Topics.claimSigned.name, { facilityCode: c.facilityCode, key: c.maLk, payload }).message]);
    });
  };
}
