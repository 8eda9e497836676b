// Regression tests for the defects a red-team pass found (issue 14): each one failed on 0.1.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../dist/engine/scan.js';
import { makeTree, runCli } from './helpers.js';

const BAD_PY = 'import requests\n\ndef f(url):\n    return requests.get(url)\n';

/**
 * 2,000 nested `if` blocks (2 MB, under the size limit) with a string at the bottom: past ~510
 * levels tree-sitter-python's scanner overflows its state buffer and the wasm module traps.
 */
function deepIfs(levels = 2000): string {
  let s = 'import requests\n';
  for (let i = 0; i < levels; i++) s += ' '.repeat(i) + 'if x:\n';
  return s + ' '.repeat(levels) + 'requests.get("http://example.com")\n';
}

describe('a wasm trap in the Python parser', () => {
  const files: Record<string, string> = { 'deep.py': deepIfs() };
  for (let i = 0; i < 24; i++) files[`m${String(i).padStart(2, '0')}.py`] = BAD_PY;
  const expected = Object.keys(files).filter((f) => f !== 'deep.py');

  it('costs only the trapping file, whatever the job count', async () => {
    const root = makeTree(files);
    for (const jobs of [1, 2]) {
      const res = await scan({ root, targets: [root], jobs, config: {} });
      expect(res.errors, `jobs ${jobs}`).toEqual([{ file: 'deep.py', message: 'analysis crashed: the Python parser trapped (memory access out of bounds)' }]);
      expect(res.findings.map((f) => f.file), `jobs ${jobs}`).toEqual(expected);
    }
  }, 120_000);

  it('is never cached: a cached re-scan gives the same bytes and holds no entry for the file', async () => {
    const root = makeTree(files);
    const args = ['scan', '.', '--format', 'json', '--jobs', '2'];
    const fresh = await runCli([...args, '--no-cache'], root);
    expect(fresh.code).toBe(1);
    const first = await runCli(args, root);
    const second = await runCli(args, root);
    expect(first.stdout).toBe(fresh.stdout);
    expect(second.stdout).toBe(fresh.stdout);
    const dir = join(root, '.faultline-cache');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('results-'));
    const entries = JSON.parse(readFileSync(join(dir, name), 'utf8')).entries;
    expect(Object.keys(entries).sort()).toEqual(expected);
  }, 120_000);
});
