// tsconfig `paths` and `baseUrl`, resolved by the TypeScript compiler's own module resolution
// (`ts.resolveModuleName`), so `@/lib/api`, `~/server/db` or `@app/shared` find the scanned file the
// project's compiler would. Only the config files are read (and what they `extends` inside the
// scan root); the host answers file questions from the set of scanned files, never from disk.
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
  options: TS.CompilerOptions;
  /** the `paths` patterns' fixed prefixes (`@shared/` of `@shared/*`) and exact keys */
  prefixes: string[];
  exact: Set<string>;
  /** baseUrl relative to the scan root, when set */
  base?: string;
  /** answers per specifier: a mapping does not depend on the importing folder */
  memo: Map<string, string | undefined>;
}

const MAX_BYTES = 1024 * 1024;
const EXTS = ['.ts', '.tsx', '.js', '.jsx', '.mts', '.mjs', '.d.ts'];

export class TsPaths {
  private readonly byDir = new Map<string, Config | null>();
  private readonly configDirs: Set<string>;
  private readonly nearest = new Map<string, Config | undefined>();
  private knownDirs?: Set<string>;

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
    const r = tsc().resolveModuleName(spec, join(this.rootAbs, from), cfg.options, host).resolvedModule;
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
      found = c && (c.options.paths || c.options.baseUrl) ? c : undefined;
    } else if (dir !== '') found = this.configFor(posix.dirname(dir) === '.' ? '' : posix.dirname(dir));
    this.nearest.set(dir, found);
    return found;
  }

  private load(dir: string): Config | null {
    if (this.byDir.has(dir)) return this.byDir.get(dir)!;
    const abs = join(this.rootAbs, dir, 'tsconfig.json');
    const inside = (p: string) => { const r = relative(this.rootAbs, p); return !r.startsWith('..') && !isAbsolute(r); };
    const readFile = (p: string) => {
      if (!inside(p)) return undefined;
      try {
        if (statSync(p).size > MAX_BYTES) return undefined;
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
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
    this.byDir.set(dir, cfg);
    return cfg;
  }
}

function folders(known: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const f of known) for (let d = posix.dirname(f); d !== '.' && !out.has(d); d = posix.dirname(d)) out.add(d);
  return out;
}
