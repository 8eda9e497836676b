// Read, decode, gate, parse and analyse one source file. Used in worker threads and, for
// --jobs 1, in-process: the same code either way so output does not depend on the job count.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Catalog } from '../catalog/index.js';
import type { CatalogApi, CatalogFile } from '../catalog/types.js';
import type { SourceAdapter } from '../languages/types.js';
import { AdapterCrash, ParseError } from '../languages/types.js';
import { codeSummary } from './code-summary.js';
import { entryGate, entrySignals } from '../model/entries.js';
import type { CodeFileSummary } from './compose.js';
import { moduleReaches } from './analysis/network-waits.js';
import { bindingSignals, fileSignals, localDbUrlTest, processDefaults } from '../model/signals.js';
import { findingHomes, identifierDigest } from '../model/unreferenced.js';
import { processHandlerWords } from './analysis/process-handlers.js';
import type { FileSignals } from '../model/types.js';
import { fileContext, isTestPath } from './paths.js';
import { analyzeFacts, compileRules, fileWanted, Gate, GateInput, type CompiledRule, type EngineOptions } from './run-file.js';
import { loadRules } from './rules.js';
import { readCatalogDir } from '../catalog/index.js';
import type { Finding, RuleMeta, ScanError } from './types.js';
import { join } from 'node:path';

export interface ProcessorInit {
  rulesDir: string;
  /** ids of enabled rules */
  ruleIds: string[];
  /** user catalog entries from config */
  extraApis: CatalogApi[];
  engine: EngineOptions;
  /** files larger than this are skipped (bytes) */
  maxFileBytes: number;
  /**
   * When the scan has compose files: modules whose importers are parsed even if no code rule
   * wants them, so the system model learns which code talks to which service.
   */
  summaryModules?: { python: string[]; typescript: string[] };
  /**
   * The enabled rules and the catalog files, already read and validated by the main thread, so
   * that each worker does not parse every YAML file again (not part of the cache key: rulesDir is).
   */
  preloaded?: { rules: RuleMeta[]; catalogFiles: CatalogFile[] };
}

export interface FileTask {
  abs: string;
  rel: string;
  kind: 'python' | 'typescript';
  /** size from discovery: an oversized file is skipped without reading it */
  size?: number;
}

export interface FileResult {
  rel: string;
  kind: 'python' | 'typescript';
  bytes: number;
  lines: number;
  findings: Finding[];
  error?: ScanError;
  skipped?: string;
  /** parsed (false when no rule's gate wanted the file) */
  parsed: boolean;
  /** top-level modules imported: the system model maps code to services with these */
  modules: string[];
  /** imported names and JetStream-style calls, for the compose pack (see code-summary.ts) */
  imports?: string[];
  calls?: string[];
  /** rate limiters with in-process counters, for the compose pack (code-summary.ts) */
  limiters?: CodeFileSummary['limiters'];
  /** the file attaches an 'error' listener, for the compose pack (code-summary.ts) */
  listensForErrors?: boolean;
  /** sha256 of the file's bytes (hex), for the result cache */
  sha?: string;
  /** rule keys named by `faultline: ignore[...]` comments, checked against every rule by the scan */
  suppressionRules?: Array<{ rules: string[]; line: number }>;
  /** what the file says about where it runs and what it sets process-wide (src/model/) */
  signals?: FileSignals;
}

export function contentHash(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Newlines + 1, counted on the bytes with the native memchr behind Buffer#indexOf. */
export function countLines(buf: Buffer): number {
  let n = 1;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Decode bytes as text: UTF-8 (BOM stripped) or UTF-16 with a BOM. Null for binary content. */
export function decodeSource(buf: Buffer): string | null {
  return decodeFile(buf, 'compose').text;
}

const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * Decode a source file. UTF-8 (BOM stripped) and UTF-16 with a BOM decode as such; a Python file
 * that is not UTF-8 but declares its encoding (PEP 263 `# -*- coding: latin-1 -*-`) is decoded
 * with it; other invalid UTF-8 is decoded with replacement characters and a `warning` says so.
 * `text` is null for binary content (a NUL byte in the first 8 KiB).
 */
export function decodeFile(buf: Buffer, kind: FileTask['kind'] | 'compose'): { text: string | null; warning?: string } {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)) };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(buf.subarray(2)) };
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) return { text: null };
  if (!isUtf8(buf)) {
    if (kind === 'python') {
      const head = buf.subarray(0, 512).toString('latin1').split(/\r\n|\r|\n/, 2);
      const label = (CODING_COOKIE.exec(head[0] ?? '') ?? CODING_COOKIE.exec(head[1] ?? ''))?.[1];
      const text = label ? decodeAs(buf, label) : null;
      if (text !== null) return { text };
    }
    return { text: stripBom(buf.toString('utf8')), warning: 'not valid UTF-8: analysed with replacement characters, so columns may be off' };
  }
  return { text: stripBom(buf.toString('utf8')) };
}

