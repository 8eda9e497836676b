// tsconfig `paths` and `baseUrl`, resolved by the TypeScript compiler's own module resolution
// (`ts.resolveModuleName`), so `@/lib/api`, `~/server/db` or `@app/shared` find the scanned file the
// project's compiler would. Only the config files are read (and what they `extends` inside the
// scan root); the host answers file questions from the set of scanned files, never from disk.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import type * as TS from 'typescript';

// loaded on first use: a repo without path-mapping tsconfigs never pays for the compiler here
let compiler: typeof TS | undefined;
const tsc = (): typeof TS => (compiler ??= createRequire(import.meta.url)('typescript') as typeof TS);

interface Config {
  /** folder of the tsconfig, relative POSIX ('' = root) */
  dir: string;
  /** unset for a config taken from the cache: parsed (with the compiler) on the first new specifier */
  options?: TS.CompilerOptions;
  /** the `paths` patterns' fixed prefixes (`@shared/` of `@shared/*`) and exact keys */
  prefixes: string[];
  exact: Set<string>;
  /** baseUrl relative to the scan root, when set */
  base?: string;
  /** answers per specifier: a mapping does not depend on the importing folder */
  memo: Map<string, string | undefined>;
}

/**
 * What a scan learnt about the mappings, kept in the result cache: a re-scan whose tsconfig files
 * (and what they `extends`) and file list are unchanged answers every specifier it met before
 * without loading the compiler (≈170 ms of a cached re-scan).
 */
export interface TsPathsMemo {
  /** content hash of every config file read, by path relative to the root */
  reads: Record<string, string>;
  /** per tsconfig folder: null when it maps nothing */
  configs: Record<string, null | { prefixes: string[]; exact: string[]; base?: string; memo: Array<[string, string | null]> }>;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

const MAX_BYTES = 1024 * 1024;
const EXTS = ['.ts', '.tsx', '.js', '.jsx', '.mts', '.mjs', '.d.ts'];

export class TsPaths {
  private readonly byDir = new Map<string, Config | null>();
  private readonly configDirs: Set<string>;
  private readonly nearest = new Map<string, Config | undefined>();
  private knownDirs?: Set<string>;
  /** config files read, with their content hash (what a cached memo is checked against) */
  private readonly reads = new Map<string, string>();
  private cached?: TsPathsMemo;
  private changed = false;

  constructor(
    private readonly rootAbs: string,
    tsconfigs: string[],
  ) {
    this.configDirs = new Set(tsconfigs.map((t) => (posix.dirname(t) === '.' ? '' : posix.dirname(t))));
  }

  get empty(): boolean {
    return this.configDirs.size === 0;
  }

  /** The scanned file a non-relative specifier names through the nearest tsconfig's paths/baseUrl. */
  resolve(from: string, spec: string, known: Set<string>): string | undefined {
    const cfg = this.configFor(posix.dirname(from) === '.' ? '' : posix.dirname(from));
    if (!cfg) return undefined;
    if (cfg.memo.has(spec)) return cfg.memo.get(spec);
    this.changed = true;
    const dirs = (this.knownDirs ??= folders(known));
    const rel = (abs: string) => relative(this.rootAbs, abs).split(sep).join('/');
    // most bare specifiers are packages: skip the compiler unless a pattern or the baseUrl could map it
    const first = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    const underBase = cfg.base !== undefined && (dirs.has(posix.join(cfg.base, first)) || [...EXTS].some((e) => known.has(posix.join(cfg.base!, first) + e)));
    if (!underBase && !cfg.exact.has(spec) && !cfg.prefixes.some((p) => spec.startsWith(p))) {
      cfg.memo.set(spec, undefined);
      return undefined;
    }
    const host: TS.ModuleResolutionHost = {
      fileExists: (abs) => known.has(rel(abs)),
      directoryExists: (abs) => { const r = rel(abs); return r === '' || dirs.has(r); },
      readFile: () => undefined,
      realpath: (p) => p,
      getCurrentDirectory: () => this.rootAbs,
    };
    const options = (cfg.options ??= this.parse(cfg.dir)?.options ?? {});
    const r = tsc().resolveModuleName(spec, join(this.rootAbs, from), options, host).resolvedModule;
    const hit = r && !r.isExternalLibraryImport ? rel(r.resolvedFileName) : undefined;
    const out = hit && known.has(hit) ? hit : undefined;
    cfg.memo.set(spec, out);
    return out;
  }

  /** the nearest tsconfig above a folder that maps specifiers (has `paths` or `baseUrl`) */
  private configFor(dir: string): Config | undefined {
    if (this.nearest.has(dir)) return this.nearest.get(dir);
    let found: Config | undefined;
    if (this.configDirs.has(dir)) {
      const c = this.load(dir);
      // the nearest tsconfig decides, as the editor's does; one without mappings maps nothing
      found = c ?? undefined;
    } else if (dir !== '') found = this.configFor(posix.dirname(dir) === '.' ? '' : posix.dirname(dir));
    this.nearest.set(dir, found);
    return found;
  }

