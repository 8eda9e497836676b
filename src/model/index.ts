// Build the project model once per scan and apply it to the findings: each finding gets the
// context of the code it is in and the priority the context table gives it; process-wide
// defaults that bound a call settle its finding; findings that share a cause share a group.
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import type { Catalog } from '../catalog/index.js';
import { isTestPath } from '../engine/paths.js';
import type { Finding, RuntimeContext, SystemModel } from '../engine/types.js';
import { isDevFile } from '../languages/compose/model.js';
import { shellSplit } from '../languages/compose/service.js';
import { decideContexts, resolveLocal, startedPackages } from './contexts.js';
import { dockerfileContexts, type DockerfileText } from './dockerfiles.js';
import { groupFindings } from './groups.js';
import { resolveReaches } from './network-reach.js';
import { compareVersions, PackageGraph, packageOf, readPackages, within, type PackageInfo } from './packages.js';
import { workflowRuns, type WorkflowStepCache } from './workflows.js';
import { COMPONENT_FILE, componentImports } from './components.js';
import { WORKFLOW_FILE } from '../engine/discover.js';
import { ContextPriorities, type Cap } from './priority.js';
import { buildEntryModel, STARTS_PROGRAM, type EntryModel } from './reach.js';
import { bindingSignals } from './signals.js';
import { TsPaths } from './ts-paths.js';
import { mentionedIn, unreferencedFindings, type FindingHome } from './unreferenced.js';
import { settleImportedLoopback } from './loopback-imports.js';
import { lateParser } from './late-parse.js';
import type { ContextDecision, FileSignals, ModelService, ProjectModel } from './types.js';

export type { ProjectModel } from './types.js';

export interface ModelInput {
  rootAbs: string;
  files: Array<{ rel: string; kind: 'python' | 'typescript'; signals?: FileSignals }>;
  composeFiles: string[];
  /** package.json / pyproject.toml / tsconfig.json paths and Dockerfiles found on the walk */
  manifests: string[];
  /** Dockerfiles (the walk's and those compose builds name), read: what their steps run */
  dockerfiles?: DockerfileText[];
  /** a file of the scan root by relative path (an entrypoint shell script a Dockerfile starts), undefined when absent */
  readText?: (rel: string) => string | undefined;
  system?: SystemModel;
  catalog: Catalog;
  /** config `contexts:` (glob -> context) */
  contexts?: Record<string, RuntimeContext>;
  /** config `context-priorities:` (context -> cap) */
  contextPriorities?: Partial<Record<RuntimeContext, Cap>>;
  /** config `context-rules:` (context -> rule ids, names or categories turned off there) */
  contextRules?: Partial<Record<RuntimeContext, { ignore?: string[] }>>;
  /** report test code at P2 (config `tests: report`) */
  includeTests: boolean;
  /** report findings in functions nothing mentions (config `unreferenced: report`) */
  reportUnreferenced?: boolean;
  /** the scan covers the whole root (no narrower paths), so every caller is in view */
  wholeRoot?: boolean;
  /** workflow steps parsed by an earlier scan, by text hash; filled in with this scan's */
  workflowSteps?: WorkflowStepCache;
}

