// Constructing a runtime connects to nothing; the Kafka client only needs brokers named.
process.env['KAFKA_BROKERS'] ??= '127.0.0.1:1';
import { KafkaProbe, ServiceRuntime } from './runtime';
import { stopInOrder } from './bootstrap';

describe('service runtime health and shutdown', () => {
  it('stops consumers, then the outbox relay, then the producer, then the pool', async () => {
    const runtime = new ServiceRuntime({
      service: 'intake',
      migrations: [],
      databaseUrl: 'postgres://unused',
    });
    const calls: string[] = [];
    const internals = runtime as unknown as {
      consumers: Array<{ stop(): Promise<void> }>;
      relay: object;
      publisher: object;
      ds: object;
    };
    internals.consumers.push(
      { stop: async () => void calls.push('consumer a') },
      { stop: async () => void calls.push('consumer b') },
    );
    internals.relay = {
      stop: async () => void calls.push('relay stop'),
      relayOnce: async () => (calls.push('relay flush'), 0),
    };
    Object.defineProperty(runtime, 'publisher', {
      value: { disconnect: async () => void calls.push('producer') },
    });
    internals.ds = { isInitialized: true, destroy: async () => void calls.push('pool') };
    await runtime.stop();
    expect(calls).toEqual(['consumer a', 'consumer b', 'relay stop', 'relay flush', 'producer', 'pool']);
  });

  it('runs the shutdown steps in order and goes on past a failing one', async () => {
    const calls: string[] = [];
    const failed: string[] = [];
    await stopInOrder(
      [
        ['http', async () => void calls.push('http')],
        [
          'jobs',
          async () => {
            calls.push('jobs');
            throw new Error('boom');
          },
        ],
        ['runtime', async () => void calls.push('runtime')],
      ],
      (step) => failed.push(step),
    );
    expect(calls).toEqual(['http', 'jobs', 'runtime']);
    expect(failed).toEqual(['jobs']);
  });

  it('fails liveness only on a registered liveness check', () => {
    const runtime = new ServiceRuntime({
      service: 'signer',
      migrations: [],
      databaseUrl: 'postgres://unused',
    });
    expect(runtime.live()).toEqual({ live: true, checks: {} });
    let hsmAlive = true;
    runtime.addLivenessCheck('hsm', () => hsmAlive);
    expect(runtime.live().live).toBe(true);
    hsmAlive = false;
    expect(runtime.live()).toEqual({ live: false, checks: { hsm: false } });
  });

  it('asks the brokers again once its answer is older than the ttl: readiness follows Kafka going away and coming back', async () => {
    let now = 0;
    let brokersUp = true;
    let asked = 0;
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      describeCluster: async () => {
        asked++;
        if (!brokersUp) throw new Error('Connection error: ECONNREFUSED');
        return { brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }], controller: 1, clusterId: 'c' };
      },
    };
    const probe = new KafkaProbe(admin, 3000, () => now);
    expect(await probe.reachable()).toBe(true);
    brokersUp = false;
    now = 1000;
    expect(await probe.reachable()).toBe(true); // cached
    expect(asked).toBe(1);
    now = 3500;
    expect(await probe.reachable()).toBe(false);
    brokersUp = true;
    now = 7000;
    expect(await probe.reachable()).toBe(true);
    expect(asked).toBe(3);
  });
});
