// Compose files -> projects: which files are merged together (base + override, `-f` overlays,
// `include:`), `extends` resolved (same file and other file), services merged in order. Every
// node keeps the location it was written at (tree.ts), so findings land on the exact key even
// when the value came from an anchor, a base service or an earlier file.
import { posix } from 'node:path';
import { entry, get, parseYamlTree, str, type Src, type YEntry, type YMap, type YNode, type YScalar, type YSeq } from './tree.js';
import { parseDotEnv, type Env } from './interpolate.js';

export interface ComposeError {
  file: string;
  line?: number;
  message: string;
}

export interface ComposeFileTree {
  path: string;
  root: YMap | null;
  /** the file defines at least one service without image/build/extends (a partial overlay) */
  partial: boolean;
  /** the comment that opens the file, before its first key */
  header?: string;
  /** the comment right above each service's key */
  serviceNotes?: Record<string, string>;
}

export interface ComposeService {
  name: string;
  /** where the service is first declared */
  keySrc: Src;
  /** merged definition (extends and overlays applied) */
  node: YMap;
  project: string;
}

export interface ComposeProject {
  /** the primary file (first in merge order) */
  id: string;
  /** files merged in order, included files after them */
  files: string[];
  /** the files among them reached through `include:` (parts of the project, not overlays on it) */
  included: string[];
  /** directory of the primary file ('' = root) */
  dir: string;
  services: Map<string, ComposeService>;
  /** top-level `volumes:` of the merged project */
  volumes?: YNode;
}

export interface ComposeLoadResult {
  projects: ComposeProject[];
  errors: ComposeError[];
  /** every file parsed (input files and files reached through extends/include) */
  trees: Map<string, ComposeFileTree>;
}

export type ReadFile = (relPath: string) => string | undefined;

const TOP_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include', 'models']);
const BASE_ORDER = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDE_RE = /^((?:docker-)?compose)\.override\.ya?ml$/;

/**
 * The files of a project that are developer-only by name. A file that a production stack pulls in
 * with `include:` is part of that stack whatever it is called (unstract's docker-compose.yaml
 * includes docker-compose-dev-essentials.yaml for its database, Redis and RabbitMQ).
 */
export function devFilesOf(project: Pick<ComposeProject, 'id' | 'files' | 'included'>): string[] {
  const stack = !isDevFile(project.id);
  return project.files.filter((f) => isDevFile(f) && !(stack && project.included.includes(f)));
}

/** A file `docker compose` reads by itself from the folder it runs in: a base name or its override. */
export function readByDefault(path: string): boolean {
  return BASE_ORDER.includes(path) || OVERRIDE_RE.test(path);
}
/** sequences replaced (not appended) when an overlay or `extends` sets them */
const REPLACED_SEQS = new Set(['command', 'entrypoint', 'test', 'args']);
/** sequences/maps merged by key (list form `K=V` or `K: V`) */
const KEYED = new Set(['environment', 'labels', 'extra_hosts', 'sysctls', 'annotations', 'args']);

