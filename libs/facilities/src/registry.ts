import { InactiveFacilityError, UnknownFacilityError } from './errors';
import { Facility } from './facility';

export interface ListOptions {
  /** Only active facilities (default: all). */
  readonly activeOnly?: boolean;
}

/** Immutable, in-memory set of facilities keyed by facility code. */
export class FacilityRegistry {
  private readonly byCode: ReadonlyMap<string, Facility>;

  /**
   * @param facilities already validated facilities (see `parseFacilityRegistry`); duplicate codes throw.
   * @param source where they came from (absolute file path), for diagnostics.
   */
  constructor(
    facilities: readonly Facility[],
    readonly source?: string,
  ) {
    const map = new Map<string, Facility>();
    for (const f of facilities) {
      if (map.has(f.code)) throw new Error(`duplicate facility code ${f.code}`);
      map.set(f.code, Object.freeze({ ...f }));
    }
    this.byCode = new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The facility (active or not). @throws UnknownFacilityError (`FACILITY_UNKNOWN`). */
  get(code: string): Facility {
    const f = this.byCode.get(code);
    if (!f) throw new UnknownFacilityError(code);
    return f;
  }

  /** The facility, or `undefined`. */
  find(code: string): Facility | undefined {
    return this.byCode.get(code);
  }

  /**
   * The facility, which must be known AND active: use before taking new work for it.
   * @throws UnknownFacilityError (`FACILITY_UNKNOWN`), InactiveFacilityError (`FACILITY_INACTIVE`).
   */
  require(code: string): Facility {
    const f = this.get(code);
    if (!f.active) throw new InactiveFacilityError(code);
    return f;
  }

  /** Whether the code is known (active or not), i.e. whether `get` would succeed. */
  has(code: string): boolean {
    return this.byCode.has(code);
  }

  /** Facilities sorted by code. */
  list(options: ListOptions = {}): readonly Facility[] {
    const all = [...this.byCode.values()];
    return options.activeOnly ? all.filter((f) => f.active) : all;
  }
}
