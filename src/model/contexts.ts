// Decide where each file runs. Evidence is tried in a fixed order and the first that speaks
// decides; what else was seen is kept as evidence too, so `faultline model` can show why.
import picomatch from 'picomatch';
import { posix } from 'node:path';
import type { Catalog } from '../catalog/index.js';
import { isTestPath } from '../engine/paths.js';
import type { RuntimeContext, SystemModel } from '../engine/types.js';
import { packageOf, within, type PackageInfo } from './packages.js';
import type { ContextDecision, FileSignals } from './types.js';

export type { ContextPathEntry } from '../catalog/types.js';
import type { ContextFrameworkFiles, ContextPackageEntry } from '../catalog/types.js';
import type { TsPaths } from './ts-paths.js';
import { runningOwners } from './owners.js';
import { shellSplit } from '../languages/compose/service.js';

export interface ContextInput {
  files: Array<{ rel: string; kind: 'python' | 'typescript'; signals?: FileSignals }>;
  packages: PackageInfo[];
  system?: SystemModel;
  catalog: Catalog;
  /** config `contexts:` — glob -> context, first match wins */
  overrides?: Record<string, RuntimeContext>;
  /** tsconfig path mappings of the scan */
  paths?: TsPaths;
  /** files a Dockerfile runs: RUN steps (build), ENTRYPOINT / CMD (service or cli) */
  dockerfiles?: Map<string, { context: RuntimeContext; why: string }>;
  /** what each built service's image holds of the repository (its Dockerfile's COPY sources), or 'all' */
  images?: Map<string, string[] | 'all'>;
  /** files a CI workflow step runs, with the workflow */
  ciRuns?: Map<string, string>;
  /** Svelte/Vue component files (not scanned) and what their scripts import: browser importers */
  components?: Array<{ rel: string; imports: string[] }>;
}

interface PathRule {
  context: RuntimeContext;
  strong: boolean;
  why: string;
  test: (p: string) => boolean;
  unlessUnder: Set<string>;
  nearRoot: boolean;
}

function compilePathRules(catalog: Catalog): PathRule[] {
  return catalog.section('context-paths').map((e) => ({
    context: e.context,
    strong: e.strength === 'strong',
    why: e.why,
    test: picomatch(e.globs, { dot: true }),
    unlessUnder: new Set(e.unlessUnder ?? []),
    nearRoot: e.nearRoot === true,
  }));
}

/**
 * `pkg/providers.py` next to `pkg/providers/__init__.py`: Python's path finder takes the package
 * (a directory with `__init__.py` wins over a module of the same name in one folder), so the file
 * is left over from before the split into a package and no import reaches it.
 */
function shadowingPackage(rel: string, known: Set<string>): string | undefined {
  if (!rel.endsWith('.py') || rel.endsWith('/__init__.py') || rel === '__init__.py') return undefined;
  const dir = rel.slice(0, -3);
  return known.has(`${dir}/__init__.py`) ? dir : undefined;
}

/**
 * A path rule applies unless an application folder sits above the folder that matched: a
 * `scripts/` folder is a script folder, `app/scripts/` is part of the app. A `nearRoot` rule's
 * folder must also sit at the root, in a top-level folder or in a package's own folder:
 * `packages/components/nodes/tools/` holds an agent's runtime tools, not developer tooling.
 */
function pathRuleHits(rule: PathRule, path: string, packageDirs: Set<string>): boolean {
  if (!rule.test(path)) return false;
  if (!rule.unlessUnder.size && !rule.nearRoot) return true;
  const dirs = path.split('/').slice(0, -1);
  for (let i = 0; i < dirs.length; i++) {
    const here = dirs.slice(0, i + 1).join('/');
    // the shallowest folder under which the rule holds is the one that matched
    if (!rule.test(`${here}/x.py`) && !rule.test(`${here}/x.ts`)) continue;
    // `unlessUnder` names folders of a package's own code (`src/scripts` is the app's): a package
    // folder named `api` (`apps/api/scripts/mock.ts`) is the package, not its code
    let from = 0;
    for (let j = i - 1; j >= 0; j--) if (packageDirs.has(dirs.slice(0, j + 1).join('/'))) { from = j + 1; break; }
    if (dirs.slice(from, i).some((d) => rule.unlessUnder.has(d))) return false;
    return !rule.nearRoot || i <= 1 || packageDirs.has(dirs.slice(0, i).join('/'));
  }
  return true; // matched on the file name itself (setup.py, vite.config.ts)
}

