// What a file imports, in the forms the engine matches on: the gates (before a file is parsed),
// the code summaries the compose pack and the project model read (after), and the tests' stand-ins
// for both. The imports come either from the adapter (ImportFact is an ImportRef) or, before a
// parse is paid for, from the file's import lines (`readImports`).
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import type { Language } from './types.js';

type CodeLanguage = Exclude<Language, 'compose'>;

/** One import: the module as written (TS/JS without `node:`) and, for a named import, the name. */
export interface ImportRef {
  module: string;
  name?: string;
}

const PY_IMPORT = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b([^\n#;]*)|import[ \t]+([^\n#;]+))/gm;
const TS_IMPORT = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(?\s*)['"]([^'"\n]+)['"]/g;

/** the first word of each comma-separated item: `a as b, (c` -> a, c */
function importedWords(list: string): string[] {
  const out: string[] = [];
  for (const item of list.split(',')) {
    const name = item.trim().split(/\s+as\s+|\s/)[0].replace(/[()\\]/g, '');
    if (name) out.push(name);
  }
  return out;
}

/**
 * The imports on a file's import lines, read from the text without parsing. Python: `import a.b,
 * c as d` and `from a.b import x, y` (names on the first line only); TS/JS: the specifier of
 * every `from '…'`, `import '…'`, `import('…')` and `require('…')`, without `node:` (no names).
 * Strings and comments that look like import lines count too: this is a cheap pre-parse answer.
 */
export function readImports(text: string, language: CodeLanguage): ImportRef[] {
  const out: ImportRef[] = [];
  if (language === 'python') {
    for (const m of text.matchAll(PY_IMPORT)) {
      if (m[1]) {
        const names = importedWords(m[2]);
        if (names.length === 0) out.push({ module: m[1] });
        for (const name of names) out.push({ module: m[1], name });
      } else {
        for (const module of importedWords(m[3])) out.push({ module });
      }
    }
  } else {
    for (const m of text.matchAll(TS_IMPORT)) out.push({ module: m[1].replace(/^node:/, '') });
  }
  return out;
}

let compiler: typeof TS | undefined;
/**
 * TS/JS imports read by the compiler's pre-processor (`import … from`, `export … from`,
 * `import()`, `require()`): it scans tokens, so an import written inside a string or a template
 * literal (a code sample on a docs page) is not one. Dearer than `readImports`; for confirming a hit.
 */
export function scannedImports(text: string): ImportRef[] {
  compiler ??= createRequire(import.meta.url)('typescript') as typeof TS;
  return compiler.preProcessFile(text, true, true).importedFiles.map((f) => ({ module: f.fileName.replace(/^node:/, '') }));
}

const isRelative = (module: string): boolean => module.startsWith('.') || module.startsWith('/');

/** `@scope/pkg/sub` -> `@scope/pkg`, `pkg/sub` -> `pkg` */
function packageOf(module: string): string {
  const parts = module.split('/');
  return module.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** What a file imports; each view is computed on first use. */
export class FileImports {
  private mods?: Set<string>;
  private pkgs?: Set<string>;
  private qualified?: Set<string>;

  constructor(
    private readonly refs: readonly ImportRef[],
    private readonly language: CodeLanguage,
  ) {}

  /**
   * Every module a gate can name. Python: each dotted prefix of the module (`a`, `a.b` for
   * `from a.b import x`); TS/JS: the specifier and its package (`@aws-sdk/client-s3/x` also gives
   * `@aws-sdk/client-s3`). Relative modules are kept as written.
   */
  get modules(): Set<string> {
    if (this.mods) return this.mods;
    const out = new Set<string>();
    for (const { module } of this.refs) {
      if (this.language === 'python') {
        const parts = module.split('.');
        for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
      } else {
        out.add(module);
        out.add(packageOf(module));
      }
    }
    return (this.mods = out);
  }

  /** Top-level packages, relative imports left out: `requests`, `django`, `pg`, `@nestjs/common`. */
  get packages(): Set<string> {
    if (this.pkgs) return this.pkgs;
    const out = new Set<string>();
    for (const { module } of this.refs) {
      if (isRelative(module)) continue;
      out.add(this.language === 'python' ? module.split('.')[0] : packageOf(module));
    }
    return (this.pkgs = out);
  }

  /** `module.name` for a named import, the module for a whole-module one; relative imports left out. */
  get names(): Set<string> {
    if (this.qualified) return this.qualified;
    const out = new Set<string>();
    for (const { module, name } of this.refs) {
      if (!module.startsWith('.')) out.add(name ? `${module}.${name}` : module);
    }
    return (this.qualified = out);
  }
}

/** What a file imports, from its ImportFacts or from `readImports`. */
export function fileImports(refs: readonly ImportRef[], language: CodeLanguage): FileImports {
  return new FileImports(refs, language);
}
