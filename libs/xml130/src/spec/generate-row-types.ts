import type { SpecFile } from './metadata';

/**
 * Renders row-types.generated.ts from the field tables of every edition: one row type per table
 * whose fields present in every edition are always there and whose fields only some editions
 * send (XML13 MA_NOI_DI under 4750, MA_CSKCB_DI under 3176, …) are optional.
 */
export function renderRowTypes(specs: ReadonlyArray<readonly [string, SpecFile]>): string {
  const out: string[] = [
    `// GENERATED from the field tables of ${specs.map(([id]) => id).join(', ')} by generate-row-types.ts. Do not edit by hand:`,
    '// run `npm run xml130:generate`.',
    '',
  ];
  const ids: string[] = [];
  const first = specs[0]?.[1];
  for (const t of first?.tables ?? []) {
    if (t.id === 'XML12') continue;
    ids.push(t.id);
    const perEdition = specs.map(([, s]) => {
      const tt = s.tables.find((x) => x.id === t.id);
      return (tt?.fields ?? [])
        .filter((f) => f.position !== null && !f.removedBy3176)
        .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
        .map((f) => f.name);
    });
    const all: string[] = [];
    for (const names of perEdition) for (const n of names) if (!all.includes(n)) all.push(n);
    const common = all.filter((n) => perEdition.every((names) => names.includes(n)));
    const some = all.filter((n) => !common.includes(n));
    out.push(`/** ${t.id} elements sent under every edition (${common.length}), in document order. */`);
    out.push(`export type ${t.id}Field =`);
    common.forEach((n, i) => out.push(`  | '${n}'${i === common.length - 1 ? ';' : ''}`));
    if (some.length) {
      const where = some
        .map(
          (n) =>
            `${n} (${specs
              .filter((_, k) => perEdition[k]!.includes(n))
              .map(([id]) => id)
              .join(', ')})`,
        )
        .join(', ');
      out.push(`/** ${t.id} elements only some editions send: ${where}. */`);
      out.push(`export type ${t.id}EditionField =`);
      some.forEach((n, i) => out.push(`  | '${n}'${i === some.length - 1 ? ';' : ''}`));
      out.push(
        `export type ${t.id}Row = { [K in ${t.id}Field]: string } & { [K in ${t.id}EditionField]?: string };`,
        '',
      );
    } else {
      out.push(`export type ${t.id}Row = { [K in ${t.id}Field]: string };`, '');
    }
  }
  out.push('export interface RowTypes {');
  for (const id of ids) out.push(`  ${id}: ${id}Row;`);
  out.push('}', '');
  return out.join('\n');
}
