#!/usr/bin/env node
// Fuzzer: mutates the repository's own fixture files (Python, TypeScript/JavaScript, compose YAML)
// and runs the whole CLI on them, in batches, as a user would. Every batch must:
//   - exit 0 (never 2, never a signal) within the time limit, with valid JSON, SARIF and Markdown;
//   - list every file its parser rejects in `errors` (the oracle is the parser the engine uses);
//   - never report a crash, an internal error or a blown time budget (those are bugs, even contained;
//     the budget is 30 s here, so only a real hang or a pathological slowdown trips it);
//   - name only files of the batch, as relative paths inside the scanned root.
//
//   npm run fuzz -- [--count N mutations in all, split evenly across languages] [--seed S] [--batch B] [--jobs J] [--keep DIR] [--small]
//
// --small caps long lines at 100 000 characters and nesting at 3 000 levels (the CI test's setting).
// Mutations: deleted lines, inserted garbage, truncation (text and bytes), unbalanced brackets and
// quotes, random bytes, deep nesting, very long lines and long operator chains, swapped lines,
// re-indentation, line-end and BOM changes, splices from another language. Deterministic per seed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { decodeSource, looksMinified } from '../dist/engine/process-file.js';
import { createPythonAdapter } from '../dist/languages/python/index.js';
import { createTypeScriptAdapter } from '../dist/languages/typescript/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..');
const BIN = join(repo, 'bin', 'faultline.js');
const LANGS = ['python', 'typescript', 'yaml'];
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** mulberry32: small, fast, deterministic */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)], range: (lo, hi) => lo + int(hi - lo + 1) };
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

export function loadSeeds(fixturesDir = join(repo, 'fixtures')) {
  const seeds = { python: [], typescript: [], yaml: [] };
  for (const f of walk(fixturesDir)) {
    const ext = extname(f);
    const lang = ext === '.py' ? 'python' : /^\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(ext) ? 'typescript' : /^\.ya?ml$/.test(ext) ? 'yaml' : null;
    if (lang && !f.endsWith('.d.ts')) seeds[lang].push({ path: relative(fixturesDir, f), ext, text: readFileSync(f, 'utf8') });
  }
  return seeds;
}

const GARBAGE = ['@@', '$$$', '\\', ':::', '=>', '??', '<<<', '#!', '%', '^&*', 'lambda', 'def', 'class', 'import', 'from', 'async', 'await',
  'yield', 'function', 'interface', 'enum', '<T>', '</div>', '...', '- - -', '? ', '&anchor', '*alias', '!!binary', '\t', '\u00a0', '\u2028', '🔥', '\0'];
const OPEN = ['(', '[', '{', '"', "'", '`', '"""', "'''", '/*', '${', '<'];
const CLOSE = [')', ']', '}', '*/', '>', '"'];

