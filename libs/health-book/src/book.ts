import type { HealthBookEntry } from './entry';

/**
 * What a doctor sees (Decision 1332): administrative data and insurance as last recorded,
 * every episode across the network (newest first) with diagnoses and treatment summary, and
 * the follow-up appointments and referrals issued in them.
 */
export interface HealthBook {
  patientRef: string;
  administrative: HealthBookEntry['patient'];
  insurance: { cards: HealthBookEntry['cards']; asOf: string };
  encounters: Array<Omit<HealthBookEntry, 'patient' | 'cards' | 'followUp' | 'referral'>>;
  followUps: Array<NonNullable<HealthBookEntry['followUp']> & { facilityCode: string; maLk: string }>;
  referrals: Array<
    NonNullable<HealthBookEntry['referral']> & { fromFacility: string; maLk: string; issuedAt: string }
  >;
}

const newestFirst = (a: HealthBookEntry, b: HealthBookEntry) =>
  b.admittedAt.localeCompare(a.admittedAt) || b.maLk.localeCompare(a.maLk);

/** What intake registered, for a patient whose episodes are all still open (no entry yet). */
export interface RegistrationFallback {
  patient: HealthBookEntry['patient'];
  cards: HealthBookEntry['cards'];
  registeredAt: string;
}

/** Assembles the book from the latest version of each episode (pure). */
export function assembleHealthBook(
  patientRef: string,
  entries: readonly HealthBookEntry[],
  fallback?: RegistrationFallback,
): HealthBook {
  if (entries.length === 0) {
    if (!fallback) throw new Error('a health book needs an episode or the registration');
    return {
      patientRef,
      administrative: fallback.patient,
      insurance: { cards: fallback.cards, asOf: fallback.registeredAt },
      encounters: [],
      followUps: [],
      referrals: [],
    };
  }
  const latest = new Map<string, HealthBookEntry>();
  for (const e of entries) {
    const key = `${e.facilityCode}|${e.maLk}`;
    const seen = latest.get(key);
    if (!seen || seen.version < e.version) latest.set(key, e);
  }
  const episodes = [...latest.values()].sort(newestFirst);
  const last = episodes[0]!;
  const lastInsured = episodes.find((e) => e.cards.length > 0);
  return {
    patientRef,
    administrative: last.patient,
    insurance: { cards: lastInsured?.cards ?? [], asOf: (lastInsured ?? last).admittedAt },
    encounters: episodes.map(({ patient: _p, cards: _c, followUp: _f, referral: _r, ...rest }) => rest),
    followUps: episodes
      .filter((e) => e.followUp)
      .map((e) => ({ ...e.followUp!, facilityCode: e.facilityCode, maLk: e.maLk })),
    referrals: episodes
      .filter((e) => e.referral)
      .map((e) => ({ ...e.referral!, fromFacility: e.facilityCode, maLk: e.maLk, issuedAt: e.dischargedAt })),
  };
}