/** Decode with a Python codec name (latin-1, cp1252, iso-8859-15, ...); null when unknown here. */
function decodeAs(buf: Buffer, pythonName: string): string | null {
  const name = pythonName.toLowerCase().replace(/_/g, '-');
  if (/^(latin-?1|iso-?8859-1|l1)$/.test(name)) return buf.toString('latin1');
  for (const label of [name, name.replace(/^cp-?(\d+)$/, 'windows-$1')]) {
    try {
      return new TextDecoder(label).decode(buf);
    } catch {
      /* not a label this runtime knows */
    }
  }
  return null;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Minified/generated bundles: huge lines carry no auditable structure and cost parse time. */
export function looksMinified(text: string): boolean {
  if (text.length < 20_000) return false;
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return text.length / lines > 500;
}


/**
 * An import that may be the project's own code. TS/JS: anything but a Node builtin, since a
 * tsconfig `paths` entry can make `@shared/http` local; the main thread resolves each against the
 * scanned files and the tsconfigs, and a package simply resolves to nothing.
 */
function isLocalSpecifier(spec: string): boolean {
  return !spec.startsWith('node:');
}

export async function createProcessor(init: ProcessorInit) {
  const catalogFiles = init.preloaded?.catalogFiles ?? readCatalogDir(join(init.rulesDir, 'catalog'));
  const catalog = new Catalog([...catalogFiles, { apis: init.extraApis } as CatalogFile]);
  const all = init.preloaded?.rules ?? loadRules(init.rulesDir);
  const wanted = new Set(init.ruleIds);
  const rules: CompiledRule[] = await compileRules(
    all.filter((r) => wanted.has(r.id)),
    catalog,
  );
  const summaryGate: Partial<Record<'python' | 'typescript', Gate>> = {};
  // files the project model reads even when no rule wants them: code the system model ties to
  // compose services, and files that declare entry points (routes, tasks, consumers, schedules)
  const entryGates = { python: entryGate(catalog, 'python'), typescript: entryGate(catalog, 'typescript') };
  // and files that install a process-wide error handler (`process.on('uncaughtException', …)`): a
  // fact about the whole process that settles findings in its other files
  const handlerWords = { python: processHandlerWords(catalog, 'python'), typescript: processHandlerWords(catalog, 'typescript') };
  for (const lang of ['python', 'typescript'] as const) {
    const mods = init.summaryModules?.[lang];
    if (mods?.length) summaryGate[lang] = new Gate(mods, []);
  }
  // names frameworks call by convention: a function so named is never unused (model/unreferenced.ts)
  const calledByName = {
    python: new Set(catalog.entries('called-by-name', 'python').flatMap((e) => e.names)),
    typescript: new Set(catalog.entries('called-by-name', 'typescript').flatMap((e) => e.names)),
  };
  // module stems loaded by convention: their top-level code runs though nothing imports them
  const loadedByName = {
    python: new Set(catalog.entries('called-by-name', 'python').flatMap((e) => e.modules ?? [])),
    typescript: new Set(catalog.entries('called-by-name', 'typescript').flatMap((e) => e.modules ?? [])),
  };
  const loadedFolders = new Set(catalog.entries('called-by-name', 'typescript').flatMap((e) => (e.folders ?? []).map((d) => d.toLowerCase())));
  const adapters: Partial<Record<'python' | 'typescript', SourceAdapter>> = {};
  const adapterFor = async (kind: 'python' | 'typescript'): Promise<SourceAdapter> => {
    if (!adapters[kind]) {
      if (kind === 'python') adapters[kind] = await (await import('../languages/python/index.js')).createPythonAdapter();
      else adapters[kind] = await (await import('../languages/typescript/index.js')).createTypeScriptAdapter();
    }
    return adapters[kind]!;
  };

  // Set once an adapter crashed: the thread's parser memory is corrupt, so the owner of this
  // processor (the worker) must retire it and hand the remaining files to a fresh one.
  let crashed = false;
  const processFile = async (task: FileTask): Promise<FileResult> => {
    const base: FileResult = { rel: task.rel, kind: task.kind, bytes: 0, lines: 0, findings: [], parsed: false, modules: [] };
    if (task.size !== undefined && task.size > init.maxFileBytes) return { ...base, bytes: task.size, skipped: 'oversized' };
    let buf: Buffer;
    try {
      buf = readFileSync(task.abs);
    } catch (e) {
      return { ...base, error: { file: task.rel, message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` } };
    }
    base.bytes = buf.length;
    base.sha = contentHash(buf);
    if (buf.length > init.maxFileBytes) return { ...base, skipped: 'oversized' };
    const { text, warning } = decodeFile(buf, task.kind);
    if (text === null) return { ...base, skipped: 'binary' };
    if (task.kind === 'typescript' && looksMinified(text)) return { ...base, skipped: 'minified' };
    base.lines = text.length ? countLines(buf) : 0;
    const withWarning = (r: FileResult): FileResult =>
      warning ? { ...r, error: { file: task.rel, ...r.error, message: r.error ? `${r.error.message}; ${warning}` : warning } } : r;
    // Test code is not reported unless the config asks for it, so it need not be parsed either.
    if (!init.engine.includeTests && isTestPath(task.rel)) return withWarning(base);
    const gateInput = new GateInput(text, task.kind);
    // every file gets its signals, parsed or not: an unparsed "use client" file still makes what it imports browser code
    const mods = gateInput.modules;
    // Python: absolute modules too (`from app.http import fetch_json` is the project's own code when app/ is in the scan)
    const specs = [...mods].filter((m) => (task.kind === 'python' ? m.startsWith('.') || m.includes('.') : isLocalSpecifier(m)));
    base.signals = fileSignals(text, task.kind, mods, specs, catalog);
    base.signals.digest = identifierDigest(text, task.kind);
    // (and a Python module that may write a local database's URL as a setting: engines built on it elsewhere are local)
    const settingsHint = task.kind === 'python' && !!localDbUrlTest(catalog)?.test(text);
    if (!fileWanted(rules, gateInput) && !summaryGate[task.kind]?.test(gateInput) && !entryGates[task.kind].test(gateInput) && !handlerWords[task.kind]?.test(text) && !settingsHint) return withWarning(base);
    const adapter = await adapterFor(task.kind);
    let facts;
    try {
      facts = adapter.extract(task.rel, text);
    } catch (e) {
      if (e instanceof AdapterCrash) {
        crashed = true;
        // "analysis crashed" results are never cached (see cache.ts)
        return withWarning({ ...base, parsed: true, error: { file: task.rel, message: `analysis crashed: ${e.message}` } });
      }
      const line = e instanceof ParseError ? e.line : undefined;
      return withWarning({ ...base, parsed: true, error: { file: task.rel, message: `cannot parse: ${(e as Error).message}`, ...(line ? { line } : {}) } });
    }
    const file = fileContext(task.rel, text);
    const findings = analyzeFacts(facts, text, file, rules, catalog, init.engine, gateInput);
    if (findings.length) {
      const homes = findingHomes(facts, findings.map((f) => f.line), text, calledByName[task.kind], task.rel, loadedByName[task.kind], loadedFolders);
      if (homes.length) base.signals.homes = homes;
    }
    const { modules, imports, calls, limiters, listensForErrors } = codeSummary(facts, catalog);
    const result: FileResult = { ...base, parsed: true, findings, modules, imports, calls, ...(limiters ? { limiters } : {}), ...(listensForErrors ? { listensForErrors } : {}) };
    const named = facts.suppressions.filter((s) => s.rules.length).map((s) => ({ rules: s.rules, line: s.line }));
    if (named.length) result.suppressionRules = named;
    const defaults = processDefaults(facts, catalog, text);
    const bindings = bindingSignals(facts, findings);
    const entries = entrySignals(facts, catalog, findings);
    const reaches = moduleReaches(facts, catalog);
    if (defaults.length || reaches.length || Object.keys(bindings).length || Object.keys(entries).length)
      result.signals = { ...base.signals!, ...(defaults.length ? { defaults } : {}), ...(reaches.length ? { reaches } : {}), ...bindings, ...entries };
    if (facts.hasSyntaxErrors) {
      const first = facts.syntaxErrorLine;
      result.error = {
        file: task.rel,
        message: `syntax error${first ? ` near line ${first}` : ''}: the file was analysed from a partial parse`,
        ...(first ? { line: first } : {}),
      };
    }
    return withWarning(result);
  };
  /** Load the adapters for these languages up front (a worker does, so the time budget covers analysis only). */
  const warm = async (kinds: Array<FileTask['kind']>) => {
    for (const k of kinds) await adapterFor(k);
  };
  return Object.assign(processFile, { warm, crashed: () => crashed });
}
