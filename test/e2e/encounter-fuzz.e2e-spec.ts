import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { Headers as H, Topics } from '@bhyt/contracts';
import { wardEventsFromRecord } from '@bhyt/encounter-domain';
import { createKafka } from '@bhyt/messaging';
import { listScenarios } from '@bhyt/xml130/testing';
import { registrationFor } from '../../tools/platform/demo';
import { startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(240_000);

/**
 * Malformed input at every ingress of intake and encounter, against the running services:
 * ≥ 1,000 payloads each to intake REST, intake Kafka, encounter REST events, encounter Kafka
 * events and the health-book REST read; then every route of intake, encounter, gateway-sync and
 * reporting (from their OpenAPI documents) with fuzzed path and query parameters and bodies.
 * No 5xx, every process still alive and ready, every Kafka payload dead-lettered with a reason.
 */
const N = 1000;
const FUZZ = 'x-fuzz-id';

/** Values that break any required field (string, enum or object): absent, null, or of the wrong type. */
const breaking = fc.constantFrom<unknown>(undefined, null, 12345, -1.5, true, [], [null], [{ a: 'b' }]);
/** Strings PostgreSQL cannot store, or absurd sizes. */
const nastyText = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  'A'.repeat(5000),
  '',
  ' ',
  '../../etc',
  '"; DROP TABLE visits; --',
  '\u202E\u0301',
);

/** A valid payload with one required field broken (so it is never accidentally valid). */
function mutated(base: Record<string, unknown>, required: string[][]): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.constantFrom(...required),
      fc.oneof(
        breaking,
        nastyText.filter((s) => s.includes('\u0000') || /[\uD800-\uDFFF]/.test(s)),
      ),
    )
    .map(([path, value]) => {
      const copy = structuredClone(base);
      let node: Record<string, unknown> = copy;
      for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (value === undefined) delete node[last];
      else node[last] = value;
      return copy;
    });
}

/** Random JSON (almost never an object of the right shape) and text that is not JSON at all. */
const randomJson = fc.jsonValue({ maxDepth: 3 });
const notJson = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '[1,2', 'null x', '\u0000', '{"requestId": "\uD800"}'),
);

