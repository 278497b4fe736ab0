import enumerations from '../codelists/enumerations.json';
import type { Violation } from '../model';
import { CLAIM_TABLE_IDS, type FieldSpec, type StandardId, type TableId, tableSpec } from '../spec/metadata';
import { rulesOf } from '../spec/standard-rules';
import { latestStandard } from '../spec/standards';
import {
  BIRTH_DATE_FIELDS,
  UNBOUNDED_HAS_NO_LIMIT,
  USE_GATEWAY_SHEET_LENGTH_FOR,
  XML6_OTHER_REGIMEN_CODE,
} from '../unconfirmed';
import { compileRequiredWhen, type RowPredicate } from './required-when';

type Issue = readonly [Violation['code'], string];
/** A check returns the broken rule (code, message tail) or undefined. */
type Check = (value: string) => Issue | undefined;

interface CompiledField {
  name: string;
  required: boolean;
  requiredWhen?: RowPredicate;
  requiredWhenText?: string;
  /** Inlined hot checks (every field has them); `checks` holds the rest. */
  max: number;
  maxMessage: string;
  forbidCheck: boolean;
  checks: Check[];
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const BASE_ENUMS = enumerations.fields as Record<string, string[]>;
const BASE_PATTERNS = enumerations.patterns as Record<string, string>;
const patternCache = new Map<StandardId, Map<string, RegExp>>();
/** Field patterns of an edition: codelists/enumerations.json with the edition's changes (standard-rules.ts). */
function patternsOf(standard: StandardId): Map<string, RegExp> {
  let m = patternCache.get(standard);
  if (!m) {
    const merged: Record<string, string | null> = { ...BASE_PATTERNS, ...rulesOf(standard).patterns };
    m = new Map(
      Object.entries(merged).flatMap(([k, v]) => (v === null ? [] : [[k, new RegExp(v)] as const])),
    );
    patternCache.set(standard, m);
  }
  return m;
}
const PERCENT = new Set(enumerations.percentFields);
const BASE_MAX_ITEMS = enumerations.maxListItems as Record<string, number>;
const MAX_VALUE = enumerations.maxValue as Record<string, string>;

const DIM = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** yyyyMMdd prefix is a real calendar day (no Date objects: this runs for every date field). */
function validYmd(v: string): boolean {
  const y = +v.slice(0, 4);
  const m = +v.slice(4, 6);
  const d = +v.slice(6, 8);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : (DIM[m - 1] ?? 0));
}
const D8 = /^\d{8}$/;
const D12 = /^\d{12}$/;
function isValidDate(v: string): boolean {
  return D8.test(v) && validYmd(v);
}
function isValidDateTime(v: string, allowGaps: boolean): boolean {
  if (!D12.test(v)) return false;
  if (allowGaps && v.endsWith('00000000')) return true;
  if (!validYmd(v)) return false;
  return +v.slice(8, 10) <= 23 && +v.slice(10, 12) <= 59;
}

function dateCheck(f: FieldSpec): Check | undefined {
  const fmt = f.format;
  if (!fmt) return undefined;
  const gaps = BIRTH_DATE_FIELDS.includes(f.name);
  const ok = (v: string): boolean => {
    if (fmt === 'yyyyMMddHHmm') return isValidDateTime(v, gaps);
    if (fmt === 'yyyyMMdd') return isValidDate(v);
    return isValidDate(v) || isValidDateTime(v, false);
  };
  const sep = f.multiValueSeparator;
  const issue: Issue = ['DATE_FORMAT', `must be a date in format ${fmt}`];
  return (v) => {
    if (sep && v.includes(sep)) return v.split(sep).every(ok) ? undefined : issue;
    return ok(v) ? undefined : issue;
  };
}

function numberCheck(f: FieldSpec): Check | undefined {
  if (f.type !== 'number' && f.decimals === undefined) return undefined;
  const decimals = f.decimals ?? 0;
  const syntax = /^\d+(\.\d+)?$/;
  const typeIssue: Issue = [
    'TYPE_NUMBER',
    decimals ? 'must be a non-negative decimal number' : 'must be a non-negative integer',
  ];
  const decIssue: Issue = ['DECIMALS', `must have at most ${decimals} decimal places`];
  return (v) => {
    if (!syntax.test(v)) return typeIssue;
    const dot = v.indexOf('.');
    const places = dot < 0 ? 0 : v.length - dot - 1;
    return places > decimals ? decIssue : undefined;
  };
}

