// Modules loaded by a computed name. A plugin registry imports every provider by a name it builds
// at run time (keep's `importlib.import_module(f"keep.providers.{t}_provider.{t}_provider")`), so
// no file imports the providers by name and the model took them for scripts. The pattern keeps
// its literal parts and `{n}` for the n-th distinct interpolation (the same expression twice is
// the same name: `keep.providers.{d}.{d}` names keep/providers/x/x.py, not every module two
// folders down); the model links the importer to every scanned module the pattern can name.
import { posix } from 'node:path';

// `import_module("a.b")`, `import_module(f"a.{x}.b")`, `__import__(f"…")`: the first argument, a
// (f-)string of module characters and `{…}` fields
const PY_DYNAMIC = /\b(?:import_module|__import__)\(\s*f?(["'])((?:[\w.]|\{[^{}"'\n]{1,80}\})+)\1\s*[,)]/g;
// `import(`./jobs/${name}`)`, `require(`./x/${y}.js`)`: a relative template literal
const TS_DYNAMIC = /\b(?:import|require)\(\s*`(\.{1,2}\/(?:[\w./-]|\$\{[^{}`\n]{1,80}\})+)`\s*[,)]/g;

/** The dynamic-import patterns of a file's text (`{n}` for each distinct interpolation), sorted. */
export function dynamicImportPatterns(text: string, language: 'python' | 'typescript'): string[] {
  const out = new Set<string>();
  if (language === 'python') {
    if (!text.includes('import_module(') && !text.includes('__import__(')) return [];
    for (const m of text.matchAll(PY_DYNAMIC)) {
      const pattern = numbered(m[2], /\{([^{}]*)\}/g);
      // a name that is all interpolation (`import_module(name)` in an f-string) says nothing
      if (/^\.*\{/.test(pattern) || !pattern.includes('.')) continue;
      out.add(pattern);
    }
  } else {
    if (!text.includes('`')) return [];
    for (const m of text.matchAll(TS_DYNAMIC)) {
      const pattern = numbered(m[1], /\$\{([^{}]*)\}/g);
      if (/^(\.\.?\/)+\{/.test(pattern)) continue;
      out.add(pattern);
    }
  }
  return [...out].sort();
}

/** each interpolation as `{n}`, n counting distinct expressions (whitespace aside) */
function numbered(text: string, field: RegExp): string {
  const seen = new Map<string, number>();
  return text.replace(field, (_m, expr: string) => {
    const key = expr.replace(/\s+/g, '');
    if (!seen.has(key)) seen.set(key, seen.size);
    return `{${seen.get(key)}}`;
  });
}

const esc = (s: string) => s.replace(/[.+?^$*()|[\]\\]/g, '\\$&');
/** a pattern's `{n}` stays in one folder or module name, and names the same one each time */
function glob(s: string, taken: Set<string>): string {
  return s
    .split(/(\{\d+\})/)
    .map((part) => {
      const n = /^\{(\d+)\}$/.exec(part)?.[1];
      if (n === undefined) return esc(part);
      if (taken.has(n)) return `\\k<v${n}>`;
      taken.add(n);
      return `(?<v${n}>[^/]*)`;
    })
    .join('');
}
/** at most this many modules per pattern: a pattern that names half the tree is no evidence */
const MAX_MATCHES = 2000;

/**
 * The import specifiers a file's dynamic imports name: for each pattern, the scanned modules it
 * can load, written as the file's other imports are (a dotted Python module, a relative TS path),
 * so every reader of `imports` follows them.
 */
export function expandDynamicImports(from: string, patterns: readonly string[], language: 'python' | 'typescript', known: readonly string[]): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    let re: RegExp;
    let spec: (path: string, m: RegExpExecArray) => string;
    if (language === 'python') {
      const dots = /^\.*/.exec(pattern)![0].length;
      const taken = new Set<string>();
      const rest = pattern.slice(dots).split('.').map((part) => glob(part, taken)).join('/');
      if (dots) {
        // relative to the importer's package
        let dir = posix.dirname(from);
        for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
        const base = dir === '.' ? '' : `${esc(dir)}/`;
        re = new RegExp(`^${base}(${rest})(?:\\.py|/__init__\\.py)$`);
      } else {
        // an absolute module: from the scan root or from a package root below it
        re = new RegExp(`(?:^|/)(${rest})(?:\\.py|/__init__\\.py)$`);
      }
      spec = dots
        ? (path) => {
            let dir = posix.dirname(from);
            for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
            const rel = path.replace(/(?:\/__init__)?\.py$/, '').slice(dir === '.' ? 0 : dir.length + 1);
            return '.'.repeat(dots) + rel.replace(/\//g, '.');
          }
        : (_path, m) => m[1].replace(/\//g, '.');
    } else {
      const target = posix.normalize(posix.join(posix.dirname(from), pattern));
      if (target.startsWith('..')) continue;
      const stem = target.replace(/\.(c|m)?[jt]sx?$/, '');
      re = new RegExp(`^(${glob(stem, new Set())})(?:\\.(?:c|m)?[jt]sx?|/index\\.[jt]sx?)$`);
      spec = (path, m) => {
        const rel = posix.relative(posix.dirname(from), m[1]);
        return rel.startsWith('.') ? rel : `./${rel}`;
      };
    }
    let n = 0;
    const found: string[] = [];
    for (const path of known) {
      if (path === from) continue;
      const m = re.exec(path);
      if (!m) continue;
      if (++n > MAX_MATCHES) break;
      found.push(spec(path, m));
    }
    if (n <= MAX_MATCHES) out.push(...found);
  }
  return [...new Set(out)].sort();
}

/**
 * The files with their dynamic imports added to `imports` (new signal objects: the cached
 * signals stay as the file alone gives them, since what a pattern names depends on the others).
 */
export function withDynamicImports<T extends { rel: string; kind: string; signals?: import('./types.js').FileSignals }>(files: T[]): T[] {
  if (!files.some((f) => f.signals?.dynamicImports?.length)) return files;
  const byLanguage = new Map<string, string[]>();
  for (const f of files) {
    const list = byLanguage.get(f.kind) ?? [];
    list.push(f.rel);
    byLanguage.set(f.kind, list);
  }
  return files.map((f) => {
    const patterns = f.signals?.dynamicImports;
    if (!patterns?.length || (f.kind !== 'python' && f.kind !== 'typescript')) return f;
    const extra = expandDynamicImports(f.rel, patterns, f.kind, byLanguage.get(f.kind) ?? []);
    return extra.length ? { ...f, signals: { ...f.signals!, imports: [...new Set([...f.signals!.imports, ...extra])].sort() } } : f;
  });
}
