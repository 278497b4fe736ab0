import type { TopicSpec } from '@bhyt/contracts';
import { stringify } from 'yaml';

/**
 * Strimzi KafkaTopic resources from the contracts lib's table of topics. Replicas and
 * min.insync.replicas are for the three brokers of prod; the dev overlay patches them to 1.
 */
export const KAFKA_CLUSTER = 'bhyt-kafka';

export function kafkaTopicResource(topic: TopicSpec): Record<string, unknown> {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    // Topic names (lower case, dots, dashes) are valid object names as they are.
    metadata: { name: topic.name, labels: { 'strimzi.io/cluster': KAFKA_CLUSTER } },
    spec: {
      topicName: topic.name,
      partitions: topic.partitions,
      replicas: 3,
      config: {
        'retention.ms': topic.retentionMs,
        'min.insync.replicas': 2,
        'cleanup.policy': 'delete',
      },
    },
  };
}

export function kafkaTopicsYaml(topics: readonly TopicSpec[]): string {
  const header =
    '# GENERATED from libs/contracts/src/topics.ts by tools/k8s/generate-topics.ts — do not edit.\n' +
    '# After changing the topics: `npm run build && bash scripts/with-node.sh node dist/tools/k8s/generate-topics.js`.\n';
  const docs = [...topics]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => `# ${t.description}\n${stringify(kafkaTopicResource(t))}`);
  return header + docs.map((d) => `---\n${d}`).join('');
}
