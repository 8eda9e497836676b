// Config: where it is found (.faultline.yml, pyproject.toml [tool.faultline], package.json
// "faultline"), what it accepts (lowercase priorities, per-file-ignores) and the hostile configs
// that must be a one-line config error (exit 2) naming the file and the key, never a crash.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAIL_ON, findConfig, loadConfig } from '../dist/config/load.js';
import { STARTER_CONFIG } from '../dist/cli/reports.js';
import { makeTree, runCli } from './helpers.js';

const PY_BAD = 'import requests\n\ndef f(url):\n    return requests.get(url)\n';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function findings(root: string, args: string[] = []) {
  const r = await runCli(['scan', '--format', 'json', '--no-cache', '--fail-on', 'none', ...args], root);
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; file: string }> }).findings.map((f) => `${f.file} ${f.ruleId}`);
}

describe('config discovery', () => {
  it('reads [tool.faultline] from pyproject.toml and "faultline" from package.json', async () => {
    const py = makeTree({ 'app.py': PY_BAD, 'pyproject.toml': '[project]\nname = "svc"\n\n[tool.faultline]\nfail-on = "p0"\n\n[tool.faultline.rules]\nignore = ["FL101"]\n' });
    expect(await findings(py)).toEqual([]);
    expect(loadConfig(join(py, 'pyproject.toml'))).toEqual({ 'fail-on': 'P0', rules: { ignore: ['FL101'] } });
    const js = makeTree({ 'app.py': PY_BAD, 'package.json': JSON.stringify({ name: 'web', faultline: { rules: { ignore: ['timeout'] } } }) });
    expect(await findings(js)).toEqual([]);
  });

  it('precedence: .faultline.yml, then pyproject.toml, then package.json, nearest directory first', () => {
    const all = {
      '.faultline.yml': 'tests: report\n',
      'pyproject.toml': '[tool.faultline]\ntests = "skip"\n',
      'package.json': '{"faultline": {}}',
    };
    expect(findConfig(makeTree(all))).toMatch(/\.faultline\.yml$/);
    expect(findConfig(makeTree({ 'pyproject.toml': all['pyproject.toml'], 'package.json': all['package.json'] }))).toMatch(/pyproject\.toml$/);
    expect(findConfig(makeTree({ 'package.json': all['package.json'] }))).toMatch(/package\.json$/);
    // a pyproject.toml or package.json without faultline config does not stop the search upward
    const nested = makeTree({ '.git/HEAD': '', '.faultline.yml': 'tests: report\n', 'svc/pyproject.toml': '[tool.ruff]\nline-length = 100\n', 'svc/package.json': '{"name": "x"}' });
    expect(findConfig(join(nested, 'svc'))).toBe(join(nested, '.faultline.yml'));
    // ...but one with faultline config in a nearer directory wins
    writeFileSync(join(nested, 'svc/pyproject.toml'), '[tool.faultline]\ntests = "skip"\n');
    expect(findConfig(join(nested, 'svc'))).toBe(join(nested, 'svc/pyproject.toml'));
    // the search stops at the repository root
    const repo = makeTree({ '.faultline.yml': 'tests: report\n', 'repo/.git/HEAD': '', 'repo/app.py': '' });
    expect(findConfig(join(repo, 'repo'))).toBeUndefined();
  });

  it('a broken [tool.faultline] or an unknown key in it is a config error naming the file', async () => {
    const bad = await runCli(['scan'], makeTree({ 'app.py': PY_BAD, 'pyproject.toml': '[tool.faultline]\nfail-on = \n' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^faultline: .*pyproject\.toml: invalid TOML at line 2: .*\n$/);
    const unknown = await runCli(['scan'], makeTree({ 'app.py': PY_BAD, 'pyproject.toml': '[tool.faultline]\nfail_on = "p1"\n' }));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('pyproject.toml: unknown key "fail_on" in [tool.faultline]');
  });
});

describe('priorities are case-insensitive everywhere', () => {
  it('p1 in config fail-on and priorities, and on the command line', async () => {
    const root = makeTree({ 'app.py': PY_BAD, '.faultline.yml': 'fail-on: p1\npriorities:\n  FL101: p2\n' });
    expect(loadConfig(join(root, '.faultline.yml'))).toEqual({ 'fail-on': 'P1', priorities: { FL101: 'P2' } });
    expect((await runCli(['scan', '--no-cache'], root)).code).toBe(0); // FL101 lowered to P2, fail-on p1
    expect((await runCli(['scan', '--no-cache', '--fail-on', 'p2'], root)).code).toBe(1);
    expect((await runCli(['scan', '--no-cache', '--fail-on', 'NONE'], root)).code).toBe(0);
    const r = await runCli(['scan', '--no-cache', '--min-priority', 'p0', '--format', 'json', '--fail-on', 'p2'], root);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });
});

describe('one fail-on default', () => {
  it('the CLI, faultline init and the Action agree', async () => {
    const action = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const input = /\n  fail-on:\n(?: {4}.*\n)*? {4}default: (\S+)\n/.exec(action);
    expect(input?.[1]).toBe(DEFAULT_FAIL_ON.toLowerCase());
    expect(STARTER_CONFIG).toMatch(new RegExp(`^fail-on: ${DEFAULT_FAIL_ON}$`, 'm'));
    // the CLI: a P1 finding fails by default, a P2 one does not
    const p1 = makeTree({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1\n    healthcheck:\n      test: [CMD, curl, -f, http://localhost]\n' });
    expect(DEFAULT_FAIL_ON).toBe('P1');
    const r = await runCli(['scan', '--no-cache', '--format', 'json'], p1);
    const prios = (JSON.parse(r.stdout).findings as Array<{ priority: string }>).map((f) => f.priority);
    expect(prios).toContain('P1');
    expect(prios).not.toContain('P0');
    expect(r.code).toBe(1);
    const p2 = makeTree({ 'scripts/tool.py': PY_BAD }); // script code: P2
    expect((await runCli(['scan', '--no-cache'], p2)).code).toBe(0);
  });
});

describe('per-file-ignores', () => {
  const tree = () =>
    makeTree({
      'app/api.py': PY_BAD,
      'app/tasks.py': PY_BAD,
      'lib/one.py': PY_BAD,
      'legacy/old/x.py': PY_BAD,
      'compose.yaml': 'services:\n  web:\n    image: nginx:1\n  proxy:\n    image: caddy:2\n    depends_on: [web]\n',
    });

  it('turns rules off by id, name or category for matching paths; a glob without a slash matches the file name', async () => {
    const root = tree();
    // resource limits are opt-in: turned on here so a category can be ignored per file
    writeFileSync(join(root, '.faultline.yml'), 'rules:\n  extend-select: [resource-limit]\n');
    const before = await findings(root);
    expect(before).toContain('app/api.py FL101');
    expect(before.some((f) => f.startsWith('compose.yaml FL980'))).toBe(true);
    writeFileSync(
      join(root, '.faultline.yml'),
      [
        'rules:',
        '  extend-select: [resource-limit]',
        'per-file-ignores:',
        '  "legacy/**": [ALL]',
        '  "tasks.py": [fl101]',
        '  "lib/*.py": [http-call-without-timeout]',
        '  "compose.yaml": [resource-limit]',
        '',
      ].join('\n'),
    );
    const after = await findings(root);
    expect(after.filter((f) => f.endsWith(' FL101'))).toEqual(['app/api.py FL101']);
    expect(after.some((f) => f.startsWith('legacy/'))).toBe(false);
    expect(after.some((f) => f.startsWith('compose.yaml FL98'))).toBe(false);
    expect(after.some((f) => f.startsWith('compose.yaml FL480'))).toBe(true);
  });

  it('works from pyproject.toml too', async () => {
    const root = tree();
    writeFileSync(join(root, 'pyproject.toml'), '[tool.faultline.per-file-ignores]\n"app/**" = ["timeout"]\n');
    const after = await findings(root);
    expect(after.some((f) => f.startsWith('app/'))).toBe(false);
    expect(after).toContain('lib/one.py FL101');
  });

  it('an unknown rule or a value that is not a list is a config error naming the file and the key', async () => {
    const unknown = await runCli(['scan'], makeTree({ 'a.py': PY_BAD, '.faultline.yml': 'per-file-ignores:\n  "tests/**": [FL9999]\n' }));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('.faultline.yml: per-file-ignores[tests/**]: unknown rule or category "FL9999"');
    const notList = await runCli(['scan'], makeTree({ 'a.py': PY_BAD, '.faultline.yml': 'per-file-ignores:\n  "tests/**": FL101\n' }));
    expect(notList.code).toBe(2);
    expect(notList.stderr).toContain('key "per-file-ignores[tests/**]" must be array');
  });
});

describe('hostile configs are config errors, not crashes', () => {
  it('a YAML alias bomb names the file, exit 2, no stack trace', async () => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    let prev = 'a';
    for (let i = 0; i < 12; i++) {
      bomb += `b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = `b${i}`;
    }
    const root = makeTree({ 'app.py': PY_BAD, '.faultline.yml': bomb });
    const r = await runCli(['scan'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${join(root, '.faultline.yml')}: invalid YAML: too many YAML aliases (an alias bomb?)\n`);
  });

  it('200,000 exclude globs are refused with the key and the file named; so is --exclude past the bound', async () => {
    const globs = Array.from({ length: 200_000 }, (_, i) => `"d${i}/**"`).join(',');
    const root = makeTree({ 'app.py': PY_BAD, '.faultline.yml': `exclude: [${globs}]\n` });
    const r = await runCli(['scan'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline: ${join(root, '.faultline.yml')}: key "exclude" must NOT have more than 10000 items\n`);
    const cli = makeTree({ 'app.py': PY_BAD });
    const args = Array.from({ length: 10_001 }, (_, i) => `--exclude=d${i}/**`);
    const r2 = await runCli(['scan', ...args], cli);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe('faultline: --exclude: at most 10000 globs, got 10001\n');
  });

  it('a glob picomatch cannot compile is a config error naming the key', async () => {
    const r = await runCli(['scan'], makeTree({ 'app.py': PY_BAD, '.faultline.yml': 'exclude: ["x", ""]\n' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: .*\.faultline\.yml: key "exclude": glob "" is invalid: .*\n$/);
    const r2 = await runCli(['scan'], makeTree({ 'app.py': PY_BAD, '.faultline.yml': 'per-file-ignores:\n  "": [FL101]\n' }));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('key "per-file-ignores": glob "" is invalid');
  });

  it('--config naming a missing file is exit 2', async () => {
    const r = await runCli(['scan', '-c', 'nope.yml'], makeTree({ 'a.py': '' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faultline: --config: nope.yml does not exist\n');
  });
});
