// Writes k8s/base/kafka/topics.yaml (Strimzi KafkaTopic) from libs/contracts allTopics().
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTopics } from '@bhyt/contracts';
import { repositoryRoot } from './kustomize';
import { kafkaTopicsYaml } from './topics';

const file = join(repositoryRoot(), 'k8s/base/kafka/topics.yaml');
writeFileSync(file, kafkaTopicsYaml(allTopics()));
console.error(`› ${allTopics().length} topics written to k8s/base/kafka/topics.yaml`);
