import { Services, ServiceKey } from '@bhyt/contracts';
import { MAX_REPLICAS, Platform, replicaPort } from './processes';

const env = (portOffset: number) => ({
  databaseUrl: 'postgres://x@127.0.0.1:5432/postgres',
  kafkaBrokers: '127.0.0.1:9092',
  portOffset,
});
const SERVICES: ServiceKey[] = ['intake', 'encounter', 'signer', 'gatewaySync', 'reporting'];

describe('replicas of a platform', () => {
  it('gives every replica of the chaos suites its own port in every lane, none a port of another suite, all below the ephemeral range', () => {
    const single = new Set<number>();
    const suiteOffsets = [100, 200, 500, 510, 600, 610, 620, 700, 710, 800, 900, 910, 1000, 1200, 1500];
    const lanes = Array.from({ length: 10 }, (_, l) => l * 2000);
    for (const lane of lanes)
      for (const o of suiteOffsets) for (const s of Object.values(Services)) single.add(s.port + o + lane);
    const replicas: number[] = [];
    for (const lane of lanes)
      for (const o of [920, 990]) {
        single.add(Services.gatewaySimulator.port + o + lane);
        for (const key of SERVICES)
          for (let r = 0; r < MAX_REPLICAS; r++) replicas.push(replicaPort(key, env(o + lane), r));
      }
    expect(new Set(replicas).size).toBe(replicas.length);
    expect(replicas.filter((p) => single.has(p))).toEqual([]);
    expect(Math.max(...replicas)).toBeLessThan(32768);
    expect(replicaPort('intake', env(920), 0)).toBe(Services.intake.port + 920);
  });

  it('runs one simulator and N processes of each service, and refuses more than the most KEDA scales to', () => {
    const platform = new Platform({ ...env(0), replicas: 3 });
    expect(platform.replicas('gatewaySync').map((p) => p.label)).toEqual([
      'gateway-sync',
      'gateway-sync#1',
      'gateway-sync#2',
    ]);
    expect(platform.replicas('gatewaySimulator')).toHaveLength(1);
    expect(platform.get('gatewaySync')).toBe(platform.replicas('gatewaySync')[0]);
    expect(new Set(platform.replicas('intake').map((p) => p.url)).size).toBe(3);
    expect(() => new Platform({ ...env(0), replicas: MAX_REPLICAS + 1 })).toThrow(
      /replicas must be an integer from 1 to 6/,
    );
  });
});
