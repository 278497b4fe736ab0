import { Headers } from '@bhyt/contracts';
import { scrubText } from '@bhyt/observability';
import type { OutgoingMessage } from './publisher';

/** Where a dead-lettered message came from; partition and offset when it came from Kafka. */
export interface DeadLetterSource {
  topic: string;
  partition?: number;
  offset?: string;
  key: string | null;
  value: Buffer | string;
  headers: Record<string, string>;
}

/**
 * The one shape of a dead letter: the original value and headers, plus the reason headers that
 * the operator tooling reads and re-drives by. The reason is scrubbed of identifiers and capped.
 */
export function deadLetterMessage(
  deadLetterTopic: string,
  source: DeadLetterSource,
  failure: { code: string; reason: string; consumerGroup: string; failedAt: Date },
): OutgoingMessage {
  const fromKafka = source.partition !== undefined && source.offset !== undefined;
  return {
    topic: deadLetterTopic,
    key: source.key ?? (fromKafka ? `${source.topic}:${source.partition}:${source.offset}` : ''),
    value: source.value,
    headers: {
      ...source.headers,
      [Headers.dlqReasonCode]: failure.code,
      [Headers.dlqReason]: scrubText(failure.reason).slice(0, 2000),
      [Headers.dlqSourceTopic]: source.topic,
      ...(fromKafka
        ? {
            [Headers.dlqSourcePartition]: String(source.partition),
            [Headers.dlqSourceOffset]: source.offset!,
          }
        : {}),
      [Headers.dlqConsumerGroup]: failure.consumerGroup,
      [Headers.dlqFailedAt]: failure.failedAt.toISOString(),
    },
  };
}
