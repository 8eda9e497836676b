// The catalog is validated on load against rules/catalog.schema.json: a key outside `apis:` or
// a malformed entry is an error naming the file and the path, never silently ignored; entries
// from .faultline.yml `catalog:` are checked against the same API definition.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalog, CatalogError, readCatalogDir } from '../src/catalog/index.js';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { makeTree } from './helpers.js';

const API = '  - language: python\n    match: [acme.get]\n    role: http.request\n';

describe('catalog validation', () => {
  it('accepts every built-in catalog file', () => {
    const files = readCatalogDir(join(import.meta.dirname, '..', 'rules', 'catalog'));
    expect(files.length).toBeGreaterThan(10);
    expect(new Catalog(files).section('task-frameworks').length).toBeGreaterThan(0);
  });

  it('rejects an entry that slipped out of apis:, naming the file and the keys', () => {
    const dir = makeTree({ 'acme.yaml': `apis:\n${API}language: python\nmatch: [acme.post]\nrole: http.request\n` });
    expect(() => readCatalogDir(dir)).toThrow(CatalogError);
    expect(() => readCatalogDir(dir)).toThrow(/acme\.yaml: \/: unknown keys "language", "match", "role" .*belongs under `apis:`/);
  });

  it('rejects a malformed knob and a misspelled section with their paths', () => {
    const knob = makeTree({ 'a.yaml': `apis:\n${API}    knobs:\n      timeout: { keys: [timeout] }\n` });
    expect(() => readCatalogDir(knob)).toThrow(/a\.yaml: \/apis\/0\/knobs\/timeout: must have required property 'default'/);
    const section = makeTree({ 'b.yaml': 'job-queue:\n  - language: typescript\n' });
    expect(() => readCatalogDir(section)).toThrow(/b\.yaml: \/: unknown key "job-queue"/);
    const entry = makeTree({ 'c.yaml': 'job-queues:\n  - language: typescript\n    add: bullmq.Queue().add\n' });
    expect(() => readCatalogDir(entry)).toThrow(/c\.yaml: \/job-queues\/0: must have required property/);
  });

  it('validates .faultline.yml catalog: entries like catalog apis', () => {
    const ok = makeTree({ '.faultline.yml': `catalog:\n${API}    knobs:\n      timeout: { keys: [timeout], default: unbounded }\n` });
    expect(loadConfig(join(ok, '.faultline.yml')).catalog?.[0].role).toBe('http.request');
    const bad = makeTree({ '.faultline.yml': `catalog:\n${API}    knobs:\n      timeout: { keys: [timeout], default: forever }\n` });
    expect(() => loadConfig(join(bad, '.faultline.yml'))).toThrow(ConfigError);
    expect(() => loadConfig(join(bad, '.faultline.yml'))).toThrow(/catalog\.0\.knobs\.timeout\.default/);
  });
});

describe('the build stamp (dist/catalog/validated.json)', () => {
  it('holds exactly what parsing and validating each built-in file gives, Infinity included', async () => {
    const dist = await import('../dist/catalog/index.js');
    const dir = new URL('../rules/catalog/', import.meta.url).pathname;
    const stamped = dist.readCatalogFiles(dir);
    const fresh = dist.readCatalogFiles(dir, { trustStamp: false });
    expect(stamped.map((f: { name: string }) => f.name)).toEqual(fresh.map((f: { name: string }) => f.name));
    expect(stamped).toEqual(fresh);
    // `.inf` in a knob's disabledBy survives the JSON stamp
    const http = stamped.find((f: { name: string }) => f.name === 'http-clients.yaml')!;
    expect(JSON.stringify(http.data, (_k, v) => (v === Infinity ? 'INF' : v))).toContain('"INF"');
  });

  it('does not cover a folder it did not stamp: an invalid file there is still an error', () => {
    const root = makeTree({ 'catalog/http-clients.yaml': `description: x\nbogus: 1\napis:\n${API}` });
    expect(() => readCatalogDir(join(root, 'catalog'))).toThrow(CatalogError);
  });
});
