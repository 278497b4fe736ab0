type RegFn = (this: unknown, ...parts: Array<RegExp | string>) => RegExp;
interface Grammar {
  reg: RegFn;
}

/** One level per argument position, keyed by the argument itself (a string or a RegExp object). */
interface CacheNode {
  readonly next: Map<RegExp | string, CacheNode>;
  re?: RegExp;
}

const CACHE_LIMIT = 256;
let installed = false;

/**
 * @xmldom/xmldom 0.9.x builds its regular expressions with `grammar.reg(...parts)`, which compiles
 * a new RegExp from the parts' sources on every call, and its SAX parser calls it for every end
 * tag (`g.reg('^', g.QName_group, g.S_OPT, '$')`): about 40% of the simulator's CPU per submission
 * once the signature no longer re-parses the document (in-process, a 17 KB claim went from about
 * 1.8 ms to 0.9 ms of CPU with this cache; bench/simulator-bench.ts).
 * `reg` is a pure function of its parts' sources (its flags are fixed), and the parser only uses
 * the result with non-global `exec`/`test` and `.source`, which keep no state between calls; so
 * returning one compiled RegExp per list of parts is indistinguishable to the parser, only faster.
 * The cache is keyed by the parts themselves (the grammar's RegExp objects and short literals):
 * joining their sources for a key would cost about as much as compiling.
 * sax.js looks `reg` up on the shared grammar module at call time, which is where this wraps it.
 * Idempotent; a no-op if a future xmldom no longer has the function.
 */
export function cacheXmldomGrammarRegexes(): boolean {
  if (installed) return true;
  // A plain require, so that it is the module instance xmldom's parser uses (also under Jest,
  // whose module registry a createRequire would bypass). The package has no exports map.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grammar = require('@xmldom/xmldom/lib/grammar') as Partial<Grammar>;
  const original = grammar.reg;
  if (typeof original !== 'function') return false;
  const root: CacheNode = { next: new Map() };
  let entries = 0;
  grammar.reg = function cachedReg(this: unknown, ...parts: Array<RegExp | string>): RegExp {
    // Without a receiver reg refuses a bare '|' (a guard for xmldom's own grammar setup): keep it.
    if (this === undefined) return original.apply(this, parts);
    let node = root;
    for (const part of parts) {
      let next = node.next.get(part);
      if (!next) {
        if (entries >= CACHE_LIMIT) return original.apply(this, parts);
        next = { next: new Map() };
        node.next.set(part, next);
        entries += 1;
      }
      node = next;
    }
    return (node.re ??= original.apply(this, parts));
  };
  installed = true;
  return true;
}
