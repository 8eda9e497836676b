#!/usr/bin/env node
// Benchmark: whole-process scans of a directory, per language, as a user runs them, then the
// whole tree cold (writing the result cache) and again cached (nothing changed).
//   npm run bench -- <dir> [--jobs N] [--select RULES] [--runs N]
//   npm run bench:compare -- <dir>    also Ruff S113 (wasm) on the same Python files
// Prints figures only; machines here are noisy (±30 %), so compare ratios from one run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discover } from '../dist/engine/discover.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '..', 'bin', 'faultline.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const compare = args.includes('--compare');
if (compare) args.splice(args.indexOf('--compare'), 1);
const jobs = opt('--jobs', '2');
const select = opt('--select', undefined);
const runs = Number(opt('--runs', '1'));
const extra = opt('--args', '');
const dir = resolve(args[0] ?? '.');

const found = discover(dir, [dir], { exclude: [], composeNames: [], gitignore: true });
const byLang = { python: [], typescript: [] };
for (const f of found.files) if (byLang[f.kind]) byLang[f.kind].push(f);

function measure(files) {
  let bytes = 0;
  let lines = 0;
  for (const f of files) {
    const t = readFileSync(f.abs);
    bytes += t.length;
    for (let i = 0; i < t.length; i++) if (t[i] === 10) lines++;
  }
  return { files: files.length, bytes, lines };
}

/** Run a command under /usr/bin/time; best wall of `runs`, with its peak RSS. */
function timed(cmd, cmdArgs, before = () => {}) {
  let best;
  for (let i = 0; i < runs; i++) {
    before();
    const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M', cmd, ...cmdArgs], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`no timing from ${cmd}: ${r.stderr.slice(-2000)}`);
    const run = { wall: Number(m[1]), rssMB: Number(m[2]) / 1024, stdout: r.stdout, status: r.status };
    if (!best || run.wall < best.wall) best = run;
  }
  return best;
}

const OTHER = {
  python: ['**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts}', '**/*compose*.{yml,yaml}'],
  typescript: ['**/*.py', '**/*compose*.{yml,yaml}'],
};

const rows = [];
for (const lang of ['python', 'typescript']) {
  if (!byLang[lang].length) continue;
  const m = measure(byLang[lang]);
  const a = ['scan', dir, '--root', dir, '--format', 'json', '--fail-on', 'none', '--jobs', jobs, '--no-cache'];
  for (const g of OTHER[lang]) a.push('--exclude', g);
  if (select) a.push('--select', select);
  if (extra) a.push(...extra.split(' ').filter(Boolean));
  const r = timed(process.execPath, [bin, ...a]);
  const out = JSON.parse(r.stdout);
  rows.push({ tool: `faultline (${lang}, --jobs ${jobs})`, ...m, wall: r.wall, rssMB: r.rssMB, findings: out.findings.length, errors: out.errors.length });
  if (lang === 'python' && compare) {
    const listFile = join(mkdtempSync(join(tmpdir(), 'fl-bench-')), 'files.txt');
    writeFileSync(listFile, byLang.python.map((f) => f.abs).join('\n'));
    const rr = timed(process.execPath, [join(here, 'ruff-s113.mjs'), listFile]);
    const ro = JSON.parse(rr.stdout);
    rows.push({ tool: 'ruff S113 (wasm, 1 process)', ...m, wall: rr.wall, rssMB: rr.rssMB, findings: ro.findings, errors: ro.errors });
  }
}

// Whole tree: cold with the cache written to a temp folder, then the unchanged re-scan.
{
  const all = [...byLang.python, ...byLang.typescript];
  const m = measure(all);
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'fl-bench-cache-')), 'cache');
  const a = ['scan', dir, '--root', dir, '--format', 'json', '--fail-on', 'none', '--jobs', jobs, '--cache', '--cache-dir', cacheDir];
  if (select) a.push('--select', select);
  if (extra) a.push(...extra.split(' ').filter(Boolean));
  const cold = timed(process.execPath, [bin, ...a], () => rmSync(cacheDir, { recursive: true, force: true }));
  const warm = timed(process.execPath, [bin, ...a]);
  if (warm.stdout !== cold.stdout) throw new Error('the cached re-scan printed something else than the cold scan');
  const out = JSON.parse(cold.stdout);
  for (const [name, r] of [['cold, writes cache', cold], ['cached re-scan', warm]])
    rows.push({ tool: `faultline (all, --jobs ${jobs}, ${name})`, ...m, wall: r.wall, rssMB: r.rssMB, findings: out.findings.length, errors: out.errors.length });
  rmSync(cacheDir, { recursive: true, force: true });
}

const fmt = (n, d = 1) => n.toFixed(d);
console.log(`corpus: ${dir}`);
console.log('| run | files | lines | MB | wall s | MB/s | peak RSS MB | findings | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const mb = r.bytes / 1e6;
  console.log(`| ${r.tool} | ${r.files} | ${r.lines} | ${fmt(mb)} | ${fmt(r.wall, 2)} | ${fmt(mb / r.wall)} | ${fmt(r.rssMB, 0)} | ${r.findings} | ${r.errors} |`);
}
const fl = rows.find((r) => r.tool.startsWith('faultline (python'));
const ruff = rows.find((r) => r.tool.startsWith('ruff'));
if (fl && ruff) console.log(`\nthroughput ratio faultline/ruff (python, whole process): ${fmt(ruff.wall / fl.wall, 2)}x`);
