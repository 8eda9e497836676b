// The CLI and the JSON contract, end to end on small trees.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discover, looksLikeCompose } from '../dist/engine/discover.js';
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
      // no route reaches these functions: a timeout hazard is P0 only on a request path
      expect(f.priority).toBe('P1');
      expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(out.findings[0]).toMatchObject({ ruleId: 'FL101', line: 4, column: 12, endLine: 4, endColumn: 29 });
  });

  it('a finding an entry point reaches carries entryPoints; the document validates against schemas/faultline-json.schema.json', async () => {
    const root = makeTree({
      'api/main.py': 'from fastapi import FastAPI\nfrom api.client import fetch\napp = FastAPI()\n\n@app.post("/webhooks/stripe")\ndef hook():\n    return fetch()\n',
      'api/client.py': 'import requests\n\ndef fetch():\n    return requests.get("https://x.example")\n',
    });
    const { stdout } = await runCli(['scan', '.', '--format', 'json', '--jobs', '1'], root);
    const out = JSON.parse(stdout);
    const f = out.findings.find((x: { file: string }) => x.file === 'api/client.py');
    expect(Object.keys(f)).toEqual(['ruleId', 'category', 'priority', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'fingerprint', 'context', 'entryPoints', 'entryPointCount']);
    expect(f.entryPoints).toEqual([{ kind: 'webhook', label: 'POST /webhooks/stripe', file: 'api/main.py', line: 6, hops: 1 }]);
    const { default: Ajv } = await import('ajv');
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schemas/faultline-json.schema.json', import.meta.url)), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
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
      // called at import: code the api service runs, not a function nothing calls
      'backend/app.py': `${PY_BAD}\nf("https://api.example.com")\n`,
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
    const root = makeTree({ 'server/api.ts': "export const f = () => fetch('https://x');\n" }); // Node fetch: P2
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
    expect(stdout).toMatch(/^app\.py:4:12: P1 FL101 \[timeout\] `requests\.get` has no timeout/m);
    expect(stdout).toMatch(/1 finding \(P0: 0, P1: 1, P2: 0\) in 1 file\./);
    expect(stdout).not.toContain('\x1b[');
    const colored = await runCli(['scan'], root, { FORCE_COLOR: '1' });
    expect(colored.stdout).toContain('\x1b[');
  });

  it('-o writes the report to a file', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    await runCli(['scan', '--format', 'json', '-o', 'out.json'], root);
    expect(JSON.parse(readFileSync(join(root, 'out.json'), 'utf8')).findings).toHaveLength(1);
  });

  it('priority context: script and browser waits are not reported, Node fetch (undici bounds it) is P2', async () => {
    const root = makeTree({
      'scripts/export.py': PY_BAD,
      'web/App.tsx': "export const f = () => fetch('/api');\n",
      'server/api.ts': "export const f = () => fetch('https://x');\n",
    });
    const out = JSON.parse((await runCli(['scan', '--format', 'json'], root)).stdout);
    expect(out.findings.map((f: { file: string; priority: string }) => `${f.priority} ${f.file}`)).toEqual(['P2 server/api.ts']);
  });
});

const BIN = fileURLToPath(new URL('../bin/faultline.js', import.meta.url));

/** The real launcher in a child process, with stdout wired to `stdout` (a file descriptor). */
function spawnCli(args: string[], cwd: string, stdout: number | 'pipe' = 'pipe') {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, CI: 'true' } });
}

describe('scan: paths, git and help', () => {
  it('a path that does not exist is exit 2, not "No findings"', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    const r = await runCli(['scan', 'app.py', 'srcc'], root);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('faultline: srcc: no such file or directory\n');
    const missingRoot = await runCli(['scan', '--root', 'nowhere'], root);
    expect(missingRoot.code).toBe(2);
  });

  it('--diff-base outside a git work tree says so in one line, exit 2, before scanning', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    const r = await runCli(['scan', '--diff-base', 'main'], root);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`faultline: --diff-base: ${root} is not inside a git work tree\n`);
  });

  it('scan --help lists the formats, the defaults and the exit codes', async () => {
    const { code, stdout } = await runCli(['scan', '--help'], makeTree({}));
    expect(code).toBe(0);
    for (const f of ['text', 'json', 'sarif', 'markdown', 'github']) expect(stdout).toMatch(new RegExp(`^  ${f} +\\S`, 'm'));
    expect(stdout).toMatch(/default:\s+"text"/);
    expect(stdout).toMatch(/else p1\)/);
    expect(stdout).toMatch(/^ {2}0 {2}no reported finding at or above --fail-on \(default p1\)$/m);
    expect(stdout).toMatch(/^ {2}1 {2}at least one reported finding/m);
    expect(stdout).toMatch(/^ {2}2 {2}usage or config error/m);
    expect(stdout).toMatch(/pyproject\.toml \[tool\.faultline\]/);
  });
});