  /**
   * Take a memo a previous scan saved, when the files it was learnt from are the same: the file
   * list (`known`) and every config file it read, byte for byte. Call before the first `resolve`.
   */
  adopt(memo: unknown, known: Set<string>): void {
    this.cached = undefined;
    if (!isMemo(memo)) return;
    for (const [rel, h] of Object.entries(memo.reads)) {
      const text = this.readInside(join(this.rootAbs, rel));
      if (text === undefined || sha(text) !== h) return;
    }
    if (Object.keys(memo.configs).some((d) => !this.configDirs.has(d))) return;
    this.cached = memo;
    this.knownDirs ??= folders(known);
  }

  /** What this scan learnt, to save when `dirty`; undefined when the cached memo was complete. */
  memo(): TsPathsMemo | undefined {
    if (!this.changed && this.cached) return undefined;
    const configs: TsPathsMemo['configs'] = {};
    for (const [dir, c] of this.byDir) {
      configs[dir] = c ? { prefixes: c.prefixes, exact: [...c.exact], ...(c.base !== undefined ? { base: c.base } : {}), memo: [...c.memo].map(([k, v]) => [k, v ?? null]) } : null;
    }
    return { reads: Object.fromEntries([...this.reads].sort(([a], [b]) => (a < b ? -1 : 1))), configs };
  }

  private readInside(p: string): string | undefined {
    const r = relative(this.rootAbs, p);
    if (r.startsWith('..') || isAbsolute(r)) return undefined;
    try {
      if (statSync(p).size > MAX_BYTES) return undefined;
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** a mapping config of a folder: from the adopted memo, else parsed */
  private load(dir: string): Config | null {
    if (this.byDir.has(dir)) return this.byDir.get(dir)!;
    const c = this.cached?.configs[dir];
    if (c !== undefined) {
      const cfg: Config | null = c && {
        dir,
        prefixes: c.prefixes,
        exact: new Set(c.exact),
        ...(c.base !== undefined ? { base: c.base } : {}),
        memo: new Map(c.memo.map(([k, v]) => [k, v ?? undefined])),
      };
      this.byDir.set(dir, cfg);
      return cfg;
    }
    this.changed = true;
    const cfg = this.parse(dir);
    this.byDir.set(dir, cfg);
    return cfg;
  }

  /** the tsconfig of a folder read with the compiler; null when it maps nothing */
  private parse(dir: string): Config | null {
    const abs = join(this.rootAbs, dir, 'tsconfig.json');
    const readFile = (p: string) => {
      const text = this.readInside(p);
      if (text !== undefined) this.reads.set(relative(this.rootAbs, p).split(sep).join('/'), sha(text));
      return text;
    };
    let cfg: Config | null = null;
    const text = readFile(abs);
    if (text !== undefined) {
      const json = tsc().parseConfigFileTextToJson(abs, text);
      if (json.config) {
        const host: TS.ParseConfigHost = {
          useCaseSensitiveFileNames: true,
          // the file list is the scan's business: never walk `include` globs
          readDirectory: () => [],
          fileExists: (p) => readFile(p) !== undefined,
          readFile,
        };
        const parsed = tsc().parseJsonConfigFileContent(json.config, host, dirname(abs), undefined, abs);
        const keys = Object.keys(parsed.options.paths ?? {});
        const baseUrl = parsed.options.baseUrl;
        if (!parsed.options.paths && !parsed.options.baseUrl) return null;
        cfg = {
          dir,
          options: parsed.options,
          prefixes: keys.filter((k) => k.includes('*')).map((k) => k.slice(0, k.indexOf('*'))),
          exact: new Set(keys.filter((k) => !k.includes('*'))),
          ...(baseUrl ? { base: relative(this.rootAbs, baseUrl).split(sep).join('/') } : {}),
          memo: new Map(),
        };
      }
    }
    return cfg;
  }
}

function isMemo(v: unknown): v is TsPathsMemo {
  if (!v || typeof v !== 'object') return false;
  const m = v as TsPathsMemo;
  if (!m.reads || typeof m.reads !== 'object' || !m.configs || typeof m.configs !== 'object') return false;
  if (!Object.values(m.reads).every((h) => typeof h === 'string')) return false;
  const strs = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  return Object.values(m.configs).every(
    (c) =>
      c === null ||
      (typeof c === 'object' && strs(c.prefixes) && strs(c.exact) && (c.base === undefined || typeof c.base === 'string') &&
        Array.isArray(c.memo) && c.memo.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && (e[1] === null || typeof e[1] === 'string'))),
  );
}

function folders(known: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const f of known) for (let d = posix.dirname(f); d !== '.' && !out.has(d); d = posix.dirname(d)) out.add(d);
  return out;
}
