import { randomUUID } from 'node:crypto';
import { IdentifierType } from '@bhyt/contracts';
import { wardEventsFromRecord } from '@bhyt/encounter-domain';
import { EncounterRecord } from '@bhyt/xml130';
import { listScenarios, type ScenarioOptions } from '@bhyt/xml130/testing';
import { devClientId } from '@bhyt/auth/testing';
import { devTokenClient } from './dev-security';
import { stateDir } from './processes';

/**
 * Plays the ward systems of several facilities: registers visits at intake (by CCCD, personal
 * ID, BHYT card or VNeID QR), sends each encounter's ward events, and closes it. The encounter
 * mix covers the six care types of the pilot and the special papers (referral, follow-up,
 * sick leave, birth certificate, TB).
 */
export interface DemoOptions {
  intakeUrl: string;
  encounterUrl: string;
  facilities: string[];
  encounters: number;
  concurrency: number;
  onProgress?: (done: number, failed: number) => void;
  /**
   * The gateway simulator: each patient's card is added to its synthetic card population first
   * (POST /admin/cards), so that intake's card lookup finds it. Without it cards look unknown
   * (cardCheck INVALID, code 050) and the visits still register.
   */
  simulatorUrl?: string;
  /** Access token of the facility's ward system; default: the development clients (intake issues). */
  token?: (facilityCode: string) => Promise<string>;
}

export interface DemoEncounter {
  facilityCode: string;
  maLk: string;
  scenario: string;
  careType: string;
  identifierType: IdentifierType;
  /** When the encounter ended (ms): its submission deadline is this plus the window. */
  encounterEnd: number;
  closedAt?: number;
  error?: string;
}

async function call(
  url: string,
  token: () => Promise<string>,
  body?: unknown,
  attempts = 40,
): Promise<Record<string, unknown>> {
  for (let i = 0; ; i++) {
    const res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30000),
    }).catch((e: unknown) => ({ ok: false, status: 0, text: async () => String(e) }) as Response);
    if (res.ok) return (await res.json()) as Record<string, unknown>;
    // 404: the encounter is not yet opened from intake.registered (asynchronous); retry.
    if ((res.status === 404 || res.status === 0 || res.status >= 500) && i < attempts) {
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(i, 6))));
      continue;
    }
    throw new Error(`${res.status} from ${new URL(url).pathname}: ${(await res.text()).slice(0, 500)}`);
  }
}

const IDENTIFIERS: IdentifierType[] = ['CCCD', 'BHYT_CARD', 'VNEID_QR', 'PERSONAL_ID'];

function ddmmyyyy(yyyymmdd: string): string {
  return `${yyyymmdd.slice(6, 8)}${yyyymmdd.slice(4, 6)}${yyyymmdd.slice(0, 4)}`;
}

/**
 * The issue date printed in a demo patient's chip-CCCD QR (yyyyMMdd): chip cards exist from
 * 2021-07-15, a card is never issued before its holder's birth, nor after the visit it is shown at.
 */
export function qrIssueDate(birthYyyymmdd: string, visitAt: Date): string {
  const visit = visitAt.toISOString().slice(0, 10).replace(/-/g, '');
  const earliest = birthYyyymmdd > '20210715' ? birthYyyymmdd : '20210715';
  return earliest < visit ? earliest : visit;
}

export function registrationFor(record: EncounterRecord, identifierType: IdentifierType, requestId: string) {
  const p = record.patient;
  const card = record.cards[0];
  const type: IdentifierType = identifierType === 'BHYT_CARD' && !card ? 'CCCD' : identifierType;
  const birth = p.birthDateTime.slice(0, 8);
  const value =
    type === 'BHYT_CARD'
      ? card!.cardNumber
      : type === 'VNEID_QR'
        ? `${p.citizenId}||${p.fullName}|${ddmmyyyy(birth)}|${p.sex === 2 ? 'Nữ' : 'Nam'}|${p.address}|${ddmmyyyy(qrIssueDate(birth, record.admittedAt))}`
        : p.citizenId!;
  return {
    requestId,
    identifier: { type, value },
    careType: record.careType,
    maBn: p.patientId,
    patient: { fullName: p.fullName, birthDate: p.birthDateTime, sex: String(p.sex), address: p.address },
    ...(card
      ? {
          insuranceCard: {
            number: card.cardNumber,
            registeredFacility: card.registrationFacility,
            validFrom: card.validFrom,
            validTo: card.validTo,
          },
        }
      : {}),
    registeredAt: record.admittedAt.toISOString(),
  };
}

