// Normalised readers over one service's merged definition: short and long syntax of image,
// build, command, healthcheck, depends_on, volumes, ports, environment, restart and limits.
// Each result carries the source location of the key or item the user would change.
import { posix } from 'node:path';
import { dependsToMap } from './model.js';
import { entry, entryPath, get, str, type Src, type YMap, type YNode, type YScalar } from './tree.js';

export interface ImageRef {
  /** as written, after interpolation */
  text: string;
  /** repository without registry `docker.io/` and `library/`: "postgres", "bitnami/redis", "ghcr.io/x/y" */
  name: string;
  /** tag ('' when none, i.e. latest) */
  tag: string;
  src: Src;
  /** the reference uses a variable we could not resolve */
  unknown: boolean;
}

export function imageRef(svc: YMap): ImageRef | undefined {
  const e = entry(svc, 'image');
  const text = str(e?.value);
  if (!e || !text) return undefined;
  const unknown = e.value.kind === 'scalar' && !!e.value.unknownVars?.length;
  let ref = text.trim().split('@')[0];
  let tag = '';
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  }
  let name = ref.toLowerCase();
  name = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io|registry\.hub\.docker\.com)\//, '');
  name = name.replace(/^library\//, '');
  return { text, name, tag, src: e.value.src, unknown };
}

function dirOf(file: string): string {
  const d = posix.dirname(file);
  return d === '.' ? '' : d;
}

