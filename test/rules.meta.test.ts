// Invariants over the rule files themselves: schema-valid (the loader checks), unique ids and
// names, id prefix per category, a fixture folder per rule, and the docs' examples are tests —
// every `bad` example fires the rule and every `good` example does not (each example is one file
// analysed with every rule by the fixture harness; FAULTLINE_RULES narrows them like the fixtures).
import { describe, expect, it } from 'vitest';
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
