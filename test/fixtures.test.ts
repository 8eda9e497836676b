// One table-driven test over fixtures/<rule-name>/ for code and compose rules alike: the folder's
// rule must fire exactly on its `expect:` lines (and on `todo-ok:` lines, known false positives),
// never on `ok:` lines, and not yet on `todo-expect:` lines (known misses). How cases are formed and
// analysed: fixture-harness.ts. `npm test -- <rule id or name>` runs one rule's cases.
import { describe, expect, it } from 'vitest';
import { judge } from './annotations.js';
import { analyseCase, caseExpectations, fixtureCases, fixtureFolders, rules, rulesUnderTest } from './fixture-harness.js';

const folders = fixtureFolders();

describe('fixtures', () => {
  it('every fixture folder belongs to a rule, and every rule has a fixture folder', () => {
    const names = new Set(rules.map((r) => r.name));
    expect(folders.filter((f) => !names.has(f))).toEqual([]);
    expect(rules.map((r) => r.name).filter((n) => !folders.includes(n))).toEqual([]);
  });

  for (const rule of rulesUnderTest()) {
    if (!folders.includes(rule.name)) continue;
    const cases = fixtureCases(rule);

    it(`${rule.name}: has bad examples (expect:) and near misses (ok:)`, () => {
      const all = cases.map((c) => caseExpectations(c));
      expect(all.some((e) => e.expect.size > 0), 'at least one expect: annotation').toBe(true);
      expect(all.some((e) => e.ok.size > 0), 'at least one ok: annotation').toBe(true);
    });

    for (const c of cases) {
      it(`${c.title}${c.project ? '/ (project)' : ''}`, async () => {
        const want = caseExpectations(c);
        const { keys, errors } = await analyseCase(c);
        expect(errors, 'files the engine could not analyse').toEqual([]);
        const got = keys.filter((k) => k.endsWith(` ${rule.id}`));
        expect(judge(got, want)).toEqual([]);
      });
    }
  }
});
