import { randomInt, randomUUID } from 'node:crypto';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { Headers as H, Topics, VisitRegistered } from '@bhyt/contracts';
import { wardEventsFromRecord, type WardEvent } from '@bhyt/encounter-domain';
import { createEvent, createKafka } from '@bhyt/messaging';
import { listScenarios } from '@bhyt/xml130/testing';
import { startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(180_000);

/**
 * A ward event that arrives over Kafka for an encounter that is not open yet is parked. If the
 * encounter opens, the event is applied; if it never does, the event does not wait forever
 * unseen: operators list it per facility (metadata only), the gauges count it, and after
 * PARKED_WARD_EVENT_MAX_AGE_MINUTES it is dead-lettered as ENCOUNTER_NEVER_OPENED with the
 * bytes the ward system sent, ready to be re-driven.
 */
const MAX_AGE_SECONDS = 30;

interface DeadLetter {
  key: string;
  value: string;
  headers: Record<string, string>;
}

describe('parked ward events whose encounter never opens', () => {
  let t: TestPlatform;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const dead: DeadLetter[] = [];
  const run = String(randomInt(1_000_000, 9_999_999));
  // MA_LKs intake never assigned (year 2099): only this suite's events use them.
  const orphanMaLk = `79001_2099_01_${run}`;
  const lateMaLk = `79001_2099_02_${run}`;
  const record = listScenarios()
    .find((s) => s.name === 'outpatientVisit')!
    .build({
      facilityCode: '79001',
      maLk: 'PENDING',
      patientSeed: 9100,
      start: new Date(Date.now() - 3600_000),
    });
  const orphan: WardEvent = wardEventsFromRecord({ ...record, maLk: orphanMaLk }).find(
    (e) => e.type === 'diagnosis',
  )!;
  const late: WardEvent = wardEventsFromRecord({ ...record, maLk: lateMaLk }).find(
    (e) => e.type === 'admission',
  )!;
  // Sent with its own spacing: the dead letter must carry these bytes, not a re-serialisation.
  const orphanRaw = JSON.stringify(orphan, null, 1);
  const clinicalText = String(orphan.data['dischargeText']);

  const encounterUrl = (path: string) => `${t.platform.url('encounter')}${path}`;
  const parkedView = (client: string, facility = '79001', query = '') =>
    t.fetchAs(client, encounterUrl(`/v1/facilities/${facility}/parked-ward-events${query}`));
  const parkedIds = async () =>
    (
      await t.query<{ event_id: string }>(
        'encounter',
        `SELECT event_id FROM parked_ward_events ORDER BY received_at`,
      )
    ).map((r) => r.event_id);
  const applied = async (eventId: string) =>
    (
      await t.query<{ n: number }>(
        'encounter',
        `SELECT count(*)::int AS n FROM ward_events WHERE event_id = $1`,
        [eventId],
      )
    )[0]!.n;
  const metrics = async () => (await fetch(encounterUrl('/metrics'))).text();

  async function sendWardEvent(
    key: string,
    value: string,
    headers: Record<string, string> = { [H.facility]: '79001' },
  ): Promise<void> {
    await producer.send({
      topic: `${t.namespace}${Topics.wardEvents.name}`,
      messages: [{ key, value, headers }],
    });
  }

  /** intake.registered as intake would publish it, arriving late. */
  async function openEncounter(maLk: string): Promise<void> {
    const payload: VisitRegistered = {
      visitId: randomUUID(),
      facilityCode: '79001',
      maLk,
      careType: 'OUTPATIENT_VISIT',
      identifierType: 'CCCD',
      insured: false,
      cardCheck: 'NOT_APPLICABLE',
      registeredAt: new Date().toISOString(),
      patient: {
        patientRef: randomUUID(),
        maBn: `BN${run}`,
        fullName: 'Bệnh nhân thử',
        birthDate: '199001010000',
        sex: '2',
      },
    };
    const { message } = createEvent(Topics.intakeRegistered.name, {
      facilityCode: '79001',
      key: maLk,
      payload,
    });
    await producer.send({
      topic: `${t.namespace}${message.topic}`,
      messages: [{ key: message.key, value: message.value, headers: message.headers }],
    });
  }

  beforeAll(async () => {
    t = await startTestPlatform('e2e_enc_parked', 1200, {
      PARKED_WARD_EVENT_MAX_AGE_MINUTES: String(MAX_AGE_SECONDS / 60),
      PARKED_WARD_EVENT_SWEEP_MS: '1000',
    });
    kafka = createKafka({ brokers: process.env['KAFKA_BROKERS']!.split(','), clientId: 'e2e-enc-parked' });
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${t.namespace}observer`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: `${t.namespace}${Topics.deadLetter.name}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void dead.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString('utf8') ?? '',
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        }),
    });
  });

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await t?.stop();
  });

  it('parks ward events for MA_LKs whose encounter is not open, and counts them per facility', async () => {
    expect(clinicalText.length).toBeGreaterThan(3);
    // One after the other, so that "newest first" has an order to show.
    await sendWardEvent(orphanMaLk, orphanRaw);
    await waitFor(
      'the first event parked',
      async () => ((await parkedIds()).length === 1 ? true : undefined),
      20_000,
      100,
    );
    await sendWardEvent(lateMaLk, JSON.stringify(late));
    await waitFor(
      'the second event parked',
      async () => ((await parkedIds()).length === 2 ? true : undefined),
      20_000,
      100,
    );
    expect(await parkedIds()).toEqual([orphan.eventId, late.eventId]);
    expect([await applied(orphan.eventId), await applied(late.eventId)]).toEqual([0, 0]);
    const gauge = await waitFor(
      'parked gauge',
      async () => {
        const text = await metrics();
        return /bhyt_parked_ward_events\{[^}]*facility="79001"[^}]*\} 2\b/.test(text) ? text : undefined;
      },
      10_000,
      200,
    );
    expect(gauge).toMatch(/bhyt_parked_ward_events\{[^}]*facility="01001"[^}]*\} 0\b/);
    expect(gauge).toMatch(/# HELP bhyt_parked_ward_event_oldest_seconds \S/);
    expect(gauge).toMatch(/bhyt_parked_ward_event_oldest_seconds\{[^}]*facility="79001"[^}]*\} \d/);
  });

  it("lists a facility's parked events for its ward system, newest first, without the clinical payload", async () => {
    const res = await parkedView('ward-79001');
    const text = await res.text();
    expect(res.status).toBe(200);
    const body = JSON.parse(text) as {
      facilityCode: string;
      total: number;
      events: Array<Record<string, unknown>>;
    };
    expect({
      facilityCode: body.facilityCode,
      total: body.total,
      ids: body.events.map((e) => e['eventId']),
    }).toEqual({ facilityCode: '79001', total: 2, ids: [late.eventId, orphan.eventId] });
    expect(body.events[1]).toEqual({
      eventId: orphan.eventId,
      maLk: orphanMaLk,
      type: 'diagnosis',
      occurredAt: new Date(orphan.occurredAt).toISOString(),
      receivedAt: expect.any(String),
      ageSeconds: expect.any(Number),
      expiresAt: expect.any(String),
    });
    expect(
      Date.parse(body.events[1]!['expiresAt'] as string) -
        Date.parse(body.events[1]!['receivedAt'] as string),
    ).toBe(MAX_AGE_SECONDS * 1000);
    expect(text).not.toContain(clinicalText);
    const limited = (await (await parkedView('ward-79001', '79001', '?limit=1')).json()) as {
      total: number;
      events: unknown[];
    };
    expect({ total: limited.total, shown: limited.events.length }).toEqual({ total: 2, shown: 1 });
    expect((await parkedView('ward-79001', '79001', '?limit=0')).status).toBe(422);
  });

  it("refuses another facility's ward system and SRE (403), and lets the provincial officer read", async () => {
    expect((await parkedView('ward-01001')).status).toBe(403);
    expect((await parkedView('sre')).status).toBe(403);
    expect((await parkedView('province-79')).status).toBe(200);
    expect((await parkedView('ward-01001', '01001')).status).toBe(200);
  });

  it('applies a parked event when its encounter opens, and lists it no more', async () => {
    await openEncounter(lateMaLk);
    await waitFor(
      'late event applied',
      async () => ((await applied(late.eventId)) === 1 ? true : undefined),
      20_000,
      100,
    );
    expect(await parkedIds()).toEqual([orphan.eventId]);
    const enc = (await (
      await t.fetchAs('ward-79001', encounterUrl(`/v1/facilities/79001/encounters/${lateMaLk}`))
    ).json()) as { status: string; ward_events: number };
    expect(enc).toMatchObject({ status: 'OPEN', ward_events: 1 });
  });

  it('dead-letters the event whose encounter never opened as ENCOUNTER_NEVER_OPENED, with the bytes that were sent', async () => {
    const [letter] = await waitFor(
      'the dead letter',
      async () => {
        const mine = dead.filter((d) => d.value.includes(orphan.eventId));
        return mine.length ? mine : undefined;
      },
      (MAX_AGE_SECONDS + 30) * 1000,
      250,
    );
    expect(letter!.value).toBe(orphanRaw);
    expect(letter!.key).toBe(orphanMaLk);
    expect(letter!.headers).toMatchObject({
      [H.facility]: '79001',
      [H.dlqReasonCode]: 'ENCOUNTER_NEVER_OPENED',
      [H.dlqSourceTopic]: Topics.wardEvents.name,
      [H.dlqSourcePartition]: expect.stringMatching(/^\d+$/),
      [H.dlqSourceOffset]: expect.stringMatching(/^\d+$/),
      [H.dlqConsumerGroup]: 'bhyt-encounter-ward-events',
    });
    const reason = letter!.headers[H.dlqReason]!;
    expect(reason).toContain(orphanMaLk);
    expect(reason).toContain('facility 79001');
    expect(reason).toMatch(/waited \d+s/);
    expect(reason).not.toContain(clinicalText);
    expect(await parkedIds()).toEqual([]);
    expect(((await (await parkedView('ward-79001')).json()) as { total: number }).total).toBe(0);
  });

  it('never dead-letters the event whose encounter opened, and reads 0 parked afterwards', async () => {
    const text = await waitFor(
      'gauges back to 0',
      async () => {
        const body = await metrics();
        return /bhyt_parked_ward_events\{[^}]*facility="79001"[^}]*\} 0\b/.test(body) ? body : undefined;
      },
      10_000,
      200,
    );
    expect(text).toMatch(
      /bhyt_messages_dead_lettered_total\{[^}]*reason="ENCOUNTER_NEVER_OPENED"[^}]*\} 1\b/,
    );
    // Two more sweeps: nothing else leaves the table.
    await new Promise((r) => setTimeout(r, 2500));
    expect(dead.filter((d) => d.value.includes(late.eventId))).toEqual([]);
    expect(dead.map((d) => d.headers[H.dlqReasonCode])).toEqual(['ENCOUNTER_NEVER_OPENED']);
    expect(await applied(late.eventId)).toBe(1);
  });

  it('applies the dead letter once when it is re-driven after its encounter opened', async () => {
    const [letter] = dead;
    await openEncounter(orphanMaLk);
    await waitFor(
      'orphan encounter open',
      async () =>
        (await t.query('encounter', `SELECT 1 FROM encounters WHERE ma_lk = $1`, [orphanMaLk])).length
          ? true
          : undefined,
      20_000,
      100,
    );
    // The operator re-publishes the dead letter, as it is, to its source topic — twice by mistake.
    await sendWardEvent(letter!.key, letter!.value, letter!.headers);
    await sendWardEvent(letter!.key, letter!.value, letter!.headers);
    await waitFor(
      're-driven event applied',
      async () => ((await applied(orphan.eventId)) === 1 ? true : undefined),
      20_000,
      100,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await applied(orphan.eventId)).toBe(1);
    expect(await parkedIds()).toEqual([]);
    expect(dead).toHaveLength(1);
  });
});