function composeKind(path: string, catalog: Catalog, overrides: Record<string, RuntimeContext>, ciWorkflow?: string): ProjectModel['composeFiles'][string] {
  const ov = Object.entries(overrides).find(([g]) => picomatch(g, { dot: true })(path));
  if (ov) return { kind: ov[1] === 'service' ? 'stack' : ov[1] === 'example' ? 'example' : 'dev', context: ov[1], evidence: [`config contexts: "${ov[0]}"`] };
  const example = catalog.section('context-paths').filter((e) => e.context === 'example').flatMap((e) => e.globs);
  const base = posix.basename(path);
  if ((example.length && picomatch(example, { dot: true })(path)) || /(^|[.\-_])(example|sample|template|demo)s?([.\-_]|$)/i.test(base))
    return { kind: 'example', context: 'example', evidence: ['an example or template compose file'] };
  if (/(^|\/)\.devcontainer\//.test(path)) return { kind: 'devcontainer', context: 'build', evidence: ['a devcontainer definition'] };
  if (isTestPath(path)) return { kind: 'dev', context: 'test', evidence: ['a compose file for tests'] };
  if (isDevFile(path)) return { kind: 'dev', context: 'build', evidence: ['a developer override or dev-only stack (file or folder name)'] };
  // a stack below the root that a CI step starts is the test harness (lnbits' docker/regtest/)
  if (ciWorkflow) return { kind: 'dev', context: 'test', evidence: [`a CI workflow starts it (${ciWorkflow})`] };
  return { kind: 'stack', context: 'service', evidence: ['a compose stack'] };
}

/**
 * Defaults a package gets from the versions it requires (catalog `version-defaults`): a
 * pyproject.toml that bounds redis at 8.0 or later gives every redis-py client a 5 s socket
 * timeout. Unbounded or lower requirements say nothing (the installed version is unknown).
 */
function versionDefaults(packages: PackageInfo[], catalog: Catalog): ProjectModel['defaults'] {
  const out: ProjectModel['defaults'] = [];
  const entries = catalog.section('version-defaults');
  if (!entries.length) return out;
  for (const p of packages) {
    if (p.kind !== 'python' || !p.minVersions) continue;
    for (const e of entries) {
      const have = p.minVersions[e.package];
      if (!have || compareVersions(have.version, e.from) < 0) continue;
      out.push({ library: e.library, knob: e.knob, text: `${e.package}${have.spec.startsWith(e.package) ? have.spec.slice(e.package.length) : have.spec} (${e.package} ${e.from}+ defaults ${e.value})`, state: 'set', file: posix.join(p.dir, 'pyproject.toml'), line: have.line, scope: p.dir });
    }
  }
  return out;
}

/** The directory tree a process-wide default applies to: its package, else the whole scan. */
function processScope(file: string, kind: 'python' | 'typescript', packages: PackageInfo[], system?: SystemModel): string {
  const pkg = packageOf(packages, file, kind === 'python' ? 'python' : 'npm');
  if (pkg) return pkg.dir;
  for (const s of system?.services ?? []) for (const r of s.codeRoots ?? []) if (within(file, r)) return r;
  return '';
}

/**
 * A setting of the process object itself (`global`: `process.on('uncaughtException', …)`) also
 * holds in the workspace packages the process loads (`packages/components`, a dependency of
 * `packages/server`), but only when every process that loads that package sets it: a library
 * that a second app without the handler also loads keeps its findings. One extra entry per
 * library package, scoped to it.
 */
function libraryScopes(defaults: ProjectModel['defaults'], packages: PackageInfo[], browserOnly: (proc: PackageInfo, lib: PackageInfo) => boolean = () => false): ProjectModel['defaults'] {
  const out: ProjectModel['defaults'] = [];
  const global = defaults.filter((d) => d.global && !d.file.endsWith('.py'));
  if (!global.length) return out;
  const graph = new PackageGraph(packages);
  // the packages whose files set each default (library, knob, state)
  const setters = new Map<string, Set<PackageInfo>>();
  for (const g of global) {
    const h = graph.home(g.file);
    const k = `${g.library}\0${g.knob}\0${g.state}`;
    if (h) setters.set(k, (setters.get(k) ?? new Set()).add(h));
  }
  const seen = new Set<string>();
  for (const d of global) {
    const from = graph.home(d.file);
    if (!from) continue;
    const by = setters.get(`${d.library}\0${d.knob}\0${d.state}`) ?? new Set<PackageInfo>();
    // a process sets it when a file of a package it loads does
    const sets = (root: PackageInfo) => [...graph.loads(root)].some((p) => by.has(p));
    for (const lib of graph.loads(from)) {
      const key = `${d.library}\0${d.knob}\0${d.state}\0${lib.dir}`;
      if (lib === from || lib.dir === '' || seen.has(key)) continue;
      // an app whose only imports of the library are in its browser code (briefer's apps/web:
      // components importing @briefer/database for its types) runs none of its clients
      const processes = graph.processesLoading(lib).filter((p) => !browserOnly(p, lib));
      if (!processes.length || !processes.every(sets)) continue;
      seen.add(key);
      out.push({ ...d, scope: lib.dir });
    }
  }
  return out;
}

/**
 * For each service, the workspace libraries among its code roots that every app it holds imports
 * only in browser code: the report does not charge their findings to it.
 */
function markBrowserOnlyRoots(system: SystemModel | undefined, packages: PackageInfo[], browserOnly: (proc: PackageInfo, lib: PackageInfo) => boolean): void {
  const npm = packages.filter((p) => p.kind === 'npm');
  for (const s of system?.services ?? []) {
    const roots = (s.codeRoots ?? []).map((r) => npm.find((p) => p.dir === r)).filter((p): p is PackageInfo => p !== undefined);
    if (roots.length < 2) continue;
    // the apps: roots no other root depends on
    const apps = roots.filter((p) => !roots.some((q) => q !== p && p.name !== undefined && q.deps.has(p.name)));
    const libs = roots.filter((p) => !apps.includes(p));
    const off = libs.filter((lib) => apps.some((a) => lib.name !== undefined && a.deps.has(lib.name)) && apps.every((a) => !lib.name || !a.deps.has(lib.name) || browserOnly(a, lib)));
    if (off.length) s.browserOnlyRoots = off.map((p) => p.dir).sort();
  }
}

/**
 * `proc` depends on `lib` by name alone (through no other workspace package), and every file of
 * `proc` that imports it is browser code: the library's server-side clients never run in it.
 */
function importsOnlyInBrowser(proc: PackageInfo, lib: PackageInfo, packages: PackageInfo[], graph: PackageGraph, sources: ModelInput['files'], contexts: ProjectModel['files']): boolean {
  if (!lib.name || !proc.deps.has(lib.name)) return false;
  if (packages.some((p) => p !== proc && p !== lib && p.kind === 'npm' && p.name && proc.deps.has(p.name) && graph.loads(p).has(lib))) return false;
  const importing = (pkg: PackageInfo) => sources.filter((f) => f.kind === 'typescript' && graph.home(f.rel) === pkg && (f.signals?.imports ?? []).some((i) => i === lib.name || i.startsWith(`${lib.name}/`)));
  let importers = importing(proc);
  // a manifest whose files never import it that has another package's name (briefer's
  // apps/web/prod/package.json, the deploy copy of apps/web's) runs that package's code
  if (!importers.length) {
    const twin = packages.find((p) => p !== proc && p.kind === 'npm' && p.name && p.name === proc.name);
    if (twin) importers = importing(twin);
  }
  // (none at all: it may load it in a way the imports do not show, so it counts)
  return importers.length > 0 && importers.every((f) => contexts[f.rel]?.context === 'browser');
}

/** The scan's tsconfig path mappings, read once per scan (the walk lists the tsconfig.json files). */
const tsPaths = new Map<string, TsPaths>();
export function tsPathsFor(rootAbs: string, manifests: string[]): TsPaths {
  const configs = manifests.filter((m) => posix.basename(m) === 'tsconfig.json');
  const key = `${rootAbs}\0${configs.join('\0')}`;
  let p = tsPaths.get(key);
  if (!p) {
    // one scan at a time keeps one entry; a long-lived process scanning many roots stays small
    if (tsPaths.size > 8) tsPaths.clear();
    tsPaths.set(key, (p = new TsPaths(rootAbs, configs)));
  }
  return p;
}

export function buildProjectModel(input: ModelInput): { model: ProjectModel; packages: PackageInfo[] } {
  const runnersOf = (eco: 'npm' | 'python') => new Set(input.catalog.section('context-packages').filter((e) => e.role === 'script-runner' && e.ecosystem === eco).flatMap((e) => e.packages));
  const runners = runnersOf('npm');
  const packages = readPackages(input.rootAbs, input.manifests, runners);
  const paths = tsPathsFor(input.rootAbs, input.manifests);
  const known = new Set(input.files.map((f) => f.rel));
  const oneShot = input.catalog.section('compose-hints').flatMap((h) => h.oneShotCommands ?? []).map((r) => new RegExp(r, 'i'));
  const images = new Map<string, string[] | 'all'>();
  let graph: PackageGraph | undefined;
  const workspaces = (names: string[]) => (graph ??= new PackageGraph(packages)).dirsLoadedBy(names);
  const docker = input.dockerfiles?.length ? dockerfileContexts(input.dockerfiles, input.system?.services ?? [], known, oneShot, input.readText, images, workspaces) : undefined;
  const workflows = input.manifests.filter((m) => WORKFLOW_FILE.test(m));
  const ci = workflows.length && input.readText ? workflowRuns(workflows, known, { node: runners, python: runnersOf('python') }, input.readText, input.composeFiles, input.workflowSteps) : undefined;
  const ciRuns = ci?.runs;
  const components = input.readText ? input.manifests.filter((m) => COMPONENT_FILE.test(m)).map((rel) => ({ rel, imports: componentImports(input.readText!(rel) ?? '') })) : [];
  const files = decideContexts({ files: input.files, packages, system: input.system, catalog: input.catalog, overrides: input.contexts, paths, dockerfiles: docker, images, ciRuns, components });
  const composeFiles: ProjectModel['composeFiles'] = {};
  for (const c of input.composeFiles) composeFiles[c] = composeKind(c, input.catalog, input.contexts ?? {}, ci?.stacks.get(c));
  // a file named for development that a stack pulls in with `include:` is part of that stack
  for (const [c, d] of Object.entries(composeFiles)) {
    if (d.kind !== 'dev' || d.context !== 'build' || d.evidence[0].startsWith('config')) continue;
    const by = (input.system?.projects ?? []).find((p) => p.id !== c && p.included?.includes(c) && composeFiles[p.id]?.kind === 'stack');
    if (by) composeFiles[c] = { kind: 'stack', context: 'service', evidence: [`included by the stack ${by.id}`] };
  }
  // a stack whose every service the compose reader found developer-only (a dev tool image, a
  // development environment, a header that says so) is a developer stack, whatever its name
  for (const [c, d] of Object.entries(composeFiles)) {
    const own = (input.system?.services ?? []).filter((s) => s.file === c);
    if (d.kind === 'stack' && !d.evidence[0].startsWith('config') && own.length && own.every((s) => s.dev))
      composeFiles[c] = { kind: 'dev', context: 'build', evidence: ['a developer-only stack (only backing services, a dev tool image, a development environment or server, a test suite run, a project named for development, or a header that says so)'] };
  }
  const services: ModelService[] = (input.system?.services ?? []).map((s) => ({
    name: s.name,
    file: s.file,
    codeRoots: s.codeRoots ?? [],
    kind: s.oneShot ? 'one-shot' : s.dev || composeFiles[s.file]?.kind !== 'stack' ? 'dev' : 'long-running',
    ...(s.command ? { command: s.command } : {}),
    ...startsOf(s.startScript, input.readText),
  }));
  const defaults: ProjectModel['defaults'] = [];
  for (const f of input.files) {
    for (const d of f.signals?.defaults ?? []) {
      // a default set in a test or example does not configure the service
      const ctx = files[f.rel]?.context;
      if (ctx === 'test' || ctx === 'example') continue;
      defaults.push({ ...d, file: f.rel, scope: processScope(f.rel, f.kind, packages, input.system) });
    }
  }
  const browserOnly = (proc: PackageInfo, lib: PackageInfo) => importsOnlyInBrowser(proc, lib, packages, (graph ??= new PackageGraph(packages)), input.files, files);
  defaults.push(...libraryScopes(defaults, packages, browserOnly));
  markBrowserOnlyRoots(input.system, packages, browserOnly);
  defaults.push(...versionDefaults(packages, input.catalog));
  defaults.push(...workerPoolDefaults(input));
  const entryModel = buildEntryModel(input.files, services, paths);
  const model: ProjectModel = { files, composeFiles, services, defaults, groups: [], entryPoints: entryModel.entryPoints, flows: entryModel.flows, guards: entryModel.guards, unreferenced: [] };
  reachers.set(model, entryModel);
  return { model, packages };
}

/** The reach index of a model, for applyModel (kept out of the model, which is plain data). */
const reachers = new WeakMap<ProjectModel, EntryModel>();

/** Which rules the config turns off in a context. */
function ruleOff(f: Finding, ctx: RuntimeContext, input: ModelInput): boolean {
  const off = input.contextRules?.[ctx]?.ignore ?? [];
  return off.some((k) => k.toLowerCase() === f.ruleId.toLowerCase() || k === f.ruleName || k === f.category);
}

/** The compose context of a compose finding: its service's kind, else its file's. */
function composeContext(f: Finding, model: ProjectModel, system?: SystemModel): ContextDecision {
  // a compose rule pointing into a script the service runs (FL785) is judged by the service's compose file
  const at = f.data?.composeFile ?? f.file;
  const file = model.composeFiles[at] ?? { context: 'service' as RuntimeContext, evidence: ['a compose stack'], kind: 'stack' as const };
  if (file.context !== 'service' || !f.symbol) return file;
  if (f.data?.devVariant) return { context: 'build', evidence: [`only with the developer file ${f.data.devVariant}; the stack without it does not have this`] };
  const svc = (system?.services ?? []).find((s) => s.name === f.symbol && (s.file === at || system?.projects?.some((p) => p.id === s.project && p.files.includes(at))));
  if (svc?.oneShot) return { context: 'cli', evidence: [`compose service ${svc.name} runs once and exits (${svc.command ?? 'one-shot'})`] };
  if (svc?.dev) return { context: 'build', evidence: [`compose service ${svc.name} is declared only in a developer file`] };
  return file;
}

/**
 * Apply the model to the findings: context and its priority, process-wide defaults, groups.
 * Returns the findings that remain, in the input order.
 */
/** Where a function can be started by name outside the code: Dockerfiles, manifests (scripts, entry points), compose commands. */
function startingTexts(input: ModelInput): string[] {
  const out = (input.dockerfiles ?? []).map((d) => d.text);
  for (const m of input.manifests) {
    if (/(^|\/)(package\.json|pyproject\.toml|setup\.cfg|setup\.py|Procfile)$/.test(m)) {
      const t = input.readText?.(m);
      if (t) out.push(t);
    }
  }
  for (const s of input.system?.services ?? []) if (s.command) out.push(s.command);
  return out;
}

/** The Python files another file imports (dynamic imports included): their top-level code runs in the importer. */
function importedPython(files: ModelInput['files'], known: Set<string>): Set<string> {
  const out = new Set<string>();
  // only files with a module-level candidate need the answer, but resolving is memoized per folder
  if (!files.some((f) => f.signals?.homes?.some((h) => h.module))) return out;
  // a stem some file imports by its single name (`import db`, `from . import routes`)
  const byName = new Map<string, string[]>();
  for (const rel of known) if (rel.endsWith('.py')) {
    const stem = posix.basename(rel, '.py');
    const list = byName.get(stem) ?? [];
    list.push(rel);
    byName.set(stem, list);
  }
  for (const f of files) {
    if (f.kind !== 'python') continue;
    for (const spec of f.signals?.imports ?? []) {
      const t = resolveLocal(f.rel, spec, known, 'python');
      if (t && t !== f.rel) out.add(t);
    }
    for (const name of f.signals?.importNames ?? []) for (const rel of byName.get(name) ?? []) if (rel !== f.rel) out.add(rel);
  }
  return out;
}

/**
 * The TS/JS modules something may import: a module whose stem ends some import specifier (matched
 * by name, so aliases, workspace packages and deep imports need no resolving), one a dynamic import
 * pattern can name, and every module below the folder of a file that loads a computed name
 * (`require(path.join(dir, f))`). Tests are no importers.
 */
function importedTypeScript(files: ModelInput['files'], isTest: (rel: string) => boolean): Set<string> {
  const out = new Set<string>();
  const candidates = files.filter((f) => f.kind === 'typescript' && f.signals?.homes?.some((h) => h.module));
  if (!candidates.length) return out;
  const stems = new Set<string>();
  const patterns: RegExp[] = [];
  const loaders: string[] = [];
  const strip = (s: string) => s.replace(/\.[cm]?[jt]sx?$/, '');
  for (const f of files) {
    if (f.kind !== 'typescript' || isTest(f.rel)) continue;
    for (const spec of f.signals?.imports ?? []) stems.add(strip(spec.slice(spec.lastIndexOf('/') + 1)));
    for (const p of f.signals?.dynamicImports ?? []) {
      const last = strip(p.slice(p.lastIndexOf('/') + 1));
      patterns.push(new RegExp(`^${last.split(/\{\d+\}/).map((x) => x.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[\\w.$-]*')}$`));
    }
    if (f.signals?.computedLoads) loaders.push(posix.dirname(f.rel));
  }
  for (const f of candidates) {
    const stem = strip(posix.basename(f.rel));
    if (stems.has(stem) || patterns.some((r) => r.test(stem)) || loaders.some((d) => within(f.rel, d === '.' ? '' : d))) out.add(f.rel);
  }
  return out;
}

/** The last command of a start script that starts a known program: what the service runs behind the script. */
function startsOf(script: string | undefined, readText: ModelInput['readText']): { starts?: string } {
  const text = script ? readText?.(script) : undefined;
  if (!text) return {};
  const lines = text.split(/\r?\n/).map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) if (STARTS_PROGRAM.test(lines[i]!)) return { starts: lines[i]!.replace(/["']/g, '') };
  return {};
}

/**
 * A worker pool picked on the worker's command line (`celery --app=config worker --pool=solo` in
 * doccano's start script), as the process-wide default a setting would be: it applies to the code
 * the service runs (its code roots). Read from the compose command and the start script the
 * container runs; catalog `task-frameworks` `app.pools.cli` names the flags.
 */
function workerPoolDefaults(input: ModelInput): ProjectModel['defaults'] {
  const out: ProjectModel['defaults'] = [];
  const frameworks = input.catalog.entries('task-frameworks', 'python').filter((fw) => fw.app.pools?.cli?.length);
  if (!frameworks.length) return out;
  for (const s of input.system?.services ?? []) {
    if (s.dev || s.oneShot || !s.codeRoots?.length) continue;
    const sources: Array<{ file: string; lines: string[] }> = [];
    if (s.command) sources.push({ file: s.file, lines: [s.command] });
    const script = s.startScript ? input.readText?.(s.startScript) : undefined;
    if (script !== undefined && s.startScript) sources.push({ file: s.startScript, lines: script.split(/\r?\n/) });
    for (const fw of frameworks) {
      const pools = fw.app.pools!;
      const flags = pools.cli!;
      for (const src of sources) {
        src.lines.forEach((text, i) => {
          if (!new RegExp(`\\b${fw.framework}\\b`).test(text) || !/\bworker\b/.test(text)) return;
          const words = shellSplit(text).map((t) => ('word' in t ? t.word : ''));
          for (let w = 0; w < words.length; w++) {
            const eq = flags.find((f) => words[w]!.startsWith(`${f}=`));
            const value = eq ? words[w]!.slice(eq.length + 1) : flags.includes(words[w]!) ? words[w + 1] : undefined;
            if (!value || !pools.ignoreTimeLimits.includes(value)) continue;
            const line = src.file === s.file ? 1 : i + 1;
            for (const scope of s.codeRoots!)
              out.push({ library: fw.framework, knob: 'pool-ignores-time-limits', text: eq ? words[w]! : `${words[w]} ${value}`, state: 'set', file: src.file, line, scope, does: `runs every ${fw.framework} task of service \`${s.name}\` in the ${value} pool, where time limits are not enforced`, internal: true });
          }
        });
      }
    }
  }
  return out;
}

/**
 * The folders of sites (catalog `served-sites`): a Django manage.py that runs its command line
 * beside settings naming the site's WSGI or ASGI application. Their code is one deployed server
 * (and its workers), not a library whose users call what the repository never does (librephotos,
 * whose compose file lives in another repository).
 */
function servedSites(input: ModelInput): Array<{ dir: string; language: string }> {
  if (!input.readText) return [];
  const out: Array<{ dir: string; language: string }> = [];
  for (const site of input.catalog.section('served-sites')) {
    const files = input.files.filter((f) => f.kind === site.language);
    const entryMarks = new RegExp(site.entryMarks);
    const settings = new RegExp(site.settings);
    const settingsMarks = new RegExp(site.settingsMarks, 'm');
    for (const m of files) {
      if (posix.basename(m.rel) !== site.entry || !entryMarks.test(input.readText(m.rel) ?? '')) continue;
      const dir = posix.dirname(m.rel) === '.' ? '' : posix.dirname(m.rel);
      const modules = files.filter((f) => within(f.rel, dir) && settings.test(f.rel.slice(dir ? dir.length + 1 : 0)));
      if (modules.slice(0, 20).some((f) => settingsMarks.test(input.readText!(f.rel) ?? ''))) out.push({ dir, language: site.language });
    }
  }
  return out;
}

export function applyModel(findings: Finding[], model: ProjectModel, input: ModelInput, packages: PackageInfo[]): Finding[] {
  const table = new ContextPriorities(input.catalog, { ...(input.includeTests ? { test: 'P2' as Cap } : {}), ...input.contextPriorities });
  const kindOf = new Map(input.files.map((f) => [f.rel, f.kind]));
  const signalsOf = new Map(input.files.map((f) => [f.rel, f.signals]));
  const known = new Set(input.files.map((f) => f.rel));
  const out: Finding[] = [];
  // findings in functions nothing mentions: not part of any running system
  const resolved = resolveReaches(findings, input.files);
  // only in code a long-running compose service runs, and only when every caller is in view: a
  // library's public function is called by its users, and a lone file by whoever wrote it. With no
  // compose file, a package the repository starts with a serving script is such a process too
  const started = startedPackages(packages, input.catalog);
  const sites = servedSites(input);
  const served = (rel: string) =>
    model.services.some((s) => s.kind === 'long-running' && s.codeRoots.some((r) => within(rel, r))) ||
    started.includes(packageOf(packages, rel, 'npm')!) ||
    sites.some((x) => within(rel, x.dir) && kindOf.get(rel) === x.language);
  const unused =
    input.reportUnreferenced || !input.wholeRoot
      ? new Map<Finding, FindingHome>()
      : unreferencedFindings(
          resolved.filter((f) => served(f.file)),
          // a test that imports a function to test it is no caller in the running system (linkding's
          // monolith snapshot service, called only from its test)
          // (a TS/JS module nothing imports is unused only in server code: a page may load a
          // browser script by a `<script src>` the scan does not read)
          input.files
            .filter((f) => model.files[f.rel]?.context !== 'test')
            .map((f) => ({ rel: f.rel, digest: f.signals?.digest, homes: f.kind === 'typescript' && model.files[f.rel]?.context !== 'service' ? f.signals?.homes?.filter((h) => !h.module) : f.signals?.homes })),
          startingTexts(input),
          new Set([...importedPython(input.files, known), ...importedTypeScript(input.files, (rel) => model.files[rel]?.context === 'test')]),
        );
  const left = new Map<string, { file: string; line: number; name: string; findings: number }>();
  const calledElsewhere = (name: string, file: string) =>
    mentionedIn(name, input.files.filter((x) => x.rel !== file && model.files[x.rel]?.context !== 'test').map((x) => ({ digest: x.signals?.digest })));
  // findings judged by what another module does (a handler awaiting a function imported from it)
  for (const f of resolved) {
    const home = unused.get(f);
    if (home) {
      const k = `${f.file}\0${home.line}`;
      const e = left.get(k) ?? { file: f.file, line: home.line, name: home.name, findings: 0 };
      e.findings++;
      left.set(k, e);
      continue;
    }
    // state that only a function of its module puts back (wg-easy's `firewall.clearAvailabilityCache()`):
    // another module that calls it by name is the way back the file could not see
    if (f.data?.restoredBy && calledElsewhere(f.data.restoredBy, f.file)) continue;
    const fileDecision =
      (/\.ya?ml$/.test(f.file) && !kindOf.has(f.file)) || f.data?.composeFile
        ? composeContext(f, model, input.system)
        : model.files[f.file] ?? { context: 'service' as RuntimeContext, evidence: ['no other evidence'] };
    // a module a service imports, but this line is written in its `__main__` block itself (not in
    // a function the block calls): a demo or self-test run by hand (ragflow's slack_connector.py
    // "example usage" with a "test-token")
    const main = signalsOf.get(f.file)?.mainBlock;
    // a function that turns every caller away unless a debug setting is on runs on developers' machines
    const dev = fileDecision.context === 'service' ? signalsOf.get(f.file)?.devOnly?.find((b) => b.line <= f.line && f.line <= b.end) : undefined;
    const decision: ContextDecision =
      fileDecision.context === 'service' && main && main.line <= f.line && f.line <= main.end
        ? { context: 'example', evidence: [`written in the \`if __name__ == "__main__":\` block at line ${main.line} of a module the service imports: a demo or self-test run by hand`] }
        : dev
          ? { context: 'build', evidence: [`in a function that only runs with a development setting on (\`${dev.guard}\`, line ${dev.line}): developer tooling`] }
          : fileDecision;
    const ctx = decision.context;
    if (ruleOff(f, ctx, input)) continue;
    if (!imageSeen(f, input.system)) continue;
    const settled = settleByDefault(f, model, kindOf.get(f.file), packages);
    if (settled === 'bounded') continue;
    const pending = settlePending(f, model, kindOf.get(f.file), known, tsPathsFor(input.rootAbs, input.manifests));
    if (pending === 'drop') continue;
    const cap = table.apply(f.priority, f.category, ctx, f.ruleId);
    if (cap === 'off') continue;
    f.context = ctx;
    if (cap !== f.priority) {
      f.priority = cap;
      f.priorityReason = `${ctx} code: ${decision.evidence[0]}`;
    }
    if (ctx !== 'service') {
      const c = table.consequence(ctx);
      if (c && !f.message.endsWith(c)) f.message = `${f.message} ${c}`;
    }
    if (settled) {
      f.priority = settled.priority ?? f.priority;
      f.priorityReason = settled.reason;
    }
    if (pending) {
      if (pending.priority && rank(pending.priority) > rank(f.priority)) {
        f.priority = pending.priority;
        f.priorityReason = pending.reason;
      }
      // the sentence the model rewrites: `data.delivery`, or the data key `data.pendingSlot` names
      const slot = f.data?.pendingSlot ?? 'delivery';
      if (f.data?.[slot] && pending.delivery) {
        f.message = f.message.replace(f.data[slot], pending.delivery);
        f.data[slot] = pending.delivery;
      }
    }
    const lang = kindOf.get(f.file);
    if (f.data?.urlImport && lang) settleImportedLoopback(f, (from, spec) => resolveLocal(from, spec, known, lang, tsPathsFor(input.rootAbs, input.manifests)), input.readText);
    const reach = reachers.get(model)?.reachOf(f.file, f.line, f.column);
    if (reach?.count) {
      f.entryPoints = reach.list;
      f.entryPointCount = reach.count;
    }
    out.push(f);
  }
  model.unreferenced = [...left.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  attachSites(out, input.files, tsPathsFor(input.rootAbs, input.manifests));
  // after the call sites are attached: a shared client is on a request path when one of its calls is
  const requestReaches = (f: Finding) => {
    const r = reachers.get(model);
    const all = [...(f.entryPoints ?? []), ...(f.related ?? []).flatMap((x) => r?.reachOf(x.file, x.line, x.column).list ?? [])];
    return all.some((e) => e.kind === 'http' || e.kind === 'webhook');
  };
  // `data.unlessRequestReaches: 'drop'`: a finding the check keeps only on a request path it
  // could not see from its own file (FL802 on an SDK whose own timeout and retries hold elsewhere)
  for (let i = out.length - 1; i >= 0; i--) if (out[i].data?.unlessRequestReaches === 'drop' && !requestReaches(out[i])) out.splice(i, 1);
  // `data.unlessMentioned`: a finding the check keeps unless some file of the project calls the
  // named API (FL354 where a producer waits on the job with `waitUntilFinished`)
  const mentions = new Map<string, boolean>();
  const mentioned = (name: string) => mentions.get(name) ?? mentions.set(name, mentionedIn(name, input.files.map((x) => ({ digest: x.signals?.digest })))).get(name)!;
  for (let i = out.length - 1; i >= 0; i--) {
    const name = out[i].data?.unlessMentioned;
    if (typeof name === 'string' && mentioned(name)) out.splice(i, 1);
  }
  foldIntoReachedCalls(out);
  for (const f of out) {
    if (!f.context || /\.ya?ml$/.test(f.file)) continue;
    const lower = table.offRequestPath(f.ruleId, f.context);
    const p0 = f.priority === 'P0' && table.needsRequestPath(f.category, f.context);
    if (!p0 && !(lower && rank(lower) > rank(f.priority))) continue;
    if (requestReaches(f)) continue;
    const reachers_ = reachers.get(model);
    const all = [...(f.entryPoints ?? []), ...(f.related ?? []).flatMap((r) => reachers_?.reachOf(r.file, r.line, r.column).list ?? [])];
    const background = all.find((e) => e.kind !== 'cli');
    if (lower && rank(lower) > rank(f.priority)) {
      f.priority = lower;
      const why = background ? `runs in background work (${background.label}), not in a request a user waits on` : 'no HTTP route or webhook is seen reaching it';
      f.priorityReason = f.priorityReason ? `${f.priorityReason}; ${why}` : why;
      continue;
    }
    f.priority = 'P1';
    const why = background
      ? `runs in background work (${background.label}), where a hang pins a worker, not a user's request`
      : 'no HTTP route or webhook is seen reaching it; a P0 needs a request that waits on it';
    f.priorityReason = f.priorityReason ? `${f.priorityReason}; ${why}` : why;
  }
  model.groups = groupFindings(out, (file) => {
    const k = kindOf.get(file);
    return k ? processScope(file, k, packages, input.system) : '';
  });
  return out;
}

/**
 * A handler finding whose every reached wait (`data.reachedAt`, file:line) is reported at the call
 * itself by a timeout rule asks for the same fix twice: the call's own timeout bounds the handler
 * too. It becomes a related location of those findings instead (GrowthBook's Supabase fetch was
 * reported at its route and at the call). Kept when it outranks one of them.
 */
function foldIntoReachedCalls(out: Finding[]): void {
  const at = new Map<string, Finding>();
  for (const f of out) if (f.category === 'timeout' && !at.has(`${f.file}:${f.line}`)) at.set(`${f.file}:${f.line}`, f);
  for (let i = out.length - 1; i >= 0; i--) {
    const f = out[i];
    let locs: string[];
    try {
      locs = f.data?.reachedAt ? (JSON.parse(f.data.reachedAt) as string[]) : [];
    } catch {
      continue;
    }
    if (!locs.length) continue;
    const targets = locs.map((l) => at.get(l));
    if (targets.some((t) => !t || t === f || t.ruleId === f.ruleId || rank(t.priority) > rank(f.priority))) continue;
    for (const t of targets as Finding[]) {
      const list = (t.related ??= []);
      if (list.length < 100) list.push({ file: f.file, line: f.line, column: f.column, message: `${f.data?.handler ?? 'a handler'} waits on this call with no deadline of its own` });
    }
    out.splice(i, 1);
  }
}

/**
 * Calls that go through a cause become its related locations: calls through a client built in
 * the same file, and calls in other files through a client instance or wrapper function they
 * import from the file that holds the finding.
 */
function attachSites(findings: Finding[], files: ModelInput['files'], paths: TsPaths): void {
  const at = new Map(findings.map((f) => [`${f.file}:${f.line}:${f.column}`, f]));
  const add = (f: Finding, r: NonNullable<Finding['related']>[number]) => {
    const list = (f.related ??= []);
    if (list.length < 100 && !list.some((x) => x.file === r.file && x.line === r.line && x.column === r.column)) list.push(r);
  };
  for (const file of files) {
    for (const c of file.signals?.clientSites ?? []) {
      const f = at.get(`${file.rel}:${c.line}:${c.column}`);
      if (f) for (const s of c.sites) add(f, { file: file.rel, line: s.line, column: s.column, message: 'call through this client' });
    }
  }
  const known = new Set(files.map((f) => f.rel));
  const causes = new Map<string, Map<string, Finding>>();
  for (const file of files) {
    for (const c of file.signals?.causes ?? []) {
      const f = at.get(`${file.rel}:${c.line}:${c.column}`);
      if (!f) continue;
      const m = causes.get(file.rel) ?? new Map<string, Finding>();
      if (!m.has(c.name)) m.set(c.name, f);
      causes.set(file.rel, m);
    }
  }
  if (!causes.size) return;
  for (const file of files) {
    for (const u of file.signals?.uses ?? []) {
      const target = resolveLocal(file.rel, u.module, known, file.kind, paths);
      const f = target ? causes.get(target)?.get(u.name) : undefined;
      if (f && target !== file.rel) add(f, { file: file.rel, line: u.line, column: u.column, message: `call through \`${u.name}\` from ${target}` });
    }
  }
  for (const f of findings) f.related?.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/**
 * A finding about a missing knob whose library the process configures once for every call
 * (`axios.defaults.timeout = 5000` in the server's startup file) is settled by that default:
 * 'bounded' drops it; a default whose value the scan cannot see lowers it to P2 (unknown is
 * never a P0), or drops it when the finding says so (`data.unknownDefault`); a default that
 * disables the knob keeps it and says where.
 */
function settleByDefault(
  f: Finding,
  model: ProjectModel,
  kind: 'python' | 'typescript' | undefined,
  packages: PackageInfo[],
): 'bounded' | { priority?: 'P2'; reason: string } | undefined {
  const api = f.data?.api;
  const knob = f.data?.knob;
  if (!api || !knob || !kind || f.data?.state !== 'no') return undefined;
  // a finding whose API is a framework setting names the client library it configures (FL160's Django cache on redis-py)
  const library = f.data?.defaultLibrary ?? api.split(/[.(]/)[0];
  const hits = model.defaults.filter((d) => d.library === library && d.knob === knob && within(f.file, d.scope) && d.file !== f.file && sameLanguage(d.file, kind));
  if (!hits.length) return undefined;
  void packages;
  const live = hits.find((d) => d.state === 'set');
  if (live) return 'bounded';
  const unknown = hits.find((d) => d.state === 'unknown');
  // `data.unknownDefault: 'bounded'`: the check counts a write whose value it cannot see as a
  // bound in its own file (FL126: `CELERY_TASK_TIME_LIMIT = env(...)`), so one in another file of
  // the process counts the same
  if (unknown && f.data?.unknownDefault === 'bounded') return 'bounded';
  if (unknown) return { priority: 'P2', reason: `process-wide default \`${unknown.text}\` (${unknown.file}:${unknown.line}) may bound it; its value is not visible` };
  const off = hits[0];
  return { reason: `the process-wide default \`${off.text}\` (${off.file}:${off.line}) disables it` };
}

const rank = (p: string): number => (p === 'P0' ? 0 : p === 'P1' ? 1 : 2);

/**
 * A finding whose hazard depends on a framework setting its file cannot see (a Celery task whose
 * app is configured in another module: `data.pendingOn` = `celery:acks-late`) is settled by the
 * process-wide defaults of the same process: it stands when a default in scope has the state
 * `data.pendingKeep` (default 'set'), and its `data.delivery` sentence is rewritten from
 * `data.pendingSay`, whose `{setting}` names the default and where it is written. A default whose
 * value is not visible keeps it at P2 (unknown is never a P0); no such default drops it (the
 * framework's own default holds, and it is not the hazard). With `data.pendingKeep: 'disabled'`
 * (a broker with no retry middleware) a default turning it on anywhere in scope drops it.
 * `data.pendingIf` first checks that the imported name is the framework's app (see below).
 *
 * `data.pendingMiss: 'keep'` keeps the finding as the check wrote it when no such default is in
 * scope (a fact that only changes what it means: a process-wide 'uncaughtException' handler);
 * a hit then drops it with `data.pendingHit: 'drop'`, or sets `data.pendingHitPriority` with the
 * reason `data.pendingReason` (its `{setting}` filled like `pendingSay`'s), and a default whose
 * value is not visible sets `data.pendingUnknownPriority` (default P2) and the sentence
 * `data.pendingUnknownSay` (default `pendingSay`). `data.pendingSlot` names
 * the data key of the sentence to rewrite (default `delivery`).
 *
 * `data.pendingModule`: the module the finding's own settings come from (a Celery app's
 * `config_from_object("proj.configs.light")`); when the scan holds it, only its defaults count.
 *
 * `data.pendingUnless` (`offline-queue:waits-forever`), with `data.appModule` / `data.appName`:
 * the finding holds unless that module records that default for that exported name (the client
 * a class takes from another module is one whose commands wait out an outage): then it is dropped.
 */
function settlePending(
  f: Finding,
  model: ProjectModel,
  kind: 'python' | 'typescript' | undefined,
  known: Set<string>,
  paths?: TsPaths,
): 'drop' | { priority?: 'P0' | 'P1' | 'P2'; reason?: string; delivery?: string } | undefined {
  if (f.data?.pendingUnless) {
    const [lib, knob] = f.data.pendingUnless.split(':');
    const target = kind && f.data.appModule ? resolveLocal(f.file, f.data.appModule, known, kind, paths) : undefined;
    if (target && model.defaults.some((d) => d.library === lib && d.knob === knob && d.file === target && d.text === f.data?.appName)) return 'drop';
    if (!f.data.pendingOn) return undefined;
  }
  const on = f.data?.pendingOn;
  if (!on) return undefined;
  if (!kind) return f.data?.pendingMiss === 'keep' ? undefined : 'drop';
  // `data.pendingIf` (`celery:app`): only when the name the task is registered on (`data.appName`,
  // imported from `data.appModule`) is that framework's app, built at module level in that module;
  // otherwise the finding stands as the check wrote it
  if (f.data?.pendingIf) {
    const [lib, knob] = f.data.pendingIf.split(':');
    const target = f.data.appModule ? resolveLocal(f.file, f.data.appModule, known, kind) : undefined;
    // `data.pendingIfMiss: 'drop'`: a finding that only holds for that framework goes with it
    if (!target || !model.defaults.some((d) => d.library === lib && d.knob === knob && d.file === target && d.text === f.data?.appName)) return f.data.pendingIfMiss === 'drop' ? 'drop' : undefined;
    // `data.pendingScope: 'module'`: the settings that decide are that module's (a broker's
    // middlewares); otherwise the whole process's (a Celery app reads Django settings)
    if (f.data.pendingScope === 'module') return settleFrom(f, model.defaults.filter((d) => d.file === target));
  }
  // `data.pendingModule` (`proj.configs.light`, what `config_from_object` loads): when the scan
  // holds that module, its settings decide, not a sibling worker's
  const own = f.data?.pendingModule ? resolveLocal(f.file, f.data.pendingModule, known, kind) : undefined;
  if (own) return settleFrom(f, model.defaults.filter((d) => d.file === own));
  return settleFrom(f, model.defaults.filter((d) => within(f.file, d.scope) && sameLanguage(d.file, kind)));
}

function settleFrom(f: Finding, defaults: ProjectModel['defaults']): 'drop' | { priority?: 'P0' | 'P1' | 'P2'; reason?: string; delivery?: string } | undefined {
  const [library, knob] = (f.data?.pendingOn ?? '').split(':');
  const keep = f.data?.pendingKeep === 'disabled' ? 'disabled' : 'set';
  const other = keep === 'set' ? 'disabled' : 'set';
  const hits = defaults
    .filter((d) => d.library === library && d.knob === knob)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  // a process that turns the setting the other way anywhere (retry middleware on one of two brokers) is not the hazard
  if (keep === 'disabled' && hits.some((d) => d.state === other)) return 'drop';
  // `data.pendingDropIf`: a default in that state anywhere in scope settles it (another module's
  // uncaughtException handler that exits: the process ends whatever this one logs)
  if (f.data?.pendingDropIf && hits.some((d) => d.state === f.data!.pendingDropIf)) return 'drop';
  const say = (d: (typeof hits)[number]) => (f.data?.pendingSay ?? '{setting}').replace('{setting}', `\`${d.text}\` in ${d.file}:${d.line}`);
  const hit = hits.find((d) => d.state === keep);
  const prio = (p: string | undefined) => (p === 'P0' || p === 'P1' || p === 'P2' ? p : undefined);
  if (hit) {
    if (f.data?.pendingHit === 'drop') return 'drop';
    const priority = prio(f.data?.pendingHitPriority);
    const where = `\`${hit.text}\` in ${hit.file}:${hit.line}`;
    return { delivery: say(hit), ...(priority ? { priority, reason: (f.data?.pendingReason ?? '{setting}').replace('{setting}', where) } : {}) };
  }
  const unknown = hits.find((d) => d.state === 'unknown');
  if (unknown) {
    const delivery = f.data?.pendingUnknownSay ? f.data.pendingUnknownSay.replace('{setting}', `\`${unknown.text}\` in ${unknown.file}:${unknown.line}`) : say(unknown);
    return { priority: prio(f.data?.pendingUnknownPriority) ?? 'P2', reason: `depends on \`${unknown.text}\` (${unknown.file}:${unknown.line}), whose value is not visible`, delivery };
  }
  return f.data?.pendingMiss === 'keep' ? undefined : 'drop';
}

function sameLanguage(file: string, kind: 'python' | 'typescript'): boolean {
  // a start script or a compose command configures the process, whatever its language (a worker's `--pool=solo`)
  if (!/\.(py|[cm]?[jt]sx?)$|(^|\/)(pyproject\.toml|package\.json)$/.test(file)) return true;
  // a Python package's manifest speaks for its code (a version-given default)
  return kind === 'python' ? file.endsWith('.py') || file.endsWith('pyproject.toml') : !file.endsWith('.py') && !file.endsWith('pyproject.toml');
}

/**
 * Files that import a module holding a shared cause but were not parsed (no rule wanted them)
 * are parsed now, once, for their calls through that cause: a client defined in `api/client.ts`
 * is reported once, and the twenty services that call it become its related locations.
 */
export async function collectUses(
  rootAbs: string,
  files: Array<{ rel: string; kind: 'python' | 'typescript'; parsed: boolean; signals?: FileSignals }>,
  read: (abs: string) => string | null,
  manifests: string[] = [],
): Promise<string[]> {
  const paths = tsPathsFor(rootAbs, manifests);
  const changed: string[] = [];
  const known = new Set(files.map((f) => f.rel));
  const withCauses = new Set(files.filter((f) => f.signals?.causes?.length).map((f) => f.rel));
  if (!withCauses.size) return changed;
  // cheap first test: the specifier's last segment names a file that holds a cause
  const stems = new Set([...withCauses].map((r) => posix.basename(r).replace(/\.[^.]+$/, '')).map((s) => (s === '__init__' || s === 'index' ? '' : s)));
  const lastSegment = (spec: string) => spec.split(/[./]/).pop() ?? '';
  const wanted = files.filter(
    (f) =>
      !f.parsed &&
      f.signals &&
      !f.signals.usesRead &&
      !isTestPath(f.rel) &&
      f.signals.imports.some((s) => (stems.has('') || stems.has(lastSegment(s))) && withCauses.has(resolveLocal(f.rel, s, known, f.kind, paths) ?? '')),
  );
  if (!wanted.length) return changed;
  const parse = lateParser(rootAbs, read);
  for (const f of wanted) {
    const facts = await parse(f);
    if (!facts) continue;
    const uses = bindingSignals(facts, []).uses;
    // the result object is the cached one: the next scan finds the uses already read
    f.signals!.usesRead = true;
    if (uses) f.signals!.uses = uses;
    changed.push(f.rel);
  }
  return changed;
}

/**
 * Modules a finding's verdict depends on for a fact they export (`data.pendingUnless` with
 * `data.appModule`: the ioredis client a class takes from `server/storage/redis.ts`) that no rule
 * parsed are parsed now, once, for the process defaults they record. Cached with the file's
 * result like its uses.
 */
export async function collectPendingDefaults(
  rootAbs: string,
  files: Array<{ rel: string; kind: 'python' | 'typescript'; parsed: boolean; signals?: FileSignals }>,
  findings: Finding[],
  catalog: Catalog,
  read: (abs: string) => string | null,
  manifests: string[] = [],
): Promise<string[]> {
  const pending = findings.filter((f) => f.data?.pendingUnless && f.data.appModule);
  if (!pending.length) return [];
  const paths = tsPathsFor(rootAbs, manifests);
  const known = new Set(files.map((f) => f.rel));
  const byFile = new Map(files.map((f) => [f.rel, f]));
  const changed: string[] = [];
  const parse = lateParser(rootAbs, read);
  const { processDefaults } = await import('./signals.js');
  for (const f of pending) {
    const kind = byFile.get(f.file)?.kind;
    const rel = kind ? resolveLocal(f.file, f.data!.appModule!, known, kind, paths) : undefined;
    const file = rel ? byFile.get(rel) : undefined;
    if (!file?.signals || file.parsed || file.signals.defaultsRead || isTestPath(file.rel)) continue;
    const text = read(join(rootAbs, file.rel));
    const facts = await parse(file);
    if (!facts) continue;
    const defaults = processDefaults(facts, catalog, text ?? undefined);
    // the result object is the cached one: the next scan finds the defaults already read
    file.signals.defaultsRead = true;
    if (defaults.length) file.signals.defaults = defaults;
    changed.push(file.rel);
  }
  return changed;
}

/** How many rounds of importers the reach pass parses: callers one and two imports away. */
const REACH_ROUNDS = 2;
/** The most files the reach pass parses in one scan (a huge monorepo stays cheap). */
const REACH_MAX_FILES = 2000;

/**
 * Files no rule wanted that import a module with findings (and, in a second round, files that
 * import those) are parsed now, once, for what they call there and which entry points they
 * declare: `api/orders.py` calls `billing.charge()`, which calls the client with the finding, and
 * the route in `api/orders.py` reaches it. The result is cached with the file like its uses.
 */
export async function collectReach(
  rootAbs: string,
  files: Array<{ rel: string; kind: 'python' | 'typescript'; parsed: boolean; signals?: FileSignals }>,
  catalog: Catalog,
  read: (abs: string) => string | null,
  manifests: string[] = [],
): Promise<string[]> {
  const changed: string[] = [];
  const known = new Set(files.map((f) => f.rel));
  const paths = tsPathsFor(rootAbs, manifests);
  let targets = new Set(files.filter((f) => f.signals?.reach?.length).map((f) => f.rel));
  if (!targets.size) return changed;
  const parse = lateParser(rootAbs, read);
  const { entrySignals } = await import('./entries.js');
  for (let round = 0; round < REACH_ROUNDS && targets.size && changed.length < REACH_MAX_FILES; round++) {
    const next = new Set<string>();
    for (const f of files) {
      if (f.parsed || !f.signals || f.signals.entriesRead || isTestPath(f.rel) || changed.length >= REACH_MAX_FILES) continue;
      if (!f.signals.imports.some((s) => targets.has(resolveLocal(f.rel, s, known, f.kind, paths) ?? ''))) continue;
      const facts = await parse(f);
      if (!facts) continue;
      const sig = entrySignals(facts, catalog, []);
      // the result object is the cached one: the next scan finds the reach already read
      Object.assign(f.signals, sig, { entriesRead: true });
      changed.push(f.rel);
      if (sig.links?.length) next.add(f.rel);
    }
    targets = next;
  }
  return changed;
}

/**
 * A finding that holds only behind a known image (`data.needsImage`: FL125's nginx default) stands
 * when a compose service of the scan runs it; nothing seen in front of the code is unknown, and
 * unknown is not reported.
 */
function imageSeen(f: Finding, system: SystemModel | undefined): boolean {
  const raw = (f as Finding & { data?: Record<string, string> }).data?.needsImage;
  if (!raw) return true;
  let globs: string[];
  try {
    globs = JSON.parse(raw) as string[];
  } catch {
    return true;
  }
  const test = picomatch(globs);
  const name = (image: string) => image.split('@')[0].replace(/:[^/:]*$/, '').replace(/^(docker\.io\/)?(library\/)?/, '');
  return (system?.services ?? []).some((s) => !s.dev && s.image !== undefined && test(name(s.image)));
}
