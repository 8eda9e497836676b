// Result cache: per-file analysis results keyed by the file's content, the rule set (enabled ids
// plus the text of every rule and catalog file), the options that change results, and the
// faultline build. An unchanged re-scan stats every file, finds it in the cache and spawns no
// worker. Files whose size and mtime are unchanged are trusted without reading them, unless they
// were modified so close to when the entry was recorded that the mtime cannot tell (then the
// content hash decides, as git does for "racily clean" files).
//
// Layout: <dir>/results-<key>.json, one file per rule-set key (the newest few are kept), written
// atomically (temp file + rename). A missing, corrupt or unwritable cache only costs speed.
import { createHash, randomBytes } from 'node:crypto';
import {
  lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTasks, type PoolOptions } from './pool.js';
import { BUILTIN_RULES_DIR, checkLoadedRules, loadRules } from './rules.js';
import type { RuleMeta } from './types.js';
import { contentHash, type FileResult, type FileTask, type ProcessorInit } from './process-file.js';

/** bump when what a cached result holds, or the findings the same input gives, changes without a version bump */
const FORMAT = 5;
/** mtimes within this many ms of the time an entry was recorded are not trusted */
export const RACY_MS = 2000;
const KEEP_FILES = 3;

interface Entry {
  size: number;
  mtimeMs: number;
  /** when the entry was recorded (ms since epoch) */
  at: number;
  sha: string;
  result: FileResult;
}

interface CacheFile {
  format: number;
  key: string;
  entries: Record<string, Entry>;
}