/** The simulator's view of a record's card (the synthetic national card register). */
export function simulatorCardFor(record: EncounterRecord): Record<string, string> | undefined {
  const card = record.cards[0];
  if (!card) return undefined;
  const p = record.patient;
  const dmy = (yyyymmdd: string) => `${yyyymmdd.slice(6, 8)}/${yyyymmdd.slice(4, 6)}/${yyyymmdd.slice(0, 4)}`;
  return {
    maThe: card.cardNumber,
    hoTen: p.fullName,
    ngaySinh: dmy(p.birthDateTime),
    gioiTinh: p.sex === 2 ? 'Nữ' : 'Nam',
    maDKBD: card.registrationFacility,
    gtTheTu: dmy(card.validFrom),
    gtTheDen: dmy(card.validTo),
    status: 'valid',
  };
}

export async function seedSimulatorCards(simulatorUrl: string, records: EncounterRecord[]): Promise<void> {
  const cards = records.map(simulatorCardFor).filter((c) => c !== undefined);
  if (cards.length === 0) return;
  const res = await fetch(`${simulatorUrl}/admin/cards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cards }),
  });
  if (!res.ok) throw new Error(`seeding the simulator's cards failed with HTTP ${res.status}`);
}

/**
 * A scenario's record that ends (discharge) at `endedAt` (ms), or shortly before when the
 * scenario discharges at a time of day: ward systems send no dates in the future, and encounter
 * refuses them (DATE_IN_FUTURE). Scenarios last minutes to weeks.
 */
export function buildEndingAt(
  scenario: { build: (o?: Partial<ScenarioOptions>) => EncounterRecord },
  o: Partial<Omit<ScenarioOptions, 'start'>>,
  endedAt: number,
): EncounterRecord {
  const probe = scenario.build({ ...o, start: new Date(endedAt) });
  let start = endedAt - (probe.dischargedAt.getTime() - probe.admittedAt.getTime());
  let record = scenario.build({ ...o, start: new Date(start) });
  // Some scenarios discharge at a time of day (end of day): move the start back until the
  // discharge is no later than endedAt (a day at a time once the difference alone does not do).
  for (let k = 0; k < 8 && record.dischargedAt.getTime() > endedAt; k++) {
    start -= record.dischargedAt.getTime() - endedAt + (k >= 2 ? 86_400_000 : 0);
    record = scenario.build({ ...o, start: new Date(start) });
  }
  return record;
}

/**
 * The i-th demo encounter (pure, deterministic in i and now): scenario, facility, the record
 * it plays and the identifier the patient presents.
 */
export function planEncounter(i: number, now: number, facilities: string[], scenarios = listScenarios()) {
  const scenario = scenarios[i % scenarios.length]!;
  const facilityCode = facilities[i % facilities.length]!;
  // Encounters that ENDED 1–6 hours ago (an inpatient stay began days before), so that
  // deadlines and delays are realistic: build once to learn the scenario's length.
  const endedAt = now - (1 + (i % 5)) * 3600_000 - (i % 60) * 60_000;
  const record = buildEndingAt(
    scenario,
    { facilityCode, maLk: `PENDING-${i}`, patientSeed: 1000 + i },
    endedAt,
  );
  const identifierType = IDENTIFIERS[i % IDENTIFIERS.length]!;
  return { scenario, facilityCode, record, identifierType };
}

export async function runDemo(o: DemoOptions): Promise<DemoEncounter[]> {
  const scenarios = listScenarios();
  const results: DemoEncounter[] = [];
  let next = 0;
  let failed = 0;
  const now = Date.now();
  const tokens = o.token ? undefined : devTokenClient(stateDir(), o.intakeUrl);
  const tokenFor = o.token ?? ((facility: string) => tokens!.token(devClientId.ward(facility)));
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= o.encounters) return;
      const { scenario, facilityCode, record, identifierType } = planEncounter(
        i,
        now,
        o.facilities,
        scenarios,
      );
      const entry: DemoEncounter = {
        facilityCode,
        maLk: '',
        scenario: scenario.name,
        careType: scenario.careType,
        identifierType,
        encounterEnd: record.dischargedAt.getTime(),
      };
      results.push(entry);
      try {
        if (o.simulatorUrl) await seedSimulatorCards(o.simulatorUrl, [record]);
        const token = () => tokenFor(facilityCode);
        const reg = await call(
          `${o.intakeUrl}/v1/facilities/${facilityCode}/visits`,
          token,
          registrationFor(record, identifierType, `demo-${now}-${i}`),
        );
        const maLk = String(reg['maLk']);
        entry.maLk = maLk;
        record.maLk = maLk;
        for (const ev of wardEventsFromRecord(record)) {
          const { facilityCode: _f, maLk: _m, ...body } = ev;
          await call(
            `${o.encounterUrl}/v1/facilities/${facilityCode}/encounters/${encodeURIComponent(maLk)}/events`,
            token,
            body,
          );
        }
        await call(
          `${o.encounterUrl}/v1/facilities/${facilityCode}/encounters/${encodeURIComponent(maLk)}/close`,
          token,
          {},
          3,
        );
        entry.closedAt = Date.now();
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
        failed++;
      }
      o.onProgress?.(results.filter((r) => r.closedAt).length, failed);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return results;
}

export const newRequestId = () => randomUUID();
