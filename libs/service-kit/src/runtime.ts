import { DataSource, MigrationInterface } from 'typeorm';
import { Admin, Kafka } from 'kafkajs';
import { Services, ServiceKey, Topics } from '@bhyt/contracts';
import {
  createKafka,
  EventConsumer,
  EventPublisher,
  kafkaConnectionFromEnv,
  MessageHandler,
} from '@bhyt/messaging';
import { createLogger, initMetrics, Logger } from '@bhyt/observability';
import { deliveryEnv, loadConfig } from '@bhyt/config';
import type { z } from 'zod';
import { FacilityRegistry, loadFacilityRegistry } from '@bhyt/facilities';
import { AuditLog1700000000050 } from '@bhyt/audit';
import {
  ClaimTraceContextMigration1700000009000,
  databaseReachable,
  GroupCommit,
  OutboxInboxMigration1700000000000,
  OutboxLz4Migration1700000000001,
  OutboxParkingMigration1700000000002,
  OutboxRelay,
  openDatabase,
  Transact,
} from '@bhyt/persistence';

export interface ConsumerSpec {
  /** Consumer group suffix: the group is `bhyt-<service>-<name>`. */
  name: string;
  topics: string[];
  handler: MessageHandler;
  concurrency?: number;
  /** See ConsumerOptions.inFlightPerPartition: for handlers that write through `runtime.tx`. */
  inFlightPerPartition?: number;
}

export type ReadinessCheck = () => Promise<boolean>;

export interface RuntimeOptions {
  service: ServiceKey;
  migrations: Array<new () => MigrationInterface>;
  databaseUrl: string;
  /** Overrides the database name (tests use a scratch database). */
  database?: string;
  poolSize?: number;
}

/**
 * Everything a service holds that has to be started and stopped in order: the database,
 * the Kafka producer, the outbox relay and the consumers. Shutdown order: stop consuming
 * (in-flight messages finish, offsets commit) → flush the outbox → disconnect the producer →
 * close the pool.
 */
export class ServiceRuntime {
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly publisher: EventPublisher;
  readonly name: string;
  /** The facilities this platform serves; every request and message is scoped to one. */
  readonly facilities: FacilityRegistry;
  ds!: DataSource;
  /**
   * Runs a unit of work in a transaction shared with the other units submitted at the same
   * moment (group commit): the hot consumer paths write through it so that a burst of messages
   * pays one commit, not one per message. A unit may run again, alone, after a shared failure.
   */
  tx!: Transact;
  relay!: OutboxRelay;
  private readonly consumers: EventConsumer[] = [];
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly liveness = new Map<string, () => boolean>();
  private stopped = false;
  private kafkaProbe?: KafkaProbe;
  private readonly delivery: z.infer<typeof deliveryEnv>;

  constructor(readonly options: RuntimeOptions) {
    this.name = Services[options.service].name;
    this.delivery = loadConfig(this.name, deliveryEnv);
    this.logger = createLogger(this.name);
    initMetrics(this.name);
    this.kafka = createKafka(kafkaConnectionFromEnv(`bhyt-${this.name}`), this.logger);
    this.publisher = new EventPublisher(this.kafka);
    this.facilities = loadFacilityRegistry();
  }

  get database(): string {
    return this.options.database ?? Services[this.options.service].database;
  }

