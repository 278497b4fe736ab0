/**
 * Result and error shapes shared by every parser of this library.
 *
 * Error `code`s, `field`s and `message`s never contain the identifier's value: identifiers are
 * personal data and errors end up in logs, API responses and metrics labels.
 */

/** Field names used in {@link IdentifierError.field}; QR sub-fields use `<qr>.<part>`. */
export type IdentifierField =
  | 'citizenId'
  | 'oldId'
  | 'passport'
  | 'bhytCard'
  | 'socialInsuranceNumber'
  | 'facilityCode'
  | 'cccdQr'
  | `cccdQr.${string}`
  | 'bhytQr'
  | `bhytQr.${string}`;

export interface IdentifierError {
  /** Stable, machine-readable code, e.g. `CCCD_SEX_MISMATCH`. */
  readonly code: string;
  readonly field: IdentifierField;
  /** Human-readable explanation; never includes the value. */
  readonly message: string;
  /**
   * The BHYT gateway lookup result code (`maKetQua`, bhyt-gateway.md §5.4) that this error
   * corresponds to, when there is one: 051 card number wrong, 052 province part (characters
   * 4–5) wrong, 053 benefit-level digit (character 3) wrong.
   */
  readonly gatewayCode?: '051' | '052' | '053';
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly IdentifierError[] };

export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
export const fail = <T = never>(errors: readonly IdentifierError[]): ParseResult<T> => ({
  ok: false,
  errors,
});

/** Sex as stated on ID papers. (XML 130 `GIOI_TINH` uses 1 male / 2 female / 3 undetermined.) */
export type Sex = 'MALE' | 'FEMALE';

/** Removes all whitespace (typed numbers are often grouped: `079 085 000 123`). */
export const stripWhitespace = (raw: string): string => raw.replace(/\s+/gu, '');
