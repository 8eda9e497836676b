// The CLI and the JSON contract, end to end on small trees.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, runCli } from './helpers.js';

const PY_BAD = 'import requests\n\ndef f(url):\n    return requests.get(url)\n';
const TS_BAD = "import axios from 'axios';\nexport const get = (u: string) => axios.get(u);\n";

describe('scan: JSON contract', () => {
  it('emits exactly the contract keys, relative POSIX paths, sorted findings', async () => {
    const root = makeTree({
      'svc/app.py': PY_BAD,
      'web/src/api.ts': TS_BAD,
      'svc/ok.py': 'import requests\nrequests.get("u", timeout=3)\n',
    });
    const { code, stdout } = await runCli(['scan', '.', '--format', 'json', '--jobs', '1'], root);
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['version', 'findings', 'errors']);
    expect(out.errors).toEqual([]);
    expect(out.findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`)).toEqual(['svc/app.py:4', 'web/src/api.ts:2']);
    for (const f of out.findings) {
      expect(Object.keys(f)).toEqual(['ruleId', 'category', 'priority', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'fingerprint', 'context']);
      expect(f.context).toBe('service');
      expect(f.category).toBe('timeout');
      expect(f.priority).toBe('P0');
      expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(out.findings[0]).toMatchObject({ ruleId: 'FL101', line: 4, column: 12, endLine: 4, endColumn: 29 });
  });

  it('fingerprints survive lines added above the finding', async () => {
    const a = makeTree({ 'app.py': PY_BAD });
    const b = makeTree({ 'app.py': '# a comment\n\n' + PY_BAD });
    const fa = JSON.parse((await runCli(['scan', '--format', 'json'], a)).stdout).findings[0];
    const fb = JSON.parse((await runCli(['scan', '--format', 'json'], b)).stdout).findings[0];
    expect(fb.line).toBe(fa.line + 2);
    expect(fb.fingerprint).toBe(fa.fingerprint);
  });

  it('is byte-identical with --jobs 1 and --jobs 2', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) {
      files[`pkg${i % 3}/mod${i}.py`] = PY_BAD.repeat(1 + (i % 4));
      files[`web/file${i}.ts`] = TS_BAD;
    }
    const root = makeTree(files);
    const one = await runCli(['scan', '--format', 'json', '--jobs', '1'], root);
    const two = await runCli(['scan', '--format', 'json', '--jobs', '2'], root);
    expect(JSON.parse(one.stdout).findings.length).toBeGreaterThan(60);
    expect(two.stdout).toBe(one.stdout);
  });
});

describe('scan: three languages', () => {
  it('a tree with Python, TypeScript and compose files scans to the contract, each finding in its file', async () => {
    const root = makeTree({
      'backend/app.py': PY_BAD,
      'server/src/api.ts': TS_BAD,
      'compose.yaml': 'services:\n  api:\n    build: ./backend\n    depends_on: [db]\n  db:\n    image: postgres:16\n',
    });
    const { stdout } = await runCli(['scan', '--format', 'json'], root);
    const out = JSON.parse(stdout);
    const files = new Set(out.findings.map((f: { file: string }) => f.file));
    expect([...files].sort()).toEqual(['backend/app.py', 'compose.yaml', 'server/src/api.ts']);
    const cats = new Set(out.findings.map((f: { category: string }) => f.category));
    expect(cats.has('timeout')).toBe(true);
    expect(cats.has('healthcheck')).toBe(true);
    for (const f of out.findings) expect(f.line).toBeGreaterThan(0);
  });

  it('an invalid YAML compose file is the third error beside a broken .py and .ts', async () => {
    const root = makeTree({
      'broken.py': 'import requests\ndef f(:\n    requests.get(u)\n',
      'broken.ts': "import axios from 'axios';\nexport function f( {\n",
      'compose.yaml': 'services:\n  api: [unclosed\n',
    });
    const { code, stdout } = await runCli(['scan', '--format', 'json'], root);
    const out = JSON.parse(stdout);
    expect(out.errors.map((e: { file: string }) => e.file)).toEqual(['broken.py', 'broken.ts', 'compose.yaml']);
    expect(code).toBe(out.findings.length ? 1 : 0);
  });
});

describe('scan: broken input', () => {
  it('lists a broken .py and a broken .ts in errors, keeps scanning, exit depends on findings', async () => {
    const root = makeTree({
      'broken.py': 'import requests\ndef f(:\n    requests.get(u)\n',
      'broken.ts': "import axios from 'axios';\nexport function f( {\n  axios.get('u', { timeout: 1000 });\n",
      'fine.py': 'import os\n',
    });
    const { code, stdout, stderr } = await runCli(['scan', '--format', 'json'], root);
    expect(stderr).toBe('');
    const out = JSON.parse(stdout);
    expect(out.errors.map((e: { file: string }) => e.file)).toEqual(['broken.py', 'broken.ts']);
    expect(code).toBe(out.findings.length ? 1 : 0);
  });
});

describe('scan: exit codes and options', () => {
  it('--fail-on decides the exit code', async () => {
    const root = makeTree({ 'scripts/tool.py': PY_BAD }); // scripts are P2
    expect((await runCli(['scan', '--fail-on', 'P1'], root)).code).toBe(0);
    expect((await runCli(['scan', '--fail-on', 'P2'], root)).code).toBe(1);
    expect((await runCli(['scan', '--fail-on', 'none'], root)).code).toBe(0);
  });

  it('a bad config exits 2 naming the file and the key', async () => {
    const root = makeTree({ 'app.py': PY_BAD, '.faultline.yml': 'rules:\n  selekt: [FL101]\n' });
    const r = await runCli(['scan'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.faultline.yml');
    expect(r.stderr).toContain('rules.selekt');
    const r2 = await runCli(['scan'], makeTree({ 'a.py': '', '.faultline.yml': 'priorities:\n  FL101: P5\n' }));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('priorities.FL101');
  });

  it('an unknown format or rule is a usage error (exit 2)', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    expect((await runCli(['scan', '--format', 'xml'], root)).code).toBe(2);
    expect((await runCli(['scan', '--select', 'FL999'], root)).code).toBe(2);
  });

  it('config: select/ignore, priority overrides and a catalog extension for a team wrapper', async () => {
    const root = makeTree({
      'app/http.py': 'import requests\n\ndef http_get(url, timeout=None):\n    return requests.get(url, timeout=timeout)\n',
      'app/use.py': 'from app.http import http_get\n\ndef f():\n    http_get("https://x")\n    http_get("https://x", timeout=5)\n',
      '.faultline.yml': [
        'priorities:',
        '  FL101: P1',
        'catalog:',
        '  - language: python',
        '    match: ["*.http_get"]',
        '    role: http.request',
        '    knobs:',
        '      timeout: { keys: [timeout], default: unbounded, disabledBy: [null] }',
        '',
      ].join('\n'),
    });
    const out = JSON.parse((await runCli(['scan', '--format', 'json'], root)).stdout);
    const where = out.findings.map((f: { file: string; line: number; priority: string; ruleId: string }) => `${f.ruleId} ${f.priority} ${f.file}:${f.line}`);
    expect(where).toEqual(['FL101 P1 app/use.py:4']);
    const ignored = JSON.parse((await runCli(['scan', '--format', 'json', '--ignore', 'timeout'], root)).stdout);
    expect(ignored.findings).toEqual([]);
  });

  it('honours .gitignore and --exclude, and skips node_modules and virtualenvs', async () => {
    const root = makeTree({
      '.gitignore': 'generated/\n',
      'generated/a.py': PY_BAD,
      'node_modules/lib/index.js': TS_BAD,
      '.venv/lib/x.py': PY_BAD,
      'env2/pyvenv.cfg': 'home = /usr\n',
      'env2/lib/y.py': PY_BAD,
      'legacy/old.py': PY_BAD,
      'src/app.py': PY_BAD,
    });
    const out = JSON.parse((await runCli(['scan', '--format', 'json', '--exclude', 'legacy/**'], root)).stdout);
    expect(out.findings.map((f: { file: string }) => f.file)).toEqual(['src/app.py']);
  });

  it('text output names file:line:col, priority, rule and a summary', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    const { stdout } = await runCli(['scan'], root);
    expect(stdout).toMatch(/^app\.py:4:12: P0 FL101 \[timeout\] `requests\.get` has no timeout/m);
    expect(stdout).toMatch(/1 finding \(P0: 1, P1: 0, P2: 0\) in 1 file\./);
    expect(stdout).not.toContain('\x1b[');
    const colored = await runCli(['scan'], root, { FORCE_COLOR: '1' });
    expect(colored.stdout).toContain('\x1b[');
  });

  it('-o writes the report to a file', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    await runCli(['scan', '--format', 'json', '-o', 'out.json'], root);
    expect(JSON.parse(readFileSync(join(root, 'out.json'), 'utf8')).findings).toHaveLength(1);
  });

  it('priority context: scripts are P2, browser calls are not reported, Node fetch is P1', async () => {
    const root = makeTree({
      'scripts/export.py': PY_BAD,
      'web/App.tsx': "export const f = () => fetch('/api');\n",
      'server/api.ts': "export const f = () => fetch('https://x');\n",
    });
    const out = JSON.parse((await runCli(['scan', '--format', 'json'], root)).stdout);
    expect(out.findings.map((f: { file: string; priority: string }) => `${f.priority} ${f.file}`)).toEqual([
      'P1 server/api.ts',
      'P2 scripts/export.py',
    ]);
  });
});
