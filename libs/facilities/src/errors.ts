/** Facility codes are not personal data, but only echo values that look like one. */
const describeCode = (code: unknown): string =>
  typeof code === 'string' && /^\d{5}$/u.test(code) ? code : '(malformed code)';

export class UnknownFacilityError extends Error {
  readonly code = 'FACILITY_UNKNOWN' as const;
  constructor(readonly facilityCode: string) {
    super(`unknown facility ${describeCode(facilityCode)}`);
    this.name = 'UnknownFacilityError';
  }
}

export class InactiveFacilityError extends Error {
  readonly code = 'FACILITY_INACTIVE' as const;
  constructor(readonly facilityCode: string) {
    super(`facility ${describeCode(facilityCode)} is not active`);
    this.name = 'InactiveFacilityError';
  }
}

export interface FacilityRegistryIssue {
  /** Path inside the file, e.g. `facilities[1].level` (empty for the file itself). */
  readonly path: string;
  readonly message: string;
}

/** The registry file cannot be read, is not JSON, or does not match the schema. */
export class FacilityRegistryError extends Error {
  constructor(
    readonly code: 'FACILITY_REGISTRY_UNREADABLE' | 'FACILITY_REGISTRY_INVALID',
    readonly file: string,
    readonly issues: readonly FacilityRegistryIssue[],
  ) {
    super(
      `${code === 'FACILITY_REGISTRY_UNREADABLE' ? 'cannot read' : 'invalid'} facility registry file ${file}: ` +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
    );
    this.name = 'FacilityRegistryError';
  }
}
