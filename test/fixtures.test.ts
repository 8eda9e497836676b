// One table-driven test over fixtures/<rule-name>/: every top-level file is scanned as its own
// root (a subfolder is scanned as one project) with only that rule enabled, and the findings must
// equal the `expect:` annotations — and never land on an `ok:` line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../dist/engine/rules.js';
import { scan } from '../dist/engine/scan.js';
import { readAnnotations } from './annotations.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const rules = loadRules();
const byKey = new Map<string, string>();
for (const r of rules) {
  byKey.set(r.id, r.id);
  byKey.set(r.name, r.id);
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walkFiles(p) : [p];
    });
}

const folders = readdirSync(FIXTURES)
  .filter((n) => !n.startsWith('_') && statSync(join(FIXTURES, n)).isDirectory())
  .sort();

describe('fixtures', () => {
  it('every fixture folder belongs to a rule, and every rule has a fixture folder', () => {
    const names = new Set(rules.map((r) => r.name));
    expect(folders.filter((f) => !names.has(f))).toEqual([]);
    expect(rules.map((r) => r.name).filter((n) => !folders.includes(n))).toEqual([]);
  });

  for (const folder of folders) {
    const rule = rules.find((r) => r.name === folder);
    if (!rule) continue;
    const dir = join(FIXTURES, folder);
    const cases = readdirSync(dir)
      .sort()
      .map((n) => join(dir, n));

    it(`${folder}: has bad examples (expect:) and near misses (ok:)`, () => {
      const all = walkFiles(dir).map((f) => readAnnotations(readFileSync(f, 'utf8')));
      const kinds = new Set(all.flat().filter((a) => a.rules.some((r) => byKey.get(r) === rule.id)).map((a) => a.kind));
      expect(kinds.has('expect'), 'at least one expect: annotation').toBe(true);
      expect(kinds.has('ok'), 'at least one ok: annotation').toBe(true);
    });

    for (const c of cases) {
      const isDir = statSync(c).isDirectory();
      it(`${folder}/${relative(dir, c)}`, async () => {
        const root = isDir ? c : dir;
        const result = await scan({ root, targets: [c], jobs: 1, config: isDir ? {} : {}, select: [rule.id] });
        const files = isDir ? walkFiles(c) : [c];
        const want: string[] = [];
        const forbid = new Set<string>();
        for (const f of files) {
          const rel = relative(root, f).split('\\').join('/');
          for (const a of readAnnotations(readFileSync(f, 'utf8'))) {
            for (const r of a.rules) {
              const id = byKey.get(r);
              if (!id) throw new Error(`${rel}:${a.line}: unknown rule "${r}" in annotation`);
              if (id !== rule.id) continue;
              if (a.kind === 'expect') want.push(`${rel}:${a.line} ${id}`);
              if (a.kind === 'ok') forbid.add(`${rel}:${a.line} ${id}`);
            }
          }
        }
        const got = result.findings.filter((f) => f.ruleId === rule.id).map((f) => `${f.file}:${f.line} ${f.ruleId}`);
        expect(got.filter((g) => forbid.has(g)), 'findings on ok: lines').toEqual([]);
        expect([...new Set(got)].sort(), 'findings vs expect: annotations').toEqual([...new Set(want)].sort());
      });
    }
  }
});
