import { nextAttemptDelay, type BackoffPolicy } from './backoff';

/**
 * The life of one submission (one version of one MA_LK, or one check-in) on its way to the
 * gateway, as a pure transition function. The store persists what it returns; set-based
 * statements (take, lease recovery, superseding) apply the same transitions to many rows at
 * once and are tested against this function's rules.
 *
 * DUE ──taken──▶ IN_FLIGHT ──accepted──▶ SUBMITTED ──verdict──▶ ACCEPTED | REJECTED
 *  ▲                │  │ └──ambiguous / lease expired──▶ SENT_UNKNOWN ──taken──▶ IN_FLIGHT
 *  └──retryable─────┘  └──permanent──▶ REJECTED,  needs-operator / unstorable──▶ NEEDS_OPERATOR
 * DUE | SENT_UNKNOWN | NEEDS_OPERATOR ──a newer version arrived──▶ SUPERSEDED
 *
 * With the real gateway no verdict ever comes back by API (spec §4.4): the lifecycle ends at
 * SUBMITTED unless an operator brings the portal's feedback in (a `verdict` event).
 */
export const SubmissionStatuses = [
  'DUE',
  'IN_FLIGHT',
  'SENT_UNKNOWN',
  'SUBMITTED',
  'ACCEPTED',
  'REJECTED',
  'NEEDS_OPERATOR',
  'SUPERSEDED',
] as const;
export type SubmissionStatus = (typeof SubmissionStatuses)[number];

/** Waiting to be taken by a scheduler replica. */
export const TAKEABLE_STATUSES = ['DUE', 'SENT_UNKNOWN'] as const satisfies readonly SubmissionStatus[];
/** Not yet at the gateway for sure: the deadline still matters (at-risk / missed, SLA gauges). */
export const OPEN_STATUSES = [
  'DUE',
  'SENT_UNKNOWN',
  'IN_FLIGHT',
  'NEEDS_OPERATOR',
] as const satisfies readonly SubmissionStatus[];
/** Nothing more happens without an operator or a newer version. */
export const FINAL_STATUSES = [
  'SUBMITTED',
  'ACCEPTED',
  'REJECTED',
  'NEEDS_OPERATOR',
  'SUPERSEDED',
] as const satisfies readonly SubmissionStatus[];

export const isOpen = (s: SubmissionStatus): boolean =>
  (OPEN_STATUSES as readonly SubmissionStatus[]).includes(s);
export const isFinal = (s: SubmissionStatus): boolean =>
  (FINAL_STATUSES as readonly SubmissionStatus[]).includes(s);

export interface SubmissionState {
  readonly status: SubmissionStatus;
  /** Attempts taken so far; the attempt in flight carries this number (fences stale writers). */
  readonly attempts: number;
  /** Sends that may have reached the gateway (accepted, or outcome unknown). Above 1: a possible duplicate. */
  readonly sends: number;
  /** Sends whose outcome is unknown (timeout after the body went out, an expired lease). */
  readonly ambiguousSends: number;
  /** The last send's outcome is unknown: look it up before re-sending where a lookup exists. */
  readonly outcomeUnknown: boolean;
  /** The signed document is still held (dropped once the gateway received it). */
  readonly hasDocument: boolean;
}

export type GatewayAnswer = 'accepted' | 'retryable' | 'ambiguous' | 'permanent' | 'needs-operator';

export type SubmissionEvent =
  | { readonly type: 'taken' }
  | {
      readonly type: 'answered';
      readonly answer: GatewayAnswer;
      readonly msToDeadline: number;
      readonly jitter: number;
      readonly msSinceSent: number;
    }
  /** A lookup (simulator only) found this exact document at the gateway. */
  | { readonly type: 'found-at-gateway' }
  | { readonly type: 'lease-expired' }
  /** The outcome can never be stored (a data error, not an outage). */
  | { readonly type: 'unstorable' }
  | { readonly type: 'newer-version' }
  | { readonly type: 'verdict'; readonly accepted: boolean }
  | { readonly type: 'redrive' };

export interface SubmissionPolicy {
  readonly backoff: BackoffPolicy;
  /** After an ambiguous send, wait at least this long before a re-send (or a lookup). */
  readonly settleMs: number;
}

export type SubmissionEffect =
  | { readonly type: 'retry-after'; readonly delayMs: number }
  | { readonly type: 'emit-submitted' }
  | { readonly type: 'emit-rejected' }
  | { readonly type: 'emit-accepted' }
  | { readonly type: 'drop-document' }
  | { readonly type: 'possible-duplicate' }
  | { readonly type: 'alert-operator' };

export type Transition =
  | { readonly ok: true; readonly state: SubmissionState; readonly effects: readonly SubmissionEffect[] }
  | { readonly ok: false; readonly reason: string };

export const newSubmission = (): SubmissionState => ({
  status: 'DUE',
  attempts: 0,
  sends: 0,
  ambiguousSends: 0,
  outcomeUnknown: false,
  hasDocument: true,
});