function dirOf(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

function joinRel(dir: string, rel: string): string {
  const j = posix.normalize(posix.join(dir || '.', rel));
  return j === '.' ? '' : j.replace(/^\.\//, '');
}

/**
 * A developer-only file: `dev`, `local`, `override`, `test`, `ci`, `debug`, `build` (an image-build
 * helper such as docker-compose.build.yml) in its name, or a file under tools/, benchmarks/,
 * scripts/ or hack/ (a seed or benchmark stack), or a file
 * under a `ci/`, `test(s)/`, `e2e/`, `dev/` or `.devcontainer/` directory.
 */
export function isDevFile(path: string): boolean {
  return (
    /(^|[.\-_])(dev|develop|development|local|override|debug|test|tests|testing|integration|itest|smoke|ci|e2e|cypress|playwright|selenium|build)([.\-_]|$)/i.test(posix.basename(path)) ||
    // CI configuration folders (`.ci/compose.cypress.yaml`, `.github/`, `.circleci/`) run test stacks
    /(^|\/)(\.?ci|\.github|\.circleci|\.gitlab|\.buildkite|tests?|testing|integration[-_]?tests?|integration|smoke[-_]?tests?|e2e|e2e[-_]tests?|cypress|playwright|dev|devel|develop|development|local|\.devcontainer|_integration-test|tools|benchmarks?|bench|hack|scripts)\//i.test(posix.dirname(path) + '/')
  );
}

// ---------------------------------------------------------------- merging

function seqKeyOf(key: string, item: YNode): string | undefined {
  if (key === 'volumes') {
    if (item.kind === 'map') return str(get(item, 'target'));
    const s = str(item);
    if (s === undefined) return undefined;
    const parts = s.split(':');
    return parts.length >= 2 ? parts[1] : parts[0];
  }
  if (item.kind === 'scalar') return String(item.value);
  return undefined;
}

/** `["A=1", "B"]` -> map keyed by variable name, each value a scalar at the item's location */
function keyedToMap(node: YNode): YMap {
  if (node.kind === 'map') return node;
  const entries = new Map<string, YEntry>();
  if (node.kind === 'seq') {
    for (const it of node.items) {
      const s = str(it);
      if (s === undefined) continue;
      const eq = s.indexOf('=');
      const k = eq < 0 ? s : s.slice(0, eq);
      // `raw` stays what was written after `=` (before interpolation): `${SECRET:-dev}`
      const written = it.kind === 'scalar' ? it.raw : s;
      const rawEq = written.indexOf('=');
      const value: YScalar = { kind: 'scalar', src: it.src, value: eq < 0 ? null : s.slice(eq + 1), raw: rawEq < 0 ? '' : written.slice(rawEq + 1) };
      entries.set(k, { key: k, keySrc: it.src, value });
    }
  }
  return { kind: 'map', src: node.src, entries };
}

/** depends_on list form -> map form (item location kept as the key location, value null) */
export function dependsToMap(node: YNode): YMap {
  if (node.kind === 'map') return node;
  const entries = new Map<string, YEntry>();
  if (node.kind === 'seq') {
    for (const it of node.items) {
      const s = str(it);
      if (s) entries.set(s, { key: s, keySrc: it.src, value: { kind: 'scalar', src: it.src, value: null, raw: '' } });
    }
  }
  return { kind: 'map', src: node.src, entries };
}

/** Compose merge of `over` onto `base` (overlay files and `extends`). */
export function mergeNodes(base: YNode, over: YNode, key = ''): YNode {
  if (over.tag === 'override' || over.tag === 'reset') return over;
  if (KEYED.has(key) && base.kind !== 'scalar' && over.kind !== 'scalar') {
    return mergeMaps(keyedToMap(base), keyedToMap(over), key);
  }
  if (key === 'depends_on' && base.kind !== 'scalar' && over.kind !== 'scalar') {
    return mergeMaps(dependsToMap(base), dependsToMap(over), key);
  }
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, key);
  if (base.kind === 'seq' && over.kind === 'seq' && !REPLACED_SEQS.has(key)) {
    const items: YNode[] = [];
    const overKeys = new Set(over.items.map((i) => seqKeyOf(key, i)).filter((k): k is string => k !== undefined));
    for (const it of base.items) {
      const k = seqKeyOf(key, it);
      if (k !== undefined && overKeys.has(k)) continue;
      items.push(it);
    }
    items.push(...over.items);
    return { kind: 'seq', src: over.src, items } satisfies YSeq;
  }
  return over;
}

/**
 * After merging, a `!reset` left over (nothing below it to clear, or inside an `!override`
 * value) still means "not set": drop it, as compose does. Untouched nodes are returned as is.
 */
export function dropResets<T extends YNode>(node: T): T {
  if (node.kind === 'map') {
    let changed = false;
    const entries = new Map<string, YEntry>();
    for (const [k, e] of node.entries) {
      if (e.value.tag === 'reset') {
        changed = true;
        continue;
      }
      const value = dropResets(e.value);
      if (value !== e.value) changed = true;
      entries.set(k, value === e.value ? e : { ...e, value });
    }
    return changed ? { ...node, entries } : node;
  }
  if (node.kind === 'seq') {
    const items = node.items.filter((i) => i.tag !== 'reset').map((i) => dropResets(i));
    return items.length !== node.items.length || items.some((i, n) => i !== node.items[n]) ? { ...node, items } : node;
  }
  return node;
}

function mergeMaps(base: YMap, over: YMap, parentKey: string): YMap {
  const entries = new Map(base.entries);
  for (const [k, e] of over.entries) {
    const prev = entries.get(k);
    if (e.value.tag === 'reset') {
      entries.delete(k);
      continue;
    }
    // inside keyed maps (environment, depends_on entries) the whole value is replaced
    const childKey = KEYED.has(parentKey) ? '' : k;
    entries.set(k, prev && !KEYED.has(parentKey) ? { ...e, value: mergeNodes(prev.value, e.value, childKey) } : e);
  }
  return { kind: 'map', src: over.src, entries };
}

// ---------------------------------------------------------------- loading

export class ComposeLoader {
  readonly trees = new Map<string, ComposeFileTree>();
  readonly errors: ComposeError[] = [];
  private readonly texts = new Map<string, string>();
  private readonly envs = new Map<string, Env>();
  private readonly reported = new Set<string>();

  constructor(
    files: Array<{ path: string; text: string }>,
    private readonly readFile?: ReadFile,
  ) {
    for (const f of files) this.texts.set(f.path, f.text);
  }

  private error(file: string, line: number | undefined, message: string): void {
    const k = `${file}\0${line}\0${message}`;
    if (this.reported.has(k)) return;
    this.reported.add(k);
    this.errors.push(line === undefined ? { file, message } : { file, line, message });
  }

  /** interpolation variables: the `.env` next to the primary file of the project */
  private envFor(dir: string): Env {
    let env = this.envs.get(dir);
    if (!env) {
      const text = this.readFile?.(joinRel(dir, '.env'));
      const vars = text ? parseDotEnv(text) : new Map<string, string>();
      env = (name) => vars.get(name);
      this.envs.set(dir, env);
    }
    return env;
  }

  /** The text of a compose file given to the loader, else read from the scan root. */
  text(path: string): string | undefined {
    return this.texts.get(path) ?? this.readFile?.(path);
  }

  /** Parse + validate one file (cached). Undefined when it cannot be read at all. */
  tree(path: string, envDir = dirOf(path)): ComposeFileTree | undefined {
    const cached = this.trees.get(path);
    if (cached) return cached;
    const text = this.text(path);
    if (text === undefined) return undefined;
    const parsed = parseYamlTree(path, text, this.envFor(envDir));
    const t: ComposeFileTree = { path, root: null, partial: false, ...(parsed.header ? { header: parsed.header } : {}), ...(parsed.serviceNotes ? { serviceNotes: parsed.serviceNotes } : {}) };
    this.trees.set(path, t);
    if (parsed.error) {
      this.error(path, parsed.error.line, `invalid YAML: ${parsed.error.message}`);
      return t;
    }
    const root = parsed.root;
    if (!root || (root.kind === 'scalar' && root.value === null)) {
      this.error(path, 1, 'empty compose file: expected a mapping with a `services:` key');
      return t;
    }
    if (root.kind !== 'map') {
      this.error(path, root.src.loc.line, `not a compose file: the top level is a ${root.kind === 'seq' ? 'list' : 'plain value'}, expected a mapping`);
      return t;
    }
    for (const [k, e] of root.entries) {
      if (!TOP_KEYS.has(k) && !k.startsWith('x-')) {
        this.error(path, e.keySrc.loc.line, `unknown top-level key \`${k}\` (expected services, networks, volumes, configs, secrets, include, name or an x- extension)`);
      }
    }
    const services = get(root, 'services');
    if (services && !(services.kind === 'map' || (services.kind === 'scalar' && services.value === null))) {
      this.error(path, services.src.loc.line, '`services` must be a mapping of service name to definition');
    }
    if (services?.kind === 'map') {
      for (const [name, e] of services.entries) {
        if (e.value.tag === 'reset') continue; // `web: !reset {}` removes a service defined in a base file
        if (e.value.kind !== 'map') {
          this.error(path, e.keySrc.loc.line, `service \`${name}\` must be a mapping, found ${e.value.kind === 'seq' ? 'a list' : e.value.kind === 'scalar' && e.value.value === null ? 'nothing' : 'a plain value'}`);
          continue;
        }
        if (!entry(e.value, 'image') && !entry(e.value, 'build') && !entry(e.value, 'extends')) t.partial = true;
      }
    }
    t.root = root;
    return t;
  }

  private serviceMap(t: ComposeFileTree | undefined): Map<string, YEntry> {
    const services = get(t?.root, 'services');
    const out = new Map<string, YEntry>();
    if (services?.kind === 'map') for (const [k, e] of services.entries) if (e.value.kind === 'map' && e.value.tag !== 'reset') out.set(k, e);
    return out;
  }

  /** services a file removes with `name: !reset` */
  private resetServices(path: string): string[] {
    const services = get(this.trees.get(path)?.root, 'services');
    return services?.kind === 'map' ? [...services.entries].filter(([, e]) => e.value.tag === 'reset').map(([k]) => k) : [];
  }

  /** extends targets named in a file: other-file references */
  extendsFiles(path: string): string[] {
    const out: string[] = [];
    for (const e of this.serviceMap(this.trees.get(path)).values()) {
      const f = str(get(get(e.value, 'extends'), 'file'));
      if (f) out.push(joinRel(dirOf(path), f));
    }
    return out;
  }

  /** One file's services with `extends` resolved. */
  resolvedServices(path: string, stack: string[] = []): Map<string, { keySrc: Src; node: YMap }> {
    const out = new Map<string, { keySrc: Src; node: YMap }>();
    for (const [name, e] of this.serviceMap(this.tree(path))) {
      out.set(name, { keySrc: e.keySrc, node: this.resolveExtends(path, name, e.value as YMap, stack) });
    }
    return out;
  }

  private resolveExtends(path: string, name: string, node: YMap, stack: string[]): YMap {
    const ext = entry(node, 'extends');
    if (!ext) return node;
    const self = `${path}#${name}`;
    if (stack.includes(self)) {
      this.error(path, ext.keySrc.loc.line, `service \`${name}\`: circular \`extends\` (${[...stack, self].join(' -> ')})`);
      return node;
    }
    let targetName: string | undefined;
    let targetFile = path;
    let where: Src = ext.value.src;
    if (ext.value.kind === 'scalar') targetName = str(ext.value);
    else if (ext.value.kind === 'map') {
      const s = entry(ext.value, 'service');
      targetName = str(s?.value);
      if (s) where = s.value.src;
      const f = entry(ext.value, 'file');
      const fs = str(f?.value);
      if (fs) {
        targetFile = joinRel(dirOf(path), fs);
        if (!this.tree(targetFile, dirOf(path))) {
          this.error(path, f!.value.src.loc.line, `service \`${name}\` extends \`${targetName ?? '?'}\` from \`${fs}\`, but that file does not exist`);
          return without(node, 'extends');
        }
      }
    }
    if (!targetName) {
      this.error(path, ext.keySrc.loc.line, `service \`${name}\`: \`extends\` needs a \`service\` name`);
      return without(node, 'extends');
    }
    const base = this.serviceMap(this.trees.get(targetFile)).get(targetName);
    if (!base) {
      const inFile = targetFile === path ? 'this file' : `\`${targetFile}\``;
      this.error(path, where.loc.line, `service \`${name}\` extends \`${targetName}\`, which is not defined in ${inFile}`);
      return without(node, 'extends');
    }
    const baseNode = this.resolveExtends(targetFile, targetName, base.value as YMap, [...stack, self]);
    return mergeNodes(baseNode, without(node, 'extends'), '') as YMap;
  }

  /** Build one project from files merged in order (plus their `include:`s). */
  project(files: string[], stack: string[] = []): ComposeProject {
    const id = files[0];
    const services = new Map<string, ComposeService>();
    let volumes: YNode | undefined;
    const all = [...files];
    const included: string[] = [];
    for (const f of files) {
      for (const [name, s] of this.resolvedServices(f)) {
        const prev = services.get(name);
        if (prev) prev.node = mergeNodes(prev.node, s.node, '') as YMap;
        else services.set(name, { name, keySrc: s.keySrc, node: s.node, project: id });
      }
      for (const name of this.resetServices(f)) services.delete(name);
      const v = get(this.trees.get(f)?.root, 'volumes');
      if (v) volumes = volumes ? mergeNodes(volumes, v, 'volumes') : v;
    }
    for (const f of files) {
      for (const inc of this.includes(f)) {
        if (stack.includes(inc.files[0]) || files.includes(inc.files[0])) continue;
        const missing = inc.files.filter((p) => !this.tree(p));
        if (missing.length) {
          this.error(f, inc.line, `included file \`${missing[0]}\` does not exist`);
          continue;
        }
        const sub = this.project(inc.files, [...stack, ...files]);
        all.push(...sub.files.filter((p) => !all.includes(p)));
        included.push(...sub.files.filter((p) => !included.includes(p) && !files.includes(p)));
        for (const [name, s] of sub.services) if (!services.has(name)) services.set(name, { ...s, project: id });
        if (sub.volumes) volumes = volumes ? mergeNodes(sub.volumes, volumes, 'volumes') : sub.volumes;
      }
    }
    for (const s of services.values()) s.node = dropResets(s.node);
    return { id, files: all, included, dir: dirOf(id), services, volumes: volumes && dropResets(volumes) };
  }

  private includes(path: string): Array<{ files: string[]; line: number }> {
    const inc = get(this.trees.get(path)?.root, 'include');
    if (inc?.kind !== 'seq') return [];
    const out: Array<{ files: string[]; line: number }> = [];
    for (const it of inc.items) {
      const p = it.kind === 'map' ? get(it, 'path') : it;
      const list = p?.kind === 'seq' ? p.items.map(str) : [str(p)];
      const files = list.filter((x): x is string => !!x).map((x) => joinRel(dirOf(path), x));
      if (files.length) out.push({ files, line: it.src.loc.line });
    }
    return out;
  }
}

function without(node: YMap, key: string): YMap {
  if (!node.entries.has(key)) return node;
  const entries = new Map(node.entries);
  entries.delete(key);
  return { ...node, entries };
}

/**
 * Which input files form which projects:
 * - `compose.yaml` (+ `compose.override.yaml`), `docker-compose.yml` (+ `docker-compose.override.yml`): one project;
 * - another compose file whose services are partial overlays of a base in its own directory or an
 *   ancestor's (`docker-compose.prod.yml` adding `restart:` to services defined in the base): base + it;
 * - any other file: a project of its own, except files only used as `extends` targets.
 */
export function planProjects(loader: ComposeLoader, paths: string[]): string[][] {
  const byDir = new Map<string, string[]>();
  for (const p of [...paths].sort()) {
    const d = dirOf(p);
    byDir.set(d, [...(byDir.get(d) ?? []), p]);
  }
  const extendsTargets = new Set(paths.flatMap((p) => loader.extendsFiles(p)));
  const basesOf = new Map<string, string[]>();
  for (const [dir, list] of byDir) {
    const names = new Map(list.map((p) => [posix.basename(p), p]));
    basesOf.set(dir, BASE_ORDER.filter((n) => names.has(n)).map((n) => names.get(n)!));
  }
  /** the base an overlay applies to: in its own directory, else the nearest ancestor's */
  const baseFor = (file: string): string | undefined => {
    for (let d = dirOf(file); ; d = dirOf(d)) {
      const base = (basesOf.get(d) ?? []).find((b) => overlaysBase(loader, b, file));
      if (base) return base;
      if (d === '') return undefined;
    }
  };
  const plans: string[][] = [];
  for (const list of byDir.values()) {
    const bases = basesOf.get(dirOf(list[0]))!;
    const used = new Set<string>(bases);
    for (const base of bases) {
      const family = posix.basename(base).replace(/\.ya?ml$/, '');
      const ov = list.find((p) => OVERRIDE_RE.exec(posix.basename(p))?.[1] === family);
      if (ov) used.add(ov);
      plans.push(ov ? [base, ov] : [base]);
    }
    for (const p of list) {
      if (used.has(p) || extendsTargets.has(p)) continue;
      const base = loader.trees.get(p)?.partial ? baseFor(p) : undefined;
      plans.push(base ? [base, p] : [p]);
    }
  }
  return plans;
}

function overlaysBase(loader: ComposeLoader, base: string, file: string): boolean {
  const baseServices = get(loader.trees.get(base)?.root, 'services');
  const services = get(loader.trees.get(file)?.root, 'services');
  if (services?.kind !== 'map' || baseServices?.kind !== 'map') return false;
  for (const [name, e] of services.entries) {
    if (e.value.kind !== 'map') continue;
    const partial = !entry(e.value, 'image') && !entry(e.value, 'build') && !entry(e.value, 'extends');
    if (partial && baseServices.entries.has(name)) return true;
  }
  return false;
}