type PackageRole = ContextPackageEntry['role'];
/** the catalog's `context-packages`: one matcher per role */
function packageRoles(entries: ContextPackageEntry[]): Record<PackageRole, (name: string) => boolean> {
  const globs: Record<PackageRole, string[]> = { server: [], 'browser-ui': [], bundler: [], 'script-runner': [], 'serving-script': [] };
  for (const e of entries) if (e.ecosystem === 'npm') globs[e.role].push(...e.packages);
  // wrapped: picomatch's second argument (returnObject) must never receive `some`'s index
  const m = (g: string[]) => {
    const test = g.length ? picomatch(g) : undefined;
    return (name: string) => test?.(name) === true;
  };
  return {
    server: m(globs.server),
    'browser-ui': m(globs['browser-ui']),
    bundler: m(globs.bundler),
    'script-runner': m(globs['script-runner']),
    // a word of the script's name (`start:prod`, `dev-server`)
    'serving-script': (name: string) => name.split(/[:_-]/).some(m(globs['serving-script'])),
  };
}

/**
 * The framework folder convention a file sits in (Next.js `app/` of a package that depends on
 * next): `loaded` when the framework loads the file itself (`page.tsx`, `route.ts`).
 */
function frameworkFile(rel: string, input: ContextInput): { entry: ContextFrameworkFiles; loaded: boolean } | undefined {
  const parts = rel.split('/');
  const stem = parts[parts.length - 1].replace(/\.[^.]+$/, '');
  for (const e of input.catalog.section('context-framework-files')) {
    if (!parts.slice(0, -1).some((d) => e.folders.includes(d))) continue;
    if (packageOf(input.packages, rel, 'npm')?.deps.has(e.package)) return { entry: e, loaded: e.stems.includes(stem) };
  }
  return undefined;
}

/**
 * Resolve an import of the project's own code to a scanned file: relative specifiers with the
 * usual extensions and index files, `@/x` and `~/x` against `src/`, and Python modules (relative,
 * or dotted from the root, `src/`, or a unique path suffix).
 */
export function resolveLocal(from: string, spec: string, known: Set<string>, lang: 'python' | 'typescript', paths?: TsPaths, workspaces?: Map<string, string>): string | undefined {
  // one answer per folder and specifier: siblings import the same modules
  let memo = resolved.get(known);
  if (!memo) resolved.set(known, (memo = new Map()));
  const key = `${lang}\0${posix.dirname(from)}\0${spec}`;
  if (memo.has(key)) return memo.get(key);
  // tsconfig `paths`/`baseUrl` first: the project's own compiler settings beat the `@/` guess
  const mapped = lang === 'typescript' && paths && !paths.empty && !spec.startsWith('.') ? paths.resolve(from, spec, known) : undefined;
  const r = mapped ?? resolveUncached(from, spec, known, lang) ?? (lang === 'typescript' && workspaces?.size ? workspaceFile(spec, known, workspaces) : undefined);
  memo.set(key, r);
  return r;
}

const resolved = new WeakMap<Set<string>, Map<string, string | undefined>>();

