// Invariants over the rule files themselves: schema-valid (the loader checks), unique ids and
// names, id prefix per category, a fixture folder per rule, and the docs' examples are tests —
// every `bad` example fires the rule and every `good` example does not (each example is one file
// analysed with every rule by the fixture harness; FAULTLINE_RULES narrows them like the fixtures).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { readCatalogFiles } from '../dist/catalog/index.js';
import { CHECKS } from '../dist/engine/checks/index.js';
import { loadRules } from '../dist/engine/rules.js';
import { scan } from '../dist/engine/scan.js';
import { CATEGORIES } from '../dist/engine/types.js';
import { analyseSnippet, rules, rulesUnderTest } from './fixture-harness.js';

const EXT: Record<string, string> = { python: 'example.py', typescript: 'example.ts', compose: 'compose.yaml' };

/** Compose examples may show just the services (docs stay short): wrap them in `services:`. */
function asFile(lang: string, code: string): string {
  if (lang !== 'compose' || /^(services|name|x-[\w-]+|volumes|networks|include):/m.test(code)) return code;
  return 'services:\n' + code.split('\n').map((l) => (l ? '  ' + l : l)).join('\n');
}

describe('rule files', () => {
  it('load, validate and have unique ids and names', () => {
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    for (const r of rules) expect(CATEGORIES).toContain(r.category);
  });

  it("a rule's code check is the file named after the rule, listed once in checks/index.ts", () => {
    const withCheck = rules.filter((r) => r.check !== undefined).map((r) => r.name).sort();
    expect(Object.keys(CHECKS).sort()).toEqual(withCheck);
    const files = readdirSync(new URL('../src/engine/checks/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.slice(0, -3))
      .sort();
    expect(files).toEqual(withCheck);
  });

  it('a check declares the catalog roles and sections it reads (`reads:`), and they exist', () => {
    const files = readCatalogFiles(new URL('../rules/catalog/', import.meta.url).pathname);
    const roles = new Set(files.flatMap((f) => (f.data.apis ?? []).map((a) => a.role)));
    const tags = new Set(files.flatMap((f) => (f.data.apis ?? []).flatMap((a) => a.tags ?? [])));
    const sections = new Set(files.flatMap((f) => Object.keys(f.data).filter((k) => k !== 'apis' && k !== 'description')));
    for (const r of rules) {
      for (const role of r.reads?.roles ?? []) expect([...roles], `${r.name} reads role ${role}`).toContain(role);
      for (const section of r.reads?.sections ?? []) expect([...sections], `${r.name} reads section ${section}`).toContain(section);
      for (const tag of r.reads?.tags ?? []) expect([...tags], `${r.name} reads tag ${tag}`).toContain(tag);
      if (!r.check) continue;
      // what the check's own file names (the analyses it imports are the author's to declare)
      const text = readFileSync(new URL(`../src/engine/checks/${r.name}.ts`, import.meta.url), 'utf8');
      const declared = new Set([...(r.reads?.roles ?? []), ...(r.reads?.sections ?? []), ...(r.gateRoles ?? []), ...JSON.stringify(r.options ?? {}).match(/[\w.-]+/g) ?? []]);
      for (const [, name] of text.matchAll(/['"]([a-z][a-z0-9.-]*)['"]/g)) {
        if (roles.has(name) || sections.has(name)) expect([...declared], `${r.name}: the check reads \`${name}\`; list it under reads:`).toContain(name);
      }
    }
  });

  it('match.call messages use only the placeholders the matcher fills (rule.schema.json match.call)', () => {
    const known = ['callee', 'api', 'variant', 'knob', 'key', 'keys', 'state', 'default'];
    for (const r of rules.filter((x) => x.match?.call)) {
      for (const m of r.message.matchAll(/\{([a-zA-Z_][\w-]*)\}/g)) expect(known, `${r.name}: {${m[1]}}`).toContain(m[1]);
    }
  });

  it('message, fix and why are three different sentences', () => {
    for (const r of rules) {
      expect(r.message.trim(), r.name).not.toBe(r.fix.title.trim());
      expect(r.docs.why.trim(), r.name).not.toBe(r.message.trim());
    }
  });

  for (const r of rulesUnderTest()) {
    for (const [lang, ex] of Object.entries(r.docs.examples ?? {})) {
      it(`${r.name}: ${lang} examples (bad fires, good is quiet)`, async () => {
        expect(r.languages, `example language ${lang} must be one the rule claims`).toContain(lang);
        const file = EXT[lang];
        for (const [kind, code] of [['bad', ex.bad], ['good', ex.good]] as const) {
          const res = await analyseSnippet(file, asFile(lang, code));
          expect(res.errors, `${kind} ${lang} example of ${r.name} must parse`).toEqual([]);
          const hits = res.keys.filter((k) => k.endsWith(` ${r.id}`));
          if (kind === 'bad') expect(hits.length, `bad ${lang} example of ${r.name} should fire`).toBeGreaterThan(0);
          else expect(hits, `good ${lang} example of ${r.name} should be quiet`).toEqual([]);
        }
      });
    }
  }
});
