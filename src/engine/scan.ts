// Orchestrates a scan: rules + catalog + config -> discovery -> per-file analysis on workers ->
// compose projects and the system model -> sorted findings. No printing, no process.exit.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Catalog, readCatalogDir } from '../catalog/index.js';
import type { CatalogFile } from '../catalog/types.js';
import type { FaultlineConfig } from '../config/load.js';
import { analyzeCompose } from './compose.js';
import { withDynamicImports } from '../model/dynamic-imports.js';
import { PackageGraph, readPackages } from '../model/packages.js';
import { applyModel, buildProjectModel, collectPendingDefaults, collectReach, collectUses, tsPathsFor, type ModelInput } from '../model/index.js';
import { collectReaches } from '../model/network-reach.js';
import { callerBoundFindings } from '../model/caller-deadlines.js';
import { lateParser } from '../model/late-parse.js';
import { discover, DOCKERFILE_NAME, WORKFLOW_FILE } from './discover.js';
import { isTestPath } from './paths.js';
import { blastRadius } from './system.js';
import { FingerprintMaker } from './fingerprint.js';
import { inputState, loadMemo, ReadLog, saveMemo } from './result-memo.js';
import { analyzeFiles, readCachedJson, refreshCachedSignals, ruleSetKey, storeCachedJson } from './cache.js';
import type { FileResult, ProcessorInit } from './process-file.js';
import { healthRoutesOf } from './code-summary.js';
import { decodeFile, decodeSource } from './process-file.js';
import { insideRoot, unsafeInsideRoot } from './safe-path.js';
import { shardOf, type ShardFile, type ShardSpec } from './shard.js';
import { BUILTIN_RULES_DIR, loadRules } from './rules.js';
import { renderMessage, lowerOf, type EngineOptions } from './run-file.js';
import { Suppressions } from './suppress.js';
import { addSuppressionNames, perFileIgnores, unknownSuppressionWarnings, type NamedInSuppressions } from './ignores.js';
import { CATEGORIES, compareFindings as compareOrder, type Finding, type Priority, type RuleMeta, type ScanError, type ScanResult, type SystemModel } from './types.js';

export const VERSION: string = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }
).version;

export interface ScanOptions {
  /** paths in the output are relative to this directory */
  root: string;
  /** files/directories to scan (default: root) */
  targets: string[];
  jobs: number;
  config: FaultlineConfig;
  rulesDir?: string;
  /** extra select/ignore from the command line (ids, names or categories) */
  select?: string[];
  /** rules added to the default set (or to `select`): how opt-in rules are turned on */
  extendSelect?: string[];
  ignore?: string[];
  exclude?: string[];
  onProgress?: (done: number, total: number) => void;
  /** every rule of rulesDir, when the caller has loaded them already */
  rules?: RuleMeta[];
  /** result cache directory (absolute); unset = no cache */
  cacheDir?: string;
  /** per-file analysis budget in ms (default 20 000; 0 = none) */
  fileBudgetMs?: number;
  /** analyse only this shard's source files, skip compose, and hand the raw results to `onResults` */
  shard?: ShardSpec & { onResults: (file: ShardFile) => void };
  /** finish a sharded scan: the merged shard files stand in for the per-file analysis */
  merged?: ShardFile;
}

export const DEFAULT_FILE_BUDGET_MS = 20_000;

export class UsageError extends Error {}

/**
 * Keep the rules named by ids, names or categories in `select` (default: every rule that is not
 * opt-in), plus those in `extendSelect`, minus those in `ignore`. Like Ruff's select /
 * extend-select: an opt-in rule runs only when a key names it.
 */
