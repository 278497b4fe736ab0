import { Headers, parseEvent, Topics } from '@bhyt/contracts';
import { checkWardEventOnReceipt } from '@bhyt/encounter-domain';
import { PoisonMessageError, ReceivedMessage } from '@bhyt/messaging';
import { DomainError, unstorableTextPaths, ValidationFailed } from '@bhyt/service-kit';
import { EncounterService, ReceiptPolicy } from './encounter.service';

export function visitRegisteredHandler(encounters: EncounterService) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.intakeRegistered.name, message.value);
    await encounters.open(event.payload);
  };
}

/**
 * Ward events over Kafka. Invalid ones (not JSON, wrong shape, a `data` that does not match its
 * type's schema, a date in the future, unstorable text, unknown facility, facility header
 * mismatch, care that does not fit the encounter, an eventId re-used with another body) are
 * dead-lettered with the reason (the event's own field names, never values). An event for an
 * encounter not yet opened (intake.registered may still be on its way) is parked and applied
 * when the encounter opens — never dropped, and it does not hold up its partition. If the
 * encounter never opens, ParkedWardEvents dead-letters it (ENCOUNTER_NEVER_OPENED).
 */
export function wardEventHandler(
  encounters: EncounterService,
  policy: ReceiptPolicy = { clockToleranceMs: 5 * 60_000 },
) {
  return async (message: ReceivedMessage): Promise<void> => {
    const raw = message.value?.toString('utf8') ?? '';
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new PoisonMessageError('MALFORMED_JSON', 'ward event is not JSON');
    }
    const unstorable = unstorableTextPaths(json);
    if (unstorable.length)
      throw new PoisonMessageError(
        'WARD_EVENT_INVALID',
        `unstorable text (NUL or unpaired surrogate) at ${unstorable.join(', ')}`,
      );
    const parsed = checkWardEventOnReceipt(json, { now: new Date(), toleranceMs: policy.clockToleranceMs });
    if (!parsed.event)
      throw new PoisonMessageError(
        'WARD_EVENT_INVALID',
        parsed.errors.map((e) => `${e.field}: ${e.code} ${e.message}`).join('; '),
      );
    if (
      message.headers[Headers.facility] &&
      message.headers[Headers.facility] !== parsed.event.facilityCode
    ) {
      throw new PoisonMessageError('FACILITY_MISMATCH', 'x-facility header differs from facilityCode');
    }
    try {
      // Parked with the message as received: if its encounter never opens, it is dead-lettered
      // with this value and these headers, ready to be re-driven.
      const origin = {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        headers: message.headers,
      };
      await encounters.record(parsed.event, { park: { raw, origin } });
    } catch (err) {
      if (err instanceof ValidationFailed || (err instanceof DomainError && err.getStatus() < 500)) {
        const body = err.getResponse() as { error?: string; errors?: Array<{ field: string; code: string }> };
        const code =
          body.error === 'VALIDATION_FAILED' ? 'WARD_EVENT_INVALID' : (body.error ?? 'WARD_EVENT_REJECTED');
        throw new PoisonMessageError(code, JSON.stringify(err.getResponse()));
      }
      throw err;
    }
  };
}
