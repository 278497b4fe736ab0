import { ClaimSigned, parseEvent, Topics } from '@bhyt/contracts';
import { ReceivedMessage } from '@bhyt/messaging';
import { claimInbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { deadlineFor, DeadlinePolicy } from '@bhyt/submission-policy';

/**
 * The Kafka handler only records that a submission is due — no HTTP call inside it, so a slow
 * gateway never stalls consumption and a redelivery never sends twice: the row's unique key
 * (facility, MA_LK, version) absorbs duplicates.
 */
export function claimSignedHandler(runtime: ServiceRuntime, policy: DeadlinePolicy, onDue: () => void) {
  const group = 'bhyt-gateway-sync-claims';
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.claimSigned.name, message.value);
    const p: ClaimSigned = event.payload;
    await runtime.ds.transaction(async (m) => {
      if (!(await claimInbox(m, group, event.eventId, message.topic))) return;
      const end = new Date(p.encounterEnd);
      await m.query(
        `INSERT INTO submissions (facility_code, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'DUE') ON CONFLICT (facility_code, ma_lk, version) DO NOTHING`,
        [p.facilityCode, p.maLk, p.version, p.careType, p.documentSha256, p.signedXmlBase64, end, deadlineFor(end, policy)],
      );
    });
    onDue();
  };
}
