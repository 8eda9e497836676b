// Regression tests for the defects a red-team pass found (issue 14): each one failed on 0.1.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProcessor } from '../dist/engine/process-file.js';
import { loadRules } from '../dist/engine/rules.js';
import { scan } from '../dist/engine/scan.js';
import { makeTree, runCli } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

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

/** Every file under `dir` with its content: what a scan must leave alone. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    if (e.isFile()) out[relative(dir, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

describe('a cache directory the scanned repository controls', () => {
  const json = ['scan', '.', '--format', 'json'];
  // stale cache files the prune step would delete, were it writing there
  const elsewhere = () => {
    const dir = makeTree({ 'keep.txt': 'not faultline\n' });
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, `results-${String(i).repeat(24)}.json`), '{}');
    return dir;
  };

  it('is not used when it is a symlink, or a directory on the way is: the scan runs uncached and says so once', async () => {
    const root = makeTree({ 'a.py': BAD_PY });
    const fresh = await runCli([...json, '--no-cache'], root);
    const outside = elsewhere();
    const before = snapshot(outside);
    symlinkSync(outside, join(root, '.faultline-cache'));
    for (let run = 0; run < 2; run++) {
      const r = await runCli(json, root);
      expect(r.stdout).toBe(fresh.stdout);
      expect(r.code).toBe(1);
      expect(r.stderr.match(/not using the cache directory/g)).toHaveLength(1);
      expect(r.stderr).toMatch(/\.faultline-cache is a symlink; scanning without a cache/);
    }
    expect(snapshot(outside)).toEqual(before);
    // --cache-dir through a linked directory inside the root
    symlinkSync(outside, join(root, 'tmp'));
    const r = await runCli([...json, '--cache-dir', 'tmp/fl-cache'], root);
    expect(r.stderr).toMatch(/tmp is a symlink/);
    expect(r.stdout).toBe(fresh.stdout);
    expect(snapshot(outside)).toEqual(before);
  }, 60_000);

  it('follows no link planted inside a real cache directory, and a --cache-dir outside the root is the user\'s choice', async () => {
    const root = makeTree({ 'a.py': BAD_PY });
    const outside = makeTree({});
    mkdirSync(join(root, '.faultline-cache'));
    // dangling: an existence check that follows links would write through it
    symlinkSync(join(outside, 'planted'), join(root, '.faultline-cache/.gitignore'));
    const r = await runCli(json, root);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(readdirSync(outside)).toEqual([]);
    const mine = join(makeTree({}), 'cache');
    const own = await runCli([...json, '--cache-dir', mine], root);
    expect(own.stderr).toBe('');
    expect(readdirSync(mine).some((n) => n.startsWith('results-'))).toBe(true);
  }, 60_000);
});

describe('compose references through a linked directory', () => {
  it('`include:` and `extends.file` via `od -> /outside` are not read, and say why', async () => {
    const outside = makeTree({
      'other.yaml': 'services:\n  leaked:\n    image: postgres:16\n',
      'base.yaml': 'services:\n  base:\n    image: redis:7\n',
    });
    const root = makeTree({
      'compose.yaml': 'include:\n  - od/other.yaml\nservices:\n  app:\n    extends:\n      file: od/base.yaml\n      service: base\n',
    });
    symlinkSync(outside, join(root, 'od'));
    const res = await scan({ root, targets: [root], jobs: 1, config: {} });
    expect(res.findings.filter((f) => f.file.startsWith('od/') || /leaked|redis/.test(f.message))).toEqual([]);
    expect(res.system?.services.map((s) => s.name) ?? []).not.toContain('leaked');
    expect(res.errors).toEqual(
      expect.arrayContaining([
        { file: 'od/base.yaml', message: 'not read: od is a symlink' },
        { file: 'od/other.yaml', message: 'not read: od is a symlink' },
      ]),
    );
  });

  it('a guessed path through a file (`COPY pyproject.toml uv.lock ./` then a script under ./) is absent, not an error', async () => {
    const root = makeTree({
      'backend/pyproject.toml': '[project]\nname = "x"\n',
      'backend/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nCOPY . .\nCMD ["/app/scripts/docker/entrypoint.sh"]\n',
      'backend/scripts/docker/entrypoint.sh': '#!/bin/sh\nexec uvicorn app:app\n',
      'compose.yaml': 'services:\n  api:\n    build: ./backend\n',
    });
    const res = await scan({ root, targets: [root], jobs: 1, config: {} });
    expect(res.errors).toEqual([]);
  });
});

describe('the rules cache', () => {
  /** A tree scanned once with the cache on, and the rules cache file it wrote. */
  async function cached() {
    const root = makeTree({ 'a.py': BAD_PY, 'compose.yaml': 'services:\n  app:\n    image: alpine\n' });
    const fresh = await runCli(['scan', '.', '--format', 'json'], root);
    const dir = join(root, '.faultline-cache');
    const [name] = readdirSync(dir).filter((n) => n.startsWith('rules-'));
    return { root, fresh, file: join(dir, name) };
  }

  it('is validated like the rule files: garbage, an empty list or a forged entry are reloaded from YAML', async () => {
    const { root, fresh, file } = await cached();
    const marker = join(tmpdir(), `faultline-forged-${process.pid}`);
    rmSync(marker, { force: true });
    writeFileSync(join(root, 'evil.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default () => [];\n`);
    const real = JSON.parse(readFileSync(file, 'utf8'));
    const idx = real.findIndex((r: { languages: string[]; match?: unknown }) => r.languages.includes('python') && r.match);
    // a check path that leads from dist/engine/checks/ to the scanned tree's evil.js
    const toEvil = relative(join(ROOT, 'dist/engine/checks'), join(root, 'evil'));
    const viaCheck = structuredClone(real);
    delete viaCheck[idx].match;
    viaCheck[idx].check = toEvil;
    const viaMatch = structuredClone(real);
    viaMatch[idx].match = { [relative(join(ROOT, 'dist/engine/matchers'), join(root, 'evil'))]: {} };
    for (const forged of ['{"x":1}', '[]', JSON.stringify(viaCheck), JSON.stringify(viaMatch)]) {
      writeFileSync(file, forged);
      const r = await runCli(['scan', '.', '--format', 'json'], root);
      expect(r.stderr, forged.slice(0, 20)).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(fresh.stdout);
      expect(existsSync(marker)).toBe(false);
    }
    // and the valid copy is written back
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(real);
  }, 120_000);

  it('the engine imports checks and matchers by name only, never by path', async () => {
    const rules = loadRules(join(ROOT, 'rules'));
    const rule = rules.find((r) => r.check && r.languages.includes('python'))!;
    const init = {
      rulesDir: join(ROOT, 'rules'), ruleIds: [rule.id], extraApis: [], engine: { priorityOverrides: {}, includeTests: false }, maxFileBytes: 1 << 21,
    };
    await expect(createProcessor({ ...init, preloaded: { rules: [{ ...rule, check: '../../x' }], catalogFiles: [] } })).rejects.toThrow(/is not a matcher or check name|no code check named/);
    await expect(createProcessor({ ...init, preloaded: { rules: [{ ...rule, check: undefined, match: { '../call': {} } }], catalogFiles: [] } })).rejects.toThrow(/is not a matcher or check name/);
  });
});