interface EditionChecks {
  readonly patterns: Map<string, RegExp>;
  readonly enums: Record<string, readonly string[]>;
  readonly maxItems: Record<string, number>;
}

function compileField(f: FieldSpec, edition: EditionChecks): CompiledField {
  const PATTERNS = edition.patterns;
  const ENUMS = edition.enums;
  const MAX_ITEMS = edition.maxItems;
  const checks: Check[] = [];
  const gatewayLen = USE_GATEWAY_SHEET_LENGTH_FOR.includes(f.name) ? f.gatewaySheet?.maxLength : undefined;
  const maxLength = f.maxLength === null ? null : Math.max(f.maxLength, gatewayLen ?? 0);
  const max =
    maxLength === null && f.unbounded && UNBOUNDED_HAS_NO_LIMIT
      ? Number.POSITIVE_INFINITY
      : (maxLength ?? Number.POSITIVE_INFINITY);
  // Numbers, dates, enumerations and patterns have a syntax that already excludes such characters.
  const syntaxChecked =
    f.type === 'number' ||
    f.decimals !== undefined ||
    f.format !== undefined ||
    ENUMS[f.name] !== undefined ||
    PATTERNS.has(f.name);
  if (f.multiValueSeparator) {
    const sep = f.multiValueSeparator;
    const issue: Issue = ['LIST_FORMAT', `has an empty item in its '${sep}' list`];
    checks.push((v) => (v.split(sep).some((p) => p === '') ? issue : undefined));
  }
  const num = numberCheck(f);
  if (num) checks.push(num);
  const date = dateCheck(f);
  if (date) checks.push(date);
  const allowed = ENUMS[f.name];
  if (allowed) {
    const set = new Set(allowed);
    const issue: Issue = ['INVALID_VALUE', 'is not one of the allowed codes'];
    checks.push((v) => (set.has(v) ? undefined : issue));
  }
  const pattern = PATTERNS.get(f.name);
  if (pattern) {
    const issue: Issue = ['INVALID_VALUE', 'does not match the required format'];
    checks.push((v) => (v.split(';').every((p) => pattern.test(p)) ? undefined : issue));
  }
  if (PERCENT.has(f.name)) {
    const issue: Issue = ['INVALID_VALUE', 'must be a percentage between 0 and 100'];
    checks.push((v) => (/^\d+$/.test(v) && +v > 100 ? issue : undefined));
  }
  const maxItems = MAX_ITEMS[f.name];
  if (maxItems !== undefined) {
    const issue: Issue = ['LIST_TOO_LONG', `has more than ${maxItems} items`];
    checks.push((v) => (v.split(';').length > maxItems ? issue : undefined));
  }
  const maxValue = MAX_VALUE[f.name];
  if (maxValue !== undefined) {
    const issue: Issue = ['INVALID_VALUE', `must not exceed ${maxValue}`];
    checks.push((v) => (/^\d+(\.\d+)?$/.test(v) && +v > +maxValue ? issue : undefined));
  }
  const requiredWhen = f.requiredWhen
    ? compileRequiredWhen(f.requiredWhen, XML6_OTHER_REGIMEN_CODE)
    : undefined;
  return {
    name: f.name,
    required: f.required,
    ...(requiredWhen ? { requiredWhen, requiredWhenText: f.requiredWhen } : {}),
    max,
    maxMessage: `is longer than ${max} characters`,
    forbidCheck: !syntaxChecked,
    checks,
  };
}

const compiled = new Map<StandardId, Map<TableId, CompiledField[]>>();
function fieldsOf(id: TableId, standard: StandardId): CompiledField[] {
  let byTable = compiled.get(standard);
  if (!byTable) compiled.set(standard, (byTable = new Map()));
  let c = byTable.get(id);
  if (!c) {
    const rules = rulesOf(standard);
    const edition: EditionChecks = {
      patterns: patternsOf(standard),
      enums: { ...BASE_ENUMS, ...rules.enumerations },
      maxItems: { ...BASE_MAX_ITEMS, ...rules.maxListItems },
    };
    c = tableSpec(id, standard).fields.map((f) => compileField(f, edition));
    byTable.set(id, c);
  }
  return c;
}

