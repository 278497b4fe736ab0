import { Kafka } from 'kafkajs';
import type { TopicSpec } from '@bhyt/contracts';

/**
 * An optional namespace in front of every topic and consumer group (KAFKA_NAMESPACE, e.g.
 * "e2e-7f3a."), so that a test platform shares a broker with a running demo without either
 * seeing the other's events. Services use logical topic names; only this lib adds the prefix.
 */
export const kafkaNamespace = (env: NodeJS.ProcessEnv = process.env): string => env['KAFKA_NAMESPACE'] ?? '';
export const physicalTopic = (topic: string, ns = kafkaNamespace()): string => `${ns}${topic}`;
export const logicalTopic = (topic: string, ns = kafkaNamespace()): string =>
  ns && topic.startsWith(ns) ? topic.slice(ns.length) : topic;

/** Creates missing topics with their partitions and retention; grows partitions to match. */
export async function ensureTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  ns = kafkaNamespace(),
  replicationFactor = 1,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((t) => !existing.has(physicalTopic(t.name, ns)));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: physicalTopic(t.name, ns),
          numPartitions: t.partitions,
          replicationFactor,
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
    }
    const meta = await admin.fetchTopicMetadata({ topics: specs.map((t) => physicalTopic(t.name, ns)) });
    for (const t of specs) {
      const have = meta.topics.find((m) => m.name === physicalTopic(t.name, ns))?.partitions.length ?? 0;
      if (have < t.partitions)
        await admin.createPartitions({
          topicPartitions: [{ topic: physicalTopic(t.name, ns), count: t.partitions }],
        });
    }
    return missing.map((t) => physicalTopic(t.name, ns));
  } finally {
    await admin.disconnect();
  }
}

/** Removes a namespace's topics (test clean-up). Refuses to run without a namespace. */
export async function deleteNamespaceTopics(kafka: Kafka, ns: string): Promise<void> {
  if (!ns) throw new Error('refusing to delete topics without a namespace');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
