import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../tools/platform/demo';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(300_000);

/**
 * The HSM fails under a running signer and comes back. SoftHSM is a library inside the signer's
 * process, so the honest way to kill it is to take its token away: this suite's signer reads a
 * copy of the development token directory (SOFTHSM2_CONF of its own), and the test moves the
 * token folders aside — SoftHSM then fails every operation (CKR_GENERAL_ERROR,
 * CKR_OBJECT_HANDLE_INVALID), and keeps failing after they are back until the library is
 * re-initialised, as a network HSM's client does after the appliance restarted. chmod would not
 * do (the tests run as root), and a copy leaves the shared token alone for the other suites.
 */
describe('the signer when its HSM dies and comes back', () => {
  let t: TestPlatform;
  const scratch = mkdtempSync(join(tmpdir(), 'bhyt-e2e-hsm-'));
  const tokens = join(scratch, 'tokens');
  const aside = join(scratch, 'aside');

  beforeAll(async () => {
    const shared = /^directories\.tokendir\s*=\s*(.+)$/m
      .exec(readFileSync(process.env['SOFTHSM2_CONF']!, 'utf8'))![1]!
      .trim();
    cpSync(shared, tokens, { recursive: true });
    const conf = join(scratch, 'softhsm2.conf');
    writeFileSync(
      conf,
      `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
    );
    t = await startTestPlatform('e2e_hsm', 1300, { SOFTHSM2_CONF: conf, HSM_DEAD_AFTER_SECONDS: '5' });
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const health = async (path: 'live' | 'ready') => {
    const res = await fetch(`${t.platform.url('signer')}/health/${path}`);
    return {
      status: res.status,
      hsm: ((await res.json()) as { checks: Record<string, boolean> }).checks['hsm'],
    };
  };
  const hsmUp = async () =>
    /^bhyt_hsm_up\{[^}]*\} (\d)/m.exec(
      await (await fetch(`${t.platform.url('signer')}/metrics`)).text(),
    )?.[1];

  it('goes not ready, then not live, reopens its sessions once the token is back and signs the claims that waited', async () => {
    expect(await health('ready')).toEqual({ status: 200, hsm: true });
    expect(await hsmUp()).toBe('1');
    const folders = readdirSync(tokens);
    expect(folders.length).toBeGreaterThan(0);
    mkdirSync(aside);
    for (const f of folders) renameSync(join(tokens, f), join(aside, f));

    await waitFor(
      'the signer not ready',
      async () => ((await health('ready')).status === 503 ? true : undefined),
      20_000,
    );
    expect((await health('ready')).hsm).toBe(false);
    expect(await hsmUp()).toBe('0');
    // Encounters close while the HSM is gone: their claims wait in Kafka, nothing is dead-lettered.
    const demo = await runDemo({
      intakeUrl: t.platform.url('intake'),
      encounterUrl: t.platform.url('encounter'),
      facilities: ['79001', '48001'],
      encounters: 4,
      concurrency: 2,
    });
    expect(demo.filter((d) => d.error)).toEqual([]);
    await waitFor(
      'the signer not live (HSM dead past HSM_DEAD_AFTER_SECONDS)',
      async () => ((await health('live')).status === 503 ? true : undefined),
      20_000,
    );
    expect((await health('live')).hsm).toBe(false);
    const sim = t.platform.url('gatewaySimulator');
    expect((await simulatorSubmissions(sim)).filter((s) => s.kind !== 'checkin')).toEqual([]);

    for (const f of folders) renameSync(join(aside, f), join(tokens, f));
    await waitFor(
      'the signer ready again',
      async () => ((await health('ready')).status === 200 ? true : undefined),
      40_000,
    );
    expect(await health('live')).toEqual({ status: 200, hsm: true });
    expect(await hsmUp()).toBe('1');
    const received = await waitFor(
      'every claim at the simulator',
      async () => {
        const subs = (await simulatorSubmissions(sim)).filter((s) => s.kind !== 'checkin');
        const have = new Set(subs.map((s) => `${s.facility}|${s.maLk}`));
        return demo.every((d) => have.has(`${d.facilityCode}|${d.maLk}`)) ? subs : undefined;
      },
      120_000,
    );
    expect(received.length).toBe(demo.length);
    const deadLettered = /^bhyt_messages_dead_lettered_total\{[^}]*\} ([1-9]\d*)/m.exec(
      await (await fetch(`${t.platform.url('signer')}/metrics`)).text(),
    );
    expect(deadLettered).toBeNull();
  });
});