/**
 * Field-level rules of the metadata of an edition for every row of one table. Returns true when
 * every row is a plain object whose own keys are all fields with text values (nothing to normalise).
 */
export function validateRows(
  id: TableId,
  rows: readonly unknown[],
  out: Violation[],
  standard: StandardId = latestStandard(),
): boolean {
  const fields = fieldsOf(id, standard);
  const spec = tableSpec(id, standard);
  let plainText = true;
  for (let i = 0; i < rows.length; i++) {
    const rowNo = i + 1;
    const raw = rows[i];
    if (typeof raw !== 'object' || raw === null) {
      out.push({
        table: id,
        row: rowNo,
        code: 'INVALID_VALUE',
        message: `${id} row ${rowNo} is not a record`,
      });
      plainText = false;
      continue;
    }
    const r = raw as Record<string, unknown>;
    const rowStart = out.length;
    let present = 0;
    const row = r as Readonly<Record<string, string>>;
    for (const f of fields) {
      const raw = r[f.name];
      let v: string;
      if (typeof raw === 'string') {
        v = raw;
        present++;
      } else if (raw === undefined || raw === null) v = '';
      else {
        out.push({
          table: id,
          row: rowNo,
          field: f.name,
          code: 'INVALID_VALUE',
          message: `${id} row ${rowNo}: ${f.name} must be text`,
        });
        continue;
      }
      if (v === '') {
        if (f.required)
          out.push({
            table: id,
            row: rowNo,
            field: f.name,
            code: 'FIELD_REQUIRED',
            message: `${id} row ${rowNo}: ${f.name} is required`,
          });
        else if (f.requiredWhen?.(row))
          out.push({
            table: id,
            row: rowNo,
            field: f.name,
            code: 'FIELD_REQUIRED',
            message: `${id} row ${rowNo}: ${f.name} is ${f.requiredWhenText}`,
          });
        continue;
      }
      if (v.length > f.max)
        out.push({
          table: id,
          row: rowNo,
          field: f.name,
          code: 'MAX_LENGTH',
          message: `${id} row ${rowNo}: ${f.name} ${f.maxMessage}`,
        });
      if (f.forbidCheck && FORBIDDEN.test(v))
        out.push({
          table: id,
          row: rowNo,
          field: f.name,
          code: 'INVALID_CHARACTER',
          message: `${id} row ${rowNo}: ${f.name} contains a character XML does not allow`,
        });
      for (const c of f.checks) {
        const issue = c(v);
        if (issue)
          out.push({
            table: id,
            row: rowNo,
            field: f.name,
            code: issue[0],
            message: `${id} row ${rowNo}: ${f.name} ${issue[1]}`,
          });
      }
    }
    // A plain row whose every own key was a field with a text value (the usual row) has no unknown key: skip the scan.
    const proto: unknown = Object.getPrototypeOf(r);
    if ((proto === Object.prototype || proto === null) && Object.keys(r).length === present) continue;
    plainText = false;
    const unknown: Violation[] = [];
    for (const k in r) {
      if (!spec.byName.has(k))
        unknown.push({
          table: id,
          row: rowNo,
          field: k,
          code: 'FIELD_UNKNOWN',
          message: `${id} row ${rowNo}: ${k} is not a field of ${id} under ${standard}`,
        });
    }
    out.splice(rowStart, 0, ...unknown); // unknown keys are reported first for their row
  }
  return plainText;
}

/** requiredWhen texts the compiler cannot express (reported by tests, decided in unconfirmed.ts). */
export function inexpressibleRequiredWhen(): Array<{ table: string; field: string; text: string }> {
  const out: Array<{ table: string; field: string; text: string }> = [];
  for (const id of ['XML0', ...CLAIM_TABLE_IDS] as const)
    for (const f of tableSpec(id, '4750').fields.concat(tableSpec(id, '3176').fields))
      if (f.requiredWhen && !compileRequiredWhen(f.requiredWhen, XML6_OTHER_REGIMEN_CODE))
        out.push({ table: id, field: f.name, text: f.requiredWhen });
  return out;
}
