import { EncounterClosed, EventTopic, PayloadOf, Services, Topics } from '@bhyt/contracts';
import { createEvent, createKafka, EventPublisher, OutgoingMessage } from '@bhyt/messaging';
import { buildClaimTables, serializeClaimTables } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { requireStackEnv, simulatorSubmissions, TestPlatform, waitFor } from './harness';

/**
 * Helpers for the gateway e2e suites: drive the simulator's faults, read gateway-sync's
 * operator API, publish an event straight onto a test platform's namespace.
 */
export async function setFaults(t: TestPlatform, profile: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${t.platform.url('gatewaySimulator')}/admin/faults`, {
    method: 'POST',
    body: JSON.stringify(profile),
  });
  if (!res.ok) throw new Error(`simulator refused the fault profile: ${res.status} ${await res.text()}`);
}

export async function simulatorStats(t: TestPlatform): Promise<{
  logins: number;
  droppedResponses: number;
  duplicates: number;
  rejectedByCode: Record<string, number>;
}> {
  return (await fetch(`${t.platform.url('gatewaySimulator')}/admin/stats`)).json() as never;
}

/** The operator API of gateway-sync, as the SRE development client. */
export async function operator<T = Record<string, unknown>>(
  t: TestPlatform,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const res = await t.fetchAs('sre', `${t.platform.url('gatewaySync')}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** Waits until every (facility, MA_LK) has reached the simulator as a claim; returns those claims' records. */
export async function waitForClaims(
  t: TestPlatform,
  claims: Array<{ facilityCode: string; maLk: string }>,
  timeoutMs = 60000,
) {
  const sim = t.platform.url('gatewaySimulator');
  const wanted = new Set(claims.map((c) => `${c.facilityCode}|${c.maLk}`));
  return waitFor(
    `${claims.length} claims at the simulator`,
    async () => {
      const subs = (await simulatorSubmissions(sim)).filter(
        (s) => s.kind === 'record' && wanted.has(`${s.facility}|${s.maLk}`),
      );
      return new Set(subs.map((s) => `${s.facility}|${s.maLk}`)).size === wanted.size ? subs : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Publishes one event onto the test platform's Kafka namespace, as a service of the platform would. */
export async function publish<T extends EventTopic>(
  t: TestPlatform,
  topic: T,
  facilityCode: string,
  key: string,
  payload: PayloadOf<T>,
  eventId?: string,
): Promise<string> {
  const event = createEvent(topic, { facilityCode, key, payload, ...(eventId ? { eventId } : {}) });
  await publishMessages(t, [event.message]);
  return event.envelope.eventId;
}

export const gatewaySyncLog = (t: TestPlatform): string =>
  `${t.platform.env.logDir}/${Services.gatewaySync.name}.log`;

export interface ClosedClaim {
  facilityCode: string;
  maLk: string;
  careType: string;
  encounterEnd: Date;
}

/**
 * Plays the encounter service: publishes encounter.closed for `count` library scenarios, as the
 * encounter service would after a valid close (the same tables, serialized by the XML library).
 * The gateway suites start here so that they exercise signer → gateway-sync → gateway alone;
 * claim-pipeline covers intake and encounter. By default encounters ended 2–7 h ago.
 */
export async function closeEncounters(
  t: TestPlatform,
  o: { facilities: string[]; count: number; tag: string; endedHoursAgo?: (i: number) => number },
): Promise<ClosedClaim[]> {
  const scenarios = listScenarios();
  const now = Date.now();
  const out: ClosedClaim[] = [];
  const messages = [];
  for (let i = 0; i < o.count; i++) {
    const scenario = scenarios[i % scenarios.length]!;
    const facilityCode = o.facilities[i % o.facilities.length]!;
    const maLk = `${o.tag}-${now.toString(36)}-${i}`;
    const endedAgoMs = (o.endedHoursAgo?.(i) ?? 2 + (i % 5) + (i % 60) / 60) * 3600_000;
    // Scenarios last minutes to days, some ending at a time of day: move the start until the
    // encounter ENDED that long ago (to the minute the XML keeps).
    let start = now - endedAgoMs;
    let record = scenario.build({ facilityCode, maLk, patientSeed: 5000 + i, start: new Date(start) });
    for (let k = 0; k < 4 && Math.abs(record.dischargedAt.getTime() - (now - endedAgoMs)) > 60_000; k++) {
      start -= record.dischargedAt.getTime() - (now - endedAgoMs);
      record = scenario.build({ facilityCode, maLk, patientSeed: 5000 + i, start: new Date(start) });
    }
    const payload: EncounterClosed = {
      facilityCode,
      maLk,
      version: 1,
      careType: scenario.careType,
      insured: record.cards.length > 0,
      encounterStart: record.admittedAt.toISOString(),
      encounterEnd: record.dischargedAt.toISOString(),
      closedAt: new Date().toISOString(),
      tables: serializeClaimTables(buildClaimTables(record)),
    };
    messages.push(createEvent(Topics.encounterClosed.name, { facilityCode, key: maLk, payload }).message);
    out.push({ facilityCode, maLk, careType: scenario.careType, encounterEnd: record.dischargedAt });
  }
  await publishMessages(t, messages);
  return out;
}

async function publishMessages(t: TestPlatform, messages: OutgoingMessage[]): Promise<void> {
  const { brokers } = requireStackEnv();
  const previous = process.env['KAFKA_NAMESPACE'];
  process.env['KAFKA_NAMESPACE'] = t.namespace; // physicalTopic() reads it at send time
  const publisher = new EventPublisher(
    createKafka({ brokers: brokers.split(','), clientId: 'bhyt-e2e-publisher' }),
  );
  try {
    await publisher.send(messages);
  } finally {
    await publisher.disconnect();
    if (previous === undefined) delete process.env['KAFKA_NAMESPACE'];
    else process.env['KAFKA_NAMESPACE'] = previous;
  }
}
