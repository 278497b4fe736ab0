import { rowsOf } from './rows';

describe('rowsOf', () => {
  it('takes the rows out of the [rows, count] answer of an UPDATE … RETURNING', () => {
    expect(rowsOf<{ id: string }>([[{ id: 'a' }, { id: 'b' }], 2])).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('passes the rows of a SELECT through, two rows included', () => {
    const rows = [{ id: 'a' }, { id: 'b' }];
    expect(rowsOf(rows)).toBe(rows);
  });
});
