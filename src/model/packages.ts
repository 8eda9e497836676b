// Package metadata the model reads: package.json (`bin`, `browser`, dependencies, workspaces)
// and pyproject.toml (`[project.scripts]`, Poetry scripts). Data only: nothing is executed.
import { shellSplit } from '../languages/compose/service.js';
import { lstatSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';

export interface PackageInfo {
  /** directory relative to the scan root ('' = the root) */
  dir: string;
  kind: 'npm' | 'python';
  name?: string;
  /** files (relative to the scan root) that are command-line entry points */
  bins: string[];
  /** the package declares a browser build (`browser` field), or is a browser extension */
  browser: boolean;
  /** a WebExtension folder (manifest.json with `manifest_version`), no package.json of its own */
  extension?: boolean;
  /** dependency names (dependencies, devDependencies, peerDependencies) */
  deps: Set<string>;
  /** files a package.json script runs with node, ts-node, tsx…, with the script's name */
  scriptRuns?: Array<{ script: string; file: string }>;
  /** Python: the modules a task runner's task calls (`[tool.poe.tasks.bump] script = "spoolman.bump:bump"`): developer tooling */
  devTasks?: Array<{ task: string; file: string }>;
  /** npm: each `scripts` entry's command, by name */
  scripts?: Record<string, string>;
  /** Python: the lowest version each dependency may resolve to, where the manifest bounds it (`redis~=8.1.0` -> 8.1.0), with its line */
  minVersions?: Record<string, { version: string; spec: string; line: number }>;
}

/**
 * The lower bound a requirement puts on its version: PEP 440 `~=`, `>=`, `==`, `===`, `>` in a PEP
 * 508 string (`redis[hiredis]>=8.0,<9`), or a Poetry constraint (`^8.0`, `~8.1`, `>=8`, `8.1.0`).
 * Undefined when nothing bounds it from below (`redis`, `redis<9`, `*`).
 */
export function lowerBound(spec: string): string | undefined {
  let best: string | undefined;
  for (const m of spec.matchAll(/(~=|>=|===|==|>|\^|~|(?<![<>=!~^\d.])(?=\d))\s*(\d+(?:\.\d+)*)/g)) {
    const v = m[2];
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}

/** Dotted numeric versions compared part by part (`8.1` > `8.0.9`; missing parts are 0). */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

const SCRIPT_FILE = /\.(c|m)?[jt]s$/;

/** The files each `scripts` entry runs: the first file word after a runner (its flags and subcommand skipped). */
function scriptRuns(dir: string, scripts: unknown, runners: ReadonlySet<string>): Array<{ script: string; file: string }> {
  if (!scripts || typeof scripts !== 'object') return [];
  const out: Array<{ script: string; file: string }> = [];
  for (const [script, cmd] of Object.entries(scripts as Record<string, unknown>)) {
    if (typeof cmd !== 'string') continue;
    let runner = false;
    for (const t of shellSplit(cmd)) {
      if (!('word' in t)) { runner = false; continue; }
      const w = t.word;
      if (!runner) { runner = runners.has(w); continue; }
      // flags, and a runner's own subcommand (`bun run src/index.ts`, `tsx watch src/server.ts`)
      if (w.startsWith('-') || /^(run|watch|exec)$/.test(w)) continue;
      if (SCRIPT_FILE.test(w) && !w.includes('$')) for (const file of binTwins(dir, w)) out.push({ script, file });
      runner = false;
    }
  }
  return out;
}

const MAX_BYTES = 1024 * 1024;

function readSmall(abs: string): string | undefined {
  try {
    const st = lstatSync(abs);
    if (!st.isFile() || st.size > MAX_BYTES) return undefined;
    return readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
}

/** `dist/cli.js` is built from `src/cli.ts`: the source twins a bin entry may have. */
function binTwins(dir: string, target: string): string[] {
  const rel = posix.normalize(posix.join(dir, target.replace(/^\.\//, '')));
  const out = [rel];
  const stem = rel.replace(/\.(c|m)?js$/, '');
  for (const built of ['dist/', 'build/', 'lib/', 'out/']) {
    const at = stem.indexOf(built);
    if (at === -1) continue;
    const src = stem.slice(0, at) + 'src/' + stem.slice(at + built.length);
    for (const ext of ['.ts', '.mts', '.js', '.mjs']) out.push(src + ext);
  }
  if (stem !== rel) for (const ext of ['.ts', '.mts']) out.push(stem + ext);
  return out;
}

function npmPackage(dir: string, text: string, runners: ReadonlySet<string>): PackageInfo | undefined {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!pkg || typeof pkg !== 'object') return undefined;
  const bins: string[] = [];
  const bin = pkg.bin;
  if (typeof bin === 'string') bins.push(...binTwins(dir, bin));
  else if (bin && typeof bin === 'object') for (const v of Object.values(bin)) if (typeof v === 'string') bins.push(...binTwins(dir, v));
  const deps = new Set<string>();
  for (const k of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const d = pkg[k];
    if (d && typeof d === 'object') for (const n of Object.keys(d)) deps.add(n);
  }
  const runs = scriptRuns(dir, pkg.scripts, runners);
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? Object.fromEntries(Object.entries(pkg.scripts as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  return {
    dir,
    kind: 'npm',
    name: typeof pkg.name === 'string' ? pkg.name : undefined,
    bins,
    browser: pkg.browser !== undefined,
    deps,
    ...(runs.length ? { scriptRuns: runs } : {}),
    ...(Object.keys(scripts).length ? { scripts } : {}),
  };
}

/**
 * A WebExtension's folder: its scripts run in the browser (background, content, popup), whatever
 * package holds them. A web app manifest (`name`, `icons`, no `manifest_version`) is not one.
 * developer.chrome.com/docs/extensions/reference/manifest: `manifest_version` is required.
 */
function extensionPackage(dir: string, text: string): PackageInfo | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || typeof (doc as { manifest_version?: unknown }).manifest_version !== 'number') return undefined;
  const keys = ['background', 'content_scripts', 'action', 'browser_action', 'page_action', 'permissions'];
  if (!keys.some((k) => k in (doc as object))) return undefined;
  return { dir, kind: 'npm', bins: [], browser: true, extension: true, deps: new Set() };
}

/** `pkg.cli:main` -> the files that module may be (a module file or a package's __init__). */
function pythonEntry(dir: string, spec: string): string[] {
  const mod = spec.split(':')[0].trim();
  if (!/^[\w.]+$/.test(mod)) return [];
  const path = mod.replace(/\./g, '/');
  const bases = [dir, posix.join(dir, 'src')].map((d) => (d ? `${d}/` : ''));
  return bases.flatMap((b) => [`${b}${path}.py`, `${b}${path}/__init__.py`, `${b}${path}/__main__.py`]);
}

/** poethepoet's `script` tasks (`bump = { script = "pkg.bump:main" }` or a `[tool.poe.tasks.bump]` table): the module each calls. */
function poeTasks(dir: string, poe: unknown): Array<{ task: string; file: string }> {
  const tasks = poe && typeof poe === 'object' ? (poe as { tasks?: unknown }).tasks : undefined;
  if (!tasks || typeof tasks !== 'object') return [];
  const out: Array<{ task: string; file: string }> = [];
  for (const [task, def] of Object.entries(tasks as Record<string, unknown>)) {
    const spec = def && typeof def === 'object' ? (def as { script?: unknown }).script : undefined;
    if (typeof spec === 'string') for (const file of pythonEntry(dir, spec)) out.push({ task, file });
  }
  return out;
}

function pythonPackage(dir: string, text: string): PackageInfo | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const project = (doc.project ?? {}) as Record<string, unknown>;
  const poetry = (((doc.tool ?? {}) as Record<string, unknown>).poetry ?? {}) as Record<string, unknown>;
  const bins: string[] = [];
  for (const scripts of [project.scripts, project['gui-scripts'], poetry.scripts]) {
    if (!scripts || typeof scripts !== 'object') continue;
    for (const v of Object.values(scripts)) {
      const spec = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { callable?: unknown }).callable === 'string' ? (v as { callable: string }).callable : undefined;
      if (spec) bins.push(...pythonEntry(dir, spec));
    }
  }
  const deps = new Set<string>();
  const list = Array.isArray(project.dependencies) ? (project.dependencies as unknown[]) : [];
  const minVersions: NonNullable<PackageInfo['minVersions']> = {};
  const lines = text.split('\n');
  const lineOf = (name: string) => Math.max(1, lines.findIndex((l) => new RegExp(`^\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(l)) + 1);
  const bound = (name: string, spec: string) => {
    const version = lowerBound(spec.split(';')[0]);
    if (version) minVersions[name] = { version, spec: spec.trim(), line: lineOf(name) };
  };
  for (const d of list) {
    if (typeof d !== 'string') continue;
    const name = d.split(/[\s<>=!~;[(]/)[0].toLowerCase();
    deps.add(name);
    bound(name, d.slice(name.length).replace(/^\[[^\]]*\]/, ''));
  }
  for (const [d, v] of Object.entries((poetry.dependencies ?? {}) as Record<string, unknown>)) {
    deps.add(d.toLowerCase());
    const spec = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'string' ? (v as { version: string }).version : undefined;
    if (spec) bound(d.toLowerCase(), spec);
  }
  const name = typeof project.name === 'string' ? project.name : typeof poetry.name === 'string' ? poetry.name : undefined;
  const devTasks = poeTasks(dir, ((doc.tool ?? {}) as Record<string, unknown>).poe);
  return { dir, kind: 'python', name, bins, browser: false, deps, ...(Object.keys(minVersions).length ? { minVersions } : {}), ...(devTasks.length ? { devTasks } : {}) };
}

/**
 * The packages of the scan: every package.json / pyproject.toml the walk saw. Sorted deepest
 * first, so the first match is the nearest package.
 */
/** `runners`: the programs (catalog `context-packages` role `script-runner`) whose file argument a script runs */
export function readPackages(rootAbs: string, manifests: string[], runners: ReadonlySet<string> = new Set()): PackageInfo[] {
  const out: PackageInfo[] = [];
  for (const m of manifests) {
    if (!m.endsWith('package.json') && !m.endsWith('pyproject.toml') && !m.endsWith('manifest.json')) continue; // tsconfig.json: ts-paths.ts
    const dir = posix.dirname(m) === '.' ? '' : posix.dirname(m);
    const text = readSmall(join(rootAbs, m));
    if (text === undefined) continue;
    const p = m.endsWith('package.json') ? npmPackage(dir, text, runners) : m.endsWith('manifest.json') ? extensionPackage(dir, text) : pythonPackage(dir, text);
    if (p) out.push(p);
  }
  return out.sort((a, b) => b.dir.split('/').length - a.dir.split('/').length || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

export function within(file: string, dir: string): boolean {
  // '.' is the scan root too: a build context of `../..` from docker/production normalizes to it
  return dir === '' || dir === '.' || file === dir || file.startsWith(`${dir}/`);
}

/** The nearest package of this kind holding the file. */
export function packageOf(packages: PackageInfo[], file: string, kind: PackageInfo['kind']): PackageInfo | undefined {
  return packages.find((p) => p.kind === kind && within(file, p.dir));
}

/**
 * The workspace dependency graph of the scanned npm packages, with each answer computed once: a
 * monorepo of hundreds of packages (hcengineering/platform: ~600) asks the same closures for
 * every process-wide default, and recomputing them made the model run for minutes.
 */
export class PackageGraph {
  private readonly npm: PackageInfo[];
  private readonly byName = new Map<string, PackageInfo[]>();
  private readonly closures = new Map<PackageInfo, Set<PackageInfo>>();
  private readonly loaderMemo = new Map<PackageInfo, PackageInfo[]>();
  private readonly homes = new Map<string, PackageInfo | undefined>();

  constructor(packages: PackageInfo[]) {
    this.npm = packages.filter((p) => p.kind === 'npm');
    for (const p of this.npm) if (p.name) this.byName.set(p.name, [...(this.byName.get(p.name) ?? []), p]);
  }

  /** The package a file belongs to (as packageOf). */
  home(file: string): PackageInfo | undefined {
    if (!this.homes.has(file)) this.homes.set(file, packageOf(this.npm, file, 'npm'));
    return this.homes.get(file);
  }

  /** What a process started from `pkg` loads: the package and its workspace dependencies, transitively. */
  loads(pkg: PackageInfo): Set<PackageInfo> {
    let out = this.closures.get(pkg);
    if (out) return out;
    out = new Set<PackageInfo>([pkg]);
    const stack = [pkg];
    while (stack.length) {
      for (const d of stack.pop()!.deps) for (const q of this.byName.get(d) ?? []) if (!out.has(q)) (out.add(q), stack.push(q));
    }
    this.closures.set(pkg, out);
    return out;
  }

  /**
   * The folders a process started from the named workspaces loads (each package and its workspace
   * dependencies): what a `turbo prune` of them keeps. Undefined when a name is no scanned package.
   */
  dirsLoadedBy(names: string[]): string[] | undefined {
    const out = new Set<string>();
    for (const n of names) {
      const pkgs = this.byName.get(n);
      if (!pkgs?.length) return undefined;
      for (const p of pkgs) for (const q of this.loads(p)) out.add(q.dir);
    }
    return [...out].sort();
  }

  /** The packages that load `lib` and that no other loader loads: the processes its code runs in. */
  processesLoading(lib: PackageInfo): PackageInfo[] {
    let out = this.loaderMemo.get(lib);
    if (out) return out;
    const loaders = this.npm.filter((p) => p !== lib && this.loads(p).has(lib));
    // a loader that another loader also loads is a library in between, not a process
    out = loaders.filter((p) => !loaders.some((q) => q !== p && this.loads(q).has(p)));
    this.loaderMemo.set(lib, out);
    return out;
  }
}

/**
 * The scanned npm packages a process started from `pkg` loads: the package itself and the
 * workspace packages it depends on, by name, transitively.
 */
export function loadedPackages(packages: PackageInfo[], pkg: PackageInfo): PackageInfo[] {
  return [...new PackageGraph(packages).loads(pkg)];
}

/**
 * The workspace packages that load `lib` and that no other scanned package loads: the processes
 * `lib`'s code can run in. Empty when nothing in the scan depends on it.
 */
export function processesLoading(packages: PackageInfo[], lib: PackageInfo): PackageInfo[] {
  return new PackageGraph(packages).processesLoading(lib);
}
