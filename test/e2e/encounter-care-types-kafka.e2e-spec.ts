import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { CheckinReady, EncounterClosed, HealthBookRead, parseEvent, Topics } from '@bhyt/contracts';
import { wardEventsFromRecord, type WardEvent } from '@bhyt/encounter-domain';
import { createKafka } from '@bhyt/messaging';
import { EncounterRecord, parseCheckinDocument, parseClaimTables, validateClaim } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { buildEndingAt, registrationFor, seedSimulatorCards } from '../../tools/platform/demo';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(240_000);

/**
 * Ward systems of every care type talk to the encounter service over Kafka only
 * (encounter.ward-events.v1): each encounter goes from ward events to a valid encounter.closed,
 * the check-in (XML0) goes out at the first billable item (and at the treating department),
 * a correction after close reaches the gateway as version 2, and doctors read the health book
 * — audited, refused to facilities without a care relationship.
 */
const CARE_TYPE_SCENARIOS = [
  'outpatientVisit',
  'outpatientTreatment',
  'inpatient',
  'dayTreatment',
  'scheduledRefill',
  'telemedicine',
];

interface Played {
  scenario: string;
  record: EncounterRecord;
  maLk: string;
  patientRef: string;
  cardCheck: string;
  events: WardEvent[];
}