describe('a brace-expansion bomb in catalog.match', () => {
  const config = (patterns: string[][]) =>
    'catalog:\n' +
    patterns
      .map((m) => `  - language: python\n    role: http.request\n    match: ${JSON.stringify(m)}\n    knobs:\n      timeout: { keys: [timeout], default: unbounded }\n`)
      .join('');

  it('is a config error naming the file and the key (exit 2), not a hang', async () => {
    const root = makeTree({ 'a.py': BAD_PY, '.faultline.yml': config([['team.get'], ['team.http.get', 'x' + '{a,b}'.repeat(22)]]) });
    const r = await runCli(['scan', '.', '--no-cache'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${join(root, '.faultline.yml')}: key "catalog.1.match.1" expands to more than 1000 patterns (\`{a,b}\` alternatives multiply)\n`);
    // many entries each under the limit
    writeFileSync(join(root, '.faultline.yml'), config(Array.from({ length: 20 }, (_, i) => [`t${i}` + '{a,b}'.repeat(9)])));
    const many = await runCli(['scan', '.', '--no-cache'], root);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/key "catalog" has more than 10000 match patterns after `\{a,b\}` expansion \(at catalog\.19\.match\.0\)/);
    // ordinary alternations still work
    writeFileSync(join(root, '.faultline.yml'), config([['team.{get,post}']]));
    writeFileSync(join(root, 'b.py'), 'import team\n\ndef f(u):\n    return team.post(u)\n');
    const ok = await runCli(['scan', '.', '--no-cache', '--format', 'json'], root);
    expect(ok.code).toBe(1);
    expect(JSON.parse(ok.stdout).findings.map((f: { file: string }) => f.file)).toContain('b.py');
  }, 60_000);
});

describe('the Markdown report and the cache directory', () => {
  it('is the same with and without .faultline-cache, linked or not: the cache is never counted', async () => {
    const root = makeTree({ 'a.py': BAD_PY });
    const md = ['scan', '.', '--format', 'markdown'];
    const fresh = await runCli([...md, '--no-cache'], root);
    await runCli(md, root);
    expect(existsSync(join(root, '.faultline-cache'))).toBe(true);
    expect((await runCli(md, root)).stdout).toBe(fresh.stdout);
    expect((await runCli([...md, '--no-cache'], root)).stdout).toBe(fresh.stdout);
    const linked = makeTree({ 'a.py': BAD_PY });
    symlinkSync(makeTree({}), join(linked, '.faultline-cache'));
    const res = await scan({ root: linked, targets: [linked], jobs: 1, config: {} });
    expect(res.stats.skipped).toEqual({});
  }, 60_000);
});

describe('what was counted but not listed', () => {
  it('a compose file with invalid UTF-8 is named in errors, as a code file is', async () => {
    const root = makeTree({});
    writeFileSync(join(root, 'compose.yaml'), Buffer.from('# caf\xe9 \xff\nservices:\n  app:\n    image: alpine\n', 'latin1'));
    const res = await scan({ root, targets: [root], jobs: 1, config: {} });
    expect(res.errors).toContainEqual({ file: 'compose.yaml', message: 'not valid UTF-8: analysed with replacement characters, so columns may be off' });
    expect(res.findings.some((f) => f.file === 'compose.yaml')).toBe(true);
  });

  it('a directory that cannot be read is named in errors with the reason', async () => {
    const root = makeTree({ 'a.py': BAD_PY });
    // deeper than PATH_MAX: created step by step with relative paths, unreadable by its full path
    const seg = 'd'.repeat(250);
    execFileSync('bash', ['-c', `cd "$1" && for i in $(seq 18); do mkdir ${seg} && cd ${seg}; done`, '_', root]);
    const res = await scan({ root, targets: [root], jobs: 1, config: {} });
    const dirErrors = res.errors.filter((e) => e.message.startsWith('cannot read directory'));
    expect(dirErrors).toHaveLength(1);
    expect(dirErrors[0].message).toBe('cannot read directory: ENAMETOOLONG');
    expect(dirErrors[0].file.startsWith(`${seg}/${seg}/`)).toBe(true);
    expect(res.stats.skipped['unreadable directory']).toBe(1);
    expect(res.findings.map((f) => f.file)).toEqual(['a.py']);
    // permission denied: only checkable when not running as root, who reads anything
    if (process.getuid?.() !== 0) {
      mkdirSync(join(root, 'locked'));
      chmodSync(join(root, 'locked'), 0);
      const locked = await scan({ root, targets: [root], jobs: 1, config: {} });
      expect(locked.errors).toContainEqual({ file: 'locked', message: 'cannot read directory: EACCES' });
      chmodSync(join(root, 'locked'), 0o755);
    }
  });
});

describe('a worker that cannot start', () => {
  it('ends the scan with an error per file instead of respawning forever', async () => {
    const { runTasks } = await import('../dist/engine/pool.js');
    const tasks = Array.from({ length: 12 }, (_, i) => ({ abs: `/nonexistent/x${i}.py`, rel: `x${i}.py`, kind: 'python' as const, size: 10 }));
    const init = { rulesDir: '/nonexistent-rules', ruleIds: [], extraApis: [], engine: {} as never, maxFileBytes: 1e6 };
    const res = await runTasks(tasks, init, { jobs: 2, budgetMs: 0 });
    expect(res.map((r) => r.rel).sort()).toEqual(tasks.map((t) => t.rel).sort());
    expect(res.every((r) => /^analysis could not start: .*nonexistent-rules/.test(r.error?.message ?? ''))).toBe(true);
  }, 30_000);
});