/** build context relative to the scan root ('' = the root), resolved against the file that wrote it */
export function buildContext(svc: YMap): { path: string; dockerfile?: string; target?: string; src: Src } | undefined {
  const e = entry(svc, 'build');
  if (!e) return undefined;
  const ctx = e.value.kind === 'map' ? (str(get(e.value, 'context')) ?? '.') : str(e.value);
  if (ctx === undefined || /^[a-z]+:\/\//i.test(ctx) || ctx.startsWith('git@')) return undefined;
  const joined = posix.normalize(posix.join(dirOf(e.keySrc.file) || '.', ctx));
  const path = joined === '.' ? '' : joined.replace(/\/$/, '');
  // `dockerfile:` is relative to the context; an inline `dockerfile_inline:` has no file
  const df = e.value.kind === 'map' ? str(get(e.value, 'dockerfile')) : undefined;
  const inline = e.value.kind === 'map' && entry(e.value, 'dockerfile_inline');
  const dockerfile = inline ? undefined : posix.normalize(posix.join(path || '.', df ?? 'Dockerfile'));
  const target = e.value.kind === 'map' ? str(get(e.value, 'target')) : undefined;
  return { path, dockerfile, ...(target ? { target } : {}), src: e.keySrc };
}

/**
 * The stage that is built (`target`, else the last) declares a HEALTHCHECK other than
 * `HEALTHCHECK NONE`, itself or through the stages of the same file it is built `FROM` (a
 * HEALTHCHECK is inherited, like every image setting). A base named with a build argument
 * (`FROM deps-${ARCH}`) matches any stage of that shape. Read with the one Dockerfile reader
 * (`dockerInstructions`), as the start and build steps are.
 */
export function dockerfileHasHealthcheck(text: string, target?: string): boolean {
  const stages: Array<{ base: string; name?: string; healthcheck?: string }> = [];
  for (const ins of dockerInstructions(text)) {
    if (ins.op === 'FROM') {
      const head = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
      if (head) stages.push({ base: head[1].toLowerCase(), name: head[2]?.toLowerCase() });
    } else if (ins.op === 'HEALTHCHECK' && stages.length) stages[stages.length - 1].healthcheck = ins.args;
  }
  let stage = target ? stages.find((s) => s.name === target.toLowerCase()) : stages[stages.length - 1];
  for (let hops = 0; stage && hops < stages.length; hops++) {
    if (stage.healthcheck !== undefined) return !/^NONE\b/i.test(stage.healthcheck);
    const current: (typeof stages)[number] = stage;
    const shape = new RegExp(`^${current.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\$\\\{[^}]*\\\}|\\\$\w+/g, '.+')}$`);
    stage = stages.find((s) => s !== current && s.name !== undefined && (s.name === current.base || shape.test(s.name)));
  }
  return false;
}

// ---------------------------------------------------------------- Dockerfile start and build steps

/** A COPY/ADD from the build context: its sources (context-relative, as written) and the absolute container path it writes. */
export interface DockerCopy {
  sources: string[];
  dest: string;
  /** the destination is a folder (ends with `/`, or several sources) */
  intoDir: boolean;
  line: number;
}

/** A command the image runs, with the working directory it runs in and the files copied in before it. */
export interface DockerCommand {
  command: string;
  workdir: string;
  line: number;
  copies: DockerCopy[];
}

export interface DockerfileSteps {
  /** RUN steps of every stage: they run while the image is built */
  runs: DockerCommand[];
  /** RUN steps of the stage that is built and of the stages it is built `FROM`: what made the image's own file system */
  builtRuns: DockerCommand[];
  /** every source any stage COPYs or ADDs from the build context (not `--from` another stage) */
  contextSources: string[];
  /** ENTRYPOINT then CMD of the stage that is built (`target`, else the last): what the container runs */
  start?: DockerCommand & { entrypoint?: string; cmd?: string };
}

/**
 * The workspaces a `turbo prune` step keeps (`RUN turbo prune --scope=@documenso/remix --docker`,
 * turbo 2's `turbo prune web api`): the image built after it holds those packages and their
 * workspace dependencies, not the rest of a `COPY . .`. Empty when no RUN prunes.
 */
export function turboPruneScopes(text: string): string[] {
  const out = new Set<string>();
  for (const ins of dockerInstructions(text)) {
    if (ins.op !== 'RUN' || !/\bturbo\s+prune\b/.test(ins.args)) continue;
    const words = shellSplit(ins.args).map((t) => ('word' in t ? t.word : undefined));
    let at = words.findIndex((w, i) => w === 'prune' && words[i - 1] !== undefined && /(^|\/)turbo$/.test(words[i - 1]!));
    if (at < 0) continue;
    for (at++; at < words.length && words[at] !== undefined; at++) {
      const w = words[at]!;
      const scope = /^--scope=(.+)$/.exec(w);
      if (scope) out.add(scope[1]);
      else if (w === '--scope' && words[at + 1]) out.add(words[++at]!);
      else if (w === '--out-dir') at++;
      else if (!w.startsWith('-') && !w.includes('$')) out.add(w);
    }
  }
  return [...out].sort();
}

/**
 * The workspaces a package manager installs in the stage that is built (`target`, else the last,
 * with the stages it is built `FROM`): `pnpm install --filter @tianji/server...`, `npm ci -w api`,
 * `yarn workspaces focus api`, `pnpm deploy --filter api`. The process that image starts loads
 * those packages and their workspace dependencies, not the rest of a `COPY . .` (tianji's
 * client SDK and Cloudflare worker sit in the build context, uninstalled). Path selectors
 * (`--filter ./src/server`) and globs are not names and are left out. Empty when no step installs
 * by name.
 */
export function workspaceInstallScopes(text: string, target?: string): string[] {
  const out = new Set<string>();
  for (const run of dockerfileSteps(text, target).builtRuns) {
    for (const part of run.command.split(/&&|\|\||;/)) {
      const words = shellWords(part.trim());
      const at = words.findIndex((w) => /(^|\/)(pnpm|npm|yarn)$/.test(w));
      if (at < 0) continue;
      const rest = words.slice(at + 1);
      const tool = words[at].replace(/^.*\//, '');
      const verbs = rest.filter((w) => !w.startsWith('-'));
      const installs = tool === 'yarn' ? verbs[0] === 'workspaces' && verbs[1] === 'focus' : ['install', 'i', 'ci', 'deploy', 'add'].some((v) => verbs.includes(v));
      if (!installs) continue;
      const names: string[] = [];
      for (let i = 0; i < rest.length; i++) {
        const flag = /^(--filter|-F|--workspace|-w)(?:=(.+))?$/.exec(rest[i]);
        if (flag) names.push(flag[2] ?? rest[++i] ?? '');
      }
      if (tool === 'yarn') names.push(...verbs.slice(2));
      for (const n of names) {
        const name = n.replace(/^["']|["']$/g, '').replace(/^\^?\.\.\./, '').replace(/\.\.\.$/, '');
        if (/^@?[\w.-]+(\/[\w.-]+)?$/.test(name) && !name.startsWith('.')) out.add(name);
      }
    }
  }
  return [...out].sort();
}

/**
 * A RUN step of the Dockerfile fetches the source of the repository named `name` from a forge
 * (`curl -sSL https://github.com/Netflix/lemur/archive/$VERSION.tar.gz | tar xz`, `git clone
 * https://gitlab.com/org/name.git`, `pip install git+https://github.com/org/name`): the image runs
 * this repository's code, released, though its COPY steps bring in only configuration.
 */
export function fetchesRepository(text: string, target: string | undefined, name: string): boolean {
  if (name.length < 3) return false;
  const repo = name.toLowerCase().replace(/[^a-z0-9._-]/g, '');
  const re = new RegExp(`\\b(?:github\\.com|gitlab\\.com|codeberg\\.org|bitbucket\\.org)[/:][\\w.-]+/${repo.replace(/[.]/g, '\\.')}(?:\\.git)?(?=[/@#\\s"']|$)`, 'i');
  // any stage: a builder that fetches and installs the source hands it to the final stage with COPY --from
  return dockerfileSteps(text, target).runs.some((r) => re.test(r.command));
}

/** One instruction per logical line: continuations joined, comments dropped, heredoc bodies kept with their RUN. */
function dockerInstructions(text: string): Array<{ op: string; args: string; line: number }> {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Array<{ op: string; args: string; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    if (/^\s*(#|$)/.test(first)) continue;
    const line = i + 1;
    let body = first;
    while (/\\\s*$/.test(body) && i + 1 < lines.length) {
      body = body.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i])) {
        body += '\\';
        continue;
      }
      body += lines[i];
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(body);
    if (!m) continue;
    let args = m[2];
    // `RUN <<EOF` ... `EOF`: the body is the script
    const here = /<<-?\s*["']?(\w+)["']?/.exec(args);
    if (here) {
      const end = here[1];
      while (i + 1 < lines.length && lines[i + 1].trim() !== end) args += `\n${lines[++i]}`;
      i++;
    }
    out.push({ op: m[1].toUpperCase(), args: args.trim(), line });
  }
  return out;
}

/** exec form (`["python", "app.py"]`) or shell form, as one command string */
function execOrShell(args: string): string {
  if (args.startsWith('[')) {
    try {
      const v = JSON.parse(args) as unknown;
      if (Array.isArray(v)) return v.map(String).join(' ');
    } catch {
      /* not JSON: shell form */
    }
  }
  return args;
}

/** exec form as its JSON items, shell form as shell words */
function execWords(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const v = JSON.parse(args) as unknown;
      if (Array.isArray(v)) return v.map(String);
    } catch {
      /* shell form */
    }
  }
  return shellWords(args);
}

/** `ARG NAME=default`, `ENV A=1 B="two"`, the legacy `ENV NAME value`: names with their values (an ARG without a default has none). */
function dockerAssignments(op: 'ARG' | 'ENV', args: string): Array<[string, string | undefined]> {
  const words = shellWords(args);
  if (op === 'ENV' && words.length >= 2 && !words[0].includes('=')) return [[words[0], words.slice(1).join(' ')]];
  return words.map((w): [string, string | undefined] => {
    const i = w.indexOf('=');
    return i < 0 ? [w, undefined] : [w.slice(0, i), w.slice(i + 1)];
  });
}

/** `$NAME`, `${NAME}` and `${NAME:-default}` from the values known so far; an unknown name stays as written. */
function expandDockerVars(text: string, vars: Map<string, string>): string {
  if (!text.includes('$')) return text;
  return text.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (all, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const v = vars.get(braced ?? bare ?? '');
    return v !== undefined ? v : fallback !== undefined ? fallback : all;
  });
}

/**
 * What a Dockerfile runs and when: every RUN step (build time) and the ENTRYPOINT + CMD of the
 * stage that is built (start time), each with its WORKDIR and the files COPY/ADD brought in from
 * the build context before it (`COPY --from` copies from another stage: not the context). A stage
 * built `FROM` an earlier stage starts with that stage's WORKDIR, copies and start command.
 * Nothing is executed: the text is read.
 */
export function dockerfileSteps(text: string, target?: string): DockerfileSteps {
  interface State { name?: string; parent?: number; runs: DockerCommand[]; workdir: string; copies: DockerCopy[]; vars: Map<string, string>; entrypoint?: { cmd: string; line: number }; cmd?: { cmd: string; line: number; inherited?: boolean } }
  const stages: State[] = [];
  const runs: DockerCommand[] = [];
  const contextSources: string[] = [];
  const globalArgs = new Map<string, string>();
  let cur: State | undefined;
  for (const ins of dockerInstructions(text)) {
    if (ins.op === 'FROM') {
      const head = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
      const base = head?.[1].toLowerCase();
      const parent = base ? stages.find((s) => s.name === base) : undefined;
      cur = parent
        ? { ...parent, name: head?.[2]?.toLowerCase(), parent: stages.indexOf(parent), runs: [], copies: [...parent.copies], vars: new Map(parent.vars), ...(parent.cmd ? { cmd: { ...parent.cmd, inherited: true } } : {}) }
        : { name: head?.[2]?.toLowerCase(), runs: [], workdir: '/', copies: [], vars: new Map() };
      stages.push(cur);
      continue;
    }
    if (!cur) {
      // an ARG before the first FROM: its default holds in a stage that declares the ARG again
      if (ins.op === 'ARG') for (const [k, v] of dockerAssignments('ARG', ins.args)) if (v !== undefined) globalArgs.set(k, v);
      continue;
    }
    const vars = cur.vars;
    // `COPY ${BUILD_CONTEXT_PATH}/ ./` with `ENV BUILD_CONTEXT_PATH=backend` above it (unstract's
    // Dockerfiles): the stage's ARG defaults and ENV values stand in; an unknown name stays as written
    const args = ins.op === 'RUN' || ins.op === 'CMD' || ins.op === 'ENTRYPOINT' ? ins.args : expandDockerVars(ins.args, vars);
    switch (ins.op) {
      case 'ARG':
      case 'ENV':
        for (const [k, v] of dockerAssignments(ins.op, ins.args)) {
          const value = v ?? (ins.op === 'ARG' ? globalArgs.get(k) : undefined);
          if (value !== undefined) vars.set(k, expandDockerVars(value, vars));
        }
        break;
      case 'WORKDIR':
        // an absolute WORKDIR replaces the current one (posix.join would nest it)
        cur.workdir = posix.resolve(cur.workdir, args.replace(/^["']|["']$/g, ''));
        break;
      case 'COPY':
      case 'ADD': {
        const words = execWords(args);
        const flags = words.filter((w) => w.startsWith('--'));
        if (flags.some((f) => /^--from\b/.test(f))) break;
        const rest = words.filter((w) => !w.startsWith('--'));
        if (rest.length < 2) break;
        const destRaw = rest[rest.length - 1];
        const sources = rest.slice(0, -1).filter((x) => !/^[a-z]+:\/\//i.test(x)).map((x) => posix.normalize(x).replace(/^\.\//, '').replace(/^\/+/, ''));
        if (!sources.length) break;
        const dest = posix.resolve(cur.workdir, destRaw);
        cur.copies.push({ sources, dest: dest.length > 1 ? dest.replace(/\/$/, '') : dest, intoDir: destRaw.endsWith('/') || destRaw === '.' || sources.length > 1, line: ins.line });
        contextSources.push(...sources);
        break;
      }
      case 'RUN':
        runs.push({ command: execOrShell(args), workdir: cur.workdir, line: ins.line, copies: [...cur.copies] });
        cur.runs.push(runs[runs.length - 1]);
        break;
      case 'ENTRYPOINT':
        cur.entrypoint = { cmd: execOrShell(args), line: ins.line };
        // a new ENTRYPOINT resets the CMD inherited from the base stage
        if (cur.cmd?.inherited) cur.cmd = undefined;
        break;
      case 'CMD':
        cur.cmd = { cmd: execOrShell(args), line: ins.line };
        break;
    }
  }
  const built = target ? stages.find((s) => s.name === target.toLowerCase()) : stages[stages.length - 1];
  const parts = [built?.entrypoint, built?.cmd].filter((x): x is { cmd: string; line: number } => !!x);
  // the container starts in the stage's last WORKDIR
  // each part on its own too: compose `entrypoint:` replaces the ENTRYPOINT and drops the CMD
  const start =
    built && parts.length
      ? {
          command: parts.map((p) => p.cmd).join(' '),
          workdir: built.workdir,
          line: parts[0].line,
          copies: [...built.copies],
          ...(built.entrypoint ? { entrypoint: built.entrypoint.cmd } : {}),
          ...(built.cmd ? { cmd: built.cmd.cmd } : {}),
        }
      : undefined;
  // the built stage's own steps and those of the stages it is built FROM, oldest first
  const builtRuns: DockerCommand[] = [];
  for (let st = built, guard = 0; st && guard < 64; st = st.parent !== undefined ? stages[st.parent] : undefined, guard++) builtRuns.unshift(...st.runs);
  return { runs, builtRuns, contextSources, ...(start ? { start } : {}) };
}

// ---------------------------------------------------------------- shell words

export type ShellToken = { word: string } | { op: '&&' | '||' | ';' | '|' };

/** Split a shell command into words and control operators; quotes are honoured, not interpreted further. */
export function shellSplit(cmd: string): ShellToken[] {
  const out: ShellToken[] = [];
  let cur = '';
  let has = false;
  const push = (): void => {
    if (has) out.push({ word: cur });
    cur = '';
    has = false;
  };
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (c === "'" || c === '"') {
      const end = cmd.indexOf(c, i + 1);
      const stop = end < 0 ? cmd.length : end;
      cur += cmd.slice(i + 1, stop);
      has = true;
      i = stop;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(c)) push();
    else if ((c === '&' || c === '|') && cmd[i + 1] === c) {
      push();
      out.push({ op: (c + c) as '&&' | '||' });
      i++;
    } else if (c === ';' || c === '|') {
      push();
      out.push({ op: c });
    } else {
      cur += c;
      has = true;
    }
  }
  push();
  return out;
}

export function shellWords(cmd: string): string[] {
  return shellSplit(cmd).flatMap((t) => ('word' in t ? [t.word] : []));
}

export interface CommandArgs {
  args: Array<{ text: string; src: Src }>;
  /** the `command:` value */
  src: Src;
  keySrc: Src;
  form: 'string' | 'seq';
}

/** `command:` / `entrypoint:` as a word list (string form is shell-split, each word at the value's location) */
export function commandArgs(svc: YMap, key: 'command' | 'entrypoint' = 'command'): CommandArgs | undefined {
  const e = entry(svc, key);
  if (!e) return undefined;
  const v = e.value;
  if (v.kind === 'seq') {
    return {
      args: v.items.flatMap((it) => (it.kind === 'scalar' && it.value !== null ? [{ text: String(it.value), src: it.src }] : [])),
      src: v.src,
      keySrc: e.keySrc,
      form: 'seq',
    };
  }
  const s = str(v);
  if (s === undefined || s === '') return undefined;
  return { args: shellWords(s).map((text) => ({ text, src: v.src })), src: v.src, keySrc: e.keySrc, form: 'string' };
}

// ---------------------------------------------------------------- healthcheck

export interface HealthcheckTest {
  form: 'NONE' | 'CMD' | 'CMD-SHELL' | 'string';
  /** the command: CMD args joined with spaces, or the shell string */
  command: string;
  /** CMD arguments as given (exec form), else shell words */
  words: string[];
  src: Src;
}

export interface HealthcheckInfo {
  keySrc: Src;
  node: YNode;
  /** `disable: true` */
  disabled?: Src;
  test?: HealthcheckTest;
  /** the `test:` key */
  testKeySrc?: Src;
}

export function healthcheck(svc: YMap): HealthcheckInfo | undefined {
  const e = entry(svc, 'healthcheck');
  if (!e) return undefined;
  const info: HealthcheckInfo = { keySrc: e.keySrc, node: e.value };
  const dis = entry(e.value, 'disable');
  if (dis && dis.value.kind === 'scalar' && (dis.value.value === true || dis.value.value === 'true')) info.disabled = dis.value.src;
  const t = entry(e.value, 'test');
  if (t) {
    info.testKeySrc = t.keySrc;
    const v = t.value;
    if (v.kind === 'seq') {
      const words = v.items.map((i) => str(i) ?? '');
      const head = words[0]?.toUpperCase();
      if (head === 'NONE') info.test = { form: 'NONE', command: '', words: [], src: v.src };
      else if (head === 'CMD-SHELL') {
        const command = words.slice(1).join(' ');
        info.test = { form: 'CMD-SHELL', command, words: shellWords(command), src: v.src };
      } else if (head === 'CMD') {
        const args = words.slice(1);
        info.test = { form: 'CMD', command: args.join(' '), words: args, src: v.src };
      } else info.test = { form: 'CMD', command: words.join(' '), words, src: v.src };
    } else {
      const command = str(v) ?? '';
      if (command.trim().toUpperCase() === 'NONE') info.test = { form: 'NONE', command: '', words: [], src: v.src };
      else if (command !== '') info.test = { form: 'string', command, words: shellWords(command), src: v.src };
    }
  }
  return info;
}

// ---------------------------------------------------------------- depends_on

export interface Dependency {
  name: string;
  /** the list item (short form) or the map key (long form) */
  keySrc: Src;
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully' | string;
  /** where the condition is written (long form) */
  conditionSrc?: Src;
  short: boolean;
  required: boolean;
}

export function dependsOn(svc: YMap): Dependency[] {
  const e = entry(svc, 'depends_on');
  if (!e || e.value.kind === 'scalar') return [];
  const shortForm = e.value.kind === 'seq';
  const map = dependsToMap(e.value);
  const out: Dependency[] = [];
  for (const [name, d] of map.entries) {
    const cond = entry(d.value, 'condition');
    const req = str(get(d.value, 'required'));
    out.push({
      name,
      keySrc: d.keySrc,
      condition: str(cond?.value) || 'service_started',
      conditionSrc: cond?.value.src,
      short: shortForm || d.value.kind !== 'map',
      required: req !== 'false',
    });
  }
  return out;
}

// ---------------------------------------------------------------- volumes, ports, environment

export interface Mount {
  type: 'volume' | 'bind' | 'tmpfs' | 'anonymous' | 'other';
  source?: string;
  target: string;
  src: Src;
}

function mountType(source: string): Mount['type'] {
  return /^(\.|\/|~|\$\{?PWD)/.test(source) || /^[A-Za-z]:[\\/]/.test(source) ? 'bind' : 'volume';
}

export function mounts(svc: YMap): Mount[] {
  const out: Mount[] = [];
  const v = get(svc, 'volumes');
  if (v?.kind === 'seq') {
    for (const it of v.items) {
      if (it.kind === 'map') {
        const target = str(get(it, 'target'));
        if (!target) continue;
        const type = str(get(it, 'type')) ?? 'volume';
        const source = str(get(it, 'source'));
        const t: Mount['type'] =
          type === 'bind' || type === 'tmpfs' ? type : type === 'volume' ? (source ? 'volume' : 'anonymous') : 'other';
        out.push({ type: t, source, target: normTarget(target), src: it.src });
        continue;
      }
      const s = str(it);
      if (!s) continue;
      // a Windows drive letter contains a colon: C:\data:/data
      const drive = /^[A-Za-z]:[\\/]/.test(s) ? s.slice(0, 2) : '';
      const parts = s.slice(drive.length).split(':');
      parts[0] = drive + parts[0];
      if (parts.length === 1) out.push({ type: 'anonymous', target: normTarget(parts[0]), src: it.src });
      else out.push({ type: mountType(parts[0]), source: parts[0], target: normTarget(parts[1]), src: it.src });
    }
  }
  const tmpfs = get(svc, 'tmpfs');
  const tmpItems = tmpfs?.kind === 'seq' ? tmpfs.items : tmpfs ? [tmpfs] : [];
  for (const it of tmpItems) {
    const s = str(it);
    if (s) out.push({ type: 'tmpfs', target: normTarget(s.split(':')[0]), src: it.src });
  }
  return out;
}

function normTarget(t: string): string {
  const n = posix.normalize(t.trim());
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

/** is `path` equal to or below `dir` */
export function pathWithin(path: string, dir: string): boolean {
  return path === dir || dir === '/' || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

export interface PortMapping {
  published?: string;
  target: string;
  src: Src;
}

const LOOPBACK = /^(127\.[\d.]+|localhost|::1|\[::1\])$/;

/**
 * The service publishes a port on an address other than the host's loopback. A bare container
 * port (`"8000"`) is published too, on a random host port of every interface.
 */
export function publishedBeyondLoopback(svc: YMap): boolean {
  const v = get(svc, 'ports');
  if (v?.kind !== 'seq') return false;
  return v.items.some((it) => {
    if (it.kind === 'map') {
      const ip = str(get(it, 'host_ip'));
      return !(ip && LOOPBACK.test(ip));
    }
    const s = str(it) ?? '';
    // `127.0.0.1:8000:8000`, `[::1]:8000:8000`: the host address comes first
    const ip = /^(\[[^\]]*\]|[^:]*\.[^:]*|localhost):/.exec(s)?.[1];
    return !(ip && LOOPBACK.test(ip));
  });
}

export function ports(svc: YMap): PortMapping[] {
  const v = get(svc, 'ports');
  if (v?.kind !== 'seq') return [];
  const out: PortMapping[] = [];
  for (const it of v.items) {
    if (it.kind === 'map') {
      const target = str(get(it, 'target'));
      if (target) out.push({ target, published: str(get(it, 'published')), src: it.src });
      continue;
    }
    const s = str(it);
    if (!s) continue;
    const noProto = s.split('/')[0];
    const parts = noProto.split(':');
    const target = parts[parts.length - 1];
    out.push({ target, published: parts.length > 1 ? parts[parts.length - 2] : undefined, src: it.src });
  }
  return out;
}

export interface EnvVar {
  name: string;
  value?: string;
  src: Src;
}

export function environment(svc: YMap): EnvVar[] {
  const v = get(svc, 'environment');
  const out: EnvVar[] = [];
  if (v?.kind === 'map') {
    for (const [name, e] of v.entries) {
      const s = str(e.value);
      out.push({ name, value: s === '' && e.value.kind === 'scalar' && e.value.value === null ? undefined : s, src: e.value.src });
    }
  } else if (v?.kind === 'seq') {
    for (const it of v.items) {
      const s = str(it);
      if (!s) continue;
      const eq = s.indexOf('=');
      out.push({ name: eq < 0 ? s : s.slice(0, eq), value: eq < 0 ? undefined : s.slice(eq + 1), src: it.src });
    }
  }
  return out;
}

/** environment entries as written: name, the scalar, and its text before interpolation */
export type WrittenEntry = { name: string; scalar: YScalar; raw: string; value: string; listed?: boolean };
export function writtenEnvironment(node: YNode | undefined): WrittenEntry[] {
  const out: WrittenEntry[] = [];
  if (node?.kind === 'map') {
    for (const [name, e] of node.entries)
      if (e.value.kind === 'scalar' && typeof e.value.raw === 'string') out.push({ name, scalar: e.value, raw: e.value.raw, value: String(e.value.value ?? '') });
  } else if (node?.kind === 'seq') {
    for (const it of node.items) {
      if (it.kind !== 'scalar' || typeof it.raw !== 'string') continue;
      const eq = it.raw.indexOf('=');
      const full = String(it.value ?? '');
      const veq = full.indexOf('=');
      if (eq > 0) out.push({ name: it.raw.slice(0, eq), scalar: it, raw: it.raw.slice(eq + 1), value: veq < 0 ? '' : full.slice(veq + 1), listed: true });
    }
  }
  return out;
}

export function envValue(svc: YMap, name: string): string | undefined {
  return environment(svc).find((e) => e.name === name)?.value;
}

// ---------------------------------------------------------------- restart and limits

export interface RestartInfo {
  policy: string;
  /** on-failure:N / deploy.restart_policy.max_attempts */
  maxAttempts?: number;
  src: Src;
  /** where max_attempts is written (deploy.restart_policy) */
  maxSrc?: Src;
  fromDeploy: boolean;
}

export function restart(svc: YMap): RestartInfo | undefined {
  const r = entry(svc, 'restart');
  if (r) {
    const s = str(r.value) ?? '';
    const m = /^on-failure(?::(\d+))?$/.exec(s.trim());
    return { policy: m ? 'on-failure' : s.trim() || 'no', maxAttempts: m?.[1] ? Number(m[1]) : undefined, src: r.value.src, fromDeploy: false };
  }
  const d = entryPath(svc, ['deploy', 'restart_policy']);
  if (d) {
    const condEntry = entry(d.value, 'condition');
    const maxEntry = entry(d.value, 'max_attempts');
    const cond = str(condEntry?.value) ?? 'any';
    const max = str(maxEntry?.value);
    const policy = cond === 'none' ? 'no' : cond === 'on-failure' ? 'on-failure' : 'always';
    const maxAttempts = max && /^\d+$/.test(max) ? Number(max) : undefined;
    return { policy, maxAttempts, src: condEntry?.value.src ?? d.value.src, maxSrc: maxEntry?.value.src, fromDeploy: true };
  }
  return undefined;
}

export function memoryLimit(svc: YMap): Src | undefined {
  return (entryPath(svc, ['deploy', 'resources', 'limits', 'memory']) ?? entry(svc, 'mem_limit'))?.value.src;
}

export function cpuLimit(svc: YMap): Src | undefined {
  return (
    entryPath(svc, ['deploy', 'resources', 'limits', 'cpus']) ??
    entry(svc, 'cpus') ??
    entry(svc, 'cpu_quota') ??
    entry(svc, 'cpuset')
  )?.value.src;
}

export function profiles(svc: YMap): string[] {
  const p = get(svc, 'profiles');
  return p?.kind === 'seq' ? p.items.map((i) => str(i) ?? '').filter(Boolean) : [];
}
