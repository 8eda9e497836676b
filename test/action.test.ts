// The GitHub Action's entry point, run as on a runner: a fake GITHUB_* environment, INPUT_*
// variables (with action.yml's defaults, as the runner sets them), a temporary git repository as
// the workspace. No network. The committed bundle (action-dist/) is checked fresh and run from a
// clean clone with no install step.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { getInput, readInputs, scanArgs, shellWords } from '../src/action/run.js';
import { runCli } from './helpers.js';
import { sarifSchemaErrors, tempGitRepo } from './report-helpers.js';

const repoRoot = resolve(import.meta.dirname, '..');
const entry = join(repoRoot, 'dist', 'action', 'main.js');
const BUNDLE = 'action-dist/action';
const actionYml = parseYaml(readFileSync(join(repoRoot, 'action.yml'), 'utf8'));
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(entry)) execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repoRoot });
}, 120_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CLIENT_V1 = [
  "import axios from 'axios';",
  '',
  'export const orders = axios.create({ baseURL: "http://orders" });',
  '',
].join('\n');
const CLIENT_V2 = [
  "import axios from 'axios';",
  '',
  '// a comment that moves the old finding down',
  'export const orders = axios.create({ baseURL: "http://orders" });',
  'export const users = axios.create({ baseURL: "http://users" });',
  '',
].join('\n');

function workspace(): { dir: string; git: (...a: string[]) => string } {
  const { dir, git } = tempGitRepo('faultline-action-');
  dirs.push(dir);
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web/client.ts'), CLIENT_V1);
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  return { dir, git };
}

