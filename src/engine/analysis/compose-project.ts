// What every compose check receives: one project's services, each read once (image + catalog
// entry, healthcheck verdict, one-shot or long-running, dependencies), plus the edges from
// environment URLs and from code. Checks (src/engine/checks/compose-*.ts) return drafts made with
// `composeDraft`; src/engine/compose.ts merges the drafts of a key that fires in several projects.
import { ciImageFor, type CiImage } from './ci-images.js';
import { posix } from 'node:path';
import type { ComposeProject, ComposeService } from '../../languages/compose/model.js';
import { devFilesOf, isDevFile } from '../../languages/compose/model.js';
import {
  buildContext,
  commandArgs,
  dockerfileHasHealthcheck,
  dockerfileSteps,
  dependsOn,
  fetchesRepository,
  environment,
  healthcheck,
  imageRef,
  mounts,
  ports,
  profiles,
  restart,
  writtenEnvironment,
  type CommandArgs,
  type Dependency,
  type HealthcheckInfo,
  type ImageRef,
} from '../../languages/compose/service.js';
import { get, getPath, str, type Src, type YMap, type YNode } from '../../languages/compose/tree.js';
import type { ComposeTarget, RuleContext } from '../api.js';
import type { FindingDraft } from '../types.js';
import { majorVersion, type ComposeKnowledge, type ImageInfo } from './compose-knowledge.js';
import { judgeProbe, type ProbeVerdict } from './healthcheck-probe.js';
import { isShellScript } from './start-script.js';

export type HealthState = 'none' | 'disabled' | 'weak' | 'ok' | 'image-default';

import type { CodeFileSummary as CodeSummary } from '../compose.js';
import { within } from '../../model/packages.js';
import { deepestOwners } from '../../model/owners.js';
import { imageHolds } from '../../model/dockerfiles.js';

export interface ServiceView {
  name: string;
  svc: ComposeService;
  node: YMap;
  keySrc: Src;
  image?: ImageRef;
  info?: ImageInfo;
  /** major version from the tag (null: latest or unknown) */
  version: number | null;
  /** build context relative to the scan root */
  build?: string;
  /** the Dockerfile's folder when it sits below the context (a monorepo built from its root) */
  dockerfileDir?: string;
  /**
   * what the Dockerfile COPYs from the context, when every source is a named path (`backend/`,
   * `unstract/`): the image's code, narrower than a context that is the whole repository
   */
  copyRoots?: string[];
  /**
   * code roots of the image another compose file builds (`keep-backend: image: …/keep-api` run
   * here, built from docker/Dockerfile.api in a test stack): the system model's link, set before
   * the checks run
   */
  inheritedRoots?: string[];
  /** the Dockerfile (relative to the scan root) and the stage built, when built here */
  dockerfile?: string;
  buildTarget?: string;
  hc?: HealthcheckInfo;
  health: HealthState;
  verdict?: ProbeVerdict;
  command?: CommandArgs;
  entrypoint?: CommandArgs;
  /** command + entrypoint as one string, for pattern checks */
  commandText: string;
  /**
   * the service waits for its dependencies by itself before it starts its work: a wait tool or
   * loop in its command, or in the start-up script it runs (compose `entrypoint`/`command` or the
   * Dockerfile's ENTRYPOINT/CMD, read from the repository)
   */
  /** it waits for its dependencies by itself: all of them, or only those of these image kinds (`wait_for_db`), or none */
  waitsForDeps: boolean | Set<string>;
  /** the shell script the container starts with, when the repository has it */
  startScript?: StartScript;
  deps: Dependency[];
  /** runs once and exits (migrations, seeding, setup), or is an interactive tool container */
  oneShot: boolean;
  /** only kept alive to `docker compose exec` into (`tail -f /dev/null`): starts no work of its own */
  idle: boolean;
  profiles: string[];
  /** the service is declared in a developer-only file (dev, local, override, test) */
  dev: boolean;
  /** the service is declared in a quick-start file (what says so), one people run to try the product */
  quickstart?: string;
  /** publishes or exposes a port */
  listens: boolean;
}

export interface ProjectView {
  project: ComposeProject;
  services: ServiceView[];
  byName: Map<string, ServiceView>;
  knowledge: ComposeKnowledge;
  /** service -> services it talks to (environment URLs, code clients) */
  talksTo: Map<string, Set<string>>;
  /**
   * service -> services its code reaches only through clients that reconnect and queue commands
   * by themselves (catalog `compose-clients` `reconnects`: ioredis): it waits for them on its own
   */
  reconnectsTo: Map<string, Set<string>>;
  /** code run by this project relies on NATS JetStream */
  jetstream: boolean;
  /** some service uses redis as a queue/broker */
  redisQueue: boolean;
  /** what the code of the scan imports and builds (the files of each service: `deepestOwners` with `codeRoots`) */
  code: CodeSummary[];
}

/** A compose check's draft: `file` holds the location, `symbol` names the service. */
export type ComposeDraft = FindingDraft & { file: string; symbol: string };

/** A finding for `service` at `src`; the service is also the message's `{service}`. */
export function composeDraft(ctx: RuleContext<ComposeTarget>, src: Src, service: string, data?: Record<string, string>): ComposeDraft {
  return { ruleId: ctx.rule.id, loc: { ...src.loc }, message: ctx.rule.message, data: { service, ...data }, symbol: service, file: src.file };
}

/** lower a draft to P2, saying why */
export function atP2(d: ComposeDraft, reason: string): ComposeDraft {
  d.priority = 'P2';
  d.priorityReason = reason;
  return d;
}

