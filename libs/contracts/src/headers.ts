/** Kafka header names used across services. */
export const Headers = {
  eventId: 'x-event-id',
  eventType: 'x-event-type',
  schemaVersion: 'x-schema-version',
  facility: 'x-facility',
  /** W3C trace context, so that one claim is one trace from intake to submission. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  // Dead-letter headers: where the message came from and why no consumer could take it.
  dlqReasonCode: 'x-dlq-reason-code',
  dlqReason: 'x-dlq-reason',
  dlqSourceTopic: 'x-dlq-source-topic',
  dlqSourcePartition: 'x-dlq-source-partition',
  dlqSourceOffset: 'x-dlq-source-offset',
  dlqConsumerGroup: 'x-dlq-consumer-group',
  dlqFailedAt: 'x-dlq-failed-at',
} as const;