/** Results that depend on timing or on the machine are never cached. */
function cacheable(r: FileResult): boolean {
  if (!r.sha) return false;
  const m = r.error?.message ?? '';
  return !/^(analysis exceeded|analysis crashed|internal error|cannot read file)/.test(m);
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

let buildId: string | undefined;
/** The faultline build: the package version plus the size and mtime of every compiled module. */
function faultlineBuild(version: string): string {
  if (buildId) return buildId;
  const h = createHash('sha256').update(version);
  const dist = fileURLToPath(new URL('..', import.meta.url));
  try {
    for (const f of listFiles(dist)) {
      if (!f.endsWith('.js')) continue;
      const st = statSync(f);
      h.update(`\0${relative(dist, f)}\0${st.size}\0${st.mtimeMs}`);
    }
  } catch {
    /* an unlistable install: the version alone */
  }
  return (buildId = h.digest('hex'));
}

/**
 * The rule-set key: faultline version + processor options + every rule and catalog file's text.
 * Independent of where the package is installed, so CI jobs agree on it (shards check it).
 */
export function ruleSetKey(init: ProcessorInit, version: string): string {
  const h = createHash('sha256');
  h.update(`format ${FORMAT}\0${version}\0`);
  h.update(JSON.stringify({ ...init, rulesDir: undefined, preloaded: undefined, ruleIds: [...init.ruleIds].sort() }));
  for (const f of listFiles(init.rulesDir)) {
    if (!/\.(ya?ml|json)$/.test(f)) continue;
    h.update(`\0${relative(init.rulesDir, f)}\0`);
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

/** The cache key: the rule-set key plus the exact faultline build (a rebuilt engine starts afresh). */
export function cacheKey(init: ProcessorInit, version: string): string {
  return createHash('sha256').update(ruleSetKey(init, version)).update(faultlineBuild(version)).digest('hex');
}

export class ResultCache {
  private entries: Record<string, Entry>;
  private dirty = false;
  private readonly file: string;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    entries: Record<string, Entry>,
  ) {
    this.entries = entries;
    this.file = join(dir, `results-${key.slice(0, 24)}.json`);
  }

  static open(dir: string, key: string): ResultCache {
    const file = join(dir, `results-${key.slice(0, 24)}.json`);
    let entries: Record<string, Entry> = {};
    try {
      const data = JSON.parse(readCacheFile(file)) as CacheFile;
      if (data.format === FORMAT && data.key === key && data.entries && typeof data.entries === 'object') entries = data.entries;
    } catch {
      /* none yet, or corrupt: start empty */
    }
    return new ResultCache(dir, key, entries);
  }

  /** stat of each file looked up, taken before analysis reads it */
  private readonly seen = new Map<string, { size: number; mtimeMs: number; at: number }>();

  /** The cached result for a file, if its content is unchanged. */
  lookup(task: FileTask): FileResult | undefined {
    let st;
    try {
      st = statSync(task.abs);
    } catch {
      return undefined;
    }
    const now = Date.now();
    this.seen.set(task.rel, { size: st.size, mtimeMs: st.mtimeMs, at: now });
    const e = this.entries[task.rel];
    if (!e || st.size !== e.size) return undefined;
    if (st.mtimeMs === e.mtimeMs && e.at - st.mtimeMs > RACY_MS) return e.result;
    let sha: string;
    try {
      sha = contentHash(readFileSync(task.abs));
    } catch {
      return undefined;
    }
    if (sha !== e.sha) return undefined;
    this.entries[task.rel] = { ...e, mtimeMs: st.mtimeMs, at: now };
    this.dirty = true;
    return e.result;
  }

  store(task: FileTask, result: FileResult): void {
    const st = this.seen.get(task.rel);
    if (!st || !cacheable(result)) return;
    // the result is copied: the engine decorates findings (blast radius) after analysis
    this.entries[task.rel] = { ...st, sha: result.sha!, result: structuredClone(result) };
    this.dirty = true;
  }

  /** Replace what the model learned about a cached file after analysis (its second-pass signals). */
  refreshSignals(rel: string, signals: FileResult['signals']): void {
    const e = this.entries[rel];
    if (!e || !signals) return;
    e.result = { ...e.result, signals: structuredClone(signals) };
    this.dirty = true;
  }

  /** Write the cache if anything changed; keep the newest few rule-set files. Never throws. */
  save(): void {
    if (!this.dirty) return;
    const data: CacheFile = { format: FORMAT, key: this.key, entries: this.entries };
    if (writeCacheFile(this.dir, this.file, JSON.stringify(data))) this.dirty = false;
  }
}

/**
 * The text of a cache file, which must be a regular file: a link planted in a committed cache
 * directory (to /dev/zero, a FIFO, a file elsewhere) is not followed.
 */
function readCacheFile(file: string): string {
  if (!lstatSync(file).isFile()) throw new Error(`${file} is not a regular file`);
  return readFileSync(file, 'utf8');
}

/** Does anything (a dangling link included) exist at `p`? */
function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write one file of the cache directory atomically (creating the directory, which ignores itself
 * in git) and keep only the newest few files of the same kind. False when it cannot be written
 * (read-only tree, a race with another run): the cache is an optimisation.
 */
function writeCacheFile(dir: string, file: string, text: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    // every write creates a new file ('wx' fails on anything already there, a symlink included),
    // so nothing planted in the directory can redirect a write
    for (const [name, marker] of [
      ['.gitignore', '# faultline result cache: safe to delete\n*\n'],
      ['CACHEDIR.TAG', 'Signature: 8a477f597d28d172789f06886806bc55\n# faultline result cache\n'],
    ]) {
      if (!lexists(join(dir, name))) writeFileSync(join(dir, name), marker, { flag: 'wx' });
    }
    const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, file);
    const kind = /^(\w+)-/.exec(file.slice(dir.length + 1))![1];
    const others = readdirSync(dir)
      .filter((n) => new RegExp(`^${kind}-[0-9a-f]+\\.json$`).test(n) && join(dir, n) !== file)
      .map((n) => ({ p: join(dir, n), t: lstatSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const o of others.slice(KEEP_FILES - 1)) unlinkSync(o.p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The rules of `dir` as `loadRules` returns them, reused from the cache directory while every file
 * of the rules folder (rules, catalog, schema) and the faultline build are unchanged: a cached
 * re-scan then skips parsing the rule YAML. The cache directory may hold anything (a cloned repo
 * can ship one), so the cached rules are validated like rule files; invalid ones are reloaded.
 */
export function loadRulesCached(cacheDir: string | undefined, version: string, dir: string = BUILTIN_RULES_DIR): RuleMeta[] {
  if (!cacheDir) return loadRules(dir);
  const h = createHash('sha256').update(`rules ${FORMAT}\0${faultlineBuild(version)}\0`);
  for (const f of listFiles(dir)) {
    h.update(`\0${relative(dir, f)}\0`);
    h.update(readFileSync(f));
  }
  const file = join(cacheDir, `rules-${h.digest('hex').slice(0, 24)}.json`);
  try {
    return checkLoadedRules(dir, JSON.parse(readCacheFile(file)));
  } catch {
    /* not cached yet, or not a valid copy: load and write it afresh */
  }
  const rules = loadRules(dir);
  writeCacheFile(cacheDir, file, JSON.stringify(rules));
  return rules;
}

/** Keep the project model's second-pass signals of these files in the cache, so a re-scan need not parse them again. */
export function refreshCachedSignals(cacheDir: string, init: ProcessorInit, version: string, results: FileResult[]): void {
  if (!results.length) return;
  const cache = ResultCache.open(cacheDir, cacheKey(init, version));
  for (const r of results) cache.refreshSignals(r.rel, r.signals);
  cache.save();
}

export interface AnalyzeOptions extends PoolOptions {
  /** cache directory (absolute); undefined = no cache */
  cacheDir?: string;
  version: string;
}

/** Analyse source files, reusing cached results; workers only run for the files that changed. */
export async function analyzeFiles(
  tasks: Array<FileTask & { size: number }>,
  init: ProcessorInit,
  opts: AnalyzeOptions,
): Promise<FileResult[]> {
  if (!opts.cacheDir) return runTasks(tasks, init, opts);
  const cache = ResultCache.open(opts.cacheDir, cacheKey(init, opts.version));
  const hits: FileResult[] = [];
  const misses: Array<FileTask & { size: number }> = [];
  for (const t of tasks) {
    const r = cache.lookup(t);
    if (r) hits.push(r);
    else misses.push(t);
  }
  const onProgress = opts.onProgress && ((done: number) => opts.onProgress!(hits.length + done, tasks.length));
  const fresh = await runTasks(misses, init, { ...opts, onProgress });
  const byRel = new Map(misses.map((t) => [t.rel, t]));
  for (const r of fresh) cache.store(byRel.get(r.rel)!, r);
  cache.save();
  return [...hits, ...fresh];
}

/**
 * A JSON value another part of the scan saved under `kind` and `key` (see `storeCachedJson`), or
 * undefined. The caller validates it: the cache directory may hold anything.
 */
export function readCachedJson(cacheDir: string, kind: string, key: string, version: string): unknown {
  const name = createHash('sha256').update(`${kind} ${FORMAT}\0${faultlineBuild(version)}\0${key}`).digest('hex').slice(0, 24);
  try {
    return JSON.parse(readCacheFile(join(cacheDir, `${kind}-${name}.json`)));
  } catch {
    return undefined;
  }
}

export function storeCachedJson(cacheDir: string, kind: string, key: string, version: string, value: unknown): void {
  const name = createHash('sha256').update(`${kind} ${FORMAT}\0${faultlineBuild(version)}\0${key}`).digest('hex').slice(0, 24);
  writeCacheFile(cacheDir, join(cacheDir, `${kind}-${name}.json`), JSON.stringify(value));
}
