// Generated rule docs are fresh, and `explain`, docs/rules/*.md and SARIF help.markdown carry the
// same text for every rule. When this fails after a rule change: `npm run docs`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalogFiles } from '../src/catalog/index.js';
import { catalogRolesPage } from '../src/docs/catalog-roles.js';
import { readmeWithRules, replaceBetween, ruleDocBanner, ruleDocFiles } from '../src/docs/generate.js';
import { ruleHelpMarkdown } from '../src/docs/rule-doc.js';
import { rulesJson, rulesTextTable } from '../src/docs/rule-table.js';
import { loadRules } from '../src/engine/rules.js';
import { buildSarif } from '../src/report/sarif.js';
import { runCli } from './helpers.js';

const repoRoot = resolve(import.meta.dirname, '..');
const rules = loadRules(join(repoRoot, 'rules'));

describe('generated rule docs', () => {
  it('docs/rules/ matches the rule YAML (run `npm run docs` when this fails)', () => {
    const wanted = ruleDocFiles(rules);
    const dir = join(repoRoot, 'docs', 'rules');
    const present = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.md')).sort() : [];
    expect(present).toEqual([...wanted.keys()].sort());
    const stale = [...wanted].filter(([name, text]) => readFileSync(join(dir, name), 'utf8') !== text).map(([name]) => name);
    expect(stale).toEqual([]);
  });

  it('docs/catalog-roles.md matches the catalog and the rule YAML (run `npm run docs` when this fails)', () => {
    const wanted = catalogRolesPage(rules, readCatalogFiles(join(repoRoot, 'rules', 'catalog')));
    expect(readFileSync(join(repoRoot, 'docs', 'catalog-roles.md'), 'utf8')).toBe(wanted);
  });

  it("the README's rule table matches the rule YAML (run `npm run docs` when this fails)", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readmeWithRules(readme, rules)).toBe(readme);
  });

  it('explain, the doc page and SARIF help.markdown show the same text for every rule', async () => {
    const sarifRules = buildSarif({ version: '0', findings: [], errors: [], stats: { files: 0, skipped: {}, byLanguage: {} } }, rules).log.runs[0].tool.driver.rules!;
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const c = await runCli(['explain', rule.id], repoRoot);
      expect(c.code).toBe(0);
      const explained = c.stdout;
      expect(explained).toBe(ruleHelpMarkdown(rule));
      expect(sarifRules.find((r) => r.id === rule.id)!.help!.markdown).toBe(explained);
      const page = ruleDocFiles([rule]).get(`${rule.name}.md`)!;
      expect(page).toBe(ruleDocBanner(rule) + explained);
      // every doc has the parts a reader needs
      expect(explained).toContain('## Why it matters');
      expect(explained).toContain('## How to fix');
      if (rule.experiment) expect(explained).toContain('## Verify the fix by experiment');
    }
  });

  it('explain accepts a rule name and rejects an unknown rule with exit 2', async () => {
    const rule = rules[0];
    const byName = await runCli(['explain', rule.name], repoRoot);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toBe(ruleHelpMarkdown(rule));
    const bad = await runCli(['explain', 'FL000-nope'], repoRoot);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown rule "FL000-nope"/);
  });

  it('`faultline rules` lists every rule as a table and as JSON', async () => {
    const text = await runCli(['rules'], repoRoot);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(rulesTextTable(rules));
    for (const r of rules) expect(text.stdout).toContain(r.id);
    const json = await runCli(['rules', '--format', 'json'], repoRoot);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(rulesJson(rules));
    const list = JSON.parse(json.stdout);
    expect(list.map((r: { id: string }) => r.id)).toEqual(rules.map((r) => r.id));
    expect(list[0]).toEqual(expect.objectContaining({ id: rules[0].id, priority: rules[0].priority, docs: expect.stringMatching(/docs\/rules\/.+\.md$/) }));
  });

  it('replaces text between markers and refuses a README without them', () => {
    expect(replaceBetween('a\n<!-- s -->\nold\n<!-- e -->\nb', '<!-- s -->', '<!-- e -->', 'new\n')).toBe('a\n<!-- s -->\nnew\n<!-- e -->\nb');
    expect(() => replaceBetween('nothing', '<!-- s -->', '<!-- e -->', 'x')).toThrow(/markers/);
  });
});