  async start(): Promise<void> {
    this.ds = await openDatabase({
      url: this.options.databaseUrl,
      database: this.database,
      migrations: [
        OutboxInboxMigration1700000000000,
        OutboxLz4Migration1700000000001,
        OutboxParkingMigration1700000000002,
        AuditLog1700000000050,
        ...this.options.migrations,
        ClaimTraceContextMigration1700000009000,
      ],
      applicationName: `bhyt-${this.name}`,
      poolSize: this.options.poolSize ?? 10,
    });
    this.tx = new GroupCommit(this.ds).run;
    await this.publisher.connect();
    this.relay = new OutboxRelay(this.ds, this.publisher, this.logger, {
      url: this.options.databaseUrl,
      database: this.database,
      maxPublishAttempts: this.delivery.OUTBOX_MAX_PUBLISH_ATTEMPTS,
      deadLetterTopic: Topics.deadLetter.name,
      consumerGroup: `bhyt-${this.name}-outbox`,
    });
    await this.relay.start();
    this.addReadinessCheck('database', () => databaseReachable(this.ds));
    // Connected once is not reachable now: the brokers are asked again (cached a few seconds).
    this.kafkaProbe = new KafkaProbe(this.kafka.admin({ retry: { retries: 0 } }));
    this.addReadinessCheck(
      'kafka',
      async () =>
        this.publisher.isConnected &&
        this.consumers.every((c) => c.isRunning) &&
        (await this.kafkaProbe!.reachable()),
    );
  }

  /**
   * A condition without which the process cannot heal itself (the signer's HSM dead for minutes):
   * /health/live fails and the orchestrator restarts the process. Never for outside systems that
   * come back on their own (database, Kafka): restarting would not help and would storm.
   */
  addLivenessCheck(name: string, alive: () => boolean): void {
    this.liveness.set(name, alive);
  }

  live(): { live: boolean; checks: Record<string, boolean> } {
    const checks: Record<string, boolean> = {};
    for (const [name, alive] of this.liveness) checks[name] = alive();
    return { live: Object.values(checks).every(Boolean), checks };
  }

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const results: Record<string, boolean> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        results[name] = await Promise.race([
          check().catch(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
        ]);
      }),
    );
    return { ready: Object.values(results).every(Boolean), checks: results };
  }

  async consume(spec: ConsumerSpec): Promise<void> {
    const consumer = new EventConsumer(
      this.kafka,
      this.publisher,
      {
        groupId: `bhyt-${this.name}-${spec.name}`,
        topics: spec.topics,
        handler: spec.handler,
        deadLetterTopic: Topics.deadLetter.name,
        concurrency: spec.concurrency ?? 3,
        inFlightPerPartition: spec.inFlightPerPartition,
        retry: {
          initialMs: this.delivery.CONSUMER_RETRY_INITIAL_MS,
          maxMs: this.delivery.CONSUMER_RETRY_MAX_MS,
          maxAttempts: this.delivery.CONSUMER_MAX_ATTEMPTS,
        },
      },
      this.logger,
    );
    this.consumers.push(consumer);
    await consumer.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.info('shutting down: stopping consumers');
    await Promise.all(
      this.consumers.map((c) =>
        c.stop().catch((e) => this.logger.warn({ error: e }, 'consumer stop failed')),
      ),
    );
    if (this.relay) {
      await this.relay.stop();
      // Publish what the last transactions wrote, so nothing waits for the next start.
      await this.relay.relayOnce().catch(() => 0);
    }
    await this.publisher.disconnect().catch(() => undefined);
    await this.kafkaProbe?.close();
    if (this.ds?.isInitialized) await this.ds.destroy();
    this.logger.info('shutdown complete');
  }
}

/**
 * Whether a broker answers a metadata request right now. One request at a time, its answer kept
 * for `ttlMs` (readiness is probed every few seconds by every replica), and failing fast: the
 * admin client does not retry, the readiness check has its own timeout.
 */
export class KafkaProbe {
  private last?: { at: number; ok: boolean };
  private inFlight?: Promise<boolean>;
  private connected = false;

  constructor(
    private readonly admin: Pick<Admin, 'connect' | 'disconnect' | 'describeCluster'>,
    private readonly ttlMs = 3000,
    private readonly now: () => number = Date.now,
  ) {}

  reachable(): Promise<boolean> {
    if (this.last && this.now() - this.last.at < this.ttlMs) return Promise.resolve(this.last.ok);
    this.inFlight ??= this.ask().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async ask(): Promise<boolean> {
    let ok = false;
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      ok = (await this.admin.describeCluster()).brokers.length > 0;
    } catch {
      ok = false;
    }
    this.last = { at: this.now(), ok };
    return ok;
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
    this.connected = false;
  }
}
