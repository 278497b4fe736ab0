import { cardVerdict, lookupBirthDate, recheckDelayMs } from './card-verdict';

describe('card verdict from the lookup result code', () => {
  it.each(['000', '001', '002', '004'])('treats %s as a valid card', (code) =>
    expect(cardVerdict(code)).toBe('VALID'),
  );
  it.each(['003', '010', '050', '051', '060', '070', '110', '120', '124'])(
    'treats %s as an invalid card',
    (code) => expect(cardVerdict(code)).toBe('INVALID'),
  );
  it.each(['054', '055', '205', '100', '101', '500', 'HTTP_502'])(
    'keeps the check pending on %s (says nothing about the card)',
    (code) => expect(cardVerdict(code)).toBe('PENDING'),
  );
});

describe('lookup parameters and re-check schedule', () => {
  it('writes the birth date as dd/MM/yyyy from either stored form', () => {
    expect(lookupBirthDate('19850615')).toBe('15/06/1985');
    expect(lookupBirthDate('198506150000')).toBe('15/06/1985');
  });

  it('doubles the re-check delay per attempt up to five minutes', () => {
    expect([1, 2, 3].map((n) => recheckDelayMs(n, 5000))).toEqual([5000, 10000, 20000]);
    expect(recheckDelayMs(40, 5000)).toBe(300000);
  });
});
