import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FacilityRegistryError } from './errors';
import {
  DEFAULT_FACILITY_REGISTRY_FILE,
  findRepositoryRoot,
  loadFacilityRegistry,
  parseFacilityRegistry,
  resolveFacilityRegistryPath,
} from './load';

const ROOT = resolve(__dirname, '../../..');
const DEV_FILE = join(ROOT, DEFAULT_FACILITY_REGISTRY_FILE);
const good = {
  code: '79001',
  name: 'Bệnh viện Mẫu',
  level: 'province',
  province: '79',
  gatewayAccount: '79001_BV',
  certificateAlias: 'facility-79001',
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'facilities-spec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const writeFile = (name: string, content: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

const loadError = (fn: () => unknown): FacilityRegistryError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof FacilityRegistryError) return e;
    throw e;
  }
  throw new Error('expected a FacilityRegistryError');
};

describe('loadFacilityRegistry', () => {
  it('finds the repository root by walking up to package.json', () => {
    expect(findRepositoryRoot()).toBe(ROOT);
  });

  it('loads config/facilities.dev.json by default, with active defaulting to true', () => {
    const registry = loadFacilityRegistry(undefined, { env: {} });
    expect(registry.source).toBe(DEV_FILE);
    expect(registry.list().map((f) => f.code)).toEqual(['01001', '48001', '79001', '79002']);
    expect(registry.get('79001')).toEqual({
      code: '79001',
      name: 'Bệnh viện Đa khoa Mẫu Thành phố',
      level: 'province',
      province: '79',
      gatewayAccount: '79001_BV',
      certificateAlias: 'facility-79001',
      active: true,
    });
  });

  it('prefers an explicit path, then FACILITY_REGISTRY_FILE, then the default', () => {
    const file = writeFile('env.json', { facilities: [good] });
    expect(resolveFacilityRegistryPath(undefined, { env: {} })).toBe(DEV_FILE);
    expect(resolveFacilityRegistryPath(undefined, { env: { FACILITY_REGISTRY_FILE: '  ' } })).toBe(DEV_FILE);
    expect(resolveFacilityRegistryPath(undefined, { env: { FACILITY_REGISTRY_FILE: file } })).toBe(file);
    expect(resolveFacilityRegistryPath(DEV_FILE, { env: { FACILITY_REGISTRY_FILE: file } })).toBe(DEV_FILE);
    expect(loadFacilityRegistry(undefined, { env: { FACILITY_REGISTRY_FILE: file } }).list()).toHaveLength(1);
  });

  it('resolves relative paths against the repository root, not the working directory', () => {
    expect(resolveFacilityRegistryPath('config/x.json', { env: {} })).toBe(join(ROOT, 'config/x.json'));
    expect(resolveFacilityRegistryPath('x.json', { env: {}, root: '/srv/app' })).toBe('/srv/app/x.json');
  });

  it('names the file when it is missing or not JSON', () => {
    const missing = loadError(() => loadFacilityRegistry(join(dir, 'nope.json')));
    expect(missing.code).toBe('FACILITY_REGISTRY_UNREADABLE');
    expect(missing.message).toBe(
      `cannot read facility registry file ${join(dir, 'nope.json')}: file not found`,
    );
    const broken = writeFile('broken.json', '{ "facilities": [ ');
    const notJson = loadError(() => loadFacilityRegistry(broken));
    expect(notJson.code).toBe('FACILITY_REGISTRY_UNREADABLE');
    expect(notJson.message).toContain(broken);
    expect(notJson.message).toContain('not valid JSON');
  });

  it.each([
    ['a missing field', { ...good, gatewayAccount: undefined }, 'facilities[0].gatewayAccount'],
    ['an unknown level', { ...good, level: 'regional' }, 'facilities[0].level'],
    ['a malformed code', { ...good, code: '7900A' }, 'facilities[0].code'],
    ['a code outside any province', { ...good, code: '03001', province: '03' }, 'facilities[0].code'],
    ['a province that differs from the code', { ...good, province: '01' }, 'facilities[0].province'],
    ['a blank name', { ...good, name: '  ' }, 'facilities[0].name'],
    ['a non-boolean active flag', { ...good, active: 'yes' }, 'facilities[0].active'],
    ['an unknown key', { ...good, activ: false }, 'facilities[0]'],
  ])('rejects %s, naming the file and the field', (_what, entry, path) => {
    const file = writeFile('bad.json', { facilities: [entry] });
    const e = loadError(() => loadFacilityRegistry(file));
    expect(e.code).toBe('FACILITY_REGISTRY_INVALID');
    expect(e.file).toBe(file);
    expect(e.issues.map((i) => i.path)).toContain(path);
    expect(e.message).toContain(`invalid facility registry file ${file}: ${path}`);
  });

  it('rejects a file without a facilities array and duplicate facility codes', () => {
    expect(
      loadError(() => parseFacilityRegistry({ items: [] }, 'x.json')).issues.map((i) => i.path),
    ).toContain('facilities');
    const dup = loadError(() =>
      parseFacilityRegistry({ facilities: [good, { ...good, name: 'Other' }] }, 'x.json'),
    );
    expect(dup.issues).toEqual([{ path: 'facilities[1].code', message: 'duplicate facility code' }]);
  });

  it('reports every bad field of a file at once', () => {
    const e = loadError(() =>
      parseFacilityRegistry(
        {
          facilities: [
            { ...good, level: 'x' },
            { ...good, code: '48001', name: '' },
          ],
        },
        'x.json',
      ),
    );
    expect(e.issues.map((i) => i.path)).toEqual([
      'facilities[0].level',
      'facilities[1].name',
      'facilities[1].province',
    ]);
  });
});
