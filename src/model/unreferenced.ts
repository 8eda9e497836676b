// Code nothing calls. A finding inside a function that no file of the repository mentions
// (unstract's `make_http_request`, defined and re-exported but never called; a plugin manager's
// `install_plugin_deps`) describes no running system: readers of set T judged all of them wrong.
//
// Two halves. Each worker digests every file it reads into the hashes of the identifiers it
// mentions outside import lines (`from .request import make_http_request` and `export { x } from`
// only pass a name on), and records, for its own findings, the function each one sits in when
// that function is one a framework cannot call by name (no decorator, not passed as a callback,
// not a lifecycle or convention name, a method only of a class with no base) and nothing else in
// its own file mentions it. The model then looks the candidates up in every other file's digest,
// and in the Dockerfiles, manifests and compose commands that may start one by name. Any mention
// keeps the finding: a name in a string or a comment counts, so a dynamic lookup stays reported.
// A hash collision only ever keeps a finding.
import { posix } from 'node:path';
import type { Finding } from '../engine/types.js';
import type { FileFacts } from '../languages/types.js';

export interface FindingHome {
  /** the function's name, and the lines it spans */
  name: string;
  line: number;
  end: number;
  /**
   * the finding is in the module's own top-level code (`name` is the file's stem): it runs when the
   * module is imported or run as a script, so it is unused when nothing imports or names the file
   */
  module?: true;
  /** TypeScript: the function is not exported, so no other file can call it whatever names it mentions */
  local?: true;
}

const IDENT = /[A-Za-z_$][\w$]{2,}/g;
/** a dash-case module stem (`openai-actions`): named in a string or a loader's path, never as an identifier */
const DASHED = /(?<![\w$-])[A-Za-z][\w$]*(?:-[A-Za-z0-9_$]+)+/g;

/** 32-bit FNV-1a: the digest of an identifier */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A line up to its comment: a `#` or `//` outside quotes (counted, not parsed: good enough to drop prose). */
function cutComment(line: string, marker: '#' | '//'): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (line.startsWith(marker, i)) return line.slice(0, i);
  }
  return line;
}

const uncomment = (text: string, marker: '#' | '//') =>
  text
    .split('\n')
    .map((l) => (l.includes(marker) ? cutComment(l, marker) : l))
    .join('\n');

/**
 * Import statements (and Python's `__all__`), which name a function without calling it, and prose:
 * comments and docstrings ("Ported from prompt-service make_http_request") mention a name without
 * using it.
 */
