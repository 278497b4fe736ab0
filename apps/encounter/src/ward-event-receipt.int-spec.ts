import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { VisitRegistered } from '@bhyt/contracts';
import { wardEventsFromRecord, type WardEvent } from '@bhyt/encounter-domain';
import { AuditLog1700000000050 } from '@bhyt/audit';
import {
  ClaimTraceContextMigration1700000009000,
  databaseUrl,
  openDatabase,
  OutboxInboxMigration1700000000000,
} from '@bhyt/persistence';
import { HttpException } from '@nestjs/common';
import type { ServiceRuntime } from '@bhyt/service-kit';
import { listScenarios } from '@bhyt/xml130/testing';
// The demo's own generator on purpose: what it sends must pass the checks at the door (issue 23).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { buildEndingAt } from '../../../tools/platform/demo';
import { EncounterService, type WardEventReport } from './encounter.service';
import { Encounters1700000000200 } from './migrations/1700000000200-encounters';
import { CheckinsHealthBook1700000000201 } from './migrations/1700000000201-checkins-health-book';
import { ParkedWardEventOrigin1700000000202 } from './migrations/1700000000202-parked-ward-event-origin';
import { WardEventReceipt1700000000203 } from './migrations/1700000000203-ward-event-receipt';
import { ParkedWardEventStore } from './parked-ward-event.store';

/**
 * Ward events checked at the door, against a real PostgreSQL: a bad event is refused (and
 * the encounter still closes), an event taken back or replaced leaves the encounter as if it
 * had never been sent, a re-used eventId with another body is a conflict, and an encounter
 * that cannot close names the events to fix on the operator view.
 */
jest.setTimeout(60_000);

const DB = `bhyt_encounter_int_receipt_l${process.env['E2E_LANE'] ?? '0'}`;

