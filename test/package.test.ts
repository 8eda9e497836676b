// The npm package as a user gets it, end to end and offline: `npm pack` in a fresh clone (no
// install, no build), then `npm i -g` of that tarball and of a git URL, each into its own prefix,
// and the installed `faultline` scans a fixture tree. The package runs the committed bundle and
// has no dependencies, so neither install needs the registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'faultline-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// npm run by `npm test` exports its config (npm_config_*) to the scripts it runs: not to ours
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const npm = (cwd: string, ...args: string[]) =>
  execFileSync('npm', [...args, '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env, encoding: 'utf8' });

function scanWith(prefix: string, tree: string) {
  const bin = join(prefix, 'bin', 'faultline');
  expect(existsSync(bin), `${bin} was not installed`).toBe(true);
  const run = spawnSync(bin, ['scan', '.', '--format', 'json', '--fail-on', 'P0'], { cwd: tree, env: { ...env, CI: 'true' }, encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr, report: run.stdout ? JSON.parse(run.stdout) : undefined };
}

it('npm pack from a fresh clone installs from the tarball and from the git URL, and both scan', () => {
  const clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', repoRoot, clone]);

  const [packed] = JSON.parse(npm(clone, 'pack', '--json', '--pack-destination', work)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = packed.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['bin/faultline.js', 'action-dist/action/main.js', 'action-dist/action/worker.js',
    'action-dist/action/tree-sitter-python.wasm', 'action-dist/action/web-tree-sitter.wasm', 'rules/rule.schema.json', 'LICENSE', 'package.json']));
  expect(files.filter((f) => /^(src|dist|test|fixtures|node_modules)\//.test(f))).toEqual([]);

  const tree = join(work, 'tree');
  cpSync(join(repoRoot, 'fixtures/_samples/python-service'), join(tree, 'python-service'), { recursive: true });
  cpSync(join(repoRoot, 'fixtures/_samples/node-service'), join(tree, 'node-service'), { recursive: true });

  const fromTarball = join(work, 'prefix-tarball');
  npm(work, 'install', '--global', '--prefix', fromTarball, join(work, packed.filename));
  const a = scanWith(fromTarball, tree);
  expect(a.code, a.stderr).toBe(1);
  expect(a.report.errors).toEqual([]);
  expect(a.report.findings.some((f: { file: string; priority: string }) => f.file.startsWith('python-service/') && f.priority === 'P0')).toBe(true);
  expect(a.report.findings.some((f: { file: string }) => f.file.startsWith('node-service/'))).toBe(true);

  const fromGit = join(work, 'prefix-git');
  npm(work, 'install', '--global', '--prefix', fromGit, `git+file://${clone}`);
  const b = scanWith(fromGit, tree);
  expect(b.code, b.stderr).toBe(1);
  expect(b.report).toEqual(a.report);
}, 120_000);
