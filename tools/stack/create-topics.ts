import { Kafka, logLevel } from 'kafkajs';
import { allTopics } from '@bhyt/contracts';

/**
 * Creates every topic of the contracts lib with its partitions and retention (idempotent),
 * and raises partitions or changes retention of existing ones to match.
 */
async function main() {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'bhyt-topic-setup', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = allTopics();
    const missing = wanted.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: Number(process.env['KAFKA_REPLICATION_FACTOR'] ?? 1),
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
      console.error(`› created topics: ${missing.map((t) => t.name).join(', ')}`);
    }
    const meta = await admin.fetchTopicMetadata({ topics: wanted.map((t) => t.name) });
    for (const t of wanted) {
      const have = meta.topics.find((m) => m.name === t.name)?.partitions.length ?? 0;
      if (have < t.partitions) await admin.createPartitions({ topicPartitions: [{ topic: t.name, count: t.partitions }] });
    }
  } finally {
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(`create-topics: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
