// Worker side of the project model: what one file says about where it runs and what it sets for
// its whole process. Pure function of the file's text, its imports and (when parsed) its facts;
// the result is cached with the file's analysis, so a re-scan rebuilds the model without parsing.
import picomatch from 'picomatch';
import { fileImports, scannedImports } from '../languages/imports.js';
import { dynamicImportPatterns } from './dynamic-imports.js';
import type { Catalog } from '../catalog/index.js';
import type { RuntimeContext } from '../engine/types.js';
import type { FileFacts } from '../languages/types.js';
import type { FileSignals, ProcessDefault } from './types.js';
import { settingWrites, valueText as sharedValueText } from '../engine/analysis/task-frameworks.js';
import { brokerFile } from '../engine/analysis/retry-middlewares.js';
import { processErrorHandlers } from '../engine/analysis/process-handlers.js';
import { offlineQueueMembers } from '../engine/analysis/offline-queues.js';

export type { ContextModuleEntry } from '../catalog/types.js';

// Directives and entry shapes: syntax every framework agrees on, not library knowledge.
const MAIN_GUARD = /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m;
/** a DOM global: not a property of something else (`dom.window.document` is JSDOM's, in Node) */
const DOM = /(?<![\w$.])(window|document|localStorage|sessionStorage|navigator)\.[a-zA-Z]/g;
/** the file binds the name itself (`const document = res.value`, `(document: Doc) =>`): not the DOM global */
const bindsName = (text: string, name: string) =>
  new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b|[(,]\\s*${name}\\s*\\??\\s*:|\\b${name}\\s*=>|\\(\\s*${name}\\s*\\)\\s*=>`).test(text);
/** DOM globals the file uses without binding the name itself */
function usesDomGlobals(text: string): boolean {
  const names = new Set<string>();
  for (const m of text.matchAll(DOM)) names.add(m[1]!);
  return [...names].some((n) => !bindsName(text, n));
}

/**
 * The first directive of a module's prologue (`"use client"`), after any comments and blank
 * space. A linear scan: a regex with alternated comment forms backtracked exponentially on
 * webpack bundles whose lines start with slash-star comments (20 s for a 6 KB file).
 */
export function leadingDirective(text: string): string | undefined {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      if (end < 0) return undefined;
      i = end + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else break;
  }
  const quote = text[i];
  if (quote !== '"' && quote !== "'") return undefined;
  const end = text.indexOf(quote, i + 1);
  return end < 0 ? undefined : text.slice(i + 1, end);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
interface EntryTests { language: 'python' | 'typescript'; context: RuntimeContext; why: string; base?: RegExp; main?: RegExp }
/** the catalog's `context-entry-shapes` as regexes, built once per catalog */
const entryTests = new WeakMap<Catalog, EntryTests[]>();
function entryShapes(catalog: Catalog): EntryTests[] {
  let out = entryTests.get(catalog);
  if (out) return out;
  out = catalog.section('context-entry-shapes').map((e) => ({
    language: e.language,
    context: e.context,
    why: e.why,
    // Django finds a command by the class name `Command`; its base may be a project subclass
    base: e.baseClasses?.length ? new RegExp(`^class\\s+Command\\s*\\(\\s*(?:${e.baseClasses.map((b) => `[\\w.]*${escape(b)}`).join('|')})\\s*\\)\\s*:`, 'm') : undefined,
    // `.run_polling` is any receiver's method; `uvicorn.run` is that name (a word boundary before it)
    main: e.mainBlockCalls?.length ? new RegExp(`(?:${e.mainBlockCalls.map((c) => (c.startsWith('.') ? escape(c) : `\\b${escape(c)}`)).join('|')})\\s*\\(`) : undefined,
  }));
  entryTests.set(catalog, out);
  return out;
}

function moduleMatches(imported: Set<string>, module: string): boolean {
  return imported.has(module);
}

const callTests = new Map<string, RegExp>();
/** the text calls one of `names` (`useState(`, `React.useState<T>(`) */
function callsAny(text: string, names: string[]): boolean {
  const key = names.join('|');
  let re = callTests.get(key);
  if (!re) callTests.set(key, (re = new RegExp(`(?<![\\w$])(?:${key})\\s*(?:<[^>()]*>\\s*)?\\(`)));
  return re.test(text);
}

/** The context marks and imports a file carries, from its text and its imported modules. */
export function fileSignals(
  text: string,
  language: 'python' | 'typescript',
  modules: Set<string>,
  specifiers: string[],
  catalog: Catalog,
): FileSignals {
  const marks: FileSignals['marks'] = [];
  let mainBlock: FileSignals['mainBlock'];
  if (language === 'typescript') {
    const directive = leadingDirective(text);
    if (directive === 'use client') marks.push({ context: 'browser', strength: 'strong', why: '"use client" directive' });
    else if (directive === 'use server') marks.push({ context: 'service', strength: 'strong', why: '"use server" directive' });
  } else {
    const shapes = entryShapes(catalog).filter((e) => e.language === language);
    for (const e of shapes) if (e.base?.test(text)) marks.push({ context: e.context, strength: 'strong', why: e.why });
    const guard = MAIN_GUARD.exec(text);
    if (guard) {
      const tail = text.slice(guard.index);
      const starts = shapes.find((e) => e.main?.test(tail));
      if (starts) marks.push({ context: starts.context, strength: 'strong', why: starts.why });
      else {
        marks.push({ context: 'cli', strength: 'strong', why: '`if __name__ == "__main__"` entry script' });
        mainBlock = guardBlock(text, guard.index);
      }
    }
  }
  // the import lines are read from the text, so a code sample in a template literal (a docs page
  // showing `import { after } from 'next/server'`) looks like an import: a TS/JS hit is confirmed
  // with the compiler's scanner, which knows strings from code
  let scanned: Set<string> | undefined;
  const confirmed = (m: string) => language !== 'typescript' || moduleMatches((scanned ??= fileImports(scannedImports(text), 'typescript').modules), m);
  for (const e of catalog.section('context-modules')) {
    if (e.language !== language) continue;
    const hit = e.modules.find((m) => moduleMatches(modules, m) && confirmed(m));
    if (hit && e.calls && !callsAny(text, e.calls)) continue;
    if (hit) marks.push({ context: e.context, strength: e.strength, why: `${e.why} (${hit})` });
  }
  if (language === 'typescript' && usesDomGlobals(text)) marks.push({ context: 'browser', strength: 'weak', why: 'uses DOM globals (window, document, localStorage)' });
  // `#!/usr/bin/env node`: a file run as a command. Weak: a server framework import still decides
  // (Express's `bin/www` starts the server behind a shebang)
  if (/^#![^\n]*\b(?:node|python[\d.]*|bun|deno|tsx|ts-node)\b/.test(text)) marks.push({ context: 'cli', strength: 'weak', why: 'an executable script (`#!` line)' });
  // a module whose top level loops forever is a daemon, not a command that returns (Mailu's
  // core/nginx/letsencrypt.py: `while True:` renewing certificates, sleeping a day between rounds)
  if (language === 'python' && /^while\s+(?:True|1)\s*:/m.test(text)) marks.push({ context: 'service', strength: 'weak', why: 'loops forever at module level (a daemon)' });
  const dynamic = dynamicImportPatterns(text, language);
  const names = language === 'python' ? pythonImportNames(text) : [];
  // `require(file)`, `import(path.join(dir, name))`: a module loaded by a name the text does not hold
  const computed = language === 'typescript' && /\b(?:require|import)\(\s*(?![`'"\s)])/.test(text);
  return {
    imports: [...new Set(specifiers)].sort(),
    marks,
    ...(mainBlock ? { mainBlock } : {}),
    ...(language === 'python' && devGuardTest(catalog)?.test(text) ? devOnlyFunctions(text, devGuardTest(catalog)!) : {}),
    ...(dynamic.length ? { dynamicImports: dynamic } : {}),
    ...(names.length ? { importNames: names } : {}),
    ...(computed ? { computedLoads: true as const } : {}),
  };
}

const devGuardTests = new WeakMap<Catalog, RegExp | null>();
/** `if not <setting>:` for the catalog's `dev-guards`, alone on its line or with its raise/return */
function devGuardTest(catalog: Catalog): RegExp | null {
  let re = devGuardTests.get(catalog);
  if (re === undefined) {
    const names = catalog.section('dev-guards').flatMap((g) => g.settings);
    re = names.length ? new RegExp(`^\\s*if\\s+not\\s+(${names.map(escape).join('|')})\\s*:\\s*(?:(?:raise|return)\\b.*)?$`, 'm') : null;
    devGuardTests.set(catalog, re);
  }
  return re;
}

/**
 * Python functions whose first statement turns every caller away unless a debug or dev setting is
 * on (WebODM's `dev_tools` view: `if not settings.DEV: raise Http404()`): code a production
 * process never runs past its first line.
 */
function devOnlyFunctions(text: string, guard: RegExp): { devOnly?: Array<{ line: number; end: number; guard: string }> } {
  const lines = text.split('\n');
  const out: Array<{ line: number; end: number; guard: string }> = [];
  const indent = (l: string) => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const def = /^(\s*)(?:async\s+)?def\s+\w+/.exec(lines[i]);
    if (!def) continue;
    const at = def[1].length;
    let j = i + 1;
    // the signature's continuation lines, then a docstring
    while (j < lines.length && !/:\s*(?:#.*)?$/.test(lines[j - 1])) j++;
    while (j < lines.length && !lines[j].trim()) j++;
    if (/^\s*[rbuRBU]?("""|\'\'\')/.test(lines[j] ?? '')) {
      const q = /("""|\'\'\')/.exec(lines[j])![1];
      const closesHere = lines[j].split(q).length > 2;
      if (!closesHere) while (++j < lines.length && !lines[j].includes(q));
      j++;
      while (j < lines.length && !lines[j].trim()) j++;
    }
    const g = guard.exec(lines[j] ?? '');
    if (!g || indent(lines[j]) <= at) continue;
    // the guard's own body turns the caller away (`raise Http404()`, `return HttpResponseNotFound()`)
    if (!/(?:raise|return)\b/.test(lines[j]) && !/^\s*(?:raise|return)\b/.test(lines[j + 1] ?? '')) continue;
    let end = j + 1;
    for (let k = j + 1; k < lines.length; k++) {
      if (!lines[k].trim() || lines[k].trimStart().startsWith('#')) continue;
      if (indent(lines[k]) <= at) break;
      end = k + 1;
    }
    out.push({ line: i + 1, end, guard: `${lines[j].trim().replace(/:\s*$/, ':')}` });
  }
  return out.length ? { devOnly: out } : {};
}

/** The lines of the `if __name__ == "__main__":` block starting at `at`: up to the next line at column 0 that is code. */
function guardBlock(text: string, at: number): { line: number; end: number } {
  const before = text.slice(0, at).split('\n').length;
  const lines = text.slice(at).split('\n');
  let end = before;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (/^\S/.test(l) && !l.startsWith('#')) break;
    if (l.trim()) end = before + i;
  }
  return { line: before, end };
}

/**
 * Settings this file writes that bound later calls of a library anywhere in the process:
 * catalog knobs with `setByAssignment` (`axios.defaults.timeout = 5000`) or `setByCall`
 * (`socket.setdefaulttimeout(10)`). The knob reader already honours them inside one file; the
 * model carries them to the other files of the same process.
 */
const settingsMatchers = new WeakMap<string[], (path: string) => boolean>();
function settingsPath(globs: string[]): (path: string) => boolean {
  let m = settingsMatchers.get(globs);
  if (!m) settingsMatchers.set(globs, (m = globs.length ? picomatch(globs, { dot: true }) : () => false));
  return m;
}

const localUrlTests = new WeakMap<Catalog, RegExp | null>();
/**
 * A URL of an in-process database (catalog `sqlalchemy-dialects` with `local: true`: `sqlite://`,
 * `sqlite+aiosqlite://`): a module that writes one as a setting is parsed for the model even when
 * no rule wants it (`processDefaults`' `local-db-url-<NAME>`).
 */
export function localDbUrlTest(catalog: Catalog): RegExp | null {
  let re = localUrlTests.get(catalog);
  if (re === undefined) {
    const schemes = catalog.section('sqlalchemy-dialects').filter((d) => d.local).flatMap((d) => d.schemes);
    re = schemes.length ? new RegExp(`\\b(?:${schemes.map(escape).join('|')}):\\/\\/`) : null;
    localUrlTests.set(catalog, re);
  }
  return re;
}

export function processDefaults(facts: FileFacts, catalog: Catalog, text?: string): ProcessDefault[] {
  const out: ProcessDefault[] = [];
  const seen = new Set<string>();
  const add = (d: ProcessDefault) => {
    const k = `${d.library}\0${d.knob}\0${d.line}`;
    if (!seen.has(k)) (seen.add(k), out.push(d));
  };
  const byAssignment: Array<{ root: string; path: string; knob: string; disabledBy: unknown[] }> = [];
  const byCall = new Map<string, { root: string; knob: string }>();
  for (const api of catalog.apis) {
    if (api.language !== facts.language) continue;
    for (const [name, knob] of Object.entries(api.knobs ?? {})) {
      const roots = new Set(api.match.map((m) => m.split(/[.(]/)[0]).filter((r) => r && !r.includes('*') && !r.includes('{')));
      for (const path of knob.setByAssignment ?? []) for (const root of roots) byAssignment.push({ root, path, knob: name, disabledBy: knob.disabledBy ?? [] });
      for (const c of knob.setByCall ?? []) for (const root of roots) byCall.set(`${c}\0${root}`, { root, knob: name });
    }
  }
  for (const a of facts.assignments) {
    if (!a.qualified || a.scope.functionId !== undefined && a.scope.inLoop) continue;
    for (const s of byAssignment) {
      if (a.qualified !== `${s.root}.${s.path}`) continue;
      const v = a.value;
      const lit = v.kind === 'number' || v.kind === 'string' || v.kind === 'boolean' ? v.value : v.kind === 'null' ? null : undefined;
      // a value written in an if/else branch may not be the one in force (a switch-off still counts)
      const state = lit === undefined ? 'unknown' : s.disabledBy.includes(lit) || lit === 0 || lit === null ? 'disabled' : a.scope.inBranch ? 'unknown' : 'set';
      add({ library: s.root, knob: s.knob, text: `${a.target} = ${valueText(v)}`, state, line: a.loc.line });
    }
  }
  // Django settings the whole process reads (EMAIL_TIMEOUT in settings/base.py counts for settings/production.py)
  const django = catalog.section('django-settings')[0];
  if (django?.processSettings?.length && facts.language === 'python') {
    const top = facts.assignments.filter((a) => a.scope.functionId === undefined && a.scope.classId === undefined);
    if (top.some((a) => django.markers?.includes(a.target)) || settingsPath(django.settingsPaths)(facts.path)) {
      for (const a of top) {
        if (!django.processSettings.includes(a.target)) continue;
        const v = a.value;
        const state = v.kind === 'null' || (v.kind === 'number' && v.value <= 0) ? 'disabled' : v.kind === 'number' && !a.scope.inBranch ? 'set' : 'unknown';
        add({ library: 'django', knob: a.target, text: `${a.target} = ${valueText(v)}`, state, line: a.loc.line });
      }
    }
  }
  // task-framework settings the whole worker process reads (Celery task_time_limit written in a
  // celeryconfig module, in Django settings, or by another module's app.conf)
  for (const fw of catalog.entries('task-frameworks', facts.language)) {
    const library = fw.app.constructor.split('.')[0];
    for (const setting of fw.app.processSettings ?? []) {
      for (const w of settingWrites(facts, fw, setting)) {
        if (w.state === 'absent' || w.state === 'opaque') continue;
        add({ library, knob: setting, text: w.text, state: w.state, line: w.line });
      }
    }
  }
  // process-wide error handlers (catalog `process-error-handlers`: `process.on('uncaughtException',
  // …)`): one process object, so they hold for every module the process loads, the workspace
  // packages it depends on included (`global`); 'disabled' = the handler exits or rethrows
  for (const h of processErrorHandlers(facts, catalog, text)) {
    const does = h.event === 'uncaught-exception' ? 'keeps the process running after an uncaught exception' : 'keeps the process running after an unhandled promise rejection';
    add({ library: 'process', knob: h.event, text: h.text, state: h.state, line: h.line, global: true, ...(h.state === 'set' ? { does } : {}) });
  }
  // clients this module makes importable whose commands wait out an outage (a class extending
  // ioredis and its static members built with maxRetriesPerRequest: null), by exported name
  for (const m of offlineQueueMembers(facts, catalog)) add({ library: 'offline-queue', knob: 'waits-forever', text: m.name, state: 'set', line: m.line, internal: true });
  for (const d of frameworkDefaults(facts, catalog)) add(d);
  // a setting written at module level as the URL of an in-process database (kotaemon's
  // flowsettings.py: `KH_DATABASE = f"sqlite:///{…}"`): an engine built on that setting by name
  // talks to a local file
  const localUrl = facts.language === 'python' ? localDbUrlTest(catalog) : null;
  if (localUrl) {
    for (const a of facts.assignments) {
      if (a.scope.functionId !== undefined || a.scope.classId !== undefined || a.scope.inBranch || !/^[A-Z][A-Z0-9_]*$/.test(a.target)) continue;
      const v = a.value;
      // (an f-string by its text after the prefix and quote: the scheme is its literal start)
      const url = v.kind === 'string' ? v.value : v.kind === 'other' ? v.text.replace(/^[fFrRbB]{1,2}(?=["'])/, '').replace(/^["']{1,3}/, '') : '';
      const m = localUrl.exec(url);
      if (m?.index === 0) add({ library: 'settings', knob: `local-db-url-${a.target}`, text: `${a.target} = ${valueText(v)}`, state: 'set', line: a.loc.line, internal: true });
    }
  }
  // a caller that reads the failure key of what a task returned (`res = AsyncResult(id); if
  // res.get().get('error')`): a task that returns `{'error': …}` reports its failure to someone
  for (const fw of catalog.entries('task-frameworks', facts.language)) {
    const readers = (fw.resultReaders ?? []).map((r) => new RegExp(r));
    const keys = new Set(fw.resultErrorKeys ?? []);
    if (!keys.size || !facts.calls.some((c) => readers.some((r) => r.test(c.callee)))) continue;
    const library = fw.app.constructor.split('.')[0];
    for (const c of facts.calls) {
      const key = c.args[0]?.kind === 'string' ? c.args[0].value : undefined;
      if (key && keys.has(key) && /\.get$/.test(c.callee)) add({ library, knob: `result-key-${key}`, text: `${c.callee}(${JSON.stringify(key)})`, state: 'set', line: c.loc.line, internal: true });
    }
  }
  for (const d of retryMiddlewareDefaults(facts, catalog)) add(d);
  for (const c of facts.calls) {
    if (!c.qualified) continue;
    for (const [key, s] of byCall) {
      if (!key.startsWith(`${c.qualified}\0`)) continue;
      const first = c.args[0];
      const state = !first ? 'unknown' : first.kind === 'null' ? 'disabled' : first.kind === 'number' ? (first.value > 0 ? 'set' : 'disabled') : 'unknown';
      add({ library: s.root, knob: s.knob, text: `${c.callee}(${first ? valueText(first) : ''})`, state, line: c.loc.line });
    }
  }
  return out.sort((x, y) => x.line - y.line || (x.library < y.library ? -1 : 1));
}

/**
 * Task-framework settings every worker of the process reads (catalog `task-frameworks`, app
 * `settings`: Celery's `task_acks_late`): written in the file that builds the app (constructor
 * keywords, `app.conf.update(...)`, `app.conf.<setting> = …`), or at module level in a Django
 * settings or celeryconfig module (`CELERY_TASK_ACKS_LATE = True`). library = the framework,
 * knob = the setting (`celery` / `acks-late`); 'set' = on, 'disabled' = off. The app's own
 * module-level name is recorded as knob `app` (text = the name).
 */
function frameworkDefaults(facts: FileFacts, catalog: Catalog): ProcessDefault[] {
  const out: ProcessDefault[] = [];
  const stateOf = (v: FileFacts['assignments'][number]['value'], branch?: boolean): ProcessDefault['state'] => {
    const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
    // turned on in an if/else branch: it may not run
    if (lit.kind === 'boolean') return lit.value ? (branch ? 'unknown' : 'set') : 'disabled';
    if (lit.kind === 'null') return 'disabled';
    return 'unknown';
  };
  for (const fw of catalog.entries('task-frameworks', facts.language)) {
    const app = fw.app;
    const prefix = `${app.constructor}().`;
    // the app itself, by its module-level name: a task module that imports it is this framework's
    for (const a of facts.assignments) {
      if (a.scope.functionId !== undefined || a.scope.classId !== undefined || a.value.kind !== 'call') continue;
      if (facts.calls[a.value.callId]?.qualified === app.constructor && /^\w+$/.test(a.target)) {
        out.push({ library: fw.framework, knob: 'app', text: a.target, state: 'set', line: a.loc.line, internal: true });
      }
    }
    // a worker pool the time limits cannot reach (`worker_pool = "threads"`): knob `pool-ignores-time-limits`
    if (app.pools) {
      const { names, ignoreTimeLimits } = app.pools;
      const named = (k: string) => names.some((n) => n === k || n.toUpperCase() === k);
      const record = (k: string, v: FileFacts['assignments'][number]['value'], line: number, branch?: boolean) => {
        const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
        if (!named(k) || lit.kind !== 'string' || !ignoreTimeLimits.includes(lit.value)) return;
        out.push({ library: fw.framework, knob: 'pool-ignores-time-limits', text: `${k} = ${pyText(v)}`, state: branch ? 'unknown' : 'set', line, does: `runs every ${fw.framework} task in the ${lit.value} pool, where time limits are not enforced`, internal: true });
      };
      for (const c of facts.calls) {
        const update = c.qualified?.startsWith(prefix) && app.update.includes(c.qualified.slice(prefix.length));
        if (c.qualified === app.constructor || update) for (const [k, v] of Object.entries(c.kwargs)) record(k, v, c.loc.line, c.scope.inBranch);
      }
      for (const a of facts.assignments) {
        const attr = a.qualified?.startsWith(prefix + app.attributes) ? a.qualified.slice(prefix.length + app.attributes.length) : undefined;
        const bare = a.scope.functionId === undefined && a.scope.classId === undefined ? a.target : undefined;
        const key = attr ?? bare;
        if (key) record(key, a.value, a.loc.line, a.scope.inBranch);
      }
    }
    for (const [setting, names] of Object.entries(app.settings)) {
      const named = (k: string) => names.some((n) => n === k || n.toUpperCase() === k);
      for (const c of facts.calls) {
        const update = c.qualified?.startsWith(prefix) && app.update.includes(c.qualified.slice(prefix.length));
        if (c.qualified !== app.constructor && !update) continue;
        for (const [k, v] of Object.entries(c.kwargs)) {
          if (named(k)) out.push({ library: fw.framework, knob: setting, text: `${k}=${pyText(v)}`, state: stateOf(v, c.scope.inBranch), line: c.loc.line, does: `sets ${setting} for every ${fw.framework} task` });
        }
      }
      for (const a of facts.assignments) {
        const attr = a.qualified?.startsWith(prefix + app.attributes) ? a.qualified.slice(prefix.length + app.attributes.length) : undefined;
        const bare = a.scope.functionId === undefined && a.scope.classId === undefined ? a.target : undefined;
        const key = attr ?? bare;
        if (key && named(key)) out.push({ library: fw.framework, knob: setting, text: `${a.target} = ${pyText(a.value)}`, state: stateOf(a.value, a.scope.inBranch), line: a.loc.line, does: `sets ${setting} for every ${fw.framework} task` });
      }
    }
  }
  return out;
}

/**
 * A broker module's retry middleware (catalog `retry-middlewares`: taskiq), for the task modules
 * of the same process: the broker's name (knob `app`), whether a retry middleware is on it
 * (`retry-middleware`) and whether it retries unlabelled tasks (`retry-by-default`). 'disabled'
 * = no such retry.
 */
function retryMiddlewareDefaults(facts: FileFacts, catalog: Catalog): ProcessDefault[] {
  const out: ProcessDefault[] = [];
  for (const e of catalog.entries('retry-middlewares', facts.language)) {
    const b = brokerFile(facts, e);
    if (!b.brokers.length) continue;
    const first = b.brokers[0];
    const mw = b.middleware;
    const mwText = mw ? `${mw.callee}(${Object.entries(mw.kwargs).map(([k, v]) => `${k}=${pyText(v)}`).join(', ')})` : first.text;
    for (const x of b.brokers) out.push({ library: e.framework, knob: 'app', text: x.name, state: 'set', line: x.line, internal: true });
    const byDefault = b.byDefault === 'true' ? 'set' : b.byDefault === 'unknown' ? 'unknown' : 'disabled';
    // the middleware is shown once, as what it retries
    out.push({ library: e.framework, knob: 'retry-middleware', text: mwText, state: mw ? 'set' : 'disabled', line: mw?.loc.line ?? first.line, ...(byDefault === 'set' ? { internal: true } : { does: `retries the failed ${e.framework} tasks that ask for it` }) });
    out.push({ library: e.framework, knob: 'retry-by-default', text: mwText, state: byDefault, line: mw?.loc.line ?? first.line, ...(byDefault === 'set' ? { does: `retries every failed ${e.framework} task` } : { internal: true }) });
  }
  return out;
}

/** A value as Python writes it (task frameworks are Python's): `True`, `None`. */
function pyText(v: FileFacts['assignments'][number]['value']): string {
  return v.kind === 'boolean' ? (v.value ? 'True' : 'False') : valueText(v);
}

const valueText = (v: FileFacts['assignments'][number]['value']): string => sharedValueText(v, 60, v.kind);

/** The most call sites of imported project code a file records (a generated client can have thousands). */
const MAX_USES = 500;

/**
 * Shared causes and their users. `causes`: names this file defines at module level (a client
 * instance, a wrapper function) that hold a finding — the finding is the root cause of every call
 * made through the name. `uses`: calls in this file through a name imported from the project's
 * own code. `sites`: calls through a client built in this file (its constructor carries the finding).
 */
export function bindingSignals(
  facts: FileFacts,
  findings: Array<{ line: number; column: number; symbol?: string }>,
): Pick<FileSignals, 'causes' | 'uses' | 'clientSites'> {
  const out: Pick<FileSignals, 'causes' | 'uses' | 'clientSites'> = {};
  if (!findings.length && !facts.imports.length) return out;
  const at = new Map(findings.map((f) => [`${f.line}:${f.column}`, f]));
  const causes: NonNullable<FileSignals['causes']> = [];
  const sites: NonNullable<FileSignals['clientSites']> = [];
  for (const a of facts.assignments) {
    if (a.scope.functionId !== undefined || a.value.kind !== 'call' || a.selfAttr) continue;
    const c = facts.calls[a.value.callId];
    const f = c && at.get(`${c.loc.line}:${c.loc.column}`);
    if (!c || !f) continue;
    if (/^[A-Za-z_$][\w$]*$/.test(a.target)) causes.push({ name: a.target, line: f.line, column: f.column });
    const through = facts.calls.filter((x) => x.receiverCall === c.id).map((x) => ({ line: x.loc.line, column: x.loc.column }));
    if (through.length) sites.push({ line: f.line, column: f.column, sites: through.slice(0, 100) });
  }
  const topLevel = new Set(facts.functions.filter((fn) => fn.parentFunctionId === undefined && fn.classId === undefined && fn.name).map((fn) => fn.name));
  for (const f of findings) {
    if (f.symbol && topLevel.has(f.symbol)) causes.push({ name: f.symbol, line: f.line, column: f.column });
  }
  if (causes.length) out.causes = causes;
  if (sites.length) out.clientSites = sites;
  const local = new Map<string, { module: string; name: string }>();
  for (const i of facts.imports) {
    // TS: any specifier but a Node builtin may be the project's own (tsconfig `paths` make
    // `@shared/http` local); the main thread resolves them and drops the packages
    const internal = facts.language === 'python' ? i.module.startsWith('.') || i.name !== undefined : !i.module.startsWith('node:');
    if (internal) local.set(i.local, { module: i.module, name: i.name ?? 'default' });
  }
  if (!local.size) return out;
  const uses: NonNullable<FileSignals['uses']> = [];
  for (const c of facts.calls) {
    const root = c.callee.split(/[.(]/)[0];
    const imp = local.get(root);
    if (!imp) continue;
    uses.push({ module: imp.module, name: imp.name, line: c.loc.line, column: c.loc.column });
    if (uses.length >= MAX_USES) break;
  }
  if (uses.length) out.uses = uses;
  return out;
}

/**
 * The single names a Python file's import lines bring in: `import db, cache as c` gives db and
 * cache, `from . import routes, views` gives routes and views, `from app.x import y` gives y.
 * Read from the text (a `(`-wrapped list across lines too); over-reading only keeps findings.
 */
export function pythonImportNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*import[ \t]+([\w., \t]+)/gm))
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+/)[0];
      if (name && !name.includes('.')) out.add(name);
    }
  for (const m of text.matchAll(/^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)/gm))
    for (const part of m[1].replace(/[()\\]/g, ' ').split(',')) {
      const name = part.trim().split(/\s+/)[0];
      if (name && name !== '*' && /^\w+$/.test(name)) out.add(name);
    }
  return [...out].sort();
}