export function selectRules(all: RuleMeta[], select: string[] | undefined, ignore: string[] | undefined, extendSelect?: string[]): RuleMeta[] {
  const matches = (r: RuleMeta, key: string) =>
    r.id.toLowerCase() === key.toLowerCase() || r.name === key || r.category === key || key.toUpperCase() === 'ALL';
  const check = (keys: string[]) => {
    for (const k of keys) {
      if (!all.some((r) => matches(r, k)) && !(CATEGORIES as readonly string[]).includes(k))
        throw new UsageError(`unknown rule or category "${k}"`);
    }
  };
  if (select?.length) check(select);
  if (ignore?.length) check(ignore);
  if (extendSelect?.length) check(extendSelect);
  const chosen = (r: RuleMeta) => (select?.length ? select.some((k) => matches(r, k)) : !r.optIn) || (extendSelect ?? []).some((k) => matches(r, k));
  return all.filter((r) => chosen(r) && !(ignore ?? []).some((k) => matches(r, k)));
}

export { compareFindings } from './types.js';


export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const rulesDir = opts.rulesDir ?? BUILTIN_RULES_DIR;
  const cfg = opts.config;
  const allRules = opts.rules ?? loadRules(rulesDir);
  const rules = selectRules(
    allRules,
    [...(cfg.rules?.select ?? []), ...(opts.select ?? [])],
    [...(cfg.rules?.ignore ?? []), ...(opts.ignore ?? [])],
    [...(cfg.rules?.['extend-select'] ?? []), ...(opts.extendSelect ?? [])],
  );
  for (const id of Object.keys(cfg.priorities ?? {})) {
    if (!allRules.some((r) => r.id === id || r.name === id)) throw new UsageError(`priorities: unknown rule "${id}"`);
  }
  const priorityOverrides: Record<string, Priority> = {};
  for (const [k, p] of Object.entries(cfg.priorities ?? {})) {
    const r = allRules.find((x) => x.id === k || x.name === k)!;
    priorityOverrides[r.id] = p;
  }
  const engine: EngineOptions = { priorityOverrides, includeTests: cfg.tests === 'report' };
  const extraApis = cfg.catalog ?? [];

  // output paths are relative to the root and must never leave it
  for (const t of opts.targets) {
    const r = relative(resolve(opts.root), resolve(t));
    if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r))
      throw new UsageError(`${t} is outside the scan root ${opts.root}; pass --root with a directory that contains every path`);
    // a typo in a path must not read as a clean scan
    if (!existsSync(t)) throw new UsageError(`${t}: no such file or directory`);
  }
  const found = discover(opts.root, opts.targets, {
    exclude: [...(cfg.exclude ?? []), ...(opts.exclude ?? [])],
    composeNames: cfg.compose?.files ?? [],
    gitignore: true,
  });
  const skipped = { ...found.skipped };
  const bump = (r: string) => (skipped[r] = (skipped[r] ?? 0) + 1);
  const sourceTasks = found.files
    .filter((f) => f.kind !== 'compose')
    .map((f) => ({ abs: f.abs, rel: f.rel, kind: f.kind as 'python' | 'typescript', size: f.size }));
  const maxFileBytes = cfg['max-file-size'] ?? 2 * 1024 * 1024;

  const codeRules = rules.filter((r) => r.languages.includes('python') || r.languages.includes('typescript'));
  const composeRules = rules.filter((r) => r.languages.includes('compose'));
  const hasCompose = composeRules.length > 0 && found.files.some((f) => f.kind === 'compose');
  const init: ProcessorInit = { rulesDir, ruleIds: codeRules.map((r) => r.id), extraApis, engine, maxFileBytes };
  const catalogFiles = readCatalogDir(join(rulesDir, 'catalog'));
  init.preloaded = { rules: codeRules, catalogFiles };
  if (hasCompose) {
    // the system model needs to know which code opens which client, even where no code rule looks
    const clients = new Catalog(catalogFiles).section('compose-clients');
    // and which builds an in-process rate limiter (the top-level module of each constructor)
    const limiterCat = new Catalog(catalogFiles).section('rate-limiters');
    const limiterMods = (lang: string) =>
      limiterCat.filter((l) => l.language === lang).flatMap((l) => l.calls.map((q) => (lang === 'python' ? q.split('.')[0] : q.replace(/\.(default|rateLimit)$/, ''))));
    const mods = (lang: string) => [...new Set([...clients.filter((c) => c.language === lang).flatMap((c) => c.modules), ...limiterMods(lang)])].sort();
    init.summaryModules = { python: mods('python'), typescript: mods('typescript') };
  }
  const shard = opts.shard;
  // the whole last result, when nothing the scan reads has changed (src/engine/result-memo.ts)
  const rootForMemo = resolve(opts.root);
  const memo =
    opts.cacheDir && !opts.merged && !shard
      ? {
          key: createHash('sha256')
            .update(ruleSetKey(init, VERSION))
            .update(JSON.stringify({ cfg, root: rootForMemo, targets: opts.targets.map((t) => resolve(t)), select: opts.select, ignore: opts.ignore, extendSelect: opts.extendSelect, exclude: opts.exclude, budget: opts.fileBudgetMs, rules: rules.map((r) => r.id), walk: [found.errors, found.skipped], repos: opts.targets.map((t) => existsSync(join(resolve(t), '.git'))) }))
            .digest('hex'),
          state: inputState([...found.files.map((f) => f.abs), ...found.manifests.map((m) => join(rootForMemo, m))]),
          log: new ReadLog(),
        }
      : undefined;
  if (memo) {
    const hit = loadMemo(opts.cacheDir!, memo.key, VERSION, memo.state);
    if (hit) return hit;
  }
  if (opts.merged && opts.merged.key !== ruleSetKey(init, VERSION))
    throw new UsageError('merge: the shard files were written with other rules, config or options than this merge');
  const results: FileResult[] = opts.merged
    ? [...opts.merged.results]
    : await analyzeFiles(shard ? sourceTasks.filter((t) => shardOf(t.rel, shard.count) === shard.index) : sourceTasks, init, {
        jobs: opts.jobs,
        budgetMs: opts.fileBudgetMs ?? DEFAULT_FILE_BUDGET_MS,
        onProgress: opts.onProgress,
        cacheDir: opts.cacheDir,
        version: VERSION,
      });
  results.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  shard?.onResults({ faultlineShard: 1, version: VERSION, key: ruleSetKey(init, VERSION), index: shard.index, count: shard.count, results });

  const findings: Finding[] = [];
  const errors: ScanError[] = [...found.errors];
  const named: NamedInSuppressions = new Map();
  const byLanguage: Record<string, { files: number; bytes: number }> = {};
  const count = (lang: string, bytes: number) => {
    const s = (byLanguage[lang] ??= { files: 0, bytes: 0 });
    s.files++;
    s.bytes += bytes;
  };
  for (const r of results) {
    if (r.skipped) {
      bump(r.skipped);
      continue;
    }
    count(r.kind, r.bytes);
    findings.push(...r.findings);
    if (r.error) errors.push(r.error);
    if (r.suppressionRules) addSuppressionNames(named, r.rel, r.suppressionRules);
  }

  // `extends: {file}`, `include:`, `.env` and Dockerfiles may name files that are not
  // compose-named; read them only inside the scan root, through no symlink at any depth
  const rootAbs = resolve(opts.root);
  const refused = new Set<string>();
  const readFile = (rel: string): string | undefined => {
    const abs = resolve(rootAbs, rel);
    memo?.log.note(abs);
    const unsafe = unsafeInsideRoot(rootAbs, abs, { forRead: true });
    if (unsafe) {
      // said once per file, next to the compose error that names the reference
      if (insideRoot(rootAbs, abs) && !refused.has(rel)) errors.push({ file: rel, message: `not read: ${unsafe}` });
      refused.add(rel);
      return undefined;
    }
    try {
      const st = lstatSync(abs);
      if (!st.isFile() || st.size > maxFileBytes) return undefined;
      return decodeSource(readFileSync(abs)) ?? undefined;
    } catch {
      return undefined;
    }
  };

  // Compose: every compose file at once (projects merge overrides and `extends` across files).
  let system: SystemModel | undefined;
  // a shard leaves compose to the merge, which has every code file's imports
  const composeFiles = shard ? [] : found.files.filter((f) => f.kind === 'compose');
  if (composeFiles.length) {
    const texts: Array<{ path: string; text: string }> = [];
    for (const f of composeFiles) {
      if (f.size > maxFileBytes) {
        bump('oversized');
        continue;
      }
      let text: string | null;
      let warning: string | undefined;
      try {
        ({ text, warning } = decodeFile(readFileSync(f.abs), 'compose'));
      } catch (e) {
        errors.push({ file: f.rel, message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
        continue;
      }
      if (text === null) {
        bump('binary');
        continue;
      }
      // as for code files: analysed with replacement characters, and named in errors
      if (warning) errors.push({ file: f.rel, message: warning });
      count('compose', f.size);
      texts.push({ path: f.rel, text });
    }
    const code = results
      .filter((r) => !r.skipped)
      .map((r) => ({ path: r.rel, language: r.kind, modules: r.modules, imports: r.imports, calls: r.calls, ...(r.limiters ? { limiters: r.limiters } : {}), ...(r.listensForErrors ? { listensForErrors: true } : {}), ...healthRoutesOf(r) }));
    // the catalog is read here, not up front: workers read their own, and a scan without compose files needs none
    const catalog = new Catalog([...catalogFiles, { apis: extraApis } as CatalogFile]);
    // npm workspaces by name, for a Dockerfile that prunes the monorepo to some of them (manifests only: no code runs)
    let graph: PackageGraph | undefined;
    const workspaces = (names: string[]) => (graph ??= new PackageGraph(readPackages(rootAbs, found.manifests))).dirsLoadedBy(names);
    const out = analyzeCompose({ files: texts, rules: composeRules, catalog, code, readFile, rootName: posix.basename(rootAbs.split(sep).join('/')), workspaces, workflows: found.manifests.filter((m) => WORKFLOW_FILE.test(m)) });
    errors.push(...out.errors);
    system = out.system;
    for (const [file, list] of Object.entries(out.suppressions)) addSuppressionNames(named, file, list);
    const textOf = new Map(texts.map((t) => [t.path, t.text.split(/\r\n|\r|\n/)]));
    const fp = new FingerprintMaker();
    const supp = new Map<string, Suppressions>();
    for (const d of out.drafts) {
      const rule = composeRules.find((r) => r.id === d.ruleId);
      if (!rule) continue;
      let priority: Priority = priorityOverrides[rule.id] ?? rule.priority;
      if (d.priority) priority = lowerOf(priority, d.priority);
      const s = supp.get(d.file) ?? new Suppressions(out.suppressions[d.file] ?? []);
      supp.set(d.file, s);
      if (s.covers(rule, d.loc.line)) continue;
      // a compose rule may point into code (FL054: the limiter the service runs)
      let lines = textOf.get(d.file);
      if (!lines) textOf.set(d.file, (lines = readFile(d.file)?.split(/\r\n|\r|\n/) ?? []));
      findings.push({
        ruleId: rule.id,
        ruleName: rule.name,
        category: rule.category,
        priority,
        file: d.file,
        line: d.loc.line,
        column: d.loc.column,
        endLine: d.loc.endLine,
        endColumn: d.loc.endColumn,
        message: renderMessage(d.message, d.data),
        fingerprint: fp.make(rule.id, d.file, lines[d.loc.line - 1] ?? '', d.symbol),
        symbol: d.symbol,
        priorityReason: d.priorityReason,
        ...(d.data ? { data: d.data } : {}),
        snippet: lines.slice(d.loc.line - 1, Math.min(d.loc.endLine, d.loc.line + 5)).join('\n'),
      });
    }
  }

  // the one place config turns findings off by path: after code and compose findings exist,
  // before the model groups them by cause
  const ignored = perFileIgnores(cfg['per-file-ignores']);
  const made = ignored ? findings.filter((f) => !ignored(f)) : findings;

  // The project model: where each file runs, what its process sets once, which findings share a cause.
  // Its late passes read files no rule parsed; an unreadable one is skipped.
  const readSource = (abs: string): string | null => {
    memo?.log.note(abs);
    try {
      return decodeSource(readFileSync(abs));
    } catch {
      return null;
    }
  };
  const t0 = performance.now();
  // tsconfig path mappings learnt by the last scan of the same file list: no compiler load when
  // every specifier was met before
  const scanned = results.filter((r) => !r.skipped).map((r) => r.rel);
  const paths = tsPathsFor(resolve(opts.root), found.manifests);
  const pathsKey = createHash('sha256').update(found.manifests.join('\0')).update('\0\0').update(scanned.join('\0')).digest('hex');
  if (opts.cacheDir && !paths.empty) paths.adopt(readCachedJson(opts.cacheDir, 'tspaths', pathsKey, VERSION), new Set(scanned));
  const reread = await collectUses(resolve(opts.root), results.filter((r) => !r.skipped), readSource, found.manifests);
  const modelCatalog = new Catalog([...catalogFiles, { apis: extraApis } as CatalogFile]);
  // modules a handler's await leads into that no rule parsed: read for what their functions reach
  reread.push(
    ...(await collectReaches(resolve(opts.root), results.filter((r) => !r.skipped), made, modelCatalog, readSource)),
  );
  // modules whose exported clients decide a finding (FL552's ioredis subscriber taken from another module)
  reread.push(
    ...(await collectPendingDefaults(resolve(opts.root), results.filter((r) => !r.skipped), made, modelCatalog, readSource, found.manifests)),
  );
  const tReach = performance.now();
  const reached = await collectReach(resolve(opts.root), results.filter((r) => !r.skipped), modelCatalog, readSource, found.manifests);
  const tReachEnd = performance.now();
  if ((reread.length || reached.length) && opts.cacheDir && !opts.merged) {
    const set = new Set([...reread, ...reached]);
    refreshCachedSignals(opts.cacheDir, init, VERSION, results.filter((r) => set.has(r.rel)));
  }
  // Dockerfiles the walk saw and those compose builds name: what their steps run
  const dockerfilePaths = new Set([...found.manifests.filter((m) => DOCKERFILE_NAME.test(posix.basename(m))), ...(system?.services ?? []).flatMap((s) => (s.dockerfile ? [s.dockerfile] : []))]);
  const dockerfiles = [...dockerfilePaths].sort().flatMap((path) => {
    const text = readFile(path);
    return text === undefined ? [] : [{ path, text }];
  });
  // workflow steps parsed by the last scan, by text hash (a changed workflow is parsed again)
  const prevSteps = opts.cacheDir && !opts.merged ? readCachedJson(opts.cacheDir, 'workflows', 'steps', VERSION) : undefined;
  const workflowSteps = opts.cacheDir && !opts.merged ? { prev: prevSteps && typeof prevSteps === 'object' && !Array.isArray(prevSteps) ? (prevSteps as Record<string, never>) : {}, next: {} } : undefined;
  const modelInput: ModelInput = {
    rootAbs: resolve(opts.root),
    ...(workflowSteps ? { workflowSteps } : {}),
    dockerfiles,
    readText: (rel) => {
      memo?.log.note(resolve(rootAbs, rel));
      return existsSync(resolve(rootAbs, rel)) ? readFile(rel) : undefined;
    },
    files: withDynamicImports(results.filter((r) => !r.skipped).map((r) => ({ rel: r.rel, kind: r.kind, signals: r.signals }))),
    composeFiles: composeFiles.map((f) => f.rel),
    manifests: found.manifests,
    system,
    catalog: modelCatalog,
    contexts: cfg.contexts,
    contextPriorities: cfg['context-priorities'],
    contextRules: cfg['context-rules'],
    includeTests: cfg.tests === 'report',
    reportUnreferenced: cfg.unreferenced === 'report',
    // callers outside the scanned paths are unseen: only a scan of the whole root can call code unused
    // (a target that is a repository's own root counts too: `faultline scan ../other-repo`)
    wholeRoot: opts.targets.length > 0 && opts.targets.every((t) => resolve(t) === resolve(opts.root) || existsSync(resolve(t, '.git'))),
  };
  const t1 = performance.now();
  const { model, packages } = buildProjectModel(modelInput);
  if (workflowSteps && JSON.stringify(Object.keys(workflowSteps.next).sort()) !== JSON.stringify(Object.keys(workflowSteps.prev).sort()))
    storeCachedJson(opts.cacheDir!, 'workflows', 'steps', VERSION, workflowSteps.next);
  // a wait every caller bounds with a deadline is no hazard (rules that take `unless-within:
  // [deadline]` in their own function): needs every caller in view
  let bounded = made;
  if (modelInput.wholeRoot) {
    const eligible = new Set(allRules.filter((r) => ((r.match?.call as { 'unless-within'?: string[] } | undefined)?.['unless-within'] ?? []).includes('deadline')).map((r) => r.id));
    const isTest = (rel: string) => isTestPath(rel) || model.files[rel]?.context === 'test';
    const byCallers = await callerBoundFindings(made, {
      files: modelInput.files,
      contextOf: (rel) => model.files[rel]?.context,
      eligible,
      parse: lateParser(rootAbs, readSource),
      readText: (rel) => readSource(join(rootAbs, rel)),
      catalog: modelCatalog,
      isTest,
    });
    if (byCallers.size) {
      model.callerBounded = [...byCallers].map(([f, b]) => ({ file: f.file, line: f.line, ruleId: f.ruleId, by: b.by })).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
      bounded = made.filter((f) => !byCallers.has(f));
    }
  }
  const t2 = performance.now();
  const kept = applyModel(bounded, model, modelInput, packages);
  const learnt = opts.cacheDir && !opts.merged && !paths.empty ? paths.memo() : undefined;
  if (learnt) storeCachedJson(opts.cacheDir!, 'tspaths', pathsKey, VERSION, learnt);
  if (process.env.FAULTLINE_TIMING) process.stderr.write(`model: uses ${(tReach - t0).toFixed(0)} ms, reach ${(tReachEnd - tReach).toFixed(0)} ms (${reached.length} files parsed), build ${(t2 - t1).toFixed(0)} ms, apply ${(performance.now() - t2).toFixed(0)} ms\n`);
  findings.length = 0;
  findings.push(...kept);

  if (system && system.services.length) {
    for (const f of findings) {
      // a compose rule's finding in a start script is about its service (FL785)
      const radius = blastRadius(system, { file: f.file, service: f.file.match(/\.ya?ml$/) || f.data?.composeFile ? f.symbol : undefined });
      if (radius.length) f.blastRadius = radius;
    }
  }

  findings.sort(compareOrder);
  errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.message < b.message ? -1 : 1));
  const files = results.filter((r) => !r.skipped).length + composeFiles.length;
  const warnings = unknownSuppressionWarnings(named, allRules);
  const result: ScanResult = {
    version: VERSION,
    findings,
    errors,
    stats: { files, skipped, byLanguage },
    ...(system ? { system } : {}),
    model,
    ...(warnings.length ? { warnings } : {}),
  };
  if (memo) saveMemo(opts.cacheDir!, memo.key, VERSION, memo.state, memo.log, result);
  return result;
}

