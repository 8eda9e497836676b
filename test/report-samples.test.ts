// The sample services (fixtures/_samples/*) rendered end to end by the CLI (one through the real
// launcher in a child process, the others in-process): the Markdown audit is a
// snapshot (regenerate with `npx vitest run test/report-samples.test.ts -u` and read the diff),
// the SARIF must be schema-valid and agree with the JSON report.
//
// The audit says how many rules were checked (in total and per category). Those numbers describe
// faultline's rule set, not the sample, so the snapshot holds `N` in their place and this test
// checks them against the rule files instead: adding a rule changes no snapshot unless it fires.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../dist/engine/rules.js';
import { runCli } from './helpers.js';
import { countProblems, htmlProblems, sarifSchemaErrors } from './report-helpers.js';

const repoRoot = resolve(import.meta.dirname, '..');
const samplesDir = join(repoRoot, 'fixtures', '_samples');
const samples = existsSync(samplesDir) ? readdirSync(samplesDir).filter((n) => statSync(join(samplesDir, n)).isDirectory()).sort() : [];
const work = mkdtempSync(join(tmpdir(), 'faultline-samples-'));

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repoRoot });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rules = loadRules();

/** The audit with its rule counts replaced by `N`, each checked against the rule files first (the score table counts the rules of the languages scanned). */
function withoutRuleCounts(markdown: string): string {
  const scanned = new Set(/files? scanned \(([^)]*)\)/.exec(markdown)?.[1].split(', ').map((x) => x.split(' ')[0]).map((l) => (l === 'javascript' ? 'typescript' : l)) ?? []);
  const ran = rules.filter((r) => r.languages.some((l) => scanned.has(l)));
  return markdown
    // Scope counts the same rules the score table does: those of the languages scanned
    .replace(/^- (\d+) (rules? checked \(those for the languages scanned, as the score table counts them\);)/m, (_, n: string, rest: string) => {
      expect(Number(n), 'rules checked in all').toBe(ran.length);
      return `- N ${rest}`;
    })
    .replace(/^(\| [^|\n]* \(`([a-z-]+)`\) \|(?: [^|\n]* \|){4}) (\d+) \|$/gm, (_, head: string, category: string, n: string) => {
      expect(Number(n), `rules checked in ${category}`).toBe(ran.filter((r) => r.category === category).length);
      return `${head} N |`;
    });
}

/** The sample rendered through the real launcher, in a child process (the others run the CLI in-process). */
const VIA_BIN = 'node-service';

/** Scans a copy of the sample outside any git repository, so paths and links are the sample's own. */
async function render(name: string) {
  const dir = join(work, name);
  cpSync(join(samplesDir, name), dir, { recursive: true });
  const out = (ext: string) => join(work, `${name}.${ext}`);
  const argv = ['scan', '.', '--format', 'text', '--fail-on', 'none', '--markdown', out('md'), '--markdown-summary', out('summary.md'), '--sarif', out('sarif'), '--json', out('json'), '--no-cache'];
  if (name === VIA_BIN) {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1' };
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin', 'faultline.js'), ...argv], { cwd: dir, env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  } else {
    const run = await runCli(argv, dir, { NO_COLOR: '1' });
    expect(run.code, run.stderr).toBe(0);
  }
  return {
    markdown: readFileSync(out('md'), 'utf8'),
    summary: readFileSync(out('summary.md'), 'utf8'),
    sarif: JSON.parse(readFileSync(out('sarif'), 'utf8')),
    json: JSON.parse(readFileSync(out('json'), 'utf8')) as { findings: Array<{ ruleId: string; priority: 'P0' | 'P1' | 'P2'; category: never; file: string; line: number }> },
  };
}

describe.skipIf(!samples.length)('sample services', () => {
  it.each(samples)('%s renders to a Markdown audit (snapshot) and valid SARIF', async (name) => {
    const { markdown, summary, sarif, json } = await render(name);
    await expect(withoutRuleCounts(markdown)).toMatchFileSnapshot(`__snapshots__/samples/${name}.md`);
    await expect(summary).toMatchFileSnapshot(`__snapshots__/samples/${name}.summary.md`);
    // every count the summaries state is the count of the findings they describe
    expect(countProblems(markdown, json.findings)).toEqual([]);
    expect(countProblems(summary, json.findings)).toEqual([]);
    expect(htmlProblems(markdown)).toEqual([]);
    // no placeholder left for the reader (code blocks may hold f-strings and generics; code spans
    // hold repository text such as route paths with `{order_id}`)
    const prose = markdown.replace(/^(`{3,})\w*\n[\s\S]*?\n\1$/gm, '').replace(/`[^`\n]+`/g, '');
    expect(prose).not.toMatch(/<(?!details>|summary>)[a-z_]+>|(?<![{$])\{[a-z_]+\}(?!\})/);

    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const results = sarif.runs[0].results as Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }>;
    const level = { P0: 'error', P1: 'warning', P2: 'note' } as Record<string, string>;
    expect(results.map((r) => [r.ruleId, r.level, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine])).toEqual(
      json.findings.map((f) => [f.ruleId, level[f.priority], f.file.split('/').map(encodeURIComponent).join('/'), f.line]),
    );
    // a reviewer can act without opening the code: every finding has its location and excerpt
    for (const f of json.findings) expect(markdown).toContain(`[\`${f.file}:${f.line}\``);
    if (json.findings.length) {
      for (const part of ['## Executive summary', '### Top risks', '## Fix first', '## System view', '## Failure experiments', '## Findings', '**Fix.**', '- **Hypothesis.**', '- **Roll back.**'])
        expect(markdown, part).toContain(part);
    }
  });
});