function withoutImports(text: string, kind: 'python' | 'typescript'): string {
  if (kind === 'python')
    return uncomment(text.replace(/(?<![\w'"])("""|''')[\s\S]*?\1/g, ''), '#')
      .replace(/^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]*\([^)]*\)/gm, '')
      .replace(/^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t][^\n]*(?:\\\n[^\n]*)*/gm, '')
      .replace(/^__all__[ \t]*[+]?=[ \t]*[[(][^\])]*[\])]/gm, '');
  return uncomment(text.replace(/\/\*[\s\S]*?\*\//g, ''), '//')
    .replace(/^[ \t]*import[ \t][^;'"]*?from[ \t]*['"][^'"\n]*['"]/gm, '')
    .replace(/^[ \t]*export[ \t]+(?:type[ \t]+)?(?:\*|\{[^}]*\})[ \t]*from[ \t]*['"][^'"\n]*['"]/gm, '');
}

/** `original as alias` pairs of a file's import lines */
function aliasedImports(text: string, kind: 'python' | 'typescript'): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines = kind === 'python'
    ? text.match(/^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)/gm) ?? []
    : text.match(/^[ \t]*(?:import|export)[ \t][^;'"]*?from[ \t]*['"]/gm) ?? [];
  for (const l of lines) for (const m of l.matchAll(/([A-Za-z_$][\w$]*)\s+as\s+([A-Za-z_$][\w$]*)/g)) if (m[1] !== m[2]) out.push([m[1], m[2]]);
  return out;
}

/** The identifiers a file mentions outside its imports, as base64 of their sorted 32-bit hashes. */
export function identifierDigest(text: string, kind: 'python' | 'typescript'): string {
  const seen = new Set<number>();
  // a file that only defines a function of the same name does not call it (librephotos' sidecar
  // defines its own `unload_model` route; the client's `unload_model` is still called by nobody)
  const code = withoutImports(text, kind).replace(kind === 'python' ? /\bdef[ \t]+[A-Za-z_]\w*/g : /\bfunction\b[ \t]*\*?[ \t]*[A-Za-z_$][\w$]*/g, kind === 'python' ? 'def' : 'function');
  for (const m of code.matchAll(IDENT)) seen.add(hash(m[0]));
  if (kind === 'typescript') for (const m of code.matchAll(DASHED)) seen.add(hash(m[0]));
  // a name imported under another (`from app.raster_utils import export_raster as
  // export_raster_sync`, `import { a as b }`) is used wherever its alias is
  for (const [original, alias] of aliasedImports(text, kind)) if (seen.has(hash(alias))) seen.add(hash(original));
  const arr = Uint32Array.from(seen).sort();
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).toString('base64');
}

function digestSet(digest: string): Uint32Array {
  const buf = Buffer.from(digest, 'base64');
  return new Uint32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
}

/** mentions of `name` as a word; `bare`: not as an attribute (`db.get_table_info()` is another object's method) */
const wordCount = (text: string, name: string, bare = false): number => text.match(new RegExp(`(?<![\\w$${bare ? '.' : ''}])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;

/**
 * The stem of a TS/JS module that can only run by being imported, or undefined when the path says
 * something may load it by convention (a route folder, an entry stem, `[id].ts`, `+page.ts`,
 * `*.config.ts`, a declaration file) or the stem is too short to look up.
 */
export function moduleStem(path: string, loaded: { stems: Set<string>; folders: Set<string> }): string | undefined {
  const base = posix.basename(path);
  if (/\.d\.[cm]?ts$/.test(base) || /\.(config|setup|test|spec|stories|server|worker)\.[cm]?[jt]sx?$/.test(base)) return undefined;
  const stem = base.replace(/\.[cm]?[jt]sx?$/, '');
  if (stem === base || stem.length < 3 || !/^[A-Za-z][\w$]*(?:-[A-Za-z0-9_$]+)*$/.test(stem) || loaded.stems.has(stem)) return undefined;
  if (posix.dirname(path).split('/').some((d) => loaded.folders.has(d.toLowerCase()))) return undefined;
  return stem;
}

/**
 * For each finding of this file, the outermost function it sits in, when no framework can call
 * that function by name and nothing else in the file mentions it.
 * `calledByName`: the catalog's names frameworks call by convention (`main`, `GET`, `upgrade`).
 */
export function findingHomes(facts: FileFacts, lines: number[], text: string, calledByName: Set<string>, path?: string, loadedByName?: Set<string>, loadedFolders?: Set<string>): FindingHome[] {
  const out = new Map<number, FindingHome>();
  const moduleLines = new Map<number, FindingHome>();
  // Python top-level code: a module no framework loads by its file name
  const stem = path && facts.language === 'python' ? posix.basename(path).replace(/\.py$/, '') : undefined;
  const byConvention = !stem || loadedByName?.has(stem) || /^(test_|_)/.test(stem) || posix.basename(path!) !== `${stem}.py`;
  // a TS/JS module no framework loads by its path: its default export and top-level code run only
  // where something imports it (OpenSign's sendMailGmailProvider.js, which nothing imports)
  const tsStem = path && facts.language === 'typescript' ? moduleStem(path, { stems: loadedByName ?? new Set(), folders: loadedFolders ?? new Set() }) : undefined;
  const lang = facts.language;
  let stripped: string | undefined;
  const textLines = text.split('\n');
  const plainBases = lang === 'python' ? /^(object|ABC|abc\.ABC|Generic(\[.*\])?|Protocol)$/ : /^$/;
  const outermost = (id: number | undefined) => {
    let fn = id === undefined ? undefined : facts.functions[id];
    while (fn && fn.parentFunctionId !== undefined) fn = facts.functions[fn.parentFunctionId];
    return fn;
  };
  /** no framework can call `fn` by its name, and no decorator registers it */
  const plain = (fn: FileFacts['functions'][number]): boolean => {
    if (!fn.name || /^__\w+__$/.test(fn.name) || fn.name === 'constructor' || calledByName.has(fn.name)) return false;
    if (fn.argOfCall !== undefined) return false;
    // a member of an object literal is called through the object by whoever holds it (useSend's
    // `{ onData() {…} }` options handed to `new SMTPServer(…)`, an API object's methods)
    if (fn.objectMember) return false;
    if (fn.decorators.some((d) => !/^@?(staticmethod|classmethod)$/.test(d.text))) return false;
    if (fn.classId !== undefined) {
      const cls = facts.classes[fn.classId];
      // a framework subclass's methods are the framework's to call (`get`, `handle`, `render`)
      if (!cls || cls.bases.some((b) => !plainBases.test(b))) return false;
    }
    // `export default function` and a module's entry are loaded, not called by name
    return !/\bexport\s+default\b/.test(textLines[fn.loc.line - 1] ?? '');
  };
  /**
   * The function whose use decides whether `fn` runs: `fn` itself when nothing else in the file
   * mentions it, else the one function all its other mentions are calls from (documenso's
   * `updateFileWithS3`, called only by `updateFile`, which nothing calls), followed outward.
   */
  const homeOf = (fn: FileFacts['functions'][number], seen: Set<number>): FileFacts['functions'][number] | undefined => {
    if (seen.has(fn.id) || !plain(fn)) return undefined;
    seen.add(fn.id);
    stripped ??= withoutImports(text, lang);
    // a Python module-level function is never an attribute of anything in its own module (briefer's
    // `get_table_info(engine)`, beside langchain's `db.get_table_info()` in the same file)
    const mentions = wordCount(stripped, fn.name, lang === 'python' && fn.classId === undefined && fn.parentFunctionId === undefined);
    if (mentions <= 1) return fn;
    // a method: its other mentions must all be `this.name(…)` / `self.name(…)` calls from its own
    // class (pingvin's private `fetchJwk`, called only by `getJwk`, which nothing calls)
    const own = fn.classId !== undefined;
    const calls = facts.calls.filter((c) =>
      own ? /^(this|self)\./.test(c.callee) && c.callee.slice(c.callee.indexOf('.') + 1) === fn.name && outermost(c.scope.functionId)?.classId === fn.classId : c.callee === fn.name,
    );
    if (calls.length !== mentions - 1) return undefined;
    const callers = new Set(calls.map((c) => outermost(c.scope.functionId)?.id));
    if (callers.size !== 1) return undefined;
    const [id] = callers;
    return id === undefined || id === fn.id ? undefined : homeOf(facts.functions[id], seen);
  };
  for (const line of new Set(lines)) {
    // the innermost function holding the line, then out to the one defined at module or class level
    const inner = facts.functions.filter((f) => f.loc.line <= line && line <= f.loc.endLine).sort((a, b) => b.loc.line - a.loc.line)[0];
    const fn = outermost(inner?.id);
    if (!fn && !byConvention && !facts.classes.some((c) => c.loc.line <= line && line <= c.loc.endLine)) {
      moduleLines.set(line, { name: stem!, line, end: line, module: true });
      continue;
    }
    // the whole module: whatever function holds the line, it runs only if something imports the file
    if (tsStem) moduleLines.set(line, { name: tsStem, line, end: line, module: true });
    if (!fn || out.has(fn.id)) continue;
    const home = homeOf(fn, new Set());
    if (!home) continue;
    // a TypeScript function its module does not export is unreachable from any other file
    const exported = [home.loc.line, home.nameLoc.line].some((l) => /^\s*export\b/.test(textLines[l - 1] ?? ''));
    const local = lang === 'typescript' && home.classId === undefined && home.parentFunctionId === undefined && !exported;
    out.set(fn.id, { name: home.name, line: fn.loc.line, end: fn.loc.endLine, ...(local ? { local: true as const } : {}) });
  }
  return [...out.values(), ...moduleLines.values()];
}

/**
 * The findings that sit in a function no other file mentions either. `files` carry each file's
 * digest and homes; `texts` are the other places a name can start code from (Dockerfiles,
 * manifests, compose commands).
 */
export function unreferencedFindings(
  findings: Finding[],
  files: Array<{ rel: string; digest?: string; homes?: FindingHome[] }>,
  texts: string[],
  /** the files some other file imports (their top-level code runs in the importer's process) */
  imported: Set<string> = new Set(),
): Map<Finding, FindingHome> {
  const homesByFile = new Map(files.filter((f) => f.homes?.length).map((f) => [f.rel, f.homes!]));
  const out = new Map<Finding, FindingHome>();
  if (!homesByFile.size) return out;
  // a finding may sit in a function no one calls and in a module no one imports: either makes it unused
  const candidates = new Map<Finding, FindingHome[]>();
  for (const f of findings) {
    const homes = (homesByFile.get(f.file) ?? []).filter((h) => h.line <= f.line && f.line <= h.end && !(h.module && imported.has(f.file)));
    if (homes.length) candidates.set(f, homes);
  }
  if (!candidates.size) return out;
  // hash -> the files (other than its own) that mention a candidate name
  const wanted = new Map<number, Set<string>>();
  for (const hs of candidates.values()) for (const h of hs) wanted.set(hash(h.name), new Set());
  for (const file of files) {
    if (!file.digest) continue;
    for (const h of digestSet(file.digest)) wanted.get(h)?.add(file.rel);
  }
  const elsewhere = texts.join('\n');
  for (const [f, homes] of candidates) {
    const home = homes.find((h) => {
      const mentions = wanted.get(hash(h.name))!;
      if (!h.local && [...mentions].some((rel) => rel !== f.file)) return false;
      return wordCount(elsewhere, h.name) === 0;
    });
    if (home) out.set(f, home);
  }
  return out;
}

/** Whether any of the files mentions `name` outside its imports (a project-wide call such as `job.waitUntilFinished`). */
export function mentionedIn(name: string, files: Array<{ digest?: string }>): boolean {
  const h = hash(name);
  for (const f of files) if (f.digest && digestSet(f.digest).includes(h)) return true;
  return false;
}
