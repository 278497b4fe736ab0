import type { SignatureVerdict } from './signature';
import type { EncounterSummary, RecordError, SubmissionKind } from './validation';

export type SubmissionStatus = 'received' | 'processing' | 'processed';

export interface SubmissionRecord {
  readonly maGiaoDich: string;
  readonly facility: string;
  readonly kind: SubmissionKind;
  readonly endpoint: string;
  readonly maLk: string;
  readonly version: number;
  readonly receivedAt: string;
  readonly thoiGianTiepNhan: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly signature: SignatureVerdict;
  status: SubmissionStatus;
  errors: RecordError[];
  /** maGiaoDich of an earlier submission with the same (facility, MA_LK, sha256). */
  readonly duplicateOf: string | undefined;
  /** Superseded by a later version of the same (facility, MA_LK). */
  supersededBy: string | undefined;
  /** The response was dropped by fault injection (accepted-then-dropped). */
  responseDropped: boolean;
  readonly withdrawn: boolean;
  readonly summary: EncounterSummary;
}

export interface TokenRecord {
  readonly username: string;
  readonly idToken: string;
  readonly expiresAtMs: number;
}

export interface LookupTrace {
  readonly userKT: string;
  readonly thoiGianKT: string;
  readonly thongBao: string;
  readonly maLoi: string;
}

export interface SimulatorStats {
  /** Submission requests that reached validation (accepted + rejected). */
  received: number;
  accepted: number;
  rejected: number;
  /** Accepted re-sends byte-identical to, or with the same (facility, MA_LK, sha256) as, an earlier one. */
  duplicates: number;
  droppedResponses: number;
  logins: number;
  lookups: number;
  rejectedByCode: Record<string, number>;
}

const LOOKUP_TRACE_PER_CARD = 20;

/**
 * In-memory state (documented limitation: lost on restart). Metadata of every submission is
 * kept (full version history); raw XML bytes only for the most recent `rawRetention` ones.
 */
export class SimulatorState {
  readonly submissions = new Map<string, SubmissionRecord>();
  readonly raw = new Map<string, Buffer>();
  readonly byKey = new Map<string, string[]>();
  readonly byContent = new Map<string, string[]>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly lookupTraces = new Map<string, LookupTrace[]>();
  stats: SimulatorStats = SimulatorState.emptyStats();
  private seq = 0;

  constructor(private readonly rawRetention: number) {}

  static emptyStats(): SimulatorStats {
    return {
      received: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      droppedResponses: 0,
      logins: 0,
      lookups: 0,
      rejectedByCode: {},
    };
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  static key(facility: string, kind: SubmissionKind, maLk: string): string {
    return `${facility}|${kind}|${maLk}`;
  }

  static contentKey(facility: string, maLk: string, sha256: string): string {
    return `${facility}|${maLk}|${sha256.toLowerCase()}`;
  }

  versionsOf(facility: string, kind: SubmissionKind, maLk: string): string[] {
    return this.byKey.get(SimulatorState.key(facility, kind, maLk)) ?? [];
  }

  withContent(facility: string, maLk: string, sha256: string): string[] {
    return this.byContent.get(SimulatorState.contentKey(facility, maLk, sha256)) ?? [];
  }

  add(record: SubmissionRecord, raw: Buffer): void {
    this.submissions.set(record.maGiaoDich, record);
    this.raw.set(record.maGiaoDich, raw);
    while (this.raw.size > this.rawRetention) {
      const oldest = this.raw.keys().next().value as string;
      this.raw.delete(oldest);
    }
    const key = SimulatorState.key(record.facility, record.kind, record.maLk);
    const list = this.byKey.get(key) ?? [];
    list.push(record.maGiaoDich);
    this.byKey.set(key, list);
    const ck = SimulatorState.contentKey(record.facility, record.maLk, record.sha256);
    const same = this.byContent.get(ck) ?? [];
    same.push(record.maGiaoDich);
    this.byContent.set(ck, same);
  }

  reject(code: string): void {
    this.stats.received += 1;
    this.stats.rejected += 1;
    this.stats.rejectedByCode[code] = (this.stats.rejectedByCode[code] ?? 0) + 1;
  }

  traceLookup(maThe: string, trace: LookupTrace): LookupTrace[] {
    const list = this.lookupTraces.get(maThe) ?? [];
    list.push(trace);
    if (list.length > LOOKUP_TRACE_PER_CARD) list.splice(0, list.length - LOOKUP_TRACE_PER_CARD);
    this.lookupTraces.set(maThe, list);
    return list;
  }

  reset(): void {
    this.submissions.clear();
    this.raw.clear();
    this.byKey.clear();
    this.byContent.clear();
    this.tokens.clear();
    this.lookupTraces.clear();
    this.stats = SimulatorState.emptyStats();
    this.seq = 0;
  }
}
