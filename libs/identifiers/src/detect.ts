import {
  BhytCard,
  parseBhytCardNumber,
  parseSocialInsuranceNumber,
  SocialInsuranceNumber,
} from './bhyt-card';
import { BhytQr, parseBhytQr } from './bhyt-qr';
import { CccdQr, normaliseScan, parseCccdQr } from './cccd-qr';
import { CitizenId, OldId, Passport, parseCitizenId, parseOldId, parsePassport } from './citizen-id';
import { ParseResult, stripWhitespace } from './result';

/**
 * Kinds of identifier met at reception.
 *
 * `CCCD` and `PERSONAL_ID` are the SAME 12-digit number (số định danh cá nhân) whether read from
 * the chip card, the 2024 identity card or VNeID; nothing in the number tells them apart, so
 * {@link detectIdentifier} always answers `CCCD` for it. `PERSONAL_ID` exists for callers that
 * know the channel (e.g. VNeID) and want to record it; treat both kinds alike
 * (see {@link isCitizenIdKind}).
 *
 * `SOCIAL_INSURANCE_NUMBER` (10 digits, the number printed on cards since 2021) is an addition to
 * the kinds in our brief (see `unconfirmed.ts`).
 */
export type IdentifierKind =
  | 'CCCD'
  | 'PERSONAL_ID'
  | 'BHYT_CARD'
  | 'SOCIAL_INSURANCE_NUMBER'
  | 'CCCD_QR'
  | 'BHYT_QR'
  | 'OLD_ID'
  | 'PASSPORT'
  | 'UNKNOWN';

export const isCitizenIdKind = (kind: IdentifierKind): kind is 'CCCD' | 'PERSONAL_ID' =>
  kind === 'CCCD' || kind === 'PERSONAL_ID';

/**
 * What {@link detectIdentifier} found: the kind decided from the SHAPE of the input, and the full
 * parse result for that kind (so a `CCCD` may still be invalid, e.g. unknown place code). An
 * `UNKNOWN` carries nothing, so that unclassified personal data is not passed along.
 */
export type DetectedIdentifier =
  | { readonly kind: 'CCCD'; readonly result: ParseResult<CitizenId> }
  | { readonly kind: 'OLD_ID'; readonly result: ParseResult<OldId> }
  | { readonly kind: 'PASSPORT'; readonly result: ParseResult<Passport> }
  | { readonly kind: 'BHYT_CARD'; readonly result: ParseResult<BhytCard> }
  | { readonly kind: 'SOCIAL_INSURANCE_NUMBER'; readonly result: ParseResult<SocialInsuranceNumber> }
  | { readonly kind: 'CCCD_QR'; readonly result: ParseResult<CccdQr> }
  | { readonly kind: 'BHYT_QR'; readonly result: ParseResult<BhytQr> }
  | { readonly kind: 'UNKNOWN' };

/**
 * Classifies a scanned or typed string by shape:
 * - contains `|`: `CCCD_QR` if the first field is 12 digits, `BHYT_QR` if it is 2 letters + 13
 *   digits, else `UNKNOWN`;
 * - otherwise, whitespace removed and upper-cased: 12 digits `CCCD`, 9 digits `OLD_ID`,
 *   10 digits `SOCIAL_INSURANCE_NUMBER`, 2 letters + 13 digits `BHYT_CARD`, 1 letter + 7 digits
 *   `PASSPORT`, anything else `UNKNOWN`.
 * Never throws.
 */
export const detectIdentifier = (raw: string): DetectedIdentifier => {
  if (typeof raw !== 'string') return { kind: 'UNKNOWN' };
  const text = normaliseScan(raw).trim();
  if (text.includes('|')) {
    const first = stripWhitespace(text.slice(0, text.indexOf('|'))).toUpperCase();
    if (/^\d{12}$/u.test(first)) return { kind: 'CCCD_QR', result: parseCccdQr(text) };
    if (/^[A-Z]{2}\d{13}$/u.test(first)) return { kind: 'BHYT_QR', result: parseBhytQr(text) };
    return { kind: 'UNKNOWN' };
  }
  const compact = stripWhitespace(text).toUpperCase();
  if (/^\d{12}$/u.test(compact)) return { kind: 'CCCD', result: parseCitizenId(compact) };
  if (/^\d{9}$/u.test(compact)) return { kind: 'OLD_ID', result: parseOldId(compact) };
  if (/^\d{10}$/u.test(compact))
    return { kind: 'SOCIAL_INSURANCE_NUMBER', result: parseSocialInsuranceNumber(compact) };
  if (/^[A-Z]{2}\d{13}$/u.test(compact)) return { kind: 'BHYT_CARD', result: parseBhytCardNumber(compact) };
  if (/^[A-Z]\d{7}$/u.test(compact)) return { kind: 'PASSPORT', result: parsePassport(compact) };
  return { kind: 'UNKNOWN' };
};
