import type { EntityManager } from 'typeorm';
import type { CardCheckStore, DueCardCheck } from './card-check.store';
import type { CardCheckResult, CardLookupService } from './card-lookup.service';
import { CardRechecker } from './card-rechecker';
import type { IntakeConfig } from './config';

const due = (visitId: string, attempts = 1): DueCardCheck => ({
  visitId,
  facilityCode: '79001',
  maLk: `79001_2026_01_${visitId}`,
  cardNumber: 'DN4797912345678',
  patientRef: `ref-${visitId}`,
  pii: { fullName: 'Nguyễn Văn Mẫu', birthDate: '19800101', sex: '1', address: null, citizenId: null },
  attempts,
});

function setup(taken: DueCardCheck[], answers: CardCheckResult[], recorded = true) {
  const outbox: string[] = [];
  const m = {
    query: jest.fn(async (_sql: string, params: unknown[]) => void outbox.push(String(params[3]))),
  } as unknown as EntityManager;
  const store = {
    takeDue: jest.fn().mockResolvedValue(taken),
    postpone: jest.fn().mockResolvedValue(undefined),
    recordAnswer: jest.fn().mockResolvedValue(recorded),
    transaction: jest.fn((work: (m: EntityManager) => Promise<unknown>) => work(m)),
  };
  const cards = { check: jest.fn().mockImplementation(async () => answers.shift()) };
  const logger = { info: jest.fn(), warn: jest.fn(), debug: jest.fn(), error: jest.fn() };
  const job = new CardRechecker(
    store as unknown as CardCheckStore,
    cards as unknown as CardLookupService,
    { CARD_RECHECK_INTERVAL_MS: 5000 } as IntakeConfig,
    logger as never,
  );
  return { job, store, cards, logger, outbox };
}

describe('card re-checker', () => {
  it('postpones a check the gateway still does not answer, with the doubling delay of its attempt', async () => {
    const { job, store, outbox } = setup(
      [due('a', 3)],
      [{ cardCheck: 'PENDING', code: 'TIMEOUT', cached: false }],
    );
    expect(await job.recheckDue()).toEqual({ leased: 1, answered: 0 });
    expect(store.postpone).toHaveBeenCalledWith('a', 'TIMEOUT', 20_000);
    expect(store.recordAnswer).not.toHaveBeenCalled();
    expect(outbox).toEqual([]);
  });

  it('records an answer and emits intake.card-checked once, logging no personal data', async () => {
    const { job, store, cards, logger, outbox } = setup(
      [due('b', 2)],
      [{ cardCheck: 'VALID', code: '000', cached: false }],
    );
    expect(await job.recheckDue()).toEqual({ leased: 1, answered: 1 });
    expect(cards.check).toHaveBeenCalledWith({
      facilityCode: '79001',
      cardNumber: 'DN4797912345678',
      fullName: 'Nguyễn Văn Mẫu',
      birthDate: '19800101',
    });
    expect(store.recordAnswer).toHaveBeenCalledWith(
      expect.anything(),
      'b',
      expect.objectContaining({ cardCheck: 'VALID', code: '000' }),
    );
    expect(outbox).toHaveLength(1);
    expect(JSON.parse(outbox[0]!)).toMatchObject({
      type: 'visit.card-checked',
      payload: { visitId: 'b', cardCheck: 'VALID', resultCode: '000', attempts: 2 },
    });
    expect(JSON.stringify(logger.info.mock.calls)).not.toMatch(/Nguyễn|19800101|DN4797912345678/);
  });

  it('emits nothing when another replica recorded the answer first', async () => {
    const { job, outbox } = setup([due('c')], [{ cardCheck: 'INVALID', code: '010', cached: false }], false);
    await job.recheckDue();
    expect(outbox).toEqual([]);
  });

  it('stops asking between two lookups once its stop signal is aborted', async () => {
    const { job, cards } = setup(
      [due('d'), due('e')],
      [{ cardCheck: 'PENDING', code: 'TIMEOUT', cached: false }],
    );
    const abort = new AbortController();
    cards.check.mockImplementationOnce(async () => {
      abort.abort();
      return { cardCheck: 'PENDING', code: 'TIMEOUT', cached: false };
    });
    await job.recheckDue(abort.signal);
    expect(cards.check).toHaveBeenCalledTimes(1);
  });
});