describe('ward events over Kafka for all six care types', () => {
  let t: TestPlatform;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const seen = new Map<string, Array<{ value: Buffer; headers: Record<string, string> }>>();
  const played: Played[] = [];
  let second: Played;
  const start = new Date(Date.now() - 6 * 3600_000);

  const api = (
    client: string,
    path: string,
    init: RequestInit = {},
    service: 'intake' | 'encounter' = 'encounter',
  ) => t.fetchAs(client, `${t.platform.url(service)}${path}`, init);
  const on = (topic: string) => seen.get(`${t.namespace}${topic}`) ?? [];

  async function register(
    record: EncounterRecord,
    identifier: 'CCCD' | 'BHYT_CARD',
  ): Promise<{ maLk: string; patientRef: string; cardCheck: string }> {
    const res = await api(
      `ward-${record.facilityCode}`,
      `/v1/facilities/${record.facilityCode}/visits`,
      { method: 'POST', body: JSON.stringify(registrationFor(record, identifier, randomUUID())) },
      'intake',
    );
    expect(res.status).toBe(201);
    return (await res.json()) as { maLk: string; patientRef: string; cardCheck: string };
  }

  async function sendOverKafka(events: WardEvent[]): Promise<void> {
    await producer.send({
      topic: `${t.namespace}${Topics.wardEvents.name}`,
      messages: events.map((e) => ({
        key: e.maLk,
        value: JSON.stringify(e),
        headers: { 'x-facility': e.facilityCode },
      })),
    });
  }

  async function closeWhenApplied(
    facility: string,
    maLk: string,
    count: number,
  ): Promise<{ version: number }> {
    await waitFor(
      `${count} ward events of ${maLk}`,
      async () => {
        const [row] = await t.query<{ n: number }>(
          'encounter',
          `SELECT count(*)::int AS n FROM ward_events WHERE facility_code = $1 AND ma_lk = $2`,
          [facility, maLk],
        );
        return row!.n >= count ? true : undefined;
      },
      60_000,
      200,
    );
    const res = await api(
      `ward-${facility}`,
      `/v1/facilities/${facility}/encounters/${encodeURIComponent(maLk)}/close`,
      { method: 'POST', body: '{}' },
    );
    const body = (await res.json()) as { version: number };
    expect({ status: res.status, body }).toEqual({ status: 200, body: expect.objectContaining({ maLk }) });
    return body;
  }

  async function play(
    record: EncounterRecord,
    identifier: 'CCCD' | 'BHYT_CARD',
    scenario: string,
  ): Promise<Played> {
    const reg = await register(record, identifier);
    record.maLk = reg.maLk;
    const events = wardEventsFromRecord(record);
    await sendOverKafka(events);
    await closeWhenApplied(record.facilityCode, reg.maLk, events.length);
    return { scenario, record, events, ...reg };
  }

  beforeAll(async () => {
    t = await startTestPlatform('e2e_enc_kafka', 600);
    kafka = createKafka({ brokers: process.env['KAFKA_BROKERS']!.split(','), clientId: 'e2e-enc-kafka' });
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${t.namespace}observer`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    for (const topic of [Topics.encounterClosed.name, Topics.checkinReady.name, Topics.healthBookRead.name])
      await consumer.subscribe({ topic: `${t.namespace}${topic}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) =>
        void (seen.get(topic) ?? seen.set(topic, []).get(topic)!).push({
          value: message.value!,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        }),
    });

    const scenarios = listScenarios();
    const records = CARE_TYPE_SCENARIOS.map((name, i) => ({
      name,
      record: buildEndingAt(
        scenarios.find((s) => s.name === name)!,
        { facilityCode: '79001', maLk: 'PENDING', patientSeed: 6000 + i },
        start.getTime(),
      ),
    }));
    await seedSimulatorCards(
      t.platform.url('gatewaySimulator'),
      records.map((r) => r.record),
    );
    played.push(
      ...(await Promise.all(records.map((r, i) => play(r.record, i % 2 ? 'CCCD' : 'BHYT_CARD', r.name)))),
    );
    // The same patient (same CCCD) at another facility of the network.
    const again = scenarios
      .find((s) => s.name === 'outpatientVisit')!
      .build({
        facilityCode: '01001',
        maLk: 'PENDING',
        patientSeed: 6000,
        start: new Date(start.getTime() + 3600_000),
      });
    second = await play(again, 'CCCD', 'outpatientVisit@01001');
  });

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await t?.stop();
  });

  it('registers every patient with a card the gateway confirms', () => {
    expect(played.map((p) => p.cardCheck)).toEqual(played.map(() => 'VALID'));
    expect(second.patientRef).toBe(played[0]!.patientRef);
  });

  it('emits a valid encounter.closed (version 1) for each care type', async () => {
    const closed = await waitFor(
      'encounter.closed for all',
      async () => {
        const list = on(Topics.encounterClosed.name).map(
          (m) => parseEvent(Topics.encounterClosed.name, m.value).payload as EncounterClosed,
        );
        return list.length >= played.length + 1 ? list : undefined;
      },
      60_000,
    );
    for (const p of played) {
      const event = closed.find((c) => c.maLk === p.maLk)!;
      expect(event).toMatchObject({ version: 1, careType: p.record.careType, facilityCode: '79001' });
      expect(validateClaim(parseClaimTables(event.tables))).toEqual([]);
    }
    expect(new Set(closed.map((c) => c.careType))).toEqual(
      new Set([
        'OUTPATIENT_VISIT',
        'OUTPATIENT_TREATMENT',
        'INPATIENT',
        'DAY_TREATMENT',
        'SCHEDULED_REFILL',
        'TELEMEDICINE',
      ]),
    );
  });

  it('publishes check-in 1 at the first billable item, and 2 at the treating department of inpatient and day treatment', async () => {
    const byMaLk = await waitFor(
      'check-ins',
      async () => {
        const list = on(Topics.checkinReady.name).map(
          (m) => parseEvent(Topics.checkinReady.name, m.value).payload as CheckinReady,
        );
        return list.length >= played.length + 3 ? list : undefined;
      },
      60_000,
    );
    for (const p of played) {
      const sequences = byMaLk
        .filter((c) => c.maLk === p.maLk)
        .map((c) => c.sequence)
        .sort();
      expect({ scenario: p.scenario, sequences }).toEqual({
        scenario: p.scenario,
        sequences: ['inpatient', 'dayTreatment'].includes(p.scenario) ? [1, 2] : [1],
      });
      const first = byMaLk.find((c) => c.maLk === p.maLk && c.sequence === 1)!;
      expect(parseCheckinDocument(first.xml)[0]!.MA_LK).toBe(p.maLk);
    }
  });

  it('keeps an event sent after close, and the correction reaches the gateway as version 2', async () => {
    const p = played[0]!;
    // The HIS corrects the discharge diagnosis text after the encounter closed.
    const diagnosis = p.events.find((e) => e.type === 'diagnosis')!.data;
    const late: WardEvent = {
      eventId: randomUUID(),
      facilityCode: '79001',
      maLk: p.maLk,
      type: 'diagnosis',
      occurredAt: new Date().toISOString(),
      source: 'HIS',
      data: { ...diagnosis, dischargeText: `${String(diagnosis['dischargeText'])} (đã sửa)` },
    };
    await sendOverKafka([late]);
    await waitFor(
      'correction pending',
      async () => {
        const [e] = await t.query<{ status: string }>(
          'encounter',
          `SELECT status FROM encounters WHERE ma_lk = $1`,
          [p.maLk],
        );
        return e!.status === 'CORRECTION_PENDING' ? true : undefined;
      },
      30_000,
      200,
    );
    const [kept] = await t.query<{ after_close_of_version: number }>(
      'encounter',
      `SELECT after_close_of_version FROM ward_events WHERE event_id = $1`,
      [late.eventId],
    );
    expect(kept!.after_close_of_version).toBe(1);
    expect(await closeWhenApplied('79001', p.maLk, p.events.length + 1)).toMatchObject({ version: 2 });
    const versions = await waitFor(
      'both versions at the simulator',
      async () => {
        const subs = (await simulatorSubmissions(t.platform.url('gatewaySimulator'))).filter(
          (s) => s.maLk === p.maLk && s.kind !== 'checkin',
        );
        return subs.length >= 2 ? subs.map((s) => s.version).sort() : undefined;
      },
      90_000,
    );
    expect(versions).toEqual([1, 2]);
  });

  it('delivers every closed encounter to the gateway simulator', async () => {
    const maLks = [...played, second].map((p) => p.maLk);
    const at = await waitFor(
      'claims at the simulator',
      async () => {
        const subs = (await simulatorSubmissions(t.platform.url('gatewaySimulator'))).filter(
          (s) => maLks.includes(s.maLk) && s.kind !== 'checkin',
        );
        return new Set(subs.map((s) => s.maLk)).size === maLks.length ? subs : undefined;
      },
      90_000,
    );
    expect(at.filter((s) => s.duplicateOf)).toEqual([]);
  });

  describe('health book', () => {
    const book = (client: string, facility: string, patientRef: string, purpose?: string) =>
      api(
        client,
        `/v1/facilities/${facility}/patients/${patientRef}/health-book${purpose ? `?purpose=${purpose}` : ''}`,
      );

    it("shows a doctor the patient's episodes across the network with diagnoses, and audits the read", async () => {
      const p = played[0]!;
      const res = await book('doctor-01001', '01001', p.patientRef, 'TREATMENT');
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        administrative: { fullName: string };
        encounters: Array<{
          facilityCode: string;
          maLk: string;
          version: number;
          diagnoses: { main: string };
        }>;
      };
      expect(body.administrative.fullName).toBe(p.record.patient.fullName);
      expect(body.encounters.map((e) => `${e.facilityCode}/${e.maLk}`).sort()).toEqual(
        [`01001/${second.maLk}`, `79001/${p.maLk}`].sort(),
      );
      expect(body.encounters.find((e) => e.maLk === p.maLk)!.diagnoses.main).toBe(p.record.diagnoses.main);
      const audit = await t.query(
        'encounter',
        `SELECT actor, actor_role, facility_code, purpose, outcome, episodes FROM health_book_reads WHERE patient_ref = $1 AND outcome = 'GRANTED'`,
        [p.patientRef],
      );
      expect(audit).toEqual([
        {
          actor: 'doctor-01001',
          actor_role: 'DOCTOR',
          facility_code: '01001',
          purpose: 'TREATMENT',
          outcome: 'GRANTED',
          episodes: 2,
        },
      ]);
    });

    it('emits healthbook.read.v1 without any patient reference', async () => {
      const events = await waitFor(
        'healthbook.read',
        async () => (on(Topics.healthBookRead.name).length ? on(Topics.healthBookRead.name) : undefined),
        30_000,
      );
      const payload = parseEvent(Topics.healthBookRead.name, events[0]!.value).payload as HealthBookRead;
      expect(payload).toMatchObject({ facilityCode: '01001', readerRole: 'DOCTOR', purpose: 'TREATMENT' });
      expect(events[0]!.value.toString()).not.toContain(played[0]!.patientRef);
    });

    it('refuses, and audits, a doctor of a facility without a care relationship', async () => {
      const p = played[1]!;
      const res = await book('doctor-48001', '48001', p.patientRef, 'TREATMENT');
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('NO_CARE_RELATIONSHIP');
      const audit = await t.query(
        'encounter',
        `SELECT facility_code, outcome FROM health_book_reads WHERE patient_ref = $1`,
        [p.patientRef],
      );
      expect(audit).toEqual([{ facility_code: '48001', outcome: 'NO_CARE_RELATIONSHIP' }]);
    });

    it('refuses a read without a purpose (422 naming the field) and ward systems (403)', async () => {
      const noPurpose = await book('doctor-79001', '79001', played[2]!.patientRef);
      expect(noPurpose.status).toBe(422);
      expect(
        ((await noPurpose.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field),
      ).toEqual(['purpose']);
      const ward = await book('ward-79001', '79001', played[2]!.patientRef, 'TREATMENT');
      expect(ward.status).toBe(403);
    });

    it('answers 404 for an unknown patient and an unknown encounter', async () => {
      expect((await book('doctor-79001', '79001', randomUUID(), 'TREATMENT')).status).toBe(404);
      const unknownEncounter = await api('ward-79001', `/v1/facilities/79001/encounters/NO_SUCH_MALK`);
      expect(unknownEncounter.status).toBe(404);
    });
  });
});
