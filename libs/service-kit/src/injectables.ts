import type { DataSource } from 'typeorm';
import type { EventPublisher } from '@bhyt/messaging';
import type { Logger } from '@bhyt/observability';
import type { FacilityRegistry } from '@bhyt/facilities';
import type { Transact } from '@bhyt/persistence';
import type { ConsumerSpec, ReadinessCheck } from './runtime';

/**
 * The narrow things a service's controllers, stores, consumers and jobs may ask Nest for, in
 * place of the whole ServiceRuntime (which only main.ts holds). PlatformModule provides each.
 */
export const DATA_SOURCE = Symbol('DataSource');
/**
 * Runs a unit of work in a transaction shared with other units (group commit). The unit MAY RUN
 * MORE THAN ONCE (after a shared failure each unit is re-run alone): it must only touch the
 * database; emit metrics and logs after the returned promise resolves.
 */
export const REPEATABLE_TRANSACTION = Symbol('RepeatableTransaction');
export type RepeatableTransaction = Transact;
export const LOGGER = Symbol('Logger');
export const FACILITY_REGISTRY = Symbol('FacilityRegistry');
/** Publishes straight to Kafka (not through the outbox): for dead letters and replies only. */
export const EVENT_PUBLISHER = Symbol('EventPublisher');
export const HEALTH_CHECKS = Symbol('HealthChecks');

export type { DataSource, EventPublisher, Logger, FacilityRegistry };

/** Adds conditions to /health/ready and /health/live (see ServiceRuntime.addLivenessCheck). */
export interface HealthChecks {
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  addLivenessCheck(name: string, alive: () => boolean): void;
}

/**
 * A Kafka consumer declared as a provider: bootstrapService starts it once the service is up
 * and stops it with the runtime (consumers stop before the outbox relay and the pool).
 */
export interface DeclaredConsumer {
  consumerSpec(): ConsumerSpec;
}
