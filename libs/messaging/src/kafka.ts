import { Kafka, KafkaConfig, logLevel, SASLOptions } from 'kafkajs';
import type { Logger } from '@bhyt/observability';

const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];
const isSaslMechanism = (value: string): value is SaslMechanism =>
  (SASL_MECHANISMS as readonly string[]).includes(value);

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** SASL/SCRAM in production (Strimzi KafkaUser); off on the local stack. */
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  ssl?: boolean;
}

export function kafkaConnectionFromEnv(
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
): KafkaConnection {
  const brokers = (env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required (comma-separated host:port)');
  const mechanism = env['KAFKA_SASL_MECHANISM'];
  const conn: KafkaConnection = { brokers, clientId, ssl: env['KAFKA_SSL'] === 'true' };
  if (mechanism) {
    if (!isSaslMechanism(mechanism))
      throw new Error(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}`);
    const username = env['KAFKA_SASL_USERNAME'];
    const password = env['KAFKA_SASL_PASSWORD'];
    if (!username || !password)
      throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
    conn.sasl = { mechanism, username, password };
  }
  return conn;
}

export function createKafka(conn: KafkaConnection, logger?: Logger): Kafka {
  const config: KafkaConfig = {
    clientId: conn.clientId,
    brokers: conn.brokers,
    ssl: conn.ssl ?? false,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }) => {
        if (!logger) return;
        // Bounded retries are deliberate: the outbox relay retries a failed batch itself.
        if (log.message?.startsWith('Limiting retries for the idempotent producer')) return;
        const { message, ...rest } = log;
        const entry = { namespace, broker: rest['broker'], error: rest['error'] };
        if (level <= logLevel.ERROR) logger.error(entry, `kafka: ${message}`);
        else logger.warn(entry, `kafka: ${message}`);
      },
  };
  if (conn.sasl) config.sasl = conn.sasl as SASLOptions;
  return new Kafka(config);
}