const refuse = (s: SubmissionState, e: SubmissionEvent): Transition => ({
  ok: false,
  reason: `${e.type} is not possible in ${s.status}`,
});

/** A send that may have reached the gateway: counted, and a second such send is a possible duplicate. */
function counted(
  s: SubmissionState,
  ambiguous: boolean,
): { state: SubmissionState; effects: SubmissionEffect[] } {
  const state = { ...s, sends: s.sends + 1, ambiguousSends: s.ambiguousSends + (ambiguous ? 1 : 0) };
  return { state, effects: state.sends > 1 ? [{ type: 'possible-duplicate' }] : [] };
}

export function nextSubmissionState(
  s: SubmissionState,
  e: SubmissionEvent,
  policy: SubmissionPolicy,
): Transition {
  switch (e.type) {
    case 'taken':
      if (s.status !== 'DUE' && s.status !== 'SENT_UNKNOWN') return refuse(s, e);
      if (!s.hasDocument) return refuse(s, e);
      return { ok: true, state: { ...s, status: 'IN_FLIGHT', attempts: s.attempts + 1 }, effects: [] };
    case 'answered':
      return s.status === 'IN_FLIGHT' ? answered(s, e, policy) : refuse(s, e);
    case 'found-at-gateway': {
      if (s.status !== 'IN_FLIGHT' || !s.outcomeUnknown) return refuse(s, e);
      // The unknown send did arrive: it is the one send, nothing new went out.
      return {
        ok: true,
        state: { ...s, status: 'SUBMITTED', outcomeUnknown: false, hasDocument: false },
        effects: [{ type: 'emit-submitted' }, { type: 'drop-document' }],
      };
    }
    case 'lease-expired': {
      if (s.status !== 'IN_FLIGHT') return refuse(s, e);
      // Its owner died or lost the database mid-attempt: the body may have gone out.
      const c = counted(s, true);
      return {
        ok: true,
        state: { ...c.state, status: 'SENT_UNKNOWN', outcomeUnknown: true },
        effects: [...c.effects, { type: 'retry-after', delayMs: policy.settleMs }],
      };
    }
    case 'unstorable':
      if (s.status !== 'IN_FLIGHT') return refuse(s, e);
      return { ok: true, state: { ...s, status: 'NEEDS_OPERATOR' }, effects: [{ type: 'alert-operator' }] };
    case 'newer-version':
      if (s.status !== 'DUE' && s.status !== 'SENT_UNKNOWN' && s.status !== 'NEEDS_OPERATOR')
        return refuse(s, e);
      return { ok: true, state: { ...s, status: 'SUPERSEDED' }, effects: [] };
    case 'verdict':
      if (s.status !== 'SUBMITTED') return refuse(s, e);
      return e.accepted
        ? { ok: true, state: { ...s, status: 'ACCEPTED' }, effects: [{ type: 'emit-accepted' }] }
        : { ok: true, state: { ...s, status: 'REJECTED' }, effects: [{ type: 'emit-rejected' }] };
    case 'redrive':
      if ((s.status !== 'REJECTED' && s.status !== 'NEEDS_OPERATOR') || !s.hasDocument) return refuse(s, e);
      return {
        ok: true,
        state: { ...s, status: s.outcomeUnknown ? 'SENT_UNKNOWN' : 'DUE' },
        effects: [{ type: 'retry-after', delayMs: 0 }],
      };
  }
}

function answered(
  s: SubmissionState,
  e: Extract<SubmissionEvent, { type: 'answered' }>,
  policy: SubmissionPolicy,
): Transition {
  const backoff = nextAttemptDelay(s.attempts, policy.backoff, () => e.jitter, e.msToDeadline);
  switch (e.answer) {
    case 'accepted': {
      const c = counted(s, false);
      return {
        ok: true,
        state: { ...c.state, status: 'SUBMITTED', outcomeUnknown: false, hasDocument: false },
        effects: [...c.effects, { type: 'emit-submitted' }, { type: 'drop-document' }],
      };
    }
    case 'ambiguous': {
      const c = counted(s, true);
      const delayMs = Math.max(backoff, policy.settleMs - e.msSinceSent);
      return {
        ok: true,
        state: { ...c.state, status: 'SENT_UNKNOWN', outcomeUnknown: true },
        effects: [...c.effects, { type: 'retry-after', delayMs }],
      };
    }
    case 'retryable':
      // The gateway answered (or nothing left): this attempt did not reach it. A previous
      // ambiguous send stays unknown, so the lookup still comes first.
      return {
        ok: true,
        state: { ...s, status: s.outcomeUnknown ? 'SENT_UNKNOWN' : 'DUE' },
        effects: [{ type: 'retry-after', delayMs: backoff }],
      };
    case 'permanent':
      return {
        ok: true,
        state: { ...s, status: 'REJECTED', outcomeUnknown: false },
        effects: [{ type: 'emit-rejected' }],
      };
    case 'needs-operator':
      return { ok: true, state: { ...s, status: 'NEEDS_OPERATOR' }, effects: [{ type: 'alert-operator' }] };
  }
}
