import { mkdtempSync, readFileSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerEnvironment, imageName, imageRef } from './images';

describe('the platform from its images', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'bhyt-images-spec-'));
  beforeAll(() => mkdirSync(join(runDir, 'secrets', 'env'), { recursive: true }));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('runs the development signer image, the others by their service name', () => {
    expect(imageName('signer')).toBe('signer-softhsm');
    expect(imageRef('gatewaySync', '0.1.0')).toBe('localhost/bhyt/gateway-sync:0.1.0');
  });

  it('maps files of the state folder into the container and passes secrets as files, never on the command line', () => {
    const env = containerEnvironment(
      {
        HSM_PIN_FILE: '/srv/state/secrets/hsm-pin',
        IDENTITY_HASH_KEY: 'c2VjcmV0',
        KAFKA_BROKERS: '127.0.0.1:9092',
        FACILITY_REGISTRY_FILE: '/repo/config/facilities.dev.json',
      },
      '/srv/state',
      { tag: '0.1.0', runDir, namePrefix: 'bhyt-test' },
    );
    expect(env).toMatchObject({
      HSM_PIN_FILE: '/var/lib/bhyt/secrets/hsm-pin',
      IDENTITY_HASH_KEY_FILE: '/var/lib/bhyt/secrets/env/IDENTITY_HASH_KEY',
      KAFKA_BROKERS: '127.0.0.1:9092',
      FACILITY_REGISTRY_FILE: '/app/config/facilities.dev.json',
      SOFTHSM2_CONF: '/var/lib/bhyt/softhsm/softhsm2.conf',
    });
    expect(Object.values(env)).not.toContain('c2VjcmV0');
    const file = join(runDir, 'secrets', 'env', 'IDENTITY_HASH_KEY');
    expect(readFileSync(file, 'utf8')).toBe('c2VjcmV0');
    expect({ mode: statSync(file).mode & 0o777, uid: statSync(file).uid }).toEqual({
      mode: 0o600,
      uid: 1000,
    });
  });
});
