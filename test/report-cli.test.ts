// The reporting side of the CLI: several outputs in one run, --format markdown|sarif|github,
// --min-priority, init, progress and the GitHub link base.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitLinkBase, githubLinkBase, githubRunUrl, gitPrefix, prepareReport, startProgress, STARTER_CONFIG, webUrlOfRemote } from '../src/cli/reports.js';
import { useColor } from '../src/cli/main.js';
import { loadConfig } from '../src/config/load.js';
import { runCli } from './helpers.js';
import { sampleResult, sarifSchemaErrors } from './report-helpers.js';

const repoRoot = resolve(import.meta.dirname, '..');
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repoRoot });
}, 120_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'web'));
  writeFileSync(
    join(dir, 'web/client.ts'),
    [
      "import axios from 'axios';",
      'export const orders = axios.create({ baseURL: "http://orders" });',
      'export async function user(id: string) {',
      '  return fetch(`http://users/${id}`);',
      '}',
      '',
    ].join('\n'),
  );
  return dir;
}

const cli = (dir: string, args: string[], env: Record<string, string> = {}) => runCli(args, dir, env);

describe('CLI reports', () => {
  it('writes SARIF, Markdown and JSON beside the terminal output in one run', async () => {
    const dir = project();
    const r = await cli(dir, ['scan', '--sarif', 'out/f.sarif', '--markdown', 'out/f.md', '--json', 'out/f.json', '--fail-on', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/web\/client\.ts:2:\d+: P1 FL101/);
    const json = JSON.parse(readFileSync(join(dir, 'out/f.json'), 'utf8'));
    const sarif = JSON.parse(readFileSync(join(dir, 'out/f.sarif'), 'utf8'));
    const md = readFileSync(join(dir, 'out/f.md'), 'utf8');
    expect(json.findings.length).toBeGreaterThanOrEqual(1);
    expect(sarif.runs[0].results).toHaveLength(json.findings.length);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    // no repository URL to link to: the links lead from out/ back to the scanned file
    expect(md).toContain('[`web/client.ts:2`](../web/client.ts#L2)');
    const main = await cli(dir, ['scan', '--format', 'markdown', '-o', 'reports/deep/audit.md', '--fail-on', 'none']);
    expect(main.code, main.stderr).toBe(0);
    expect(readFileSync(join(dir, 'reports/deep/audit.md'), 'utf8')).toContain('(../../web/client.ts#L2)');
    const beside = await cli(dir, ['scan', '--format', 'markdown', '-o', 'audit.md', '--fail-on', 'none']);
    expect(beside.code, beside.stderr).toBe(0);
    expect(readFileSync(join(dir, 'audit.md'), 'utf8')).toContain('(web/client.ts#L2)');
    // the same run, the same bytes: --format json on stdout equals --json FILE
    const again = await cli(dir, ['scan', '--format', 'json', '--fail-on', 'none']);
    expect(again.stdout).toBe(readFileSync(join(dir, 'out/f.json'), 'utf8'));
  });

  it('prints markdown, sarif and github formats to stdout', async () => {
    const dir = project();
    const md = await cli(dir, ['scan', '-f', 'markdown', '--fail-on', 'none']);
    expect(md.stdout).toMatch(/^# Resilience audit\n/);
    const sarif = await cli(dir, ['scan', '-f', 'sarif', '--fail-on', 'none', '--sarif-category', 'svc']);
    expect(JSON.parse(sarif.stdout).runs[0].automationDetails).toEqual({ id: 'svc/' });
    const gh = await cli(dir, ['scan', '-f', 'github', '--fail-on', 'P1']);
    expect(gh.code).toBe(1);
    expect(gh.stdout).toMatch(/^::warning file=web\/client\.ts,line=2,/m);
  });

  it('--min-priority filters every output and what --fail-on counts', async () => {
    const dir = project();
    const all = JSON.parse((await cli(dir, ['scan', '-f', 'json', '--fail-on', 'none'])).stdout);
    const top = await cli(dir, ['scan', '-f', 'json', '--min-priority', 'p0', '--fail-on', 'P2']);
    const kept = JSON.parse(top.stdout).findings;
    expect(kept.every((f: { priority: string }) => f.priority === 'P0')).toBe(true);
    expect(kept.length).toBe(all.findings.filter((f: { priority: string }) => f.priority === 'P0').length);
    expect((await cli(dir, ['scan', '--min-priority', 'P5'])).code).toBe(2);
  });

  it('`baseline` then `--baseline` reports only new findings', async () => {
    const dir = project();
    expect((await cli(dir, ['baseline'])).code).toBe(0);
    expect(existsSync(join(dir, '.faultline-baseline.json'))).toBe(true);
    expect((await cli(dir, ['scan', '--baseline', '.faultline-baseline.json'])).code).toBe(0);
    writeFileSync(join(dir, 'web/more.ts'), "import axios from 'axios';\nexport const more = axios.create({});\n");
    const r = await cli(dir, ['scan', '-f', 'json', '--baseline', '.faultline-baseline.json', '--fail-on', 'P1']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['web/more.ts']);
    expect((await cli(dir, ['scan', '--baseline', 'missing.json'])).stderr).toMatch(/does not exist/);
  });

  it('init writes a starter config that loads, and will not overwrite it', async () => {
    const dir = project();
    expect((await cli(dir, ['init'])).code).toBe(0);
    expect(readFileSync(join(dir, '.faultline.yml'), 'utf8')).toBe(STARTER_CONFIG);
    expect(loadConfig(join(dir, '.faultline.yml'))).toMatchObject({ 'fail-on': 'P1', tests: 'skip' });
    expect((await cli(dir, ['init'])).code).toBe(2);
    expect((await cli(dir, ['init', '--force'])).code).toBe(0);
    // the commented examples are valid too once uncommented
    const uncommented = STARTER_CONFIG.replace(/^(\s*)# ((?:select|priorities|catalog):.*|\s+\S.*)$/gm, '$1$2');
    writeFileSync(join(dir, 'full.yml'), uncommented);
    expect(loadConfig(join(dir, 'full.yml'))).toMatchObject({ priorities: { FL101: 'P1' }, catalog: [{ role: 'http.request' }] });
    expect((await cli(dir, ['scan', '--config', 'full.yml', '--fail-on', 'none'])).code).toBe(0);
  });
});

describe('colour', () => {
  it('honours NO_COLOR, FORCE_COLOR, TERM=dumb and the terminal', async () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });

  it('colours piped text output only when forced', async () => {
    const dir = project();
    const ansi = /\x1b\[/;
    expect((await cli(dir, ['scan', '--fail-on', 'none'])).stdout).not.toMatch(ansi);
    expect((await cli(dir, ['scan', '--fail-on', 'none'], { FORCE_COLOR: '1' })).stdout).toMatch(ansi);
    expect((await cli(dir, ['scan', '--fail-on', 'none'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toMatch(ansi);
  });
});

describe('CLI report helpers', () => {
  it('shows progress only on a TTY, outside CI, after the delay, and clears it', async () => {
    let written = '';
    let t = 0;
    const tty = { isTTY: true, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const p = startProgress({ env: {}, stderr: tty }, true, 2000, () => t);
    p.update(1, 10);
    expect(written).toBe('');
    t = 2500;
    p.update(5, 10);
    t = 2550;
    p.update(6, 10); // throttled
    p.update(10, 10); // the last one always draws
    p.stop();
    expect(written).toBe('\r\x1b[Kfaultline: 5/10 files\r\x1b[Kfaultline: 10/10 files\r\x1b[K');
    for (const [env, stream] of [
      [{ CI: 'true' }, tty],
      [{ GITHUB_ACTIONS: 'true' }, tty],
      [{}, { ...tty, isTTY: false }],
    ] as const) {
      written = '';
      t = 0;
      const q = startProgress({ env, stderr: stream as NodeJS.WriteStream }, true, 0, () => (t += 1000));
      q.update(1, 2);
      q.stop();
      expect(written).toBe('');
    }
  });

  it('builds GitHub blob links only inside Actions', async () => {
    expect(githubLinkBase({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc', GITHUB_SERVER_URL: 'https://ghe.example/' })).toBe('https://ghe.example/o/r/blob/abc/');
    expect(githubLinkBase({ GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc' })).toBeUndefined();
    expect(githubRunUrl({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42' })).toBe('https://github.com/o/r/actions/runs/42');
  });

  it('builds blob links from the git remote when HEAD is pushed, or from --link-base', async () => {
    expect(webUrlOfRemote('git@github.com:o/r.git')).toBe('https://github.com/o/r');
    expect(webUrlOfRemote('https://user@gitlab.com/g/s/r.git')).toBe('https://gitlab.com/g/s/r');
    expect(webUrlOfRemote('ssh://git@host:22/o/r.git')).toBe('https://host/o/r');
    expect(webUrlOfRemote('/some/path')).toBeUndefined();
    const dir = project();
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...a], { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'x');
    git('remote', 'add', 'origin', 'git@github.com:o/r.git');
    expect(gitLinkBase(dir)).toBeUndefined(); // not pushed: links would 404
    const sha = git('rev-parse', 'HEAD').trim();
    git('update-ref', 'refs/remotes/origin/main', sha);
    expect(gitLinkBase(dir)).toBe(`https://github.com/o/r/blob/${sha}/`);
    const { extras } = prepareReport(sampleResult(), { linkBase: 'https://x.example/blob/1' }, dir, { cwd: dir, env: {} });
    expect(extras.linkBase).toBe('https://x.example/blob/1/');
  });

  it('writes the pull-request summary form and cuts terminal lines unless --verbose', async () => {
    const dir = project();
    const r = await cli(dir, ['scan', '--markdown-summary', 'out/pr.md', '--report-url', 'https://ci.example/run/1', '--fail-on', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const pr = readFileSync(join(dir, 'out/pr.md'), 'utf8');
    expect(pr).toMatch(/^# Resilience audit \(summary\)\n/);
    expect(pr).toContain('**Full report:** [ci.example/run/1](https://ci.example/run/1)');
    expect(pr.length).toBeLessThan(60_000);
    const v = await cli(dir, ['scan', '--verbose', '--fail-on', 'none']);
    expect(v.stdout).toMatch(/^web\/client\.ts:2:\d+: P1 FL101/m);
  });

  it('finds the scan root inside the repository', async () => {
    const dir = project();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    expect(gitPrefix(join(dir, 'web'))).toBe('web/');
    expect(gitPrefix(dir)).toBe('');
  });

  it('applies --min-priority and records notes', async () => {
    const { result, extras } = prepareReport(sampleResult(), { minPriority: 'P0' }, tmpdir(), { cwd: tmpdir(), env: {} });
    expect(result.findings.map((f) => f.priority)).toEqual(['P0', 'P0']);
    expect(extras.notes).toEqual(['Findings below P0 not shown: 2.']);
  });
});