describe('scan: suppression comments naming unknown rules', () => {
  it('warn on stderr once per id, with the first place, and still scan', async () => {
    const root = makeTree({
      'a.py': 'import requests\nrequests.get("u")  # faultline: ignore[FL999] typo\nrequests.get("v")  # faultline: ignore[FL999, FL101] known\n',
      'b.py': '# faultline: ignore[FL999] again\nx = 1\n',
      'c.ts': "// faultline: ignore[no-such-rule] reason\nexport const x = 1;\n",
      'compose.yaml': 'services:\n  web:\n    image: nginx:1  # faultline: ignore[FL4800] typo\n',
    });
    const r = await runCli(['scan', '--format', 'json', '--no-cache', '--fail-on', 'none'], root);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'faultline: warning: unknown rule "FL4800" in a suppression comment at compose.yaml:3; it suppresses nothing (`faultline rules` lists the ids)',
      'faultline: warning: unknown rule "FL999" in a suppression comment at a.py:2 and 2 more; it suppresses nothing (`faultline rules` lists the ids)',
      'faultline: warning: unknown rule "no-such-rule" in a suppression comment at c.ts:1; it suppresses nothing (`faultline rules` lists the ids)',
    ]);
    const found = JSON.parse(r.stdout).findings.map((f: { file: string; line: number; ruleId: string }) => `${f.file}:${f.line} ${f.ruleId}`);
    expect(found).toContain('a.py:2 FL101');
    expect(found).not.toContain('a.py:3 FL101');
  });
});

describe('scan: a report that cannot be written is exit 2 with one line', () => {
  const full = existsSync('/dev/full');

  it.skipIf(!full)('-o /dev/full', async () => {
    const root = makeTree({ 'app.py': PY_BAD });
    const r = await runCli(['scan', '--no-cache', '-o', '/dev/full'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faultline: cannot write /dev/full: ENOSPC (no space left on device)\n');
    const sarif = await runCli(['scan', '--no-cache', '--sarif', '/dev/full', '--fail-on', 'none'], root);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toContain('cannot write /dev/full: ENOSPC');
  });

  it.skipIf(!full)('stdout on a full device (ENOSPC), also when the scan is clean', () => {
    const dirty = makeTree({ 'app.py': PY_BAD });
    const clean = makeTree({ 'ok.py': 'x = 1\n' });
    const fd = openSync('/dev/full', 'w');
    try {
      for (const [root, fmt] of [[dirty, 'text'], [clean, 'json']] as const) {
        const r = spawnCli(['scan', '--format', fmt], root, fd);
        expect(r.status).toBe(2);
        expect(r.stderr).toBe('faultline: cannot write to stdout: ENOSPC (no space left on device)\n');
      }
    } finally {
      closeSync(fd);
    }
  });

  it('stdout to a pipe whose reader has gone (EPIPE)', () => {
    const root = makeTree({ 'app.py': PY_BAD });
    // fd 3 is a pipe whose only reader has exited (waited for) before the scan starts
    const script = `exec 3> >(exit 0); wait $!; "${process.execPath}" "${BIN}" scan --format json >&3 2>err.txt; echo $?`;
    const r = spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.stdout.trim()).toBe('2');
    expect(readFileSync(join(root, 'err.txt'), 'utf8')).toBe('faultline: cannot write to stdout: EPIPE (the reading end of the pipe was closed)\n');
  });
});

describe('scan: control characters in file names', () => {
  it('reach --format github escaped, never raw', async () => {
    const name = 'ev\x1b[31mil\x07.py';
    const root = makeTree({ [name]: PY_BAD });
    const { stdout } = await runCli(['scan', '--format', 'github', '--no-cache'], root);
    expect(stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(stdout).toContain('file=ev%1B[31mil%07.py,');
  });
});

describe('discovery: compose files by content', () => {
  const SERVICE = 'services:\n  web:\n    image: nginx:1\n';
  it('finds stack.yml and deploy/prod.yml, not YAML that only looks similar', async () => {
    const root = makeTree({
      'stack.yml': SERVICE,
      'deploy/prod.yml': 'x-common: &c\n  restart: always\nservices:\n  api:\n    build: ./api\n    <<: *c\n',
      'helm/values.yaml': 'replicaCount: 2\nservices:\n  web:\n    image: nginx:1\n',
      '.github/workflows/ci.yml': 'jobs:\n  test:\n    services:\n      db:\n        image: postgres:16\n',
      'k8s/all.yaml': 'services:\n  web:\n    image: a\n---\nkind: Service\n',
      'lists.yml': 'services:\n  - image: nginx\n',
      'excluded/stack.yml': SERVICE,
    });
    // resource limits (opt-in) fire on any long-running service: what is found shows what was read
    const r = await runCli(['scan', '--format', 'json', '--no-cache', '--fail-on', 'none', '--exclude', 'excluded/**', '--extend-select', 'resource-limit'], root);
    const files = [...new Set(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file))].sort();
    expect(files).toEqual(['deploy/prod.yml', 'stack.yml']);
    expect(JSON.parse(r.stdout).errors).toEqual([]);
  });

  it('does not read a large YAML file to find out', () => {
    expect(looksLikeCompose(SERVICE)).toBe(true);
    expect(looksLikeCompose('services:\n  web:\n    environment: {A: 1}\n')).toBe(false);
    const root = makeTree({ 'big.yml': SERVICE + '# ' + 'x'.repeat(300 * 1024) + '\n' });
    expect(discover(root, [root], { exclude: [], composeNames: [], gitignore: true }).files).toEqual([]);
  });
});
