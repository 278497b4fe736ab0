import { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv, kafkaNamespace, physicalTopic } from '@bhyt/messaging';
import { PROJECTED_TOPICS, PROJECTION_GROUP } from './projector';

/**
 * Rebuilding the projections from the topics (every projected topic keeps its events forever):
 *
 *   1. stop every reporting replica (Kubernetes: scale the deployment to 0) — Kafka refuses to
 *      move the offsets of a group that has members;
 *   2. `node dist/apps/reporting/src/replay.js` with the service's environment (DATABASE_URL,
 *      DATABASE_NAME, KAFKA_BROKERS, KAFKA_NAMESPACE): resets the group `bhyt-reporting-projections`
 *      to the earliest offsets of each projected topic, then, in one transaction, truncates
 *      registrations, claim_facts and health_book_reads and deletes the group's inbox rows;
 *   3. start reporting again: it consumes every event from the beginning; the per-day views
 *      follow the tables. Generated reports, scheduled runs and web users are kept.
 *
 * Equivalent by hand: `kafka-consumer-groups.sh --group bhyt-reporting-projections --reset-offsets
 * --to-earliest --all-topics --execute`, then the SQL of {@link truncateProjections}.
 */
export async function resetProjectionGroup(
  kafka: Kafka,
  ns = kafkaNamespace(),
  waitMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Stopped replicas leave the group, but the broker may take until their session times out.
    const until = Date.now() + waitMs;
    for (;;) {
      const { groups } = await admin.describeGroups([physicalTopic(PROJECTION_GROUP, ns)]);
      const state = groups[0]?.state ?? 'Dead';
      if (state === 'Empty' || state === 'Dead') break;
      if (Date.now() > until)
        throw new Error(
          `consumer group ${PROJECTION_GROUP} still has members (${state}): stop every reporting replica first`,
        );
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const topic of PROJECTED_TOPICS)
      await admin.resetOffsets({
        groupId: physicalTopic(PROJECTION_GROUP, ns),
        topic: physicalTopic(topic, ns),
        earliest: true,
      });
  } finally {
    await admin.disconnect();
  }
}

export async function truncateProjections(ds: DataSource): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`TRUNCATE registrations, claim_facts, health_book_reads`);
    await m.query(`DELETE FROM inbox WHERE consumer = $1`, [PROJECTION_GROUP]);
  });
}

/** Both steps, Kafka first: if the group still has members nothing is truncated. */
export async function replayProjections(kafka: Kafka, ds: DataSource): Promise<void> {
  await resetProjectionGroup(kafka);
  await truncateProjections(ds);
}

async function main() {
  const url = new URL(process.env['DATABASE_URL'] ?? '');
  url.pathname = `/${process.env['DATABASE_NAME'] ?? 'bhyt_reporting'}`;
  const ds = new DataSource({
    type: 'postgres',
    url: url.toString(),
    applicationName: 'bhyt-reporting-replay',
  });
  await ds.initialize();
  try {
    await replayProjections(createKafka(kafkaConnectionFromEnv('bhyt-reporting-replay')), ds);
    process.stderr.write('projections truncated and consumer group reset: start reporting to rebuild them\n');
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
