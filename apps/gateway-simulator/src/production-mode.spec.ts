import { GatewayClient, LookupUnavailableError, staticAccountResolver } from '@bhyt/gateway-client';
import { simulatorModeFromEnv, startGatewaySimulator, type SimulatorHandle } from './simulator';

const SHA = 'ab'.repeat(32);

describe('simulator in production mode (as the real gateway: no lookup, no result API)', () => {
  let prod: SimulatorHandle;
  let dev: SimulatorHandle;

  beforeAll(async () => {
    const config = { facilities: [{ code: '79001', accounts: [{ username: '79001_BV', password: 'p' }] }] };
    prod = await startGatewaySimulator({ port: 0, config, mode: 'production' });
    dev = await startGatewaySimulator({ port: 0, config });
  });

  afterAll(async () => {
    await prod.close();
    await dev.close();
  });

  it('answers 404 for the lookup and the result routes, and keeps the inspection routes', async () => {
    expect((await fetch(`${prod.url}/admin/lookup?facility=79001&maLk=LK-1&sha256=${SHA}`)).status).toBe(404);
    expect((await fetch(`${prod.url}/admin/results?ids=GD-1`)).status).toBe(404);
    expect((await fetch(`${prod.url}/admin/results/GD-1`)).status).toBe(404);
    expect((await fetch(`${prod.url}/admin/stats`)).status).toBe(200);
    expect((await fetch(`${dev.url}/admin/lookup?facility=79001&maLk=LK-1&sha256=${SHA}`)).status).toBe(200);
  });

  it('makes the gateway client report that no lookup exists, so that the caller re-sends', async () => {
    const client = new GatewayClient({
      baseUrl: prod.url,
      accounts: staticAccountResolver({}),
      simulatorAdminBaseUrl: prod.url,
    });
    await expect(client.reconcile({ facilityCode: '79001', maLk: 'LK-1', sha256: SHA })).rejects.toThrow(
      LookupUnavailableError,
    );
    client.close();
  });

  it('reads GATEWAY_SIMULATOR_MODE and refuses anything else, naming the variable', () => {
    expect(simulatorModeFromEnv(undefined)).toBe('development');
    expect(simulatorModeFromEnv('production')).toBe('production');
    expect(() => simulatorModeFromEnv('prod')).toThrow(/GATEWAY_SIMULATOR_MODE/);
  });
});