function resolveUncached(from: string, spec: string, known: Set<string>, lang: 'python' | 'typescript'): string | undefined {
  if (lang === 'python') {
    const dots = /^\.+/.exec(spec)?.[0].length ?? 0;
    if (!dots) {
      const path = spec.replace(/\./g, '/');
      for (const c of [`${path}.py`, `${path}/__init__.py`, `src/${path}.py`, `src/${path}/__init__.py`]) if (known.has(c)) return c;
      // a package root below the scan root (`backend/app/main.py` importing `app.tasks`): the nearest folder up that holds it
      for (let dir = posix.dirname(from); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
        for (const c of [`${dir}/${path}.py`, `${dir}/${path}/__init__.py`]) if (known.has(c)) return c;
      }
      return undefined;
    }
    let dir = posix.dirname(from);
    for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
    const rest = spec.slice(dots).replace(/\./g, '/');
    const base = rest ? posix.join(dir === '.' ? '' : dir, rest) : dir;
    for (const c of [`${base}.py`, `${base}/__init__.py`]) if (known.has(c)) return c;
    return undefined;
  }
  let base: string;
  if (spec.startsWith('.')) base = posix.normalize(posix.join(posix.dirname(from), spec));
  else if (spec.startsWith('@/') || spec.startsWith('~/') || spec.startsWith('$lib/')) {
    // `@/x` points at the package root or its src/ (tsconfig paths): the nearest folder up from
    // the importer where the module exists. SvelteKit's `$lib` is `src/lib` (its generated
    // .svelte-kit/tsconfig.json, which the scan never sees)
    const lib = spec.startsWith('$lib/');
    const rest = spec.slice(lib ? 5 : 2);
    for (let dir = posix.dirname(from); ; dir = posix.dirname(dir)) {
      const d = dir === '.' ? '' : `${dir}/`;
      for (const cand of lib ? [`${d}src/lib/${rest}`] : [`${d}src/${rest}`, `${d}${rest}`]) {
        const hit = resolveFile(cand, known);
        if (hit) return hit;
      }
      if (dir === '.' || dir === '') return undefined;
    }
  } else return undefined;
  return resolveFile(base, known);
}

/**
 * A workspace package's module by its package name (`@typebot.io/lib/s3/upload` with
 * packages/lib/package.json named `@typebot.io/lib`): the subpath under the package's `src/`
 * (where an `"./*": "./src/*.ts"` exports map and most monorepos put it), else under its folder.
 */
function workspaceFile(spec: string, known: Set<string>, workspaces: Map<string, string>): string | undefined {
  let best: string | undefined;
  for (const name of workspaces.keys()) if ((spec === name || spec.startsWith(`${name}/`)) && (!best || name.length > best.length)) best = name;
  if (best === undefined) return undefined;
  const dir = workspaces.get(best)!;
  const sub = spec.slice(best.length + 1);
  const at = (p: string) => (dir ? `${dir}/${p}` : p);
  return sub ? resolveFile(at(`src/${sub}`), known) ?? resolveFile(at(sub), known) : resolveFile(at('src/index'), known) ?? resolveFile(at('index'), known);
}