/** The mutators: each takes lines/text and returns a new text or Buffer. */
const MUTATORS = {
  deleteLines(t, r) {
    const lines = t.split('\n');
    const n = r.range(1, Math.min(8, lines.length));
    const at = r.int(lines.length);
    lines.splice(at, n);
    return lines.join('\n');
  },
  insertGarbage(t, r) {
    const lines = t.split('\n');
    const g = Array.from({ length: r.range(1, 6) }, () => r.pick(GARBAGE)).join(r.pick(['', ' ', '  ']));
    lines.splice(r.int(lines.length + 1), 0, r.next() < 0.5 ? g : ' '.repeat(r.int(9)) + g);
    return lines.join('\n');
  },
  truncate(t, r) {
    return t.slice(0, r.int(t.length + 1));
  },
  truncateBytes(t, r) {
    const b = Buffer.from(t, 'utf8');
    return b.subarray(0, r.int(b.length + 1));
  },
  unbalance(t, r) {
    let s = t;
    for (let i = r.range(1, 5); i > 0; i--) {
      const at = r.int(s.length + 1);
      s = s.slice(0, at) + (r.next() < 0.7 ? r.pick(OPEN) : r.pick(CLOSE)) + s.slice(at);
    }
    return s;
  },
  randomBytes(t, r) {
    const b = Buffer.from(t, 'utf8');
    const n = r.range(1, 64);
    const junk = Buffer.from(Array.from({ length: n }, () => (r.next() < 0.8 ? 0x80 + r.int(128) : r.int(256))));
    const at = r.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(Math.min(b.length, at + r.int(n)))]);
  },
  deepNesting(t, r, lang, _others, big) {
    const n = r.pick(big ? [64, 256, 1000, 3000, 10000] : [64, 256, 1000, 3000]);
    const balanced = r.next() < 0.7;
    const [o, c] = r.pick([['(', ')'], ['[', ']'], ['{', '}']]);
    let line;
    if (lang === 'yaml') {
      line = r.next() < 0.5 ? `deep: ${'['.repeat(n)}${balanced ? ']'.repeat(n) : ''}` : Array.from({ length: Math.min(n, 400) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    } else if (lang === 'python') {
      line = r.next() < 0.5 ? `x = ${o.repeat(n)}1${balanced ? c.repeat(n) : ''}` : Array.from({ length: Math.min(n, 200) }, (_, i) => `${' '.repeat(i)}if x:`).join('\n') + `\n${' '.repeat(Math.min(n, 200))}pass`;
    } else {
      line = r.next() < 0.5 ? `const x = ${o.repeat(n)}1${balanced ? c.repeat(n) : ''};` : `${'function f() {'.repeat(Math.min(n, 2000))}${balanced ? '}'.repeat(Math.min(n, 2000)) : ''}`;
    }
    const lines = t.split('\n');
    lines.splice(r.int(lines.length + 1), 0, line);
    return lines.join('\n');
  },
  longLine(t, r, lang, _others, big) {
    const n = r.pick(big ? [10_000, 100_000, 400_000] : [10_000, 40_000, 100_000]);
    const kind = r.int(3);
    let line;
    if (kind === 0) line = `${lang === 'typescript' ? 'const s = ' : lang === 'yaml' ? 's: ' : 's = '}"${'a'.repeat(n)}"`;
    else if (kind === 1) line = `${lang === 'typescript' ? 'const y = ' : lang === 'yaml' ? 'y: ' : 'y = '}${Array.from({ length: n / 4 }, () => '1').join(' + ')}`;
    else line = `${lang === 'yaml' ? 'z: ' : ''}requests.get(url${', a'.repeat(n / 4)})`;
    const lines = t.split('\n');
    lines.splice(r.int(lines.length + 1), 0, line);
    return lines.join('\n');
  },
  swapLines(t, r) {
    const lines = t.split('\n');
    for (let i = r.range(1, 4); i > 0; i--) {
      const a = r.int(lines.length);
      const b = r.int(lines.length);
      [lines[a], lines[b]] = [lines[b], lines[a]];
    }
    return lines.join('\n');
  },
  reindent(t, r) {
    return t
      .split('\n')
      .map((l) => (r.next() < 0.2 ? ' '.repeat(r.int(7)) + l.trimStart() : r.next() < 0.05 ? '\t' + l : l))
      .join('\n');
  },
  lineEnds(t, r) {
    const s = r.pick([t.replace(/\n/g, '\r\n'), t.replace(/\n/g, '\r'), t.replace(/\n/g, '\u2028')]);
    return r.next() < 0.5 ? '\ufeff' + s : s;
  },
  splice(t, r, _lang, others) {
    const o = r.pick(others).text;
    const at = r.int(t.length + 1);
    const from = r.int(o.length + 1);
    return t.slice(0, at) + o.slice(from, from + r.range(1, 400)) + t.slice(at);
  },
};
const NAMES = Object.keys(MUTATORS);

/** One mutant: 1-3 mutations applied to one seed. */
export function mutate(seed, lang, r, others, big = true) {
  let cur = seed.text;
  const applied = [];
  for (let i = r.range(1, 3); i > 0; i--) {
    const name = r.pick(NAMES);
    const text = typeof cur === 'string' ? cur : cur.toString('latin1');
    cur = MUTATORS[name](text, r, lang, others, big);
    applied.push(name);
  }
  return { data: typeof cur === 'string' ? Buffer.from(cur, 'utf8') : cur, applied };
}

let adapters;
async function parserRejects(lang, rel, buf) {
  if (buf.length > MAX_FILE_BYTES) return false;
  const text = decodeSource(buf);
  if (text === null) return false; // binary: skipped with a count, not an error
  if (lang === 'yaml') return parseDocument(text, { merge: true, prettyErrors: false, uniqueKeys: false }).errors.length > 0;
  if (lang === 'typescript' && looksMinified(text)) return false; // skipped with a count
  adapters ??= { python: await createPythonAdapter(), typescript: await createTypeScriptAdapter() };
  try {
    return adapters[lang].extract(rel, text).hasSyntaxErrors;
  } catch (e) {
    // this thread's stack is smaller than a worker's: deep nesting that overflows here may parse there
    return !(e instanceof RangeError);
  }
}

/**
 * Run the fuzzer. Returns figures and failures; never throws for a finding (the caller decides).
 * Python and TS mutants start with a `faultline:` marker comment so every rule's text gate lets
 * them through to the parser (files no rule wants are not parsed, so could not be in `errors`).
 */
export async function runFuzz({ count = 300, seed = 1, batch = 300, jobs = 2, keep, langs = LANGS, budgetS = 30, big = true, timeoutMs = 600_000, log = () => {} } = {}) {
  const seeds = loadSeeds();
  const r = rng(seed);
  const started = Date.now();
  const failures = [];
  const figures = { mutants: 0, batches: 0, errors: 0, byLang: {}, byMutator: {} };
  const plan = [];
  for (let i = 0; i < count; i++) plan.push(langs[i % langs.length]);
  for (let b = 0; b < plan.length; b += batch) {
    const root = mkdtempSync(join(tmpdir(), 'faultline-fuzz-'));
    const files = [];
    for (const [k, lang] of plan.slice(b, b + batch).entries()) {
      const others = seeds[lang === 'python' ? 'typescript' : lang === 'typescript' ? 'yaml' : 'python'];
      const s = r.pick(seeds[lang]);
      const { data, applied } = mutate(s, lang, r, others, big);
      const id = String(b + k).padStart(6, '0');
      const marker = lang === 'python' ? '# faultline: fuzz\n' : lang === 'typescript' ? '// faultline: fuzz\n' : '';
      const body = Buffer.concat([Buffer.from(marker), data]);
      const rel = lang === 'yaml' ? `y${id}/compose.yaml` : `m${id}${s.ext}`;
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), body);
      files.push({ rel, lang, seed: s.path, applied, body });
      for (const a of applied) figures.byMutator[a] = (figures.byMutator[a] ?? 0) + 1;
      figures.byLang[lang] = (figures.byLang[lang] ?? 0) + 1;
    }
    figures.mutants += files.length;
    figures.batches++;
    const sarif = join(root, '..', `${root.split('/').pop()}.sarif`);
    const md = join(root, '..', `${root.split('/').pop()}.md`);
    const t0 = Date.now();
    const run = spawnSync(
      process.execPath,
      [BIN, 'scan', root, '--root', root, '--format', 'json', '--fail-on', 'none', '--no-cache', '--jobs', String(jobs),
        '--file-budget', String(budgetS), '--sarif', sarif, '--markdown', md, '--no-progress'],
      { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs, env: { ...process.env, CI: '1' } },
    );
    const fail = (what, file) => {
      const saved = keep ? resolve(keep, `batch-${figures.batches}`) : root;
      failures.push({ what, file: file?.rel, seed: file?.seed, mutations: file?.applied, dir: saved });
    };
    log(`batch ${figures.batches}: ${files.length} mutants, exit ${run.status ?? run.signal}, ${Date.now() - t0} ms`);
    let out;
    if (run.error || run.status !== 0) fail(`scan exited ${run.status ?? run.signal}${run.error ? ` (${run.error.message})` : ''}: ${run.stderr.slice(-800)}`);
    else {
      try {
        out = JSON.parse(run.stdout);
        JSON.parse(readFileSync(sarif, 'utf8'));
        if (!readFileSync(md, 'utf8').trim()) throw new Error('empty Markdown report');
      } catch (e) {
        fail(`invalid report: ${e.message}`);
      }
    }
    if (out) {
      const byRel = new Map(files.map((f) => [f.rel, f]));
      const errored = new Set(out.errors.map((e) => e.file));
      figures.errors += out.errors.length;
      for (const e of out.errors) {
        if (/^(analysis exceeded|analysis crashed|internal error)/.test(e.message)) fail(`${e.message}`, byRel.get(e.file) ?? { rel: e.file });
      }
      for (const p of [...out.findings.map((f) => f.file), ...out.errors.map((e) => e.file)]) {
        if (isAbsolute(p) || p.startsWith('..') || !byRel.has(p)) fail(`output names a path outside the batch: ${p}`);
      }
      for (const f of files) {
        if (!errored.has(f.rel) && (await parserRejects(f.lang, f.rel, f.body))) fail('the parser rejects this file but it is not in errors', f);
      }
    }
    if (keep && failures.some((f) => f.dir.endsWith(`batch-${figures.batches}`))) cpSync(root, resolve(keep, `batch-${figures.batches}`), { recursive: true });
    rmSync(root, { recursive: true, force: true });
    rmSync(sarif, { force: true });
    rmSync(md, { force: true });
  }
  return { ...figures, failures, seconds: (Date.now() - started) / 1000 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i < 0 ? dflt : args[i + 1];
  };
  const seed = Number(opt('--seed', String(Date.now() % 100000)));
  const res = await runFuzz({
    count: Number(opt('--count', '900')),
    seed,
    batch: Number(opt('--batch', '500')),
    jobs: Number(opt('--jobs', '2')),
    keep: opt('--keep', join(tmpdir(), 'faultline-fuzz-failures')),
    langs: opt('--lang', LANGS.join(',')).split(','),
    big: !args.includes('--small'),
    log: (s) => console.error(s),
  });
  const { failures, ...fig } = res;
  console.log(JSON.stringify({ seed, ...fig, failures: failures.length }, null, 2));
  for (const f of failures.slice(0, 50)) console.log(`FAIL ${f.what}\n  file ${f.file ?? '-'} (from ${f.seed ?? '-'}, ${f.mutations?.join('+') ?? '-'}) in ${f.dir}`);
  process.exit(failures.length ? 1 : 0);
}
