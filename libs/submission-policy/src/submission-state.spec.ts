import fc from 'fast-check';
import {
  FINAL_STATUSES,
  isFinal,
  newSubmission,
  nextSubmissionState,
  SubmissionStatuses,
  type SubmissionEvent,
  type SubmissionPolicy,
  type SubmissionState,
} from './submission-state';

const policy: SubmissionPolicy = { backoff: { baseMs: 1000, maxMs: 300_000 }, settleMs: 15_000 };

const event: fc.Arbitrary<SubmissionEvent> = fc.oneof(
  fc.constant({ type: 'taken' } as const),
  fc.record({
    type: fc.constant('answered' as const),
    answer: fc.constantFrom('accepted', 'retryable', 'ambiguous', 'permanent', 'needs-operator' as const),
    msToDeadline: fc.integer({ min: -86_400_000, max: 86_400_000 }),
    jitter: fc.double({ min: 0, max: 0.999, noNaN: true }),
    msSinceSent: fc.integer({ min: 0, max: 60_000 }),
  }),
  fc.constantFrom<SubmissionEvent>(
    { type: 'found-at-gateway' },
    { type: 'lease-expired' },
    { type: 'unstorable' },
    { type: 'newer-version' },
    { type: 'verdict', accepted: true },
    { type: 'verdict', accepted: false },
    { type: 'redrive' },
  ),
);

/** Runs a sequence of events from a new submission, skipping refused ones. */
function run(events: SubmissionEvent[]): { states: SubmissionState[]; effects: string[][] } {
  let s = newSubmission();
  const states = [s];
  const effects: string[][] = [];
  for (const e of events) {
    const t = nextSubmissionState(s, e, policy);
    if (!t.ok) continue;
    s = t.state;
    states.push(s);
    effects.push(t.effects.map((x) => x.type));
  }
  return { states, effects };
}

describe('submission state machine', () => {
  it('reaches only the statuses it declares, and counts never go down', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { states } = run(events);
        for (const [i, s] of states.entries()) {
          expect(SubmissionStatuses).toContain(s.status);
          if (i === 0) continue;
          const p = states[i - 1]!;
          expect(s.attempts).toBeGreaterThanOrEqual(p.attempts);
          expect(s.sends).toBeGreaterThanOrEqual(p.sends);
          expect(s.ambiguousSends).toBeLessThanOrEqual(s.sends);
        }
      }),
    );
  });

  it('sends only from IN_FLIGHT, and every send after the first is flagged as a possible duplicate', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { states, effects } = run(events);
        for (let i = 1; i < states.length; i++) {
          const before = states[i - 1]!;
          const after = states[i]!;
          if (after.sends > before.sends) {
            expect(before.status).toBe('IN_FLIGHT');
            expect(effects[i - 1]!.includes('possible-duplicate')).toBe(after.sends > 1);
          }
        }
      }),
    );
  });

  it('emits claim.submitted at most once per submission, since the document is dropped with it', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const { effects } = run(events);
        expect(effects.flat().filter((x) => x === 'emit-submitted').length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never takes a submission that is final, superseded or without its document', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { states } = run(events);
        const last = states[states.length - 1]!;
        const t = nextSubmissionState(last, { type: 'taken' }, policy);
        if (isFinal(last.status) || !last.hasDocument) expect(t.ok).toBe(false);
      }),
    );
  });

  it('waits at least the settle time after an ambiguous send before the next try', () => {
    const inFlight = nextSubmissionState(newSubmission(), { type: 'taken' }, policy);
    if (!inFlight.ok) throw new Error('taken refused');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 14_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (msSinceSent, jitter) => {
          const t = nextSubmissionState(
            inFlight.state,
            { type: 'answered', answer: 'ambiguous', msToDeadline: 86_400_000, jitter, msSinceSent },
            policy,
          );
          if (!t.ok) throw new Error('answer refused');
          expect(t.state.status).toBe('SENT_UNKNOWN');
          const retry = t.effects.find((x) => x.type === 'retry-after');
          expect(retry && 'delayMs' in retry ? retry.delayMs : 0).toBeGreaterThanOrEqual(
            15_000 - msSinceSent,
          );
        },
      ),
    );
  });

  it('keeps a previous unknown send unknown after a retryable failure, so that the lookup still comes first', () => {
    let s = newSubmission();
    for (const e of [
      { type: 'taken' },
      { type: 'lease-expired' },
      { type: 'taken' },
      { type: 'answered', answer: 'retryable', msToDeadline: 1e6, jitter: 0, msSinceSent: 0 },
    ] as SubmissionEvent[]) {
      const t = nextSubmissionState(s, e, policy);
      if (!t.ok) throw new Error(t.reason);
      s = t.state;
    }
    expect(s).toMatchObject({ status: 'SENT_UNKNOWN', sends: 1, ambiguousSends: 1, outcomeUnknown: true });
  });

  it('supersedes a version not yet sent but never one in flight or already at the gateway', () => {
    for (const status of SubmissionStatuses) {
      const t = nextSubmissionState({ ...newSubmission(), status }, { type: 'newer-version' }, policy);
      expect(t.ok).toBe(['DUE', 'SENT_UNKNOWN', 'NEEDS_OPERATOR'].includes(status));
    }
    expect(FINAL_STATUSES).toContain('SUPERSEDED');
  });

  it('turns portal feedback into a rejection only for a submission the gateway received', () => {
    expect(
      nextSubmissionState(
        { ...newSubmission(), status: 'SUBMITTED', hasDocument: false },
        { type: 'verdict', accepted: false },
        policy,
      ),
    ).toMatchObject({ ok: true, state: { status: 'REJECTED' }, effects: [{ type: 'emit-rejected' }] });
    expect(nextSubmissionState(newSubmission(), { type: 'verdict', accepted: false }, policy).ok).toBe(false);
  });
});
