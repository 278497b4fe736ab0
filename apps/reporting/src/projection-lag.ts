import { Kafka } from 'kafkajs';
import { kafkaNamespace, physicalTopic } from '@bhyt/messaging';
import { PROJECTED_TOPICS, PROJECTION_GROUP } from './projector';

/**
 * Messages of the projected topics not yet processed by the projections' consumer group: the
 * high watermark of each partition minus the group's committed offset (the consumer commits
 * after each batch it has applied). A report generated while this is above zero would miss
 * events that have already happened.
 */
export async function projectionLag(kafka: Kafka, ns = kafkaNamespace()): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = PROJECTED_TOPICS.map((t) => physicalTopic(t, ns));
    const committed = await admin.fetchOffsets({ groupId: physicalTopic(PROJECTION_GROUP, ns), topics });
    let lag = 0;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const p of ends) {
        const at = done.find((d) => d.partition === p.partition)?.offset ?? '-1';
        const from = at === '-1' ? BigInt(p.low) : BigInt(at);
        lag += Number(BigInt(p.high) - from);
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
