import specJson from './xml130-fields.json';

/**
 * Field metadata of QĐ 130 as amended by 4750, loaded from the data file copied from
 * /work/shared/spec/xml130-fields.json. Everything (element order, types, lengths, required
 * flags) is driven from this data: an amendment such as QĐ 3176 is a change of that file
 * (then `UPDATE_XML130_TYPES=1 jest libs/xml130` regenerates row-types.generated.ts).
 */
export interface FieldSpec {
  readonly name: string;
  readonly position: number;
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

export const SPEC: SpecFile = specJson as unknown as SpecFile;

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

export interface CompiledTable extends TableSpec {
  readonly id: TableId;
  readonly rootElement: string;
  /** true when the root holds one record directly (XML1, 7, 8, 10, 11, 13, 14). */
  readonly single: boolean;
  readonly fieldNames: readonly string[];
  readonly byName: ReadonlyMap<string, FieldSpec>;
}

function compile(t: TableSpec): CompiledTable {
  if (!t.rootElement) throw new Error(`table ${t.id} has no root element`);
  const fields = [...t.fields].sort((a, b) => a.position - b.position);
  return {
    ...t,
    id: t.id as TableId,
    rootElement: t.rootElement,
    single: !t.listElement || !t.rowElement,
    fields,
    fieldNames: fields.map((f) => f.name),
    byName: new Map(fields.map((f) => [f.name, f])),
  };
}

const compiled = new Map<string, CompiledTable>();
for (const t of SPEC.tables) if (t.id !== 'XML12') compiled.set(t.id, compile(t));

export function tableSpec(id: TableId): CompiledTable {
  const t = compiled.get(id);
  if (!t) throw new Error(`unknown table ${id}`);
  return t;
}

export function isClaimTableId(id: string): id is ClaimTableId {
  return (CLAIM_TABLE_IDS as readonly string[]).includes(id);
}

/** Table id for an element name found at the root of an inner document. */
export function tableIdByRoot(root: string): TableId | undefined {
  for (const t of compiled.values()) if (t.rootElement === root) return t.id;
  return undefined;
}
