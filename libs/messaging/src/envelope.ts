import { randomUUID } from 'node:crypto';
import { eventTypeFor, EventEnvelope, EventTopic, Headers, PayloadOf } from '@bhyt/contracts';
import { injectTraceHeaders } from '@bhyt/observability';
import type { OutgoingMessage } from './publisher';

/** Builds the envelope and headers of a new event; the current trace context goes in headers. */
export function createEvent<T extends EventTopic, P extends PayloadOf<T> = PayloadOf<T>>(
  topic: T,
  // The payload type follows from the topic: an event for claim.signed only compiles with a ClaimSigned.
  input: { facilityCode: string; key: string; payload: P; occurredAt?: Date; eventId?: string },
): { envelope: EventEnvelope<P>; message: OutgoingMessage } {
  const { type, version } = eventTypeFor(topic);
  const envelope: EventEnvelope<P> = {
    eventId: input.eventId ?? randomUUID(),
    type,
    schemaVersion: version,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    facilityCode: input.facilityCode,
    key: input.key,
    payload: input.payload,
  };
  const message: OutgoingMessage = {
    topic,
    key: input.key,
    value: JSON.stringify(envelope),
    headers: {
      ...injectTraceHeaders(),
      [Headers.eventId]: envelope.eventId,
      [Headers.eventType]: type,
      [Headers.schemaVersion]: String(version),
      [Headers.facility]: input.facilityCode,
    },
  };
  return { envelope, message };
}
