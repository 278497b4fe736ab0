import { UNCONFIRMED_GATEWAY_TIME_OFFSET } from './unconfirmed';

/** A gateway time that is not a real `yyyyMMddHHmmss` instant. */
export class GatewayTimeError extends Error {
  readonly code = 'GATEWAY_TIME_INVALID';
  constructor(readonly field: string) {
    super(`${field} is not a yyyyMMddHHmmss time`);
    this.name = 'GatewayTimeError';
  }
}

/**
 * Reads `thoiGianTiepNhan` (yyyyMMddHHmmss, Vietnam local time — see unconfirmed.ts). Throws
 * GatewayTimeError for anything else, including impossible dates (month 13, 31 February): a
 * malformed time must be an error the caller records, never an Invalid Date that fails later.
 */
export function parseGatewayTime(value: string, field = 'thoiGianTiepNhan'): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) throw new GatewayTimeError(field);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${UNCONFIRMED_GATEWAY_TIME_OFFSET}`);
  // Date accepts 24:00 and rolls some overflows; compare the fields back in the gateway's zone.
  const local = new Date(date.getTime() + offsetMs(UNCONFIRMED_GATEWAY_TIME_OFFSET));
  const same =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() + 1 === mo &&
    local.getUTCDate() === d &&
    local.getUTCHours() === h &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  if (Number.isNaN(date.getTime()) || !same) throw new GatewayTimeError(field);
  return date;
}

function offsetMs(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}