describe('ward events checked on receipt (PostgreSQL)', () => {
  let ds: DataSource;
  let service: EncounterService;
  const status = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: unknown) =>
        e instanceof HttpException
          ? `${e.getStatus()} ${(e.getResponse() as { error: string }).error}`
          : String(e),
    );
  const problem = async (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: HttpException) =>
        e.getResponse() as {
          errors: Array<{ field: string; code: string }>;
          events?: Array<{ eventId: string }>;
        },
    );

  beforeAll(async () => {
    const url = process.env['DATABASE_URL'];
    if (!url)
      throw new Error(
        'integration tests need the local stack: run them through `npm test` (it exports DATABASE_URL)',
      );
    const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
    ds = await openDatabase({
      url,
      database: DB,
      migrations: [
        OutboxInboxMigration1700000000000,
        AuditLog1700000000050,
        Encounters1700000000200,
        CheckinsHealthBook1700000000201,
        ParkedWardEventOrigin1700000000202,
        WardEventReceipt1700000000203,
        ClaimTraceContextMigration1700000009000,
      ],
      applicationName: 'encounter-int-receipt',
      poolSize: 4,
    });
    const runtime = {
      ds,
      facilities: { has: (c: string) => c === '79001' },
      logger: { warn: () => undefined, info: () => undefined, error: () => undefined },
    } as unknown as ServiceRuntime;
    service = new EncounterService(runtime, new ParkedWardEventStore(ds), { clockToleranceMs: 5 * 60_000 });
  });
  afterAll(() => ds?.destroy());

  /** An outpatient visit opened as intake.registered would open it, and its ward events. */
  async function openEncounter(seed: number): Promise<{ maLk: string; events: WardEvent[] }> {
    const maLk = `79001_2026_12_${String(seed).padStart(7, '0')}`;
    const record = {
      ...buildEndingAt(
        listScenarios().find((s) => s.name === 'outpatientVisit')!,
        { facilityCode: '79001', maLk, patientSeed: seed },
        Date.now() - 3600_000,
      ),
      maLk,
    };
    const p = record.patient;
    const visit: VisitRegistered = {
      visitId: randomUUID(),
      facilityCode: '79001',
      maLk,
      careType: record.careType,
      identifierType: 'CCCD',
      insured: true,
      cardCheck: 'VALID',
      registeredAt: record.admittedAt.toISOString(),
      patient: {
        patientRef: randomUUID(),
        maBn: p.patientId,
        fullName: p.fullName,
        birthDate: p.birthDateTime,
        sex: String(p.sex) as '1',
        citizenId: p.citizenId!,
      },
    };
    await service.open(visit);
    return {
      maLk,
      events: wardEventsFromRecord(record).map((e) => JSON.parse(JSON.stringify(e)) as WardEvent),
    };
  }
  const send = async (e: unknown) => service.record(service.parse(e));

  it('refuses a drug order with empty data and a 100 KB service name on arrival, and the encounter still closes', async () => {
    const { maLk, events } = await openEncounter(1);
    const service1 = events.find((e) => e.type === 'service.ordered')!;
    expect(await status(send({ ...events[0]!, eventId: randomUUID(), type: 'drug.ordered', data: {} }))).toBe(
      '422 VALIDATION_FAILED',
    );
    expect(
      await status(
        send({ ...service1, eventId: randomUUID(), data: { ...service1.data, name: 'x'.repeat(100_000) } }),
      ),
    ).toBe('422 VALIDATION_FAILED');
    for (const e of events) await send(e);
    expect((await service.close('79001', maLk)).version).toBe(1);
  });

  it('refuses a service executed after the discharge, and a date far in the future', async () => {
    const { events } = await openEncounter(2);
    for (const e of events) await send(e);
    const s = events.find((e) => e.type === 'service.ordered')!;
    const discharge = Date.parse(String(events.at(-1)!.data['dischargedAt']));
    const late = problem(
      send({
        ...s,
        eventId: randomUUID(),
        data: { ...s.data, executedAt: new Date(discharge + 600_000).toISOString() },
      }),
    );
    expect((await late)!.errors).toEqual([
      expect.objectContaining({ field: 'data.executedAt', code: 'AFTER_DISCHARGE' }),
    ]);
    const future = problem(
      send({ ...s, eventId: randomUUID(), data: { ...s.data, executedAt: '2099-01-01T00:00:00Z' } }),
    );
    expect((await future)!.errors).toEqual([
      expect.objectContaining({ field: 'data.executedAt', code: 'DATE_IN_FUTURE' }),
    ]);
  });

  it('answers a re-used eventId with another body with 409 naming the key, and the same body as a duplicate', async () => {
    const { events } = await openEncounter(3);
    await send(events[0]!);
    expect(await send(events[0]!)).toBe('duplicate');
    const other = { ...events[1]!, eventId: events[0]!.eventId };
    const err = await problem(send(other));
    expect(err).toMatchObject({ error: 'EVENT_ID_CONFLICT', key: 'eventId', eventId: events[0]!.eventId });
  });

  it('names the event that keeps an encounter from closing, lists it for operators, and closes once it is retracted', async () => {
    const { maLk, events } = await openEncounter(4);
    for (const e of events) await send(e);
    // An event recorded before schemas existed (straight into the table, as older versions let through).
    const bad = randomUUID();
    const s = events.find((e) => e.type === 'service.ordered')!;
    await ds.query(
      `INSERT INTO ward_events (event_id, facility_code, ma_lk, type, source, occurred_at, data) VALUES ($1,'79001',$2,'service.ordered','HIS',now(),$3)`,
      [bad, maLk, JSON.stringify({ ...s.data, name: 'x'.repeat(3000) })],
    );
    await ds.query(
      `UPDATE encounters SET draft = jsonb_set(draft, '{services}', (draft->'services') || $3::jsonb) WHERE facility_code = $1 AND ma_lk = $2`,
      ['79001', maLk, JSON.stringify([{ ...s.data, name: 'x'.repeat(3000) }])],
    );
    const refused = await problem(service.close('79001', maLk));
    expect(refused!.events!.map((e) => e.eventId)).toEqual([bad]);
    const blocked = await service.blocked('79001', 100);
    expect(blocked.encounters.find((e) => e.maLk === maLk)).toMatchObject({
      closeProblem: { events: [expect.objectContaining({ eventId: bad })] },
    });
    expect((await service.retract('79001', maLk, bad, 'OPERATOR')).outcome).toBe('applied');
    expect((await service.retract('79001', maLk, bad, 'OPERATOR')).outcome).toBe('duplicate');
    expect((await service.close('79001', maLk)).version).toBe(1);
    expect((await service.blocked('79001', 100)).encounters.map((e) => e.maLk)).not.toContain(maLk);
  });

  it('replaces an event by eventId in one step', async () => {
    const { maLk, events } = await openEncounter(5);
    for (const e of events) await send(e);
    const s = events.find((e) => e.type === 'service.ordered')!;
    await send({ ...s, eventId: randomUUID(), replaces: s.eventId, data: { ...s.data, quantity: '2' } });
    const [row] = (await ds.query(`SELECT draft FROM encounters WHERE ma_lk = $1`, [maLk])) as Array<{
      draft: { services: Array<{ code: string; quantity: string }> };
    }>;
    const services = events.filter((e) => e.type === 'service.ordered');
    expect(row!.draft.services).toHaveLength(services.length);
    expect(row!.draft.services.at(-1)).toMatchObject({ code: s.data['code'], quantity: '2' });
    expect((await service.close('79001', maLk)).version).toBe(1);
  });

  it('tells the caller, and the operator view, when the check-in (XML0) an event made due cannot be built', async () => {
    const { maLk, events } = await openEncounter(6);
    await send(events.find((e) => e.type === 'admission')!);
    // Registration data XML0 refuses (an empty HO_TEN, as intake of older versions let through).
    await ds.query(
      `UPDATE encounters SET draft = jsonb_set(draft, '{patient,fullName}', '""') WHERE ma_lk = $1`,
      [maLk],
    );
    const report: WardEventReport = {};
    await service.record(service.parse(events.find((e) => e.type === 'service.ordered')!), { report });
    expect(report.checkin).toMatchObject({
      sequence: 1,
      status: 'INVALID',
      violations: [expect.objectContaining({ code: expect.any(String) })],
    });
    const listed = (await service.blocked('79001', 100)).encounters.find((e) => e.maLk === maLk);
    expect(listed).toMatchObject({ invalidCheckins: [expect.objectContaining({ sequence: 1 })] });
  });
});