/** A module path as TS/JS resolves it: the file, an extension, or an index file. */
function resolveFile(base: string, known: Set<string>): string | undefined {
  const stem = base.replace(/\.(c|m)?js$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.js`, `${stem}.jsx`, `${stem}.mts`, `${stem}.mjs`, `${base}/index.ts`, `${base}/index.tsx`, `${base}/index.js`])
    if (known.has(c)) return c;
  return undefined;
}

/** Decide every file's context. */
/**
 * The npm packages the repository starts as a long-lived process: a serving script (`start`,
 * `start:worker`, `dev`) runs one of its files (`bun run src/index.ts`) or a server framework's
 * command (`next start`). With no compose file these are the running system (lunary's backend,
 * frontend and tokenizer, started by `bun --filter`); a library's `dev: tsc --watch` is none.
 */
export function startedPackages(packages: PackageInfo[], catalog: Catalog): PackageInfo[] {
  const role = packageRoles(catalog.section('context-packages'));
  return packages.filter(
    (p) =>
      p.kind === 'npm' &&
      ((p.scriptRuns ?? []).some((r) => role['serving-script'](r.script)) ||
        Object.entries(p.scripts ?? {}).some(([name, cmd]) => role['serving-script'](name) && startsServer(cmd, (w) => p.deps.has(w) && role.server(w)))),
  );
}

/** `next start`, `nuxt start`: a server framework's own command followed by `start` or `serve`. */
function startsServer(cmd: string, isServer: (word: string) => boolean): boolean {
  const words = shellSplit(cmd).map((t) => ('word' in t ? t.word : ''));
  return words.some((w, i) => isServer(w) && /^(start|serve)$/.test(words[i + 1] ?? ''));
}

export function decideContexts(input: ContextInput): Record<string, ContextDecision> {
  const rules = compilePathRules(input.catalog);
  const role = packageRoles(input.catalog.section('context-packages'));
  const overrides = Object.entries(input.overrides ?? {}).map(([g, c]) => ({ test: picomatch(g, { dot: true }), glob: g, context: c }));
  const bins = new Set(input.packages.flatMap((p) => p.bins));
  // a file a package.json script runs by hand (`"seed": "ts-node src/scripts/seed.ts"`) is one-shot
  // code; one the serving scripts run (`start`, `dev`, `worker`) is left to the other evidence
  const scriptRun = new Map<string, string>();
  for (const p of input.packages) for (const r of p.scriptRuns ?? []) if (!role['serving-script'](r.script) && !scriptRun.has(r.file)) scriptRun.set(r.file, r.script);
  // (a task named to serve, `poe serve`, starts the app: left to the other evidence)
  const devTask = new Map(input.packages.flatMap((p) => (p.devTasks ?? []).filter((t) => !role['serving-script'](t.task)).map((t) => [t.file, t.task] as const)));
  const packageDirs = new Set(input.packages.map((p) => p.dir));
  const known = new Set(input.files.map((f) => f.rel));
  // a developer-only service (devcontainer `sleep infinity`, a dev override) says nothing about production
  const services = (input.system?.services ?? []).filter((s) => !s.dev);
  const out: Record<string, ContextDecision> = {};
  const undecided: typeof input.files = [];

  // a module other modules import runs in their process: its `if __name__ == "__main__"` block is
  // a demo or a self-test (`app/connectors/luma.py` imported by the routes), not how it runs
  const mainGuarded = new Map<string, string>();
  for (const f of input.files) if (f.kind === 'python' && f.signals?.marks.some((m) => m.why.includes('__main__') && m.context === 'cli')) mainGuarded.set(f.rel, posix.basename(f.rel, '.py'));
  const importedPy = new Set<string>();
  if (mainGuarded.size) {
    const stems = new Set(mainGuarded.values());
    for (const f of input.files) {
      if (f.kind !== 'python') continue;
      for (const spec of f.signals?.imports ?? []) {
        if (!stems.has(spec.split('.').pop() ?? '')) continue;
        const t = resolveLocal(f.rel, spec, known, 'python', input.paths);
        if (t && t !== f.rel && mainGuarded.has(t)) importedPy.add(t);
      }
    }
  }

  const say = (rel: string, context: RuntimeContext, why: string, also: string[] = []) => {
    out[rel] = { context, evidence: [why, ...also.filter((a) => a !== why)] };
  };

  for (const f of input.files) {
    const all = f.signals?.marks ?? [];
    const marks = importedPy.has(f.rel) ? all.filter((m) => !(m.context === 'cli' && m.why.includes('__main__'))) : all;
    const also = [...marks.map((m) => `${m.why} -> ${m.context}`), ...(marks !== all ? ['`if __name__ == "__main__"` block, but other modules import it: their process runs it'] : [])];
    const ov = overrides.find((o) => o.test(f.rel));
    if (ov) { say(f.rel, ov.context, `config contexts: "${ov.glob}"`, also); continue; }
    if (isTestPath(f.rel)) { say(f.rel, 'test', 'test path', also); continue; }
    const hits = rules.filter((r) => pathRuleHits(r, f.rel, packageDirs)); // each glob tested once per file
    const pathHit = (ctx: RuntimeContext, strong?: boolean) => hits.find((r) => r.context === ctx && (strong === undefined || r.strong === strong));
    const testPath = pathHit('test');
    if (testPath) { say(f.rel, 'test', `path: ${testPath.why}`, also); continue; }
    const ex = pathHit('example');
    if (ex) { say(f.rel, 'example', `path: ${ex.why}`, also); continue; }
    const shadow = f.kind === 'python' ? shadowingPackage(f.rel, known) : undefined;
    if (shadow) { say(f.rel, 'example', `shadowed by the package ${shadow}/: an import of this name loads the package, never this file`, also); continue; }
    const strong = (ctx: RuntimeContext) => marks.find((m) => m.context === ctx && m.strength === 'strong');
    const build = pathHit('build');
    if (build && !strong('service')) { say(f.rel, 'build', `path: ${build.why}`, also); continue; }
    if (strong('build')) { say(f.rel, 'build', strong('build')!.why, also); continue; }
    // a compose command that names the file is the strongest word on how it runs
    const cmd = services.find((s) => s.command && commandNames(s.command, f.rel, s.codeRoots ?? []));
    if (cmd) {
      const oneShot = cmd.oneShot === true;
      say(f.rel, oneShot ? 'cli' : 'service', `compose service ${cmd.name} runs it (${oneShot ? 'one-shot' : 'long-running'}: ${cmd.command})`, also);
      continue;
    }
    // then what a Dockerfile starts the container with; then what a RUN step runs while the image is built
    const docker = input.dockerfiles?.get(f.rel);
    if (docker && docker.context !== 'build') { say(f.rel, docker.context, docker.why, also); continue; }
    if (bins.has(f.rel)) { say(f.rel, 'cli', 'package entry point (package.json bin / pyproject scripts)', also); continue; }
    const task = devTask.get(f.rel);
    if (task !== undefined) { say(f.rel, 'build', `pyproject task \`${task}\` runs it (developer tooling)`, also); continue; }
    const script = scriptRun.get(f.rel);
    if (script !== undefined) { say(f.rel, 'cli', `package.json script \`${script}\` runs it`, also); continue; }
    // a script a CI step runs (`run: python db/create_ci_test_db.py`) is CI tooling, unless the
    // file serves (a CI smoke test that starts the server)
    const ci = input.ciRuns?.get(f.rel);
    if (ci && !marks.some((m) => m.context === 'service')) { say(f.rel, 'build', `CI workflow ${ci} runs it`, also); continue; }
    const directive = marks.find((m) => m.strength === 'strong' && /directive|__main__|management command/.test(m.why));
    if (directive) { say(f.rel, directive.context, directive.why, also); continue; }
    const svcPath = pathHit('service');
    if (svcPath) { say(f.rel, 'service', `path: ${svcPath.why}`, also); continue; }
    const oneShot = pathHit('cli', true);
    if (oneShot) { say(f.rel, 'cli', `path: ${oneShot.why}`, also); continue; }
    // a command-line tool that imports a server framework to start one (`skyvern run server`
    // imports uvicorn and starlette beside typer): its own entry points say which it is
    const kinds = new Set((f.signals?.entries ?? []).map((e) => e.kind));
    const commandsOnly = kinds.size === 1 && kinds.has('cli');
    const strongMod = (commandsOnly ? strong('cli') : undefined) ?? strong('service') ?? strong('cli');
    if (strongMod) {
      const tie = commandsOnly && strong('service') ? [`its only entry points are commands (${strong('service')!.why} too)`] : [];
      say(f.rel, strongMod.context, strongMod.why, [...tie, ...also]);
      continue;
    }
    // a RUN step is weaker evidence than the file's own: `manage.py collectstatic` at build time
    // does not make manage.py build tooling
    if (docker) { say(f.rel, docker.context, docker.why, also); continue; }
    const cli = pathHit('cli', false);
    if (cli) { say(f.rel, 'cli', `path: ${cli.why}`, also); continue; }
    const browserMark = marks.find((m) => m.context === 'browser');
    if (browserMark) { say(f.rel, 'browser', browserMark.why, also); continue; }
    const browserPath = pathHit('browser');
    if (browserPath) { say(f.rel, 'browser', `path: ${browserPath.why}`, also); continue; }
    const convention = f.kind === 'typescript' ? frameworkFile(f.rel, input) : undefined;
    if (convention?.loaded) {
      say(f.rel, convention.entry.context, convention.entry.why, also);
      continue;
    }
    // another module in the framework's folder (a server component's helper, a client hook):
    // its importers decide, and the framework's context when none does
    if (convention) { undecided.push(f); continue; }
    if (/\.(jsx|tsx)$/.test(f.rel)) { say(f.rel, 'browser', 'a JSX component file', also); continue; }
    undecided.push(f);
  }

  // Browser code's imports are browser code too ("use client" semantics), as long as nothing
  // that runs on a server imports them as well.
  const importers = new Map<string, Array<{ from: string }>>();
  const importsOf = new Map<string, string[]>();
  // the npm workspace packages by name: `@org/lib/x` imports are the scan's own files
  const workspaces = new Map(input.packages.filter((p) => p.kind === 'npm' && p.name).map((p) => [p.name!, p.dir]));
  // components take part as browser importers only: they are not scanned files, so they leave
  // `out` before it is returned
  for (const c of input.components ?? []) if (!out[c.rel]) out[c.rel] = { context: 'browser', evidence: ['a Svelte/Vue component'] };
  for (const f of [...input.files, ...(input.components ?? []).map((c) => ({ rel: c.rel, kind: 'typescript' as const, signals: { imports: c.imports } }))]) {
    for (const spec of f.signals?.imports ?? []) {
      const target = resolveLocal(f.rel, spec, known, f.kind, input.paths, workspaces);
      if (target) {
        const list = importers.get(target) ?? [];
        list.push({ from: f.rel });
        importers.set(target, list);
        const fwd = importsOf.get(f.rel) ?? [];
        fwd.push(target);
        importsOf.set(f.rel, fwd);
      }
    }
  }
  const clientSide = (c: RuntimeContext | undefined) => c === 'browser' || c === 'test' || c === 'example' || c === 'build';
  let changed = true;
  const pending = new Set(undecided.filter((f) => f.kind === 'typescript').map((f) => f.rel));
  while (changed) {
    changed = false;
    for (const rel of pending) {
      const by = importers.get(rel) ?? [];
      if (!by.length) continue;
      const ctxs = by.map((b) => out[b.from]?.context);
      if (ctxs.some((c) => c === undefined)) continue;
      if (ctxs.every((c) => c === 'browser' || c === 'test' || c === 'example' || c === 'build') && ctxs.includes('browser')) {
        const first = by.find((b) => out[b.from].context === 'browser')!;
        say(rel, 'browser', `imported only by browser code (${first.from}${by.length > 1 ? ` and ${by.length - 1} more` : ''})`);
        pending.delete(rel);
        changed = true;
      }
    }
  }
  // Modules that import each other (`services/auth.ts` <-> `services/env.ts`) wait on each other
  // above. Among the undecided ones of a package that ships a browser UI (react-dom, vue, …; not a
  // server package whose tool definitions mention `document`), keep those whose importers are all
  // client-side or in the set (a module nothing imports is no server's entry there), then those
  // the browser actually reaches through it.
  const uiPackage = (rel: string) => [...(packageOf(input.packages, rel, 'npm')?.deps ?? [])].some(role['browser-ui']);
  const group = new Set([...pending].filter(uiPackage));
  for (let shrunk = true; shrunk; ) {
    shrunk = false;
    for (const rel of group) {
      if ((importers.get(rel) ?? []).every((b) => group.has(b.from) || clientSide(out[b.from]?.context))) continue;
      group.delete(rel);
      shrunk = true;
    }
  }
  /** the modules of `allowed` reached from `seeds` (module -> the browser file it was first imported from) through imports */
  const reachWithin = (seeds: Map<string, string>, allowed: Set<string>): Map<string, string> => {
    const reached = new Map(seeds);
    const queue = [...seeds.keys()];
    while (queue.length) {
      const rel = queue.shift()!;
      for (const next of importsOf.get(rel) ?? []) {
        if (!allowed.has(next) || reached.has(next)) continue;
        reached.set(next, reached.get(rel)!);
        queue.push(next);
      }
    }
    return reached;
  };
  const seeds = new Map<string, string>();
  for (const rel of group) {
    const first = (importers.get(rel) ?? []).find((b) => out[b.from]?.context === 'browser');
    if (first) seeds.set(rel, first.from);
  }
  for (const [rel, from] of reachWithin(seeds, group)) {
    say(rel, 'browser', `imported only by browser code (${from}, through modules that only browser code imports)`);
    pending.delete(rel);
  }
  // A workspace package with no UI, server or command of its own whose every importer elsewhere is
  // client-side code runs in the browser (plane's packages/services, the axios clients its web
  // apps import through an index that re-exports modules importing each other); its modules the
  // browser reaches through those imports are browser code.
  // (the undecided modules by their package, found once: a monorepo has hundreds of packages)
  const byPackage = new Map<PackageInfo, string[]>();
  for (const rel of pending) {
    const pkg = packageOf(input.packages, rel, 'npm');
    if (pkg) byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), rel]);
  }
  for (const [pkg, mine] of byPackage) {
    if (pkg.bins.length || pkg.scriptRuns?.length || [...pkg.deps].some((d) => role['browser-ui'](d) || role.server(d))) continue;
    const outside = mine.flatMap((rel) => (importers.get(rel) ?? []).filter((b) => !within(b.from, pkg.dir)).map((b) => ({ rel, from: b.from })));
    if (!outside.length || !outside.every((b) => clientSide(out[b.from]?.context)) || !outside.some((b) => out[b.from]?.context === 'browser')) continue;
    const entered = new Map<string, string>();
    for (const b of outside) if (out[b.from]?.context === 'browser' && !entered.has(b.rel)) entered.set(b.rel, b.from);
    for (const [rel, from] of reachWithin(entered, new Set(mine))) {
      say(rel, 'browser', `imported only by browser code (${from}; package ${pkg.dir || '.'} has no other importer)`);
      pending.delete(rel);
    }
  }

  // A module with no word of its own that only scripts import runs in their process
  // (`evaluation/core/` imported by `evaluation/script/*.py`, each a `__main__` script). One
  // importer that serves, or one not yet decided, keeps it for the evidence below.
  const oneShotSide = (c: RuntimeContext | undefined) => c === 'cli' || c === 'build' || c === 'test' || c === 'example';
  const inheriting = undecided.filter((f) => !out[f.rel] && !(f.signals?.marks ?? []).some((m) => m.context === 'service'));
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of inheriting) {
      if (out[f.rel]) continue;
      const by = (importers.get(f.rel) ?? []).filter((b) => b.from !== f.rel);
      if (!by.length || !by.every((b) => oneShotSide(out[b.from]?.context))) continue;
      const first = by.find((b) => out[b.from].context === 'cli');
      if (!first) continue;
      say(f.rel, 'cli', `imported only by scripts and tooling (${first.from}${by.length > 1 ? ` and ${by.length - 1} more` : ''})`, (f.signals?.marks ?? []).map((m) => `${m.why} -> ${m.context}`));
      grew = true;
    }
  }

  for (const f of undecided) {
    if (out[f.rel]) continue;
    const marks = f.signals?.marks ?? [];
    const also = marks.map((m) => `${m.why} -> ${m.context}`);
    const npm = f.kind === 'typescript' ? packageOf(input.packages, f.rel, 'npm') : undefined;
    const deps = npm ? [...npm.deps] : [];
    const weak = marks.find((m) => m.context === 'service');
    if (weak) { say(f.rel, 'service', weak.why, also); continue; }
    const script = marks.find((m) => m.context === 'cli' && m.strength === 'weak');
    if (script) { say(f.rel, 'cli', script.why, also); continue; }
    const convention = f.kind === 'typescript' ? frameworkFile(f.rel, input) : undefined;
    if (convention) { say(f.rel, convention.entry.context, `in the folder of a framework convention, not imported only by browser code (${convention.entry.why})`, also); continue; }
    if (npm && (npm.browser || (deps.some(role['browser-ui']) && deps.some(role.bundler) && !deps.some(role.server)))) {
      const what = npm.extension ? `a browser extension (${npm.dir || '.'}/manifest.json)` : `package ${npm.dir || '.'}/package.json is a browser app (${npm.browser ? '`browser` field' : 'UI framework and bundler, no server framework'})`;
      say(f.rel, 'browser', what, also);
      continue;
    }
    if (npm && npm.bins.length && !deps.some(role.server)) {
      say(f.rel, 'cli', `package ${npm.dir || '.'}/package.json is a command-line tool (\`bin\`, no server framework)`, also);
      continue;
    }
    // a service's code roots are what its image holds (the folders its Dockerfile copies in, else
    // the build context) and the source folders it bind-mounts
    const owner = runningOwners(services, (s) => s.codeRoots ?? [], (s) => !s.oneShot, f.rel)[0];
    // in a build context, but the Dockerfile copies only other folders (anything-llm's COPY of
    // server/, collector/ and frontend/ leaves extras/translator out): the image never holds it
    const builtFrom = owner ? undefined : runningOwners(services, (s) => (s.build !== undefined ? [s.build.replace(/^\.\/?/, '').replace(/\/$/, '')] : []), (s) => !s.oneShot, f.rel)[0];
    if (builtFrom && Array.isArray(input.images?.get(builtFrom.name))) {
      say(f.rel, 'cli', `in the build context of compose service ${builtFrom.name}, but its Dockerfile does not copy it into the image or install it: code run by hand, not by the service`, also);
      continue;
    }
    if (owner) {
      const oneShot = owner.oneShot === true;
      say(f.rel, oneShot ? 'cli' : 'service', `in the build context of compose service ${owner.name}${oneShot ? ' (one-shot)' : ''}`, also);
      continue;
    }
    say(f.rel, 'service', 'no other evidence: treated as service code', also);
  }
  for (const c of input.components ?? []) if (!known.has(c.rel)) delete out[c.rel];
  return out;
}



/**
 * Does a compose command run this file? `python manage.py runserver`, `node dist/server.js`
 * (built from src/server.ts), `celery -A app.worker worker`, `uvicorn app.main:app`.
 */
function commandNames(command: string, file: string, roots: string[]): boolean {
  const root = roots.find((r) => within(file, r));
  if (root === undefined) return false;
  const inRoot = root === '' ? file : file.slice(root.length + 1);
  const stem = inRoot.replace(/\.(py|ts|tsx|js|mjs|cjs|mts)$/, '');
  const words = command.split(/\s+/).map((w) => w.replace(/^\.\//, '').replace(/^\/app\//, '').replace(/["']/g, ''));
  for (const w of words) {
    if (w === inRoot) return true;
    const wStem = w.replace(/\.(py|ts|js|mjs|cjs)$/, '').replace(/^(dist|build|out|lib)\//, 'src/');
    if (w.includes('/') && wStem === stem) return true;
    const mod = w.split(':')[0];
    if (/^[A-Za-z_][\w.]*$/.test(mod) && mod.includes('.') && (mod.replace(/\./g, '/') === stem || `${mod.replace(/\./g, '/')}/__init__` === stem)) return true;
  }
  return false;
}
