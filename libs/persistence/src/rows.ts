/**
 * The rows of a `query()` result, whatever the statement: TypeORM's pg driver answers
 * `[rows, count]` for UPDATE/DELETE … RETURNING and `rows` for SELECT/INSERT. Stores call this so
 * that no caller copes with the driver's shapes.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
