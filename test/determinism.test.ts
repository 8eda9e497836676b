// Determinism: the same tree gives the same bytes in JSON, SARIF and Markdown across runs, job
// counts, file-system enumeration order and checkout location; fingerprints survive lines added
// above a finding.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../dist/engine/scan.js';
import { runCli } from './helpers.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/_samples', import.meta.url));
const FORMATS = ['json', 'sarif', 'markdown'] as const;

/** A copy of the sample services (Python, TypeScript and compose) at a fresh location. */
function sampleTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-det-'));
  cpSync(SAMPLES, root, { recursive: true, filter: (src) => !src.includes('.faultline-cache') });
  return root;
}

const outDir = mkdtempSync(join(tmpdir(), 'faultline-det-out-'));
let runs = 0;

/** JSON, SARIF and Markdown of one scan (written by one run, as `--json/--sarif/--markdown FILE`). */
async function reports(root: string, jobs: number): Promise<Record<string, string>> {
  const file = (format: string) => join(outDir, `${runs}.${format}`);
  runs++;
  const args = FORMATS.flatMap((f) => [`--${f}`, file(f)]);
  const r = await runCli(['scan', '.', '--format', 'text', ...args, '--jobs', String(jobs), '--no-cache', '--fail-on', 'none'], root);
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries(FORMATS.map((f) => [f, readFileSync(file(f), 'utf8')]));
}

describe('determinism', () => {
  let root: string;
  let first: Record<string, string>;
  beforeAll(async () => {
    root = sampleTree();
    first = await reports(root, 1);
    expect(JSON.parse(first.json).findings.length).toBeGreaterThan(10);
  }, 120_000);

  it('gives identical JSON, SARIF and Markdown with --jobs 1, 2 and 4 and on a second run', async () => {
    for (const jobs of [2, 4, 2]) {
      const again = await reports(root, jobs);
      for (const f of FORMATS) expect(again[f], `${f} with --jobs ${jobs}`).toBe(first[f]);
    }
  }, 180_000);

  it('does not depend on where the tree is checked out', async () => {
    const elsewhere = await reports(sampleTree(), 2);
    for (const f of FORMATS) expect(elsewhere[f], f).toBe(first[f]);
  }, 120_000);

  it('does not depend on the order the file system lists entries in', async () => {
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
    const original = fs.readdirSync;
    const json = async () => (await runCli(['scan', '.', '--format', 'json', '--jobs', '2', '--no-cache', '--fail-on', 'none'], root)).stdout;
    try {
      for (const order of ['reverse', 'shuffle'] as const) {
        let seed = 7;
        const permute = <T>(xs: T[]): T[] => {
          if (order === 'reverse') return [...xs].reverse();
          const a = [...xs];
          for (let i = a.length - 1; i > 0; i--) {
            seed = (seed * 1103515245 + 12345) % 2 ** 31;
            const j = seed % (i + 1);
            [a[i], a[j]] = [a[j], a[i]];
          }
          return a;
        };
        fs.readdirSync = ((...args: Parameters<typeof original>) => permute(original(...args) as unknown[])) as typeof original;
        syncBuiltinESMExports();
        expect(await json(), order).toBe(first.json);
      }
    } finally {
      fs.readdirSync = original;
      syncBuiltinESMExports();
    }
  }, 120_000);

  it('keeps fingerprints when lines are added above a finding', async () => {
    const before = JSON.parse(first.json) as { findings: Array<{ file: string; ruleId: string; line: number; fingerprint: string }> };
    const target = before.findings.find((f) => /\.(py|ts|tsx)$/.test(f.file))!;
    const shifted = sampleTree();
    const path = join(shifted, target.file);
    const comment = target.file.endsWith('.py') ? '# a comment\n\n# another\n' : '// a comment\n\n// another\n';
    writeFileSync(path, comment + readFileSync(path, 'utf8'));
    const after = JSON.parse((await runCli(['scan', '.', '--format', 'json', '--no-cache', '--fail-on', 'none'], shifted)).stdout) as typeof before;
    const key = (f: (typeof before.findings)[number]) => `${f.file} ${f.ruleId} ${f.fingerprint}`;
    expect(after.findings.map(key).sort()).toEqual(before.findings.map(key).sort());
    const moved = after.findings.find((f) => f.fingerprint === target.fingerprint)!;
    expect(moved.line).toBe(target.line + 3);
  }, 120_000);

  it('the engine result does not depend on the job count either (stats and system model included)', async () => {
    const a = await scan({ root, targets: [root], jobs: 1, config: {} });
    const b = await scan({ root, targets: [root], jobs: 3, config: {} });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  }, 120_000);
});
