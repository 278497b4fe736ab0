import { VIETNAM_OFFSET_MS, VIETNAM_TIME_ZONE } from '@bhyt/contracts';

/**
 * Reporting periods and the report schedule, in Vietnam's civil time.
 *
 * Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact for
 * every date the platform can see; the SQL views use the IANA zone 'Asia/Ho_Chi_Minh' and a unit
 * test checks that the two agree. Dates are ISO `YYYY-MM-DD` strings of local days; periods are
 * inclusive of both ends.
 */
export const REPORT_TIME_ZONE = VIETNAM_TIME_ZONE;
const OFFSET_MS = VIETNAM_OFFSET_MS;
const DAY_MS = 24 * 3600_000;

export const REPORT_KINDS = ['weekly', 'monthly', 'semiannual'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface Period {
  kind: ReportKind;
  /** Canonical key: weekly `YYYY-MM-DD` (first day), monthly `YYYY-MM`, semiannual `YYYY-H1|H2`. */
  key: string;
  /** First local day, inclusive. */
  from: string;
  /** Last local day, inclusive. */
  to: string;
}

/**
 * THE WEEK BOUNDARY (unconfirmed): the Project 06 weekly report is due before 15:00 on
 * Thursday, but no public source says which days it covers. We take the seven days Thursday ..
 * Wednesday, so that the report generated on Thursday covers the complete week that ended the
 * evening before. Change these two constants (and nothing else) if the task force defines the
 * week otherwise; 0 = Sunday … 4 = Thursday.
 */
export const WEEK_STARTS_ON = 4;
/** Local time at which the weekly report is generated: an hour before the 15:00 deadline. */
export const WEEKLY_RUN = { weekday: 4, hour: 14 } as const;
/** Monthly and 6-monthly reports: generated on the first day of the next period (deadlines unconfirmed). */
export const PERIOD_START_RUN_HOUR = 7;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The local (UTC+7) day of an instant. */
export const localDay = (at: Date): string => new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);

/** The instant a local day starts. */
export const startOfLocalDay = (day: string): Date => new Date(Date.parse(`${day}T00:00:00Z`) - OFFSET_MS);

/** The instant just after a local day ends (the next day's start): ranges are half-open. */
export const endOfLocalDay = (day: string): Date => new Date(startOfLocalDay(day).getTime() + DAY_MS);

export const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

const weekday = (day: string): number => new Date(`${day}T00:00:00Z`).getUTCDay();

export function isValidDay(day: string): boolean {
  const m = ISO_DATE.exec(day);
  if (!m) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** Every local day of a period, in order. */
export function daysOf(p: Pick<Period, 'from' | 'to'>): string[] {
  const out: string[] = [];
  for (let d = p.from; d <= p.to; d = addDays(d, 1)) out.push(d);
  return out;
}

const lastDayOfMonth = (year: number, month: number): string =>
  new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

/** The period of a kind that contains a local day. */
export function periodContaining(kind: ReportKind, day: string): Period {
  if (!isValidDay(day)) throw new RangeError(`not a date: ${day}`);
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  switch (kind) {
    case 'weekly': {
      const from = addDays(day, -((weekday(day) - WEEK_STARTS_ON + 7) % 7));
      return { kind, key: from, from, to: addDays(from, 6) };
    }
    case 'monthly':
      return {
        kind,
        key: `${year}-${pad(month)}`,
        from: `${year}-${pad(month)}-01`,
        to: lastDayOfMonth(year, month),
      };
    case 'semiannual': {
      const h = month <= 6 ? 1 : 2;
      return {
        kind,
        key: `${year}-H${h}`,
        from: `${year}-${h === 1 ? '01' : '07'}-01`,
        to: h === 1 ? `${year}-06-30` : `${year}-12-31`,
      };
    }
  }
}

/**
 * Parses a period key as the API receives it. A weekly key may be any day: it names the week
 * that contains it (the canonical key is the week's first day).
 */
export function parsePeriod(kind: string, key: string): Period {
  if (!(REPORT_KINDS as readonly string[]).includes(kind))
    throw new RangeError(`unknown report kind ${kind}: one of ${REPORT_KINDS.join(', ')}`);
  const k = kind as ReportKind;
  if (k === 'weekly') {
    if (!isValidDay(key)) throw new RangeError('weekly period must be a date YYYY-MM-DD');
    return periodContaining(k, key);
  }
  if (k === 'monthly') {
    const m = /^(\d{4})-(\d{2})$/.exec(key);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError('monthly period must be YYYY-MM');
    return periodContaining(k, `${key}-01`);
  }
  const m = /^(\d{4})-H([12])$/.exec(key);
  if (!m) throw new RangeError('6-monthly period must be YYYY-H1 or YYYY-H2');
  return periodContaining(k, `${m[1]}-${m[2] === '1' ? '01' : '07'}-01`);
}

/** The period before (same kind). */
export const previousPeriod = (p: Period): Period => periodContaining(p.kind, addDays(p.from, -1));

/** When a kind's report is generated for a period: weekly on the Thursday after it, others the day after. */
export function runTimeFor(p: Period): Date {
  if (p.kind === 'weekly') {
    // The first WEEKLY_RUN weekday after the period's last day.
    let d = addDays(p.to, 1);
    while (weekday(d) !== WEEKLY_RUN.weekday) d = addDays(d, 1);
    return new Date(startOfLocalDay(d).getTime() + WEEKLY_RUN.hour * 3600_000);
  }
  return new Date(startOfLocalDay(addDays(p.to, 1)).getTime() + PERIOD_START_RUN_HOUR * 3600_000);
}

/** The most recent scheduled generation at or before `now`, and the period it reports. */
export function lastScheduledRun(kind: ReportKind, now: Date): { runAt: Date; period: Period } {
  let period = previousPeriod(periodContaining(kind, localDay(now)));
  // The run for the period that ended most recently may still lie ahead (e.g. Thursday 09:00).
  while (runTimeFor(period).getTime() > now.getTime()) period = previousPeriod(period);
  return { runAt: runTimeFor(period), period };
}

/** The next scheduled generation strictly after `now`, and the period it reports. */
export function nextScheduledRun(kind: ReportKind, now: Date): { runAt: Date; period: Period } {
  let period = lastScheduledRun(kind, now).period;
  for (;;) {
    period = periodContaining(kind, addDays(period.to, 1));
    const runAt = runTimeFor(period);
    if (runAt.getTime() > now.getTime()) return { runAt, period };
  }
}

/** `dd/MM/yyyy`, the way Vietnamese forms write dates. */
export const vnDate = (day: string): string => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/** Vietnamese label of a period, e.g. "Tuần 08/01/2026 – 14/01/2026", "Tháng 01/2026", "6 tháng đầu năm 2026". */
export function periodLabel(p: Period): string {
  switch (p.kind) {
    case 'weekly':
      return `Tuần ${vnDate(p.from)} – ${vnDate(p.to)}`;
    case 'monthly':
      return `Tháng ${p.key.slice(5, 7)}/${p.key.slice(0, 4)}`;
    case 'semiannual':
      return `6 tháng ${p.key.endsWith('H1') ? 'đầu' : 'cuối'} năm ${p.key.slice(0, 4)}`;
  }
}
