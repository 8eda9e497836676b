#!/usr/bin/env node
// `npm test [-- args]`: build when the sources changed since the last build this script made, then
// run vitest with the args. Rule ids or names among the args (`npm test -- FL101`,
// `npm test -- http-call-without-timeout FL102`) run only those rules' fixtures and docs examples:
// they become FAULTLINE_RULES and the two test files that read it. Everything else goes to vitest
// unchanged (file filters, -t, --reporter, ...). See CONTRIBUTING.md, "Tests".
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// what the last build made by this script was built from (tmp/ is git-ignored and never packed)
const STAMP = join(ROOT, 'tmp', 'test-build-stamp.json');
const RULE_TESTS = ['test/fixtures.test.ts', 'test/rules.meta.test.ts'];
/** vitest options whose value is the next argument (so `-t FL101` stays a name filter) */
const TAKES_VALUE = new Set(['-t', '--testNamePattern', '-c', '--config', '-r', '--root', '--dir', '--reporter', '--outputFile', '--project', '--shard', '--maxWorkers', '--pool', '--exclude', '--environment', '--retry', '--bail', '--testTimeout']);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** rule id (upper case) and name -> id, read from the rule files' `id:` and `name:` lines */
function ruleRefs() {
  const refs = new Map();
  for (const f of files(join(ROOT, 'rules'))) {
    if (!/\.ya?ml$/.test(f) || relative(join(ROOT, 'rules'), f).startsWith('catalog')) continue;
    const text = readFileSync(f, 'utf8');
    const id = /^id:\s*["']?(FL\d+)/m.exec(text)?.[1];
    const name = /^name:\s*["']?([a-z0-9-]+)/m.exec(text)?.[1];
    if (id) refs.set(id.toUpperCase(), id);
    if (id && name) refs.set(name, id);
  }
  return refs;
}

/** What the build reads: the sources, the compiler settings, the scripts and the locked toolchain. */
function buildInputsHash() {
  const h = createHash('sha256');
  const inputs = [...files(join(ROOT, 'src')), ...['tsconfig.json', 'package.json', 'package-lock.json'].map((f) => join(ROOT, f))].filter(existsSync).sort();
  for (const f of inputs) h.update(`${relative(ROOT, f)}\0`).update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** The newest module in dist/: a build by anything else (npm run build:dist, tsc --watch) moves it. */
function distMtime() {
  const dist = join(ROOT, 'dist');
  return existsSync(dist) ? Math.max(0, ...files(dist).filter((f) => f.endsWith('.js')).map((f) => statSync(f).mtimeMs)) : 0;
}

/** dist/ is exactly what this script last built from these inputs, with a module for every source */
function distFresh(hash) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  if (stamp.hash !== hash || stamp.distMtime !== distMtime()) return false;
  return files(join(ROOT, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .every((f) => existsSync(join(ROOT, 'dist', relative(join(ROOT, 'src'), f)).replace(/\.ts$/, '.js')));
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.signal) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}

const args = process.argv.slice(2);
const refs = ruleRefs();
const rules = [];
const rest = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (TAKES_VALUE.has(a) && i + 1 < args.length) {
    rest.push(a, args[++i]);
    continue;
  }
  const id = a.startsWith('-') ? undefined : (refs.get(a) ?? refs.get(a.toUpperCase()));
  if (id) rules.push(id);
  else if (/^FL\d+$/i.test(a)) {
    console.error(`npm test: unknown rule "${a}"`);
    process.exit(2);
  } else rest.push(a);
}

const hash = buildInputsHash();
if (distFresh(hash)) {
  console.log('npm test: dist/ is up to date with src/, skipping the build');
} else {
  const status = run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:dist']);
  if (status !== 0) process.exit(status);
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  writeFileSync(STAMP, JSON.stringify({ hash, distMtime: distMtime() }) + '\n');
}

const env = { ...process.env };
const vitestArgs = ['run', ...rest];
if (rules.length) {
  env.FAULTLINE_RULES = [...new Set(rules)].join(',');
  vitestArgs.push(...RULE_TESTS.filter((t) => !rest.includes(t)));
  console.log(`npm test: only ${env.FAULTLINE_RULES} (fixtures and docs examples)`);
}
process.exit(run(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), ...vitestArgs], env));
