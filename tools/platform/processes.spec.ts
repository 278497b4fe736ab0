import { Services, ServiceKey } from '@bhyt/contracts';
import { MAX_REPLICAS, Platform, replicaPort } from './processes';

const env = (portOffset: number) => ({ databaseUrl: 'postgres://x@127.0.0.1:5432/postgres', kafkaBrokers: '127.0.0.1:9092', portOffset });
const SERVICES: ServiceKey[] = ['intake', 'encounter', 'signer', 'gatewaySync', 'reporting'];

describe('replicas of a platform', () => {
  it('gives every replica of every service its own port, none of them a port of a one-replica suite or lane', () => {
    const ports = new Set<number>();
    for (const offset of [920, 990]) {
      for (const key of SERVICES) for (let r = 0; r < MAX_REPLICAS; r++) ports.add(replicaPort(key, env(offset), r));
    }
    expect(ports.size).toBe(2 * SERVICES.length * MAX_REPLICAS);
    // Replica 0 keeps the service's port; the others sit above every suite offset and lane (< 20000).
    expect(replicaPort('intake', env(920), 0)).toBe(Services.intake.port + 920);
    const highestSinglePort = Services.gatewaySimulator.port + 1200 + 9 * 2000 + 1500;
    for (const key of SERVICES) for (let r = 1; r < MAX_REPLICAS; r++) expect(replicaPort(key, env(920), r)).toBeGreaterThan(highestSinglePort);
  });

  it('runs one simulator and N processes of each service, and refuses more than the most KEDA scales to', () => {
    const platform = new Platform({ ...env(0), replicas: 3 });
    expect(platform.replicas('gatewaySync').map((p) => p.label)).toEqual(['gateway-sync', 'gateway-sync#1', 'gateway-sync#2']);
    expect(platform.replicas('gatewaySimulator')).toHaveLength(1);
    expect(platform.get('gatewaySync')).toBe(platform.replicas('gatewaySync')[0]);
    expect(new Set(platform.replicas('intake').map((p) => p.url)).size).toBe(3);
    expect(() => new Platform({ ...env(0), replicas: MAX_REPLICAS + 1 })).toThrow(/replicas must be an integer from 1 to 6/);
  });
});
