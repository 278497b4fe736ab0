/**
 * Vietnam's civil time, the zone of every local date and time the standards and the reports use
 * (NGAY_VAO, NGAYLAP, report periods, the gateway's times). Vietnam has kept UTC+7 without
 * daylight saving since 1975, so a fixed offset is exact for every date the platform sees; SQL
 * uses the IANA zone. This is the one place that knows the offset.
 */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const VIETNAM_UTC_OFFSET = '+07:00';
export const VIETNAM_OFFSET_MS = 7 * 3600_000;

/** The wall clock in Vietnam at an instant, ISO-8601 without a zone: `YYYY-MM-DDTHH:mm:ss.sss`. */
export function vietnamWallClock(at: number | Date): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 23);
}

/** The local day in Vietnam of an instant, `YYYY-MM-DD`. */
export const vietnamDay = (at: number | Date): string => vietnamWallClock(at).slice(0, 10);

/** `yyyyMMddHHmmss` in Vietnam time, cut to `length` (8: yyyyMMdd, 12: yyyyMMddHHmm). */
export function vietnamCompact(at: number | Date, length = 14): string {
  return vietnamWallClock(at).replace(/[-T:]/g, '').slice(0, length);
}

/** The instant of a Vietnam wall-clock time given as `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm[:ss]`. */
export function fromVietnamWallClock(local: string): number {
  return Date.parse(
    local.length === 10 ? `${local}T00:00:00${VIETNAM_UTC_OFFSET}` : `${local}${VIETNAM_UTC_OFFSET}`,
  );
}
