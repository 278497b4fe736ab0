import { allTopics } from '@bhyt/contracts';
import { createKafka, ensureTopics, kafkaConnectionFromEnv, kafkaNamespace } from '@bhyt/messaging';

/** Creates every topic of the contracts lib (idempotent); KAFKA_NAMESPACE prefixes them. */
async function main() {
  const kafka = createKafka(kafkaConnectionFromEnv('bhyt-topic-setup'));
  const created = await ensureTopics(
    kafka,
    allTopics(),
    kafkaNamespace(),
    Number(process.env['KAFKA_REPLICATION_FACTOR'] ?? 1),
  );
  if (created.length) console.error(`› created topics: ${created.join(', ')}`);
}

main().catch((err) => {
  console.error(`create-topics: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