/** P2 when the service only runs behind a `profiles:` switch */
export function profileP2(v: ServiceView, d: ComposeDraft): ComposeDraft {
  return v.profiles.length ? atP2(d, `only runs with profile ${v.profiles.join(', ')}`) : d;
}

/** P2 when the service is declared in a developer-only compose file */
export function devP2(v: ServiceView, d: ComposeDraft): ComposeDraft {
  return v.dev ? atP2(d, 'declared in a developer-only compose file') : d;
}

/**
 * P2 for the operational hardening a quick-start file leaves to whoever runs it in production
 * (restart policies, healthchecks, start order), and in developer-only files; data durability and
 * secrets do not use this.
 */
export function hardeningP2(v: ServiceView, d: ComposeDraft): ComposeDraft {
  if (v.dev) return devP2(v, d);
  return v.quickstart ? atP2(d, `declared in a quick-start compose file (${v.quickstart}): hardening it for production is the operator's step`) : d;
}

/** `imageHealthcheck`: the image (catalog) or the service's own Dockerfile declares a HEALTHCHECK */
function healthState(hc: HealthcheckInfo | undefined, imageHealthcheck: boolean, verdict: ProbeVerdict | undefined): HealthState {
  if (!hc) return imageHealthcheck ? 'image-default' : 'none';
  if (hc.disabled || hc.test?.form === 'NONE') return 'disabled';
  if (!hc.test) return imageHealthcheck ? 'image-default' : 'none';
  return verdict?.strength === 'weak' ? 'weak' : 'ok';
}

/** read a file under the scan root (relative POSIX path); undefined when absent or unknown */
export type ReadText = (relPath: string) => string | undefined;

type StartStep = NonNullable<ReturnType<typeof dockerfileSteps>['start']>;

/** the words of what the container runs: compose `entrypoint` replaces the image's ENTRYPOINT and drops its CMD */
function startWords(command: CommandArgs | undefined, entrypoint: CommandArgs | undefined, start: StartStep | undefined): string[] {
  const words = (cmd: string | undefined) => (cmd ?? '').split(/\s+/).filter(Boolean);
  const cmd = command ? command.args.map((a) => a.text) : entrypoint ? [] : words(start?.cmd);
  return [...(entrypoint ? entrypoint.args.map((a) => a.text) : words(start?.entrypoint)), ...cmd];
}

/**
 * Where a script the container runs lives in the repository: through the Dockerfile's COPY
 * (`COPY docker/entrypoint.sh /` or `COPY . /opt/app`), else beside the build context's root or
 * in its `docker/` folder. Candidates only: the caller reads what exists.
 */
