/**
 * Runs `handle` over `items` concurrently across keys and in order within a key: an item starts
 * only after the previous item with the same key finished with `true`. After a `false` (the
 * handler gave up, e.g. the consumer is stopping) the later items of that key are not started
 * and count as `false` too. @returns one result per item, in input order.
 */
export function runKeyOrdered<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  handle: (item: T) => Promise<boolean>,
): Promise<boolean[]> {
  const tails = new Map<string, Promise<boolean>>();
  return Promise.all(
    items.map((item) => {
      const key = keyOf(item);
      const previous = tails.get(key) ?? Promise.resolve(true);
      const run = previous.then((ok) => (ok ? handle(item) : false));
      tails.set(key, run);
      return run;
    }),
  );
}

/** The length of the leading run of `true`: how many items can be committed in order. */
export function finishedPrefix(done: readonly boolean[]): number {
  const firstUnfinished = done.indexOf(false);
  return firstUnfinished === -1 ? done.length : firstUnfinished;
}
