import { VIETNAM_UTC_OFFSET } from '@bhyt/contracts';

/**
 * EVERY UNCONFIRMED CHOICE OF THIS LIBRARY LIVES HERE (bhyt-gateway.md §8).
 */

/** `thoiGianTiepNhan` is read as Vietnam local time (UTC+7); the spec leaves the zone open (§8.7). */
export const UNCONFIRMED_GATEWAY_TIME_OFFSET = VIETNAM_UTC_OFFSET;

/**
 * The real gateway has no lookup API (spec §4.4, §7.2): after an ambiguous failure the only
 * way to be sure is to re-send the same MA_LK and version, which the gateway is read to treat as
 * the same record superseded by identical content ("accepted, latest version supersedes earlier
 * ones", §4.5). Whether it flags such a repeat is unconfirmed.
 */
export const UNCONFIRMED_RESEND_SUPERSEDES = true;
