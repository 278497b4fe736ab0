// Provisions the development SoftHSM token: for every facility of config/facilities.dev.json, a
// key pair generated in the token, a certificate from the dev CA stored next to it, and the PEM
// exported to $STATE_DIR/certs/<code>.pem (the gateway simulator registers those). Idempotent.
// Run by `bash scripts/stack.sh up hsm` (which exports SOFTHSM2_CONF before node starts).
// Prints one line per facility; never prints the PIN.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DevCa, Pkcs11Hsm, daysToExpiry, ensureFacilityKey, loadHsmConfigFromEnv } from '@bhyt/signing';

interface FacilityEntry {
  code: string;
  name: string;
  province?: string;
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  const stateDir = process.env['STATE_DIR'] ?? join(root, '.state');
  const caDir = process.env['DEV_CA_DIR'] ?? join(stateDir, 'dev-ca');
  const registry = process.env['FACILITY_REGISTRY_FILE'] ?? join(root, 'config/facilities.dev.json');
  if (!process.env['SOFTHSM2_CONF'] && (process.env['PKCS11_MODULE'] ?? '').includes('softhsm')) {
    throw new Error(
      'SOFTHSM2_CONF is not set: run `bash scripts/stack.sh up hsm` (or `source scripts/lib/stack-env.sh`)',
    );
  }
  const facilities = (JSON.parse(readFileSync(registry, 'utf8')) as { facilities: FacilityEntry[] })
    .facilities;
  const ca = DevCa.loadOrCreate(caDir);
  const hsm = await Pkcs11Hsm.open({ ...loadHsmConfigFromEnv(), sessions: 1 });
  try {
    for (const f of facilities) {
      const r = await ensureFacilityKey(
        hsm,
        { code: f.code, name: f.name, ...(f.province ? { province: f.province } : {}) },
        {
          ca,
          certDir: join(stateDir, 'certs'),
          renewWithinDays: 7,
        },
      );
      console.log(
        `facility ${r.facilityCode}: ${r.status} key ${r.keyId.slice(0, 16)} cert sha256 ${r.certificate.sha256.slice(0, 16)} ` +
          `expires in ${daysToExpiry(r.certificate)} days -> ${r.pemPath}`,
      );
    }
  } finally {
    await hsm.close();
  }
}

main().catch((e: unknown) => {
  console.error(`provision-hsm: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
