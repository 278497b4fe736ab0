import type { SpecFile } from './metadata';

/** Renders row-types.generated.ts from the field metadata (one string-literal union per table). */
export function renderRowTypes(spec: SpecFile): string {
  const out: string[] = [
    '// GENERATED from xml130-fields.json by generate-row-types.ts. Do not edit by hand:',
    '// run `UPDATE_XML130_TYPES=1 bash scripts/with-node.sh jest --selectProjects unit libs/xml130/src/spec`.',
    '',
  ];
  const ids: string[] = [];
  for (const t of spec.tables) {
    if (t.id === 'XML12') continue;
    ids.push(t.id);
    const names = [...t.fields].sort((a, b) => a.position - b.position).map((f) => `'${f.name}'`);
    out.push(`/** ${t.id} element names in document order (${names.length} fields). */`);
    out.push(`export type ${t.id}Field =`);
    names.forEach((n, i) => out.push(`  | ${n}${i === names.length - 1 ? ';' : ''}`));
    out.push(`export type ${t.id}Row = { [K in ${t.id}Field]: string };`, '');
  }
  out.push('export interface RowTypes {');
  for (const id of ids) out.push(`  ${id}: ${id}Row;`);
  out.push('}', '');
  return out.join('\n');
}