function scriptCandidates(word: string, start: StartStep | undefined, context: string): string[] {
  const abs = word.startsWith('/') || !start ? word : posix.join(start.workdir, word);
  const base = posix.basename(word);
  const out: string[] = [];
  for (const c of start?.copies ?? []) {
    for (const src of c.sources) {
      if (c.intoDir ? abs === posix.join(c.dest, posix.basename(src)) : abs === c.dest) out.push(src);
      else if (abs.startsWith(`${c.dest === '/' ? '' : c.dest}/`)) out.push(posix.join(src, abs.slice(c.dest === '/' ? 1 : c.dest.length + 1)));
    }
  }
  out.push(base, `docker/${base}`);
  return [...new Set(out.map((c) => posix.normalize(posix.join(context || '.', c)).replace(/^\.\//, '')))].filter((c) => c !== '.' && !c.startsWith('../'));
}

const SCRIPT = /\.(?:sh|bash|py|js|mjs|cjs)$|entrypoint/i;

/** The shell script the container starts with (one level), read from the repository. */
export interface StartScript {
  file: string;
  text: string;
  /** what runs in front of it signals the whole process group (`dumb-init`, `tini -g`): signals reach every child */
  groupSignals: boolean;
  /** an init in front that signals only its child, the shell (`tini` without `-g`) */
  childOnlyInit?: string;
}

function startScript(
  command: CommandArgs | undefined,
  entrypoint: CommandArgs | undefined,
  dockerfile: string | undefined,
  target: string | undefined,
  context: string | undefined,
  readFile?: ReadText,
): StartScript | undefined {
  if (!readFile || context === undefined) return undefined;
  const start = dockerfile !== undefined ? dockerfileSteps(dockerfile, target).start : undefined;
  const words = startWords(command, entrypoint, start);
  const dumb = words.findIndex((w) => /(^|\/)dumb-init$/.test(w));
  const tini = words.findIndex((w) => /(^|\/)tini$/.test(w));
  const groupSignals = (dumb >= 0 && !words.includes('--single-child') && !words.includes('-c')) || (tini >= 0 && words.slice(tini + 1).some((w) => /^-\w*g/.test(w)));
  for (const w of words.filter((x) => SCRIPT.test(x) && !x.startsWith('-')).slice(0, 4)) {
    for (const c of scriptCandidates(w, start, context)) {
      const text = readFile(c);
      if (text !== undefined && isShellScript(c, text)) return { file: c, text, groupSignals, ...(tini >= 0 && !groupSignals ? { childOnlyInit: 'tini' } : {}) };
    }
  }
  return undefined;
}

function waitsForDeps(
  commandText: string,
  command: CommandArgs | undefined,
  entrypoint: CommandArgs | undefined,
  dockerfile: string | undefined,
  target: string | undefined,
  /** the build context, or the folder of the project's own published image (no `build:`) */
  context: string | undefined,
  k: ComposeKnowledge,
  readFile?: ReadText,
): boolean | Set<string> {
  // line by line: a wait that asks one kind of dependency covers that kind; any other wait, all
  const kinds = new Set<string>();
  const waits = (text: string): boolean => {
    for (const line of text.split(/\r?\n/)) {
      const only = k.waitToolsFor.filter((w) => w.re.test(line));
      if (only.length) for (const w of only) for (const s of w.services) kinds.add(s);
      else if (k.waitTools.some((r) => r.test(line))) return true;
    }
    return false;
  };
  const result = (): boolean | Set<string> => (kinds.size ? kinds : false);
  if (waits(commandText)) return true;
  const start = dockerfile !== undefined ? dockerfileSteps(dockerfile, target).start : undefined;
  const words = startWords(command, entrypoint, start);
  if (!command && !entrypoint && waits(words.join(' '))) return true;
  if (!readFile || context === undefined) return result();
  // one level: the start-up script itself (a script it sources is read only by name, `wait_for_db`)
  for (const w of words.filter((x) => SCRIPT.test(x) && !x.startsWith('-')).slice(0, 4)) {
    for (const c of scriptCandidates(w, start, context)) {
      const text = readFile(c);
      if (text !== undefined && waits(text)) return true;
    }
  }
  return result();
}

/**
 * The Dockerfile of the project's own published image (`image: pub.kiwitcms.eu/kiwitcms/kiwi`, no
 * `build:`): the last segment of the image's repository names the folder of the compose file or one above
 * it, or the package declared there (package.json, pyproject.toml, setup.py), and that folder has a
 * Dockerfile. `rootName` is the scan root's own folder name.
 */
function ownDockerfile(
  image: ImageRef | undefined,
  composeFile: string,
  rootName: string | undefined,
  readFile: ReadText | undefined,
  known?: Set<string>,
  ci?: CiImage[],
): { dockerfile: string; context: string; roots?: string[] } | undefined {
  if (!image || image.unknown || !readFile) return undefined;
  // what the project's CI builds under this name and tag is the image, whatever sits beside the compose file
  const built = ci && ciImageFor(ci, image.name, image.tag);
  if (built) return { dockerfile: built.dockerfile, context: built.context === '.' ? '' : built.context };
  const dirs: string[] = [];
  for (let d = posix.dirname(composeFile); ; d = posix.dirname(d)) {
    dirs.push(d === '.' ? '' : d);
    if (d === '.' || d === '/' || d === '') break;
  }
  for (const dir of dirs) {
    const at = (f: string) => (dir ? `${dir}/${f}` : f);
    const names = [dir ? posix.basename(dir) : rootName ?? ''];
    try {
      const n = (JSON.parse(readFile(at('package.json')) ?? '{}') as { name?: unknown }).name;
      if (typeof n === 'string') names.push(n.replace(/^@[^/]+\//, ''));
    } catch {
      /* not JSON: no name */
    }
    const py = /^\s*name\s*=\s*["']([\w.-]+)["']/m.exec(readFile(at('pyproject.toml')) ?? '')?.[1] ?? /\bname\s*=\s*["']([\w.-]+)["']/.exec(readFile(at('setup.py')) ?? '')?.[1];
    if (py) names.push(py);
    if (!ownImage(image, names)) continue;
    // the Dockerfile at that folder, or in its docker/ folder built from there (documenso's
    // docker/Dockerfile; linkding's docker/default.Dockerfile beside docker/alpine.Dockerfile)
    // a production compose file runs the production image: doccano's docker-compose.prod.yml
    // beside docker/Dockerfile.prod, whose COPY puts the entrypoint scripts it names in place
    // (docker/Dockerfile is the all-in-one development image)
    const variants = ['default', 'prod', 'production', 'release'];
    const mine = variants.filter((n) => n !== 'default' && new RegExp(`[._-]${n}[._-]`, 'i').test(posix.basename(composeFile)));
    const files = ['Dockerfile', 'docker/Dockerfile', ...variants.flatMap((n) => [`docker/${n}.Dockerfile`, `docker/Dockerfile.${n}`])];
    const named = files.filter((f) => mine.some((n) => f.includes(`${n}.Dockerfile`) || f.endsWith(`Dockerfile.${n}`)));
    for (const f of [...named, ...files])
      if (readFile(at(f)) !== undefined) return { dockerfile: at(f), context: dir };
  }
  // an image the project publishes from a folder of its own, named for the image's last segment or
  // a dash-suffix of it: hyperdx's `clickstack-otel-collector`, built from docker/otel-collector/
  const segment = image.name.split('/').pop()!.toLowerCase();
  const parts = segment.split('-');
  const stems = parts.map((_, i) => parts.slice(i).join('-')).filter((c) => c.length >= 6);
  for (const dir of dirs) {
    const at = (f: string) => (dir ? `${dir}/${f}` : f);
    for (const c of stems) for (const f of [`docker/${c}/Dockerfile`, `${c}/Dockerfile`]) if (readFile(at(f)) !== undefined) return { dockerfile: at(f), context: posix.dirname(at(f)) };
    // the image's folder keeps its Dockerfile in a docker/ folder, built from the repository root
    // (HedgeDoc's backend/docker/Dockerfile, whose COPY steps name backend/…, database/…)
    // (its own code is that folder: a builder stage's `COPY . .` would otherwise hand it every file)
    for (const c of stems) if (readFile(at(`${c}/docker/Dockerfile`)) !== undefined) return { dockerfile: at(`${c}/docker/Dockerfile`), context: dir, roots: [at(c)] };
  }
  // the one source folder of the repository named for the image, at any depth and in any case
  // (OpenSign's `opensign/opensignserver`, built by a CI matrix from apps/OpenSignServer/ with a
  // `Dockerhubfile`): the image runs that folder's code, whatever its Dockerfile is called
  if (known && segment.length >= 6) {
    const norm = (x: string) => x.toLowerCase().replace(/[-_.]/g, '');
    const want = norm(segment);
    const found = new Set<string>();
    for (const rel of known) {
      const parts = rel.split('/');
      for (let i = 0; i < Math.min(parts.length - 1, 4); i++) if (norm(parts[i]) === want) found.add(parts.slice(0, i + 1).join('/'));
    }
    if (found.size === 1) {
      const [d] = found;
      const dockerfile = ['Dockerfile', 'Dockerhubfile', 'docker/Dockerfile'].map((f) => `${d}/${f}`).find((f) => readFile(f) !== undefined) ?? `${d}/Dockerfile`;
      return { dockerfile, context: d, roots: [d] };
    }
  }
  return undefined;
}

/** Is the image the project's own (its repository's last path segment is one of the project's names)? */
function ownImage(image: ImageRef, ownNames: string[]): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[-_.]/g, '');
  const names = new Set(ownNames.map(norm).filter((n) => n.length >= 3));
  const segs = image.name.split('/');
  // `ghcr.io/org/app`, `localhost:5000/app`: the first segment is a registry
  const repo = segs.length > 1 && /[.:]|^localhost$/.test(segs[0]) ? segs.slice(1) : segs;
  // the repository's own name, not its organisation: `skyvern/skyvern-ui` is not `skyvern/skyvern`;
  // a short form of a name counts (`kiwitcms/kiwi` for the package kiwitcms)
  const last = norm(repo[repo.length - 1]);
  return last.length >= 3 && [...names].some((n) => n === last || n.startsWith(last));
}

/** the folders a process started from the named workspaces loads (PackageGraph.dirsLoadedBy), undefined when unknown */
export type WorkspaceDirs = (names: string[]) => string[] | undefined;

function viewService(s: ComposeService, project: ComposeProject, k: ComposeKnowledge, readFile?: ReadText, rootName?: string, known?: Set<string>, workspaces?: WorkspaceDirs, ci?: CiImage[]): ServiceView {
  const node = s.node;
  const image = imageRef(node);
  const info = k.imageInfo(image);
  const ctx = buildContext(node);
  // a service built here carries its Dockerfile's HEALTHCHECK, and so does the project's own
  // published image, which the root Dockerfile builds
  const own = !ctx && !info ? ownDockerfile(image, s.keySrc.file, rootName, readFile, known, ci) : undefined;
  const dockerfile = ctx?.dockerfile ? readFile?.(ctx.dockerfile) : own ? readFile?.(own.dockerfile) : undefined;
  const builtHealthcheck = dockerfile !== undefined && dockerfileHasHealthcheck(dockerfile, ctx?.target);
  const command = commandArgs(node, 'command');
  const entrypoint = commandArgs(node, 'entrypoint');
  const commandText = [...(entrypoint?.args ?? []), ...(command?.args ?? [])].map((a) => a.text).join(' ');
  const build = ctx?.path;
  const dfDir = ctx?.dockerfile ? posix.dirname(ctx.dockerfile) : undefined;
  const dockerfileDir = dfDir && dfDir !== '.' && dfDir !== build && within(dfDir, build ?? '') ? dfDir : undefined;
  // (a `turbo prune` keeps the workspaces it names: documenso's image prunes to @documenso/remix,
  // so its marketing app apps/openpage-api is in the build context, not in the image); the
  // project's own published image holds what its Dockerfile copies from the folder it is built in
  const held =
    dockerfile !== undefined && known
      ? build !== undefined
        ? imageHolds(dockerfile, ctx?.target, build, known, workspaces)
        : own
          ? imageHolds(dockerfile, undefined, own.context, known, workspaces)
          : undefined
      : undefined;
  const copied = build === undefined && own?.roots ? own.roots : Array.isArray(held) ? held : held === 'all' && own && build === undefined ? [own.context] : undefined;
  // an image that downloads this repository's own source (lemur's Dockerfile fetches the
  // Netflix/lemur archive and copies in only its config) runs the whole repository's code
  const fetched = dockerfile !== undefined && rootName !== undefined && (build !== undefined || own) && fetchesRepository(dockerfile, ctx?.target, rootName);
  const copyRoots = fetched ? [...new Set([...(copied ?? []), ''])] : copied;
  const listens = ports(node).length > 0 || get(node, 'expose') !== undefined;
  const hc = healthcheck(node);
  const env = environment(node);
  const redisAuth =
    info?.service === 'redis' && (/--requirepass\b/.test(commandText) || env.some((e) => /^(REDIS_PASSWORD|REDIS_ARGS)$/.test(e.name) && !!e.value));
  const verdict =
    hc?.test && hc.test.form !== 'NONE'
      ? judgeProbe(hc.test, {
          strong: info ? k.strongProbes(info) : [],
          http: info ? info.protocol === 'http' : build !== undefined && listens,
          protocolProbe: !!info?.strongProbes?.length && info.protocol !== 'http',
          redisAuth,
        })
      : undefined;
  return {
    name: s.name,
    svc: s,
    node,
    keySrc: s.keySrc,
    image,
    info,
    version: info && image ? majorVersion(info, image) : null,
    build,
    ...(dockerfileDir ? { dockerfileDir } : {}),
    ...(copyRoots ? { copyRoots } : {}),
    ...(ctx?.dockerfile ? { dockerfile: ctx.dockerfile } : {}),
    ...(ctx?.target ? { buildTarget: ctx.target } : {}),
    hc,
    health: healthState(hc, builtHealthcheck || !!info?.builtinHealthcheck, verdict),
    verdict,
    command,
    entrypoint,
    commandText,
    waitsForDeps: waitsForDeps(commandText, command, entrypoint, dockerfile, ctx?.target, ctx?.path ?? own?.context, k, readFile),
    startScript: startScript(command, entrypoint, dockerfile, ctx?.target, ctx?.path ?? own?.context, readFile),
    deps: dependsOn(node),
    oneShot: false,
    idle: false,
    profiles: profiles(node),
    dev: devFilesOf(project).includes(s.keySrc.file),
    listens,
  };
}

const URL_RE = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^@/\s]*@)?([A-Za-z0-9_.-]+)/gi;

/**
 * services this one reaches without depends_on: hosts in environment values (URLs, `*_HOST=name`),
 * `links`, `network_mode: service:x` and `volumes_from`
 */
/**
 * The compose networks a service is attached to (`default` when it lists none), or undefined when
 * `network_mode` puts it elsewhere (the host, another container's namespace).
 */
function networksOf(v: ServiceView): Set<string> | undefined {
  if (get(v.node, 'network_mode')) return undefined;
  const n = get(v.node, 'networks');
  if (!n) return new Set(['default']);
  if (n.kind === 'seq') return new Set(n.items.map((i) => str(i) ?? '').filter(Boolean));
  if (n.kind === 'map') return new Set(n.entries.keys());
  return undefined;
}

/**
 * Two services of one file that can reach each other by name: they share a network. Only a
 * client's kind ties code to a service, so a second Postgres on a network of its own (tracecat's
 * `temporal_postgres_db`, reached by `temporal` alone) is not called by every Postgres client.
 */
function shareNetwork(a: ServiceView, b: ServiceView): boolean {
  if (a.keySrc.file !== b.keySrc.file) return true;
  const [na, nb] = [networksOf(a), networksOf(b)];
  if (!na || !nb) return true;
  for (const x of na) if (nb.has(x)) return true;
  return false;
}

function reachedWithoutDependsOn(v: ServiceView, names: Set<string>): Set<string> {
  const out = new Set<string>();
  const links = get(v.node, 'links');
  for (const it of links?.kind === 'seq' ? links.items : []) {
    const name = str(it)?.split(':')[0];
    if (name && names.has(name)) out.add(name);
  }
  const vf = get(v.node, 'volumes_from');
  for (const it of vf?.kind === 'seq' ? vf.items : []) {
    const name = str(it)?.replace(/^service:/, '').split(':')[0];
    if (name && names.has(name)) out.add(name);
  }
  const net = /^service:(.+)$/.exec(str(get(v.node, 'network_mode')) ?? '')?.[1];
  if (net && names.has(net)) out.add(net);
  for (const e of environment(v.node)) {
    if (!e.value) continue;
    for (const m of e.value.matchAll(URL_RE)) if (names.has(m[2]) && m[2] !== v.name) out.add(m[2]);
    if (/(HOST|HOSTNAME|SERVER|ADDR|ADDRESS)$/i.test(e.name) && names.has(e.value.trim()) && e.value.trim() !== v.name) out.add(e.value.trim());
  }
  return out;
}

// one home for "which service holds this file": the project model's (re-exported for the checks)
export { within, deepestOwners };

/** directories whose code runs in this service: the build context and relative bind-mount sources */
export function codeRoots(v: ServiceView): string[] {
  const roots = new Set<string>();
  // the folders the Dockerfile copies in, else the whole build context
  if (v.copyRoots) for (const r of v.copyRoots) roots.add(r);
  else if (v.build !== undefined) roots.add(v.build === '.' ? '' : v.build);
  // `context: ../..` with `dockerfile: apps/web/Dockerfile`: apps/web is this service's own code,
  // the rest of the context is shared (the deepest root decides which service a file is in)
  if (v.dockerfileDir !== undefined && !v.copyRoots) roots.add(v.dockerfileDir);
  for (const r of v.inheritedRoots ?? []) roots.add(r);
  for (const m of mounts(v.node)) {
    if (m.type !== 'bind' || !m.source || /^[/~$]/.test(m.source)) continue;
    const p = posix.normalize(posix.join(posix.dirname(m.src.file), m.source));
    roots.add(p === '.' ? '' : p.replace(/\/$/, ''));
  }
  return [...roots].sort();
}


export function usesJetstream(code: CodeSummary, k: ComposeKnowledge): boolean {
  return (
    code.modules.some((m) => k.jetstreamModules.some((r) => r.test(m))) ||
    (code.imports ?? []).some((m) => k.jetstreamImports.some((r) => r.test(m))) ||
    (code.calls ?? []).some((m) => k.jetstreamCalls.some((r) => r.test(m)))
  );
}

/**
 * Quick-start compose files and what says so: a database or broker service of the file given its
 * password as a literal (catalog `quickstartPasswords`), an application image run at a development
 * tag (`quickstartTags`), or a comment in the file telling the reader to change a setting for
 * production (`quickstartComments`).
 */
function quickstartFiles(services: ServiceView[], files: Iterable<string>, k: ComposeKnowledge, readFile: ReadText | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of services) {
    const file = v.keySrc.file;
    if (out.has(file) || !v.info || !['database', 'broker'].includes(v.info.kind)) continue;
    const lit = writtenEnvironment(get(v.node, 'environment')).find((e) => e.value !== '' && !e.raw.includes('$') && k.quickstartPasswords.some((r) => r.test(e.name)));
    if (lit) out.set(file, `the file writes \`${v.name}\`'s password in clear, \`${lit.name}\``);
  }
  for (const v of services) {
    const file = v.keySrc.file;
    // an application image (not a database or broker the catalog knows) at a development tag
    if (out.has(file) || v.info || !v.image || v.image.unknown || !k.quickstartTags.some((r) => r.test(v.image!.tag))) continue;
    out.set(file, `it runs \`${v.image.name}\` at the unreleased \`${v.image.tag}\` tag`);
  }
  for (const file of files) {
    if (out.has(file) || !k.quickstartComments.length) continue;
    const text = readFile?.(file);
    if (text && k.quickstartComments.some((r) => r.test(text))) out.set(file, 'its comments say to change settings for production');
  }
  return out;
}

/** The comment that opens a compose file (the parser's, before its first key) matches a catalog `devHeaders` regex. */
export function saysNotForProduction(header: string | undefined, k: ComposeKnowledge): boolean {
  if (!header || !k.devHeaders.length) return false;
  const said = header.split('\n').map((l) => l.trim()).join(' ');
  return k.devHeaders.some((r) => r.test(said));
}

/** The README beside a compose file in a folder of its own opens by saying the folder is for local development. */
function readmeSaysLocal(file: string, k: ComposeKnowledge, readFile: ReadText | undefined): boolean {
  const dir = posix.dirname(file);
  if (!readFile || dir === '.' || (!k.devReadmes.length && !k.devHeaders.length)) return false;
  const text = readFile(posix.join(dir, 'README.md')) ?? readFile(posix.join(dir, 'readme.md'));
  if (!text) return false;
  // prose is read with its line breaks folded; a pattern anchored at `^` (a title) is read line by
  // line, so `^#.*local environment` is a heading that says so, not a heading followed by prose
  // that does (plane's self-hosting guide: "# Self Hosting … create a local environment")
  const head = text.slice(0, 600);
  const opening = head.replace(/\s+/g, ' ').trim();
  const lines = head.split('\n').map((l) => l.trim());
  const says = (r: RegExp) => (r.source.startsWith('^') ? lines.some((l) => r.test(l)) : r.test(opening));
  return k.devReadmes.some(says) || k.devHeaders.some(says);
}

export function buildProjectView(
  project: ComposeProject,
  k: ComposeKnowledge,
  code: CodeSummary[],
  readFile?: ReadText,
  /** a compose file's opening comment, from the parser */
  headerOf?: (file: string) => string | undefined,
  /** the comment right above a service's key */
  noteOf?: (file: string, service: string) => string | undefined,
  /** the scan root's folder name (a project's own image is often named for it) */
  rootName?: string,
  /** a compose file's top-level `name:` */
  nameOf?: (file: string) => string | undefined,
  workspaces?: WorkspaceDirs,
  /** the images the project's CI workflows build, with their Dockerfiles */
  ci?: CiImage[],
): ProjectView {
  // the code files: what an image's COPY steps bring in is measured against them
  const known = new Set(code.map((c) => c.path));
  // a service with neither image nor build cannot run (a fragment of an overlay we could not pair)
  const services = [...project.services.values()]
    .filter((s) => s.node.entries.has('image') || s.node.entries.has('build'))
    .map((s) => viewService(s, project, k, readFile, rootName, known, workspaces, ci));
  const byName = new Map(services.map((v) => [v.name, v]));
  const completedTargets = new Set(services.flatMap((v) => v.deps.filter((d) => d.condition === 'service_completed_successfully').map((d) => d.name)));
  for (const v of services) {
    const r = restart(v.node)?.policy;
    const keepsRunning = r === 'always' || r === 'unless-stopped';
    // an interactive tool container (tty + stdin_open, no port, nobody depends on it) is a shell, not a service
    const interactive =
      str(get(v.node, 'tty')) === 'true' && str(get(v.node, 'stdin_open')) === 'true' && !v.listens && !services.some((o) => o.deps.some((d) => d.name === v.name));
    // `deploy.replicas: 0` / `scale: 0`: declared (to pull or build its image) and never started
    const never = ['0'].includes(str(getPath(v.node, ['deploy', 'replicas']))?.trim() ?? '') || str(get(v.node, 'scale'))?.trim() === '0';
    // kept alive only to `docker compose exec` into (`tail -f /dev/null`): a tool container
    v.oneShot =
      never ||
      (v.idle = k.idleCommands.some((re) => re.test(v.commandText))) ||
      (!keepsRunning &&
        (interactive ||
          completedTargets.has(v.name) ||
          ((k.oneShotCommands.some((re) => re.test(v.commandText)) || k.testCommands.some((re) => re.test(v.commandText))) && !k.serverCommands.some((re) => re.test(v.commandText))) ||
          k.oneShotNames.some((re) => re.test(v.name))));
  }
  // a file that runs a developer-only tool (a mail catcher, localstack) is a developer stack
  const devFiles = new Set(services.filter((v) => k.devTool(v.image)).map((v) => v.keySrc.file));
  // so is a file that runs no application: nothing built here and every image a known backing
  // service (postgres + redis for `npm run dev` on the host); the app's own stack runs its image
  const files = new Map<string, ServiceView[]>();
  for (const v of services) files.set(v.keySrc.file, [...(files.get(v.keySrc.file) ?? []), v]);
  // (a file a stack includes for its backing services is judged with the stack that includes it)
  const partOfStack = new Set(isDevFile(project.id) ? [] : project.included);
  for (const [file, list] of files) if (!partOfStack.has(file) && list.every((v) => v.build === undefined && v.info !== undefined && v.info.kind !== 'app')) devFiles.add(file);
  // and a file in a folder of the project's own source (keep's keep/providers/grafana_provider/
  // beside grafana_provider.py) that runs only other people's images: the system that module talks
  // to, started to develop against it, not a deployment of the project
  // (an image with the project's name in any segment of its path is the project's own:
  // `us-central1-docker.pkg.dev/keephq/keep/keep-api`)
  const root = (rootName ?? '').toLowerCase().replace(/[-_.]/g, '');
  const namedForProject = (image: ImageRef) => root.length >= 3 && image.name.toLowerCase().split(/[/:]/).some((seg) => seg.replace(/[-_.]/g, '').startsWith(root));
  for (const [file, list] of files) {
    const dir = posix.dirname(file);
    if (dir === '.' || partOfStack.has(file) || !code.some((c) => posix.dirname(c.path) === dir)) continue;
    if (list.every((v) => v.build === undefined && v.image !== undefined && !v.image.unknown && !namedForProject(v.image))) devFiles.add(file);
  }
  // and one whose application services all run in development mode (`NODE_ENV: development`, a
  // reloading dev server) or run the test suite (lemur's root docker-compose.yml: a `test` service
  // running `make test` beside a throwaway postgres and redis);
  // a few workers of a production stack that say `ENVIRONMENT=development` (unstract) do not make it one
  const devMode = (v: ServiceView) =>
    environment(v.node).some((e) => e.value !== undefined && k.devEnvironment.some((re) => re.test(`${e.name}=${e.value}`))) ||
    k.devCommands.some((re) => re.test(v.commandText) || (v.dockerfile !== undefined && re.test(v.dockerfile))) ||
    k.testCommands.some((re) => re.test(v.commandText));
  const application = (v: ServiceView) => v.build !== undefined || v.info === undefined || v.info.kind === 'app';
  // (the services built here speak for the file when there are any: keep's otel stack builds its
  // backend and UI from Dockerfile.dev.* and pulls the websocket server it always runs)
  for (const [file, list] of files) {
    const built = list.filter((v) => v.build !== undefined);
    const apps = built.length ? built : list.filter(application);
    if ((apps.length ? apps : list).every(devMode)) devFiles.add(file);
  }
  // and a file whose header says so ("for evaluation only", "do not use in production")
  for (const file of files.keys()) if (!devFiles.has(file) && saysNotForProduction(headerOf?.(file), k)) devFiles.add(file);
  // and one whose project is named with the words of a developer file (mem0's `name: mem0-dev`)
  for (const file of files.keys()) {
    const name = nameOf?.(file);
    if (!devFiles.has(file) && name && isDevFile(`${name}.yaml`)) devFiles.add(file);
  }
  // and one whose folder's README says the folder is for local development
  for (const file of files.keys()) if (!devFiles.has(file) && readmeSaysLocal(file, k, readFile)) devFiles.add(file);
  for (const v of services) if (devFiles.has(v.keySrc.file)) v.dev = true;
  // and a service whose own comment says so (`# used only for testing / not needed for deployment`)
  for (const v of services) if (!v.dev && saysNotForProduction(noteOf?.(v.keySrc.file, v.name), k)) v.dev = true;
  const quick = quickstartFiles(services, files.keys(), k, readFile);
  for (const v of services) if (!v.dev && quick.has(v.keySrc.file)) v.quickstart = quick.get(v.keySrc.file);
  const names = new Set(byName.keys());
  const talksTo = new Map<string, Set<string>>(services.map((v) => [v.name, reachedWithoutDependsOn(v, names)]));
  // code: the service running a file talks to every service of the kinds its clients reach
  let jetstream = false;
  let redisQueue = false;
  // runner + target -> every client the runner's code reaches the target with reconnects by itself
  const selfWaiting = new Map<string, boolean>();
  for (const c of code) {
    const runners = deepestOwners(services, codeRoots, c.path);
    const mapped = runners.length > 0;
    const foreign = !mapped && services.some((v) => v.build !== undefined);
    if (usesJetstream(c, k) && !foreign) jetstream = true;
    for (const client of k.clients) {
      if (client.language !== c.language || !c.modules.some((m) => client.modules.includes(m))) continue;
      for (const runner of runners)
        for (const target of services)
          if (target !== runner && target.info && client.services.includes(target.info.service)) {
            const key = `${runner.name}\0${target.name}`;
            selfWaiting.set(key, (selfWaiting.get(key) ?? true) && (client.reconnects === true || (client.reconnectsWithErrorListener === true && c.listensForErrors === true)));
          }
      // a broker client that can use redis or another broker (Celery: redis or RabbitMQ) uses the
      // other one when the stack runs it; a redis broker URL is still caught from the environment below
      const otherBroker = client.services.some((kind) => kind !== 'redis' && services.some((v) => v.info?.service === kind));
      if (client.queue && client.services.includes('redis') && !foreign && !otherBroker) redisQueue = true;
      for (const runner of runners) {
        for (const target of services) {
          if (target !== runner && target.info && client.services.includes(target.info.service) && shareNetwork(runner, target)) talksTo.get(runner.name)!.add(target.name);
        }
      }
    }
  }
  // a service of the stack creating streams/KV buckets with the nats CLI
  if (services.some((v) => k.jetstreamCommands.some((r) => r.test(v.commandText)))) jetstream = true;
  // a broker URL in a queue-ish variable pointing at redis
  for (const v of services) {
    for (const e of environment(v.node)) {
      if (!e.value || !k.queueEnvNames.some((n) => e.name.toUpperCase().includes(n))) continue;
      for (const m of e.value.matchAll(URL_RE)) {
        if (/^rediss?$/i.test(m[1]) && byName.get(m[2])?.info?.service === 'redis') redisQueue = true;
      }
    }
  }
  const reconnectsTo = new Map<string, Set<string>>();
  for (const [key, yes] of selfWaiting) {
    if (!yes) continue;
    const [runner, target] = key.split('\0');
    reconnectsTo.set(runner, (reconnectsTo.get(runner) ?? new Set()).add(target));
  }
  return { project, services, byName, knowledge: k, talksTo, reconnectsTo, jetstream, redisQueue, code };
}

/** services that (transitively) depend on `name` through depends_on or talk-to edges */
const directCache = new WeakMap<ProjectView, Map<string, Set<string>>>();

/**
 * A dependant that would stay broken if it started before its dependency was ready: it neither
 * waits for its dependencies itself (in its start-up command, or, for `dependency`, through a
 * client that reconnects by itself) nor gets restarted when its first connect fails (a restart
 * policy turns the start race into a few seconds of restarts). Only such a dependant needs
 * compose to gate its start on a healthcheck.
 */
export function needsReadinessGate(v: ServiceView, p?: ProjectView, dependency?: string): boolean {
  if (v.waitsForDeps === true) return false;
  // it waits for some kinds only: a dependency of another kind still needs the gate
  if (v.waitsForDeps && p && dependency !== undefined) {
    const kind = p.byName.get(dependency)?.info?.service;
    if (kind && v.waitsForDeps.has(kind)) return false;
  }
  // a pooler connects to its backends when a client asks and retries them: starting first costs nothing
  if (v.info?.retriesBackends) return false;
  // its code reaches the dependency only through a client that reconnects until it answers
  if (p && dependency !== undefined && p.reconnectsTo.get(v.name)?.has(dependency)) return false;
  // it runs a program that retries its own start-up connection (a Celery worker to its broker)
  const kind = p && dependency !== undefined ? p.byName.get(dependency)?.info?.service : undefined;
  if (kind && p!.knowledge.startRetries.some((c) => c.services.includes(kind) && c.runs.test(`${v.name}\n${v.commandText}`))) return false;
  const r = restart(v.node);
  return !(r && (r.policy === 'always' || r.policy === 'unless-stopped' || (r.policy === 'on-failure' && (r.maxAttempts === undefined || r.maxAttempts >= 3)) || r.policy === 'any'));
}


/** services that depend on or talk to this one themselves (not through another service) */
export function directDependentsOf(p: ProjectView, name: string): string[] {
  return [...(directEdges(p).get(name) ?? [])].filter((d) => d !== name).sort();
}

function directEdges(p: ProjectView): Map<string, Set<string>> {
  let direct = directCache.get(p);
  if (!direct) {
    const d0 = new Map<string, Set<string>>();
    for (const v of p.services) {
      for (const d of v.deps) d0.set(d.name, (d0.get(d.name) ?? new Set()).add(v.name));
      for (const t of p.talksTo.get(v.name) ?? []) d0.set(t, (d0.get(t) ?? new Set()).add(v.name));
    }
    directCache.set(p, (direct = d0));
  }
  return direct;
}

export function dependentsOf(p: ProjectView, name: string): string[] {
  const direct = directEdges(p);
  const seen = new Set<string>();
  const queue = [name];
  while (queue.length) {
    for (const d of direct.get(queue.shift()!) ?? new Set<string>()) {
      if (d !== name && !seen.has(d)) {
        seen.add(d);
        queue.push(d);
      }
    }
  }
  return [...seen].sort();
}

/**
 * Evidence that a service runs its code in more than one process: `deploy.replicas` / `scale`
 * above 1, a server command with several workers (`gunicorn -w 4`, `uvicorn --workers 4`,
 * `hypercorn -w 2`, `pm2-runtime -i max`), or `WEB_CONCURRENCY` (gunicorn's default worker count)
 * above 1. Undefined when nothing says so: one process, or unknown (`--workers $(nproc)`).
 */
export function severalInstances(v: ServiceView): { evidence: string; src: Src } | undefined {
  const n = (node: YNode | undefined) => {
    const t = str(node);
    return t !== undefined && /^\d+$/.test(t.trim()) ? Number(t) : undefined;
  };
  const replicas = getPath(v.node, ['deploy', 'replicas']);
  if ((n(replicas) ?? 0) > 1) return { evidence: `\`deploy.replicas: ${str(replicas)}\``, src: replicas!.src };
  const scale = get(v.node, 'scale');
  if ((n(scale) ?? 0) > 1) return { evidence: `\`scale: ${str(scale)}\``, src: scale!.src };
  const cmd = v.commandText;
  const server = /\b(gunicorn|uvicorn|hypercorn|granian|daphne)\b/.exec(cmd);
  const cmdSrc = v.command?.src ?? v.entrypoint?.src;
  if (server && cmdSrc) {
    const w = /(?:^|\s)(?:-w|--workers)(?:\s+|=)(\d+)\b/.exec(cmd.slice(server.index));
    if (w) return Number(w[1]) > 1 ? { evidence: `\`${server[1]} ${w[0].trim()}\``, src: cmdSrc } : undefined;
  }
  const pm2 = /\bpm2(?:-runtime)?\b.*?(?:\s)(?:-i|--instances)(?:\s+|=)(max|-?\d+)\b/.exec(cmd);
  if (pm2 && cmdSrc && (pm2[1] === 'max' || Number(pm2[1]) > 1 || Number(pm2[1]) < 0)) return { evidence: `\`pm2 -i ${pm2[1]}\``, src: cmdSrc };
  for (const e of environment(v.node)) {
    if (e.name === 'WEB_CONCURRENCY' && e.value && /^\d+$/.test(e.value.trim()) && Number(e.value) > 1 && (!server || server[1] === 'gunicorn' || server[1] === 'uvicorn'))
      return { evidence: `\`WEB_CONCURRENCY=${e.value.trim()}\``, src: e.src };
  }
  return undefined;
}