function payloads(base: Record<string, unknown>, required: string[][]): Array<{ raw: string }> {
  const arb = fc.oneof(
    { arbitrary: mutated(base, required).map((v) => ({ raw: JSON.stringify(v) })), weight: 5 },
    { arbitrary: randomJson.map((v) => ({ raw: JSON.stringify(v) })), weight: 3 },
    { arbitrary: notJson.map((raw) => ({ raw })), weight: 2 },
  );
  return fc.sample(arb, { numRuns: N, seed: 1332 });
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe('malformed input at every ingress', () => {
  let t: TestPlatform;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const dead: Array<Record<string, string>> = [];
  let maLk: string;
  let patientRef: string;
  const record = listScenarios()
    .find((s) => s.name === 'outpatientVisit')!
    .build({
      facilityCode: '79001',
      maLk: 'PENDING',
      patientSeed: 8000,
      start: new Date(Date.now() - 4 * 3600_000),
    });
  const registration = registrationFor(record, 'CCCD', 'fuzz-base') as unknown as Record<string, unknown>;
  const registrationRequired = [
    ['requestId'],
    ['identifier'],
    ['identifier', 'type'],
    ['identifier', 'value'],
    ['careType'],
    ['patient'],
    ['patient', 'fullName'],
    ['patient', 'birthDate'],
    ['patient', 'sex'],
  ];

  const statuses = new Map<string, Map<number, number>>();
  const count = (ingress: string, status: number) => {
    const m = statuses.get(ingress) ?? statuses.set(ingress, new Map()).get(ingress)!;
    m.set(status, (m.get(status) ?? 0) + 1);
  };
  const fiveHundreds = (ingress: string) =>
    [...(statuses.get(ingress) ?? new Map<number, number>()).entries()]
      .filter(([s]) => s >= 500 || s === 0)
      .reduce((n, [, c]) => n + c, 0);
  const total = (ingress: string) =>
    [...(statuses.get(ingress) ?? new Map<number, number>()).values()].reduce((a, b) => a + b, 0);

  async function post(ingress: string, client: string, url: string, raw: string): Promise<void> {
    const res = await t
      .fetchAs(client, url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json' } })
      .catch(() => ({ status: 0, text: async () => '' }));
    count(ingress, res.status);
    await res.text();
  }

  beforeAll(async () => {
    t = await startTestPlatform('e2e_enc_fuzz', 620);
    kafka = createKafka({ brokers: process.env['KAFKA_BROKERS']!.split(','), clientId: 'e2e-fuzz' });
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${t.namespace}observer`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: `${t.namespace}${Topics.deadLetter.name}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void dead.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        ),
    });
    const res = await t.fetchAs('ward-79001', `${t.platform.url('intake')}/v1/facilities/79001/visits`, {
      method: 'POST',
      body: JSON.stringify(registration),
    });
    expect(res.status).toBe(201);
    ({ maLk, patientRef } = (await res.json()) as { maLk: string; patientRef: string });
  });

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await t?.stop();
  });

  it('answers every malformed registration at intake REST with 4xx, never 5xx', async () => {
    const url = `${t.platform.url('intake')}/v1/facilities/79001/visits`;
    await pool(payloads(registration, registrationRequired), 16, (p) =>
      post('intake-rest', 'ward-79001', url, p.raw),
    );
    expect(total('intake-rest')).toBeGreaterThanOrEqual(N);
    expect(fiveHundreds('intake-rest')).toBe(0);
  });

  it('answers every malformed ward event at encounter REST with 4xx, never 5xx', async () => {
    const [base] = wardEventsFromRecord({ ...record, maLk }).filter((e) => e.type === 'service.ordered');
    const { facilityCode: _f, maLk: _m, ...body } = base!;
    const url = `${t.platform.url('encounter')}/v1/facilities/79001/encounters/${encodeURIComponent(maLk)}/events`;
    await pool(
      payloads(body as Record<string, unknown>, [['eventId'], ['type'], ['occurredAt'], ['data']]),
      16,
      (p) => post('encounter-rest', 'ward-79001', url, p.raw),
    );
    expect(total('encounter-rest')).toBeGreaterThanOrEqual(N);
    expect(fiveHundreds('encounter-rest')).toBe(0);
  });

  it('answers every malformed health-book read with 4xx, never 5xx', async () => {
    const reads = fc.sample(
      fc.record({
        ref: fc.oneof(fc.string({ maxLength: 60 }), fc.uuid(), fc.constant(patientRef)),
        purpose: fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom('', 'treatment', 'TREATMENT ', '\u0000'),
        ),
      }),
      { numRuns: N, seed: 1332 },
    );
    await pool(reads, 16, async ({ ref, purpose }) => {
      const res = await t
        .fetchAs(
          'doctor-79001',
          `${t.platform.url('encounter')}/v1/facilities/79001/patients/${encodeURIComponent(ref || ' ')}/health-book?purpose=${encodeURIComponent(purpose)}`,
        )
        .catch(() => ({ status: 0, text: async () => '' }));
      count('health-book', res.status);
      await res.text();
    });
    expect(total('health-book')).toBeGreaterThanOrEqual(N);
    expect(fiveHundreds('health-book')).toBe(0);
  });

  it('dead-letters every malformed message on the intake and ward-event topics, with a reason', async () => {
    const wardBase = wardEventsFromRecord({ ...record, maLk })[0]! as unknown as Record<string, unknown>;
    const sources = [
      {
        topic: Topics.intakeIngress.name,
        items: payloads({ facilityCode: '79001', request: registration }, [
          ['facilityCode'],
          ['request'],
          ...registrationRequired.map((p) => ['request', ...p]),
        ]),
      },
      {
        topic: Topics.wardEvents.name,
        items: payloads(wardBase, [
          ['eventId'],
          ['facilityCode'],
          ['maLk'],
          ['type'],
          ['occurredAt'],
          ['data'],
        ]),
      },
    ];
    for (const { topic, items } of sources) {
      for (let i = 0; i < items.length; i += 250) {
        await producer.send({
          topic: `${t.namespace}${topic}`,
          messages: items.slice(i, i + 250).map((p, j) => ({
            key: `fuzz-${i + j}`,
            value: p.raw,
            headers: { [FUZZ]: `${topic}:${i + j}` },
          })),
        });
      }
    }
    for (const { topic } of sources) {
      const mine = await waitFor(
        `${N} dead letters from ${topic}`,
        async () => {
          const list = dead.filter((h) => h[H.dlqSourceTopic] === topic && h[FUZZ]);
          return new Set(list.map((h) => h[FUZZ])).size >= N ? list : undefined;
        },
        120_000,
        500,
      );
      expect(mine.every((h) => h[H.dlqReasonCode] && h[H.dlqReason])).toBe(true);
    }
  });

  it('answers every route of every service, with fuzzed path and query parameters and bodies, never with 5xx', async () => {
    // Every route each service documents (its OpenAPI document), so a new route is fuzzed too.
    const services = ['intake', 'encounter', 'gatewaySync', 'reporting'] as const;
    const pathValue = fc.oneof(
      fc.constantFrom(
        '79001',
        '79999',
        'abc',
        '0',
        '-1',
        '1e309',
        'NaN',
        '99999999999999999999',
        '%00',
        '%C0%AE',
        '..',
        '%2e%2e%2f',
        ' ',
        'null',
        'undefined',
        '[]',
        '{}',
        maLk,
        patientRef,
        'x'.repeat(300),
        '%F0%9F%98%80',
        '%E2%80%AE',
        '2026-13-45',
        'weekly',
        'monthly',
        '2026-W01',
        '2026-H3',
      ),
      fc.uuid(),
      fc.string({ maxLength: 40 }).map((v) => encodeURIComponent(v) || 'empty'),
    );
    const queryValue = fc.oneof(
      fc.constantFrom(
        '',
        '0',
        '-5',
        '1000001',
        'abc',
        'NaN',
        '2026-02-30',
        'xlsx',
        'json',
        'TREATMENT',
        'checkin',
        '%00',
      ),
      fc.string({ maxLength: 30 }),
    );
    const bodies = fc.oneof(
      fc.constant(undefined),
      randomJson.map((v) => JSON.stringify(v)),
      notJson,
    );
    const routes: Array<{
      service: (typeof services)[number];
      method: string;
      path: string;
      query: string[];
    }> = [];
    for (const service of services) {
      const doc = (await (await fetch(`${t.platform.url(service)}/docs/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
      };
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops))
          routes.push({
            service,
            method: method.toUpperCase(),
            path,
            query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          });
      }
    }
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const clientFor = (path: string) =>
      path.startsWith('/v1/facilities')
        ? path.includes('health-book')
          ? 'doctor-79001'
          : 'ward-79001'
        : 'sre';
    const requests = routes.flatMap((r, i) =>
      fc
        .sample(
          fc.record({
            params: fc.array(pathValue, { minLength: 4, maxLength: 4 }),
            query: fc.array(
              fc.tuple(fc.constantFrom(...r.query, 'limit', 'facility', 'from', 'to', 'kind'), queryValue),
              { maxLength: 4 },
            ),
            body: bodies,
          }),
          { numRuns: 40, seed: 1332 + i },
        )
        .map((x) => ({ r, ...x })),
    );
    const failures: string[] = [];
    await pool(requests, 16, async ({ r, params, query, body }) => {
      let k = 0;
      const path = r.path.replace(/\{[^}]+\}/g, () => params[k++ % params.length]!);
      const qs = query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
      const url = `${t.platform.url(r.service)}${path}${qs ? `?${qs}` : ''}`;
      const init: RequestInit = {
        method: r.method,
        ...(body !== undefined && r.method !== 'GET'
          ? { body, headers: { 'content-type': 'application/json' } }
          : {}),
      };
      const res = await t
        .fetchAs(clientFor(path), url, init)
        .catch(() => ({ status: 0, text: async () => '' }) as unknown as Response);
      count('routes', res.status);
      if (res.status >= 500 || res.status === 0)
        failures.push(`${res.status} ${r.method} ${r.service} ${r.path}`);
      await res.text();
    });
    expect(total('routes')).toBeGreaterThanOrEqual(routes.length * 40);
    expect([...new Set(failures)]).toEqual([]);
  });

  it('answers a re-used requestId with another patient with 409 naming the key, never the first patient’s visit', async () => {
    const url = `${t.platform.url('intake')}/v1/facilities/79001/visits`;
    const again = await t.fetchAs('ward-79001', url, { method: 'POST', body: JSON.stringify(registration) });
    expect([again.status, ((await again.json()) as { maLk: string }).maLk]).toEqual([201, maLk]);
    const other = registrationFor(
      listScenarios()[0]!.build({
        facilityCode: '79001',
        maLk: 'PENDING',
        patientSeed: 8001,
        start: new Date(Date.now() - 4 * 3600_000),
      }),
      'CCCD',
      'fuzz-base',
    );
    const res = await t.fetchAs('ward-79001', url, { method: 'POST', body: JSON.stringify(other) });
    const body = (await res.json()) as Record<string, unknown>;
    expect([res.status, res.headers.get('content-type')?.split(';')[0], body['code'], body['key']]).toEqual([
      409,
      'application/problem+json',
      'REQUEST_ID_CONFLICT',
      'requestId',
    ]);
    expect(JSON.stringify(body)).not.toContain(maLk);
  });

  it('answers a 2 MB body with 413, a malformed facility with 400 and an unknown one with 404', async () => {
    const url = (f: string) => `${t.platform.url('intake')}/v1/facilities/${f}/visits`;
    const big = await t.fetchAs('ward-79001', url('79001'), {
      method: 'POST',
      body: JSON.stringify({ ...registration, maBn: 'x'.repeat(2_000_000) }),
    });
    expect([big.status, ((await big.json()) as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const abc = await t.fetchAs('ward-79001', url('abc'), { method: 'POST', body: '{}' });
    expect([abc.status, ((await abc.json()) as { code: string }).code]).toEqual([
      400,
      'PATH_PARAMETER_INVALID',
    ]);
    const unknown = await t.fetchAs('ward-79001', url('79999'), { method: 'POST', body: '{}' });
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([
      404,
      'FACILITY_UNKNOWN',
    ]);
  });

  it('completes an encounter whose ward system sent a bad event, once that event is taken back', async () => {
    const rec = listScenarios()
      .find((x) => x.name === 'outpatientVisit')!
      .build({
        facilityCode: '79001',
        maLk: 'PENDING',
        patientSeed: 8002,
        start: new Date(Date.now() - 4 * 3600_000),
      });
    const reg = await t.fetchAs('ward-79001', `${t.platform.url('intake')}/v1/facilities/79001/visits`, {
      method: 'POST',
      body: JSON.stringify(registrationFor(rec, 'CCCD', 'door-8002')),
    });
    const lk = ((await reg.json()) as { maLk: string }).maLk;
    const base = `${t.platform.url('encounter')}/v1/facilities/79001/encounters/${encodeURIComponent(lk)}`;
    const post = (path: string, body: unknown) =>
      t.fetchAs('ward-79001', `${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await waitFor(
      'the encounter to open',
      async () => ((await t.fetchAs('ward-79001', base)).status === 200 ? true : undefined),
      30_000,
      200,
    );
    const events = wardEventsFromRecord({ ...rec, maLk: lk }).map(
      ({ facilityCode: _f, maLk: _m, ...e }) => e,
    );
    // An empty drug order and an impossible birth date are refused at the door, naming the event's fields.
    const empty = await post('/events', {
      ...events[0]!,
      eventId: randomUUID(),
      type: 'drug.ordered',
      data: {},
    });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['data.name', 'data.unitPrice']),
    );
    const admission = events.find((e) => e.type === 'admission')!;
    const badBirth = await post('/events', {
      ...admission,
      eventId: randomUUID(),
      data: {
        ...admission.data,
        patient: { ...(admission.data['patient'] as object), birthDateTime: '198513450000' },
      },
    });
    expect(
      ((await badBirth.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field),
    ).toEqual(['data.patient.birthDateTime']);
    for (const e of events) expect((await post('/events', e)).status).toBeLessThan(300);
    // A wrong quantity that passes the door (the ward system's mistake), then replaced by eventId.
    const service = events.find((e) => e.type === 'service.ordered')!;
    const wrong = { ...service, eventId: randomUUID(), data: { ...service.data, quantity: '99' } };
    expect((await post('/events', wrong)).status).toBe(202);
    const retract = await t.fetchAs('ward-79001', `${base}/events/${wrong.eventId}`, { method: 'DELETE' });
    expect([retract.status, ((await retract.json()) as { outcome: string }).outcome]).toEqual([
      200,
      'applied',
    ]);
    const closed = await post('/close', {});
    expect([closed.status, ((await closed.json()) as { version: number }).version]).toEqual([200, 1]);
  });

  it('leaves every service alive and ready', async () => {
    for (const key of ['intake', 'encounter', 'gatewaySync', 'reporting'] as const) {
      expect(t.platform.get(key).child!.exitCode).toBeNull();
      expect((await fetch(`${t.platform.url(key)}/health/ready`)).status).toBe(200);
    }
    // The fuzz did not touch the real encounter: nothing malformed was applied to it.
    const [row] = await t.query<{ n: number }>(
      'encounter',
      `SELECT count(*)::int AS n FROM ward_events WHERE ma_lk = $1`,
      [maLk],
    );
    expect(row!.n).toBe(0);
  });
});
