import { z } from 'zod';
import { ValidationFailed } from './http-errors';
import { parseBody, unstorableTextPaths } from './zod-http';

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationFailed)
      return (err.getResponse() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    throw err;
  }
  throw new Error('expected a ValidationFailed');
};

describe('parseBody', () => {
  const schema = z.object({ name: z.string(), age: z.number(), tags: z.array(z.string()) });

  it('lists every field error at once', () => {
    expect(fieldsOf(() => parseBody(schema, { tags: [1] })).sort()).toEqual(['age', 'name', 'tags.0']);
  });

  it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) as field errors, keys included', () => {
    expect(fieldsOf(() => parseBody(schema, { name: 'a\u0000b', age: 1, tags: ['\uD800'] }))).toEqual([
      'name',
      'tags.0',
    ]);
    expect(unstorableTextPaths({ data: { ['k\u0000']: 1 } })).toEqual(['data[key]']);
  });

  it('accepts paired surrogates (emoji) and ordinary Vietnamese text', () => {
    expect(parseBody(schema, { name: 'Nguyễn 😀', age: 1, tags: [] }).name).toBe('Nguyễn 😀');
  });
});
