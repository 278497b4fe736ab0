import { describeIssues, parseEvent, Topics } from '@bhyt/contracts';
import { WardEvent } from '@bhyt/encounter-domain';
import { PoisonMessageError, ReceivedMessage } from '@bhyt/messaging';
import { DomainError } from '@bhyt/service-kit';
import { EncounterService } from './encounter.service';

export function visitRegisteredHandler(encounters: EncounterService) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.intakeRegistered.name, message.value);
    await encounters.open(event.payload);
  };
}

/**
 * Ward events over Kafka. Invalid ones are dead-lettered with the field errors. An event for
 * an encounter not yet known is retried (intake.registered may still be on its way) — the
 * consumer's backoff keeps it, it is never dropped.
 */
export function wardEventHandler(encounters: EncounterService) {
  return async (message: ReceivedMessage): Promise<void> => {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      throw new PoisonMessageError('MALFORMED_JSON', 'ward event is not JSON');
    }
    const parsed = WardEvent.safeParse(json);
    if (!parsed.success) throw new PoisonMessageError('WARD_EVENT_INVALID', describeIssues(parsed.error));
    try {
      await encounters.record(parsed.data);
    } catch (err) {
      if (err instanceof DomainError && err.getStatus() === 404) throw new Error('encounter not yet registered; retrying');
      throw err;
    }
  };
}
