/**
 * Every Kafka topic of the platform, in one place. The local stack, the Kubernetes manifests
 * (Strimzi KafkaTopic) and the services all read this table; a test checks the manifests
 * against it. Names carry the schema's major version so that a breaking change is a new topic.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Retention in milliseconds; -1 keeps forever (compliance history must be replayable). */
  readonly retentionMs: number;
  readonly description: string;
}

const DAY = 24 * 60 * 60 * 1000;

export const Topics = {
  /** Ward systems (HIS) register visits over Kafka instead of REST. */
  intakeIngress: {
    name: 'intake.ingress.v1',
    partitions: 6,
    retentionMs: 14 * DAY,
    description: 'Visit registrations from ward systems',
  },
  intakeRegistered: {
    name: 'intake.registered.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'A patient visit was registered at a facility',
  },
  /** The gateway's card verdict for a visit registered while the check was pending. */
  intakeCardChecked: {
    name: 'intake.card-checked.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'A pending insurance-card check of a visit was answered by the gateway',
  },
  /** Orders, results, notes, transfers, discharge… from HIS, LIS, PACS, pharmacy. */
  wardEvents: {
    name: 'encounter.ward-events.v1',
    partitions: 6,
    retentionMs: 14 * DAY,
    description: 'Clinical and billing events from ward systems',
  },
  encounterClosed: {
    name: 'encounter.closed.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'An encounter ended; its XML 130 tables are built and valid',
  },
  checkinReady: {
    name: 'checkin.ready.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'A check-in table (XML0) is due at the gateway',
  },
  checkinSigned: {
    name: 'checkin.signed.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'A check-in document (XML0) was signed with the facility key',
  },
  claimSigned: {
    name: 'claim.signed.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'The GIAMDINHHS envelope was signed with the facility key',
  },
  claimSubmitted: {
    name: 'claim.submitted.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'The gateway received the claim (maGiaoDich)',
  },
  claimAccepted: {
    name: 'claim.accepted.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'The gateway finished validating the claim without errors',
  },
  claimRejected: {
    name: 'claim.rejected.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'The gateway or the platform rejected the claim, with codes',
  },
  claimDeadlineAtRisk: {
    name: 'claim.deadline-at-risk.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'A claim nears its submission deadline unsent',
  },
  claimDeadlineMissed: {
    name: 'claim.deadline-missed.v1',
    partitions: 6,
    retentionMs: -1,
    description: 'A claim passed its submission deadline unsent',
  },
  healthBookRead: {
    name: 'healthbook.read.v1',
    partitions: 3,
    retentionMs: -1,
    description: 'A doctor read a patient health book (audit projection)',
  },
  deadLetter: {
    name: 'platform.dead-letter.v1',
    partitions: 3,
    retentionMs: 30 * DAY,
    description: 'Messages no consumer could process, with the reason in headers',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof Topics;
export type TopicName = (typeof Topics)[TopicKey]['name'];

export const allTopics = (): TopicSpec[] => Object.values(Topics);
