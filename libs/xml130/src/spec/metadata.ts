import { latestStandard, STANDARDS, type StandardId } from './standards';

/**
 * Field metadata of the XML 130 tables, one set per edition of the standard (standards.ts),
 * loaded from the data files copied from /work/shared/spec (xml130-fields.json = 4750,
 * xml3176-fields.json = 3176). Element order, types, lengths and required flags all come from
 * them; `npm run xml130:generate` copies them and regenerates row-types.generated.ts.
 */
export interface FieldSpec {
  readonly name: string;
  /** null for a field an edition removes (kept in its file so the removal is visible). */
  readonly position: number | null;
  readonly type: 'string' | 'number';
  readonly maxLength: number | null;
  readonly required: boolean;
  readonly requiredWhen?: string;
  readonly decimals?: number;
  readonly format?: string;
  readonly multiValueSeparator?: string;
  readonly unbounded?: boolean;
  readonly unconfirmed?: boolean;
  readonly gatewaySheet?: { readonly maxLength?: number; readonly type?: string };
  readonly addedBy?: string;
  readonly renamedFrom?: string;
  readonly removedBy3176?: boolean;
}

export interface TableSpec {
  readonly id: string;
  readonly rootElement: string | null;
  readonly listElement: string | null;
  readonly rowElement: string | null;
  readonly recordsPerFile: string;
  readonly fieldCount: number;
  readonly fields: readonly FieldSpec[];
}

export interface SpecFile {
  readonly title: string;
  readonly envelope: { readonly root: string };
  readonly tables: readonly TableSpec[];
}

export type { StandardId } from './standards';

/** The field tables of every edition, by id. */
export const SPECS: ReadonlyMap<StandardId, SpecFile> = new Map(
  STANDARDS.map((s) => [s.id, s.spec as SpecFile]),
);

/** Tables a hospital produces. XML12 is keyed on the portal by assessment bodies, never sent. */
export const CLAIM_TABLE_IDS = [
  'XML1',
  'XML2',
  'XML3',
  'XML4',
  'XML5',
  'XML6',
  'XML7',
  'XML8',
  'XML9',
  'XML10',
  'XML11',
  'XML13',
  'XML14',
  'XML15',
] as const;
export type ClaimTableId = (typeof CLAIM_TABLE_IDS)[number];
export type TableId = 'XML0' | ClaimTableId;

export interface CompiledField extends FieldSpec {
  readonly position: number;
}

export interface CompiledTable extends TableSpec {
  readonly id: TableId;
  readonly standard: StandardId;
  readonly rootElement: string;
  /** true when the root holds one record directly (XML1, 7, 8, 10, 11, 13, 14). */
  readonly single: boolean;
  /** The fields sent under this edition, in document order (removed fields left out). */
  readonly fields: readonly CompiledField[];
  readonly fieldNames: readonly string[];
  readonly byName: ReadonlyMap<string, CompiledField>;
}

function compile(t: TableSpec, standard: StandardId): CompiledTable {
  if (!t.rootElement) throw new Error(`table ${t.id} has no root element`);
  const fields = t.fields
    .filter((f): f is CompiledField => f.position !== null && !f.removedBy3176)
    .sort((a, b) => a.position - b.position);
  return {
    ...t,
    id: t.id as TableId,
    standard,
    rootElement: t.rootElement,
    single: !t.listElement || !t.rowElement,
    fields,
    fieldNames: fields.map((f) => f.name),
    byName: new Map(fields.map((f) => [f.name, f])),
  };
}

const compiled = new Map<StandardId, Map<string, CompiledTable>>();
for (const [std, spec] of SPECS) {
  const m = new Map<string, CompiledTable>();
  for (const t of spec.tables) if (t.id !== 'XML12') m.set(t.id, compile(t, std));
  compiled.set(std, m);
}

/** A table of one edition; without an edition, the latest one. */
export function tableSpec(id: TableId, standard: StandardId = latestStandard()): CompiledTable {
  const t = compiled.get(standard)?.get(id);
  if (!t) throw new Error(`unknown table ${id} in standard ${standard}`);
  return t;
}

export function isClaimTableId(id: string): id is ClaimTableId {
  return (CLAIM_TABLE_IDS as readonly string[]).includes(id);
}

/** Table id for an element name found at the root of an inner document (roots are the same in every edition). */
export function tableIdByRoot(root: string): TableId | undefined {
  for (const t of compiled.get(latestStandard())!.values()) if (t.rootElement === root) return t.id;
  return undefined;
}
