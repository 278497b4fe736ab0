import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer } from 'kafkajs';
import { CardChecked, parseEvent, Topics } from '@bhyt/contracts';
import { createKafka } from '@bhyt/messaging';
import { EncounterRecord } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { registrationFor, seedSimulatorCards } from '../../tools/platform/demo';
import { laneSuffix, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(180_000);

/**
 * Card lookup at reception through the gateway client (KQNhanLichSuKCB2024) against the
 * simulator: answers are cached, an unknown card is INVALID, and a gateway that is down never
 * blocks reception — the visit registers with cardCheck PENDING and a background re-check
 * emits intake.card-checked.v1 once the gateway answers.
 */
describe('card lookup at intake', () => {
  let t: TestPlatform;
  let consumer: Consumer;
  const checked: Buffer[] = [];
  const start = new Date(Date.now() - 3 * 3600_000);
  const patient = (seed: number): EncounterRecord =>
    listScenarios()
      .find((s) => s.name === 'outpatientVisit')!
      .build({ facilityCode: '79001', maLk: 'PENDING', patientSeed: seed, start });
  const sim = () => t.platform.url('gatewaySimulator');
  const lookups = async () =>
    ((await (await fetch(`${sim()}/admin/stats`)).json()) as { lookups: number }).lookups;

  async function register(
    record: EncounterRecord,
  ): Promise<{ visitId: string; maLk: string; cardCheck: string; cardCheckCode?: string }> {
    const res = await t.fetchAs('ward-79001', `${t.platform.url('intake')}/v1/facilities/79001/visits`, {
      method: 'POST',
      body: JSON.stringify(registrationFor(record, 'BHYT_CARD', randomUUID())),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { visitId: string; maLk: string; cardCheck: string; cardCheckCode?: string };
  }

  beforeAll(async () => {
    // debug: every log statement of the lookup path runs, so the secrets check below reads them all.
    t = await startTestPlatform('e2e_intake_card', 610, {
      CARD_RECHECK_INTERVAL_MS: '300',
      CARD_LOOKUP_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'debug',
    });
    const kafka = createKafka({
      brokers: process.env['KAFKA_BROKERS']!.split(','),
      clientId: 'e2e-intake-card',
    });
    consumer = kafka.consumer({ groupId: `${t.namespace}observer`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({
      topic: `${t.namespace}${Topics.intakeCardChecked.name}`,
      fromBeginning: true,
    });
    await consumer.run({ eachMessage: async ({ message }) => void checked.push(message.value!) });
  });

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await t?.stop();
  });

  it('confirms a card the gateway knows, and answers a repeat from the cache', async () => {
    const record = patient(7000);
    await seedSimulatorCards(sim(), [record]);
    const first = await register(record);
    expect(first).toMatchObject({ cardCheck: 'VALID', cardCheckCode: '000' });
    const before = await lookups();
    expect(await register(record)).toMatchObject({ cardCheck: 'VALID', cardCheckCode: '000' });
    expect(await lookups()).toBe(before);
  });

  it('marks a card the gateway does not know as INVALID with its result code, and still registers', async () => {
    expect(await register(patient(7001))).toMatchObject({ cardCheck: 'INVALID', cardCheckCode: '050' });
  });

  it('registers with cardCheck PENDING while the gateway is down, and emits the outcome once it answers', async () => {
    const record = patient(7002);
    // The gateway is down behind its proxy (502 with an HTML page on every lookup). The card is
    // added to the register only while it is down, so the answer can only come from a re-check.
    const faults = (body: unknown) =>
      fetch(`${sim()}/admin/faults`, { method: 'POST', body: JSON.stringify(body) });
    await faults({ routes: ['lookup'], probabilities: { http5xx: 1 } });
    const visit = await register(record);
    expect(visit.cardCheck).toBe('PENDING');
    const [row] = await t.query<{ card_check: string }>(
      'intake',
      `SELECT card_check FROM visits WHERE visit_id = $1`,
      [visit.visitId],
    );
    expect(row!.card_check).toBe('PENDING');

    await seedSimulatorCards(sim(), [record]);
    await faults({});
    const event = await waitFor(
      'intake.card-checked',
      async () => {
        const found = checked
          .map((v) => parseEvent(Topics.intakeCardChecked.name, v).payload as CardChecked)
          .find((e) => e.visitId === visit.visitId);
        return found;
      },
      60_000,
      300,
    );
    expect(event).toMatchObject({
      maLk: visit.maLk,
      facilityCode: '79001',
      cardCheck: 'VALID',
      resultCode: '000',
    });
    expect(event.attempts).toBeGreaterThanOrEqual(1);
    expect(checked.map((v) => v.toString()).join('')).not.toContain(record.cards[0]!.cardNumber);
    const [after] = await t.query<{ card_check: string; card_check_code: string }>(
      'intake',
      `SELECT card_check, card_check_code FROM visits WHERE visit_id = $1`,
      [visit.visitId],
    );
    expect(after).toEqual({ card_check: 'VALID', card_check_code: '000' });
  });

  it('never writes the lookup staff credentials or card numbers to the log', () => {
    const log = readFileSync(
      join(
        process.env['STATE_DIR'] ?? '.state',
        'logs',
        laneSuffix('e2e_intake_card').slice(1),
        'intake.log',
      ),
      'utf8',
    );
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [
      'TRẦN THỊ CÁN BỘ',
      '079001000001',
      patient(7000).cards[0]!.cardNumber,
      patient(7002).cards[0]!.cardNumber,
    ])
      expect(log).not.toContain(secret);
  });
});