/** A runner's environment for one step of this action: JS actions see INPUT_<NAME> with hyphens kept. */
function runnerEnv(dir: string, inputs: Record<string, string>): Record<string, string> {
  const runner = join(dir, '..', `${dir.split('/').pop()}-runner`);
  mkdirSync(runner, { recursive: true });
  dirs.push(runner);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_SHA: 'abc123',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: join(runner, 'output'),
    GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
    RUNNER_TEMP: join(runner, 'tmp'),
  };
  const values = { ...Object.fromEntries(Object.entries(actionYml.inputs).map(([k, v]) => [k, String((v as { default?: string }).default ?? '')])), ...inputs };
  for (const [k, v] of Object.entries(values)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

function runAction(dir: string, inputs: Record<string, string>, script = entry) {
  const env = runnerEnv(dir, inputs);
  const run = spawnSync(process.execPath, [script], { cwd: dir, env, encoding: 'utf8' });
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
  const outputs = Object.fromEntries(
    read(env.GITHUB_OUTPUT)
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, outputs, summary: read(env.GITHUB_STEP_SUMMARY) };
}

describe('GitHub Action entry point', () => {
  // a shared client no route is seen calling: P1 (a P0 timeout hazard needs a request path)
  it('writes annotations, the job summary, SARIF and the outputs, and fails on P1', () => {
    const { dir } = workspace();
    const r = runAction(dir, { 'sarif-file': 'faultline.sarif', 'fail-on': 'p1' });
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^::warning file=web\/client\.ts,line=3,endLine=3,col=\d+,endColumn=\d+,title=FL101 /m);
    expect(r.outputs).toMatchObject({ findings: '1', p0: '0', p1: '1', p2: '0', 'exit-code': '1', 'sarif-file': 'faultline.sarif' });
    expect(r.summary).toContain('# Resilience audit');
    expect(r.summary).toContain('[`web/client.ts:3`](https://github.com/octo/shop/blob/abc123/web/client.ts#L3)');
    const sarif = JSON.parse(readFileSync(join(dir, 'faultline.sarif'), 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('web/client.ts');
  });

  it('with diff-base on a two-commit repository reports only the new finding', () => {
    const { dir, git } = workspace();
    writeFileSync(join(dir, 'web/client.ts'), CLIENT_V2);
    git('commit', '-q', '-am', 'two');
    const r = runAction(dir, { 'diff-base': 'HEAD~1', 'fail-on': 'none', 'json-file': 'out/faultline.json', 'sarif-file': '' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ findings: '1', p1: '1', 'exit-code': '0', 'json-file': 'out/faultline.json', 'sarif-file': '' });
    const json = JSON.parse(readFileSync(join(dir, 'out/faultline.json'), 'utf8'));
    expect(json.findings.map((f: { line: number }) => f.line)).toEqual([5]);
    expect(r.stdout.match(/^::warning /gm)).toHaveLength(1);
    expect(r.summary).toMatch(/Only findings on lines changed since `HEAD~1`.*1 finding on unchanged lines not shown/);
  });

  it('honours annotations/job-summary off, the baseline and working-directory', async () => {
    const { dir } = workspace();
    expect((await runCli(['baseline'], join(dir, 'web'), { CI: 'true' })).code).toBe(0); // setup, in-process, as on a runner
    writeFileSync(join(dir, 'web/client.ts'), CLIENT_V2);
    const r = runAction(dir, {
      'working-directory': 'web',
      baseline: '.faultline-baseline.json',
      annotations: 'false',
      'job-summary': 'false',
      'markdown-file': 'audit.md',
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(/^::(error|warning|notice) /m);
    expect(r.summary).toBe('');
    expect(r.outputs).toMatchObject({ findings: '1', 'markdown-file': 'audit.md' });
    const md = readFileSync(join(dir, 'audit.md'), 'utf8');
    // paths are repository-relative even when the action runs in a subdirectory
    expect(md).toContain('web/client.ts:5');
    expect(md).toContain('Baseline `.faultline-baseline.json`: 1 known finding not shown.');
  });

  it('fails with exit 2 and an error annotation on a bad input', () => {
    const { dir } = workspace();
    const r = runAction(dir, { 'fail-on': 'sometimes' });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('::error title=faultline::input fail-on: expected p0, p1, p2 or none, got "sometimes"');
  });

  it('maps inputs to a scan command line', () => {
    const env = { INPUT_PATHS: 'src\n services ', 'INPUT_FAIL-ON': 'P1', INPUT_MIN_PRIORITY: 'p1', INPUT_ANNOTATIONS: 'false', 'INPUT_EXTRA-ARGS': `--select timeout --exclude 'legacy/**' --exclude "old dir/*.py"` };
    expect(getInput(env, 'fail-on')).toBe('P1');
    const inputs = readInputs(env);
    expect(scanArgs(inputs, { json: '/t/f.json', sarif: '/w/f.sarif' })).toEqual([
      'scan', 'src', 'services', '--format', 'text', '--fail-on', 'P1', '--min-priority', 'P1', '--json', '/t/f.json', '--sarif', '/w/f.sarif',
      '--select', 'timeout', '--exclude', 'legacy/**', '--exclude', 'old dir/*.py',
    ]);
  });

  it('splits extra-args as a shell splits words, and refuses what only a shell would do', () => {
    expect(shellWords(`--exclude 'legacy/**' --exclude legacy/** --select=timeout,pool`)).toEqual(['--exclude', 'legacy/**', '--exclude', 'legacy/**', '--select=timeout,pool']);
    expect(shellWords('--exclude "a b/**"\n  --exclude a\\ b  # the rest is a comment')).toEqual(['--exclude', 'a b/**', '--exclude', 'a b']);
    expect(shellWords(`--exclude '$HOME/x'`)).toEqual(['--exclude', '$HOME/x']);
    expect(shellWords('  ')).toEqual([]);
    expect(() => shellWords('--exclude $HOME/x')).toThrow('input extra-args: $HOME is not expanded');
    expect(() => shellWords('--select timeout | tee log')).toThrow('input extra-args: "|" is not supported');
    expect(() => shellWords('--select timeout > log')).toThrow('input extra-args: ">" is not supported');
  });

  it('passes a quoted extra-args glob to the scan without its quotes', () => {
    const { dir } = workspace();
    const r = runAction(dir, { 'extra-args': `--exclude 'web/**'`, 'fail-on': 'p0' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ findings: '0', 'exit-code': '0' });
    const bad = runAction(dir, { 'extra-args': '--exclude $DIR' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('::error title=faultline::input extra-args: $DIR is not expanded');
  });

  it('action.yml is a JavaScript action on the committed bundle and declares every input the entry point reads', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: `${BUNDLE}/main.js` });
    expect(existsSync(join(repoRoot, actionYml.runs.main))).toBe(true);
    const inputs = Object.keys(actionYml.inputs).sort();
    const src = readFileSync(join(repoRoot, 'src/action/run.ts'), 'utf8');
    const read = [...src.matchAll(/get(?:Input|Boolean)\(env, '([a-z-]+)'/g), ...src.matchAll(/priorityInput\(env, '([a-z-]+)'/g)].map((m) => m[1]).sort();
    expect(inputs).toEqual([...new Set(read)].sort());
    expect(Object.keys(actionYml.outputs).sort()).toEqual(['exit-code', 'findings', 'json-file', 'markdown-file', 'p0', 'p1', 'p2', 'sarif-file']);
  });
});

describe('the committed Action bundle', () => {
  it("the README's workflow is valid YAML that uses only this action's inputs and installs nothing", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## GitHub Action'));
    const workflow = parseYaml(/```yaml\n([\s\S]*?)```/.exec(section)![1]);
    const steps = workflow.jobs.faultline.steps as Array<{ uses?: string; run?: string; with?: Record<string, string> }>;
    const step = steps.find((s) => s.uses?.startsWith('faultline-dev/faultline@'))!;
    expect(step.uses).toBe('faultline-dev/faultline@v1');
    for (const key of Object.keys(step.with ?? {})) expect(Object.keys(actionYml.inputs)).toContain(key);
    expect(steps.filter((s) => s.run || s.uses?.startsWith('actions/setup-node'))).toEqual([]);
  });

  it('is what npm run build:action builds from the current sources', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-bundle-'));
    dirs.push(out);
    execFileSync(process.execPath, [join(repoRoot, 'scripts/build-action.mjs'), out], { cwd: repoRoot, stdio: 'pipe' });
    const committed = join(repoRoot, BUNDLE);
    const stale = 'action-dist/ is stale: run `npm run build:action` and commit action-dist/';
    expect(readdirSync(committed).sort(), stale).toEqual(readdirSync(out).sort());
    for (const name of readdirSync(out)) {
      expect(readFileSync(join(committed, name)).equals(readFileSync(join(out, name))), `${stale} (${name} differs)`).toBe(true);
    }
  });

  it('runs from a clean clone with no install step, as the runner starts it, and reports what the tsc build reports', () => {
    const clone = mkdtempSync(join(tmpdir(), 'faultline-clone-'));
    dirs.push(clone);
    execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    expect(existsSync(join(clone, 'dist'))).toBe(false);

    // a workspace with Python, TypeScript and compose, enough files for the scan to start workers
    const { dir, git } = tempGitRepo('faultline-action-ws-');
    dirs.push(dir);
    for (const sample of ['python-service', 'node-service', 'compose-stack']) cpSync(join(repoRoot, 'fixtures/_samples', sample), join(dir, sample), { recursive: true });
    git('add', '.');
    git('commit', '-q', '-m', 'services');

    const r = runAction(dir, { 'fail-on': 'none', 'json-file': 'out/faultline.json', 'markdown-file': 'out/audit.md' }, join(clone, actionYml.runs.main));
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'out/faultline.json'), 'utf8'));
    expect(json.errors).toEqual([]);
    const by = (p: string) => json.findings.filter((f: { priority: string }) => f.priority === p).length;
    expect(r.outputs).toEqual({
      findings: String(json.findings.length), p0: String(by('P0')), p1: String(by('P1')), p2: String(by('P2')),
      'exit-code': '0', 'sarif-file': 'faultline.sarif', 'markdown-file': 'out/audit.md', 'json-file': 'out/faultline.json',
    });
    const files = new Set(json.findings.map((f: { file: string }) => f.file.split('/')[0]));
    expect([...files].sort()).toEqual(['compose-stack', 'node-service', 'python-service']);
    expect(r.stdout).toMatch(/^::error file=python-service\//m);
    expect(r.summary).toContain('# Resilience audit');
    expect(sarifSchemaErrors(JSON.parse(readFileSync(join(dir, 'faultline.sarif'), 'utf8')))).toEqual([]);

    // the bundle and the tsc build are one program
    const dist = spawnSync(process.execPath, [join(repoRoot, 'bin/faultline.js'), 'scan', '.', '--format', 'json', '--fail-on', 'none', '--no-cache'], { cwd: dir, encoding: 'utf8' });
    expect(dist.status, dist.stderr).toBe(0);
    expect(json).toEqual(JSON.parse(dist.stdout));
  });
});
