// Which of the project's scripts a Dockerfile runs, and when. A file a RUN step runs (`RUN python
// install_deps.py`) runs while the image is built: context `build`. A file the ENTRYPOINT / CMD
// of the built stage runs is what the container runs: `service`, or `cli` when the start command
// is a one-shot job (every compose service built from it runs once, or the command is one the
// catalog's `compose-hints` calls one-shot). The path the command names is a container path: it
// is mapped back to the repository through the COPY/ADD steps before it (container path ->
// source in the build context), else by its file name when exactly one file of the build context
// has it. Dockerfiles come from compose builds (with their context and target) and from the walk
// (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`: context its own folder or the scan root). The
// text is read; nothing is executed.
import { posix } from 'node:path';
import { dockerfileSteps, shellSplit, shellWords, turboPruneScopes, workspaceInstallScopes, type DockerCommand } from '../languages/compose/service.js';
import type { RuntimeContext, SystemModel } from '../engine/types.js';
import { DOCKERFILE_NAME } from '../engine/discover.js';
import { within } from './packages.js';

export { DOCKERFILE_NAME };

export interface DockerfileText {
  /** relative POSIX path from the scan root */
  path: string;
  text: string;
}

export interface DockerfileDecision {
  context: RuntimeContext;
  why: string;
}

/** a path a command names: a source file by its extension */
const SCRIPT = /\.(?:py|js|mjs|cjs|ts|mts|cts)$/;
/** `python -m pkg.mod`, `gunicorn app.wsgi:application`: a module by its dotted name */
const MODULE_ATTR = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+:[A-Za-z_][\w.()]*$/;

interface Named {
  /** the container path (absolute) */
  path: string;
  /** written as a path relative to the working directory, or absolute */
  relative: boolean;
}

/** The scripts a shell command runs, as container paths: `cd` steps and `-m` modules followed. */
/** Programs that take a script as a file to copy, change or read, not to run. */
const FILE_TOOLS = new Set(['cp', 'mv', 'ln', 'rm', 'chmod', 'chown', 'chgrp', 'install', 'touch', 'cat', 'sed', 'grep', 'tar', 'mkdir', 'test', '[', 'ls', 'stat', 'dos2unix', 'envsubst', 'echo', 'sha256sum', 'md5sum', 'diff', 'patch']);

export function commandScripts(command: string, workdir: string): Named[] {
  const out: Named[] = [];
  let cwd = workdir;
  let words: string[] = [];
  const flush = () => {
    if (words[0] === 'cd' && words[1]) cwd = posix.normalize(posix.join(cwd, words[1]));
    // `cp docker/config.py settings/`, `chmod +x start.sh`: the file is moved or read, not run
    if (FILE_TOOLS.has(words.find((w) => !/^\w+=/.test(w)) ?? '')) {
      words = [];
      return;
    }
    for (let i = 0; i < words.length; i++) {
      // command substitution and assignment: `deps=$(python x.py)`
      const w = words[i].replace(/^[\w]+=/, '').replace(/^\$\(|^`/, '').replace(/[)`]+$/, '');
      if (!w || w.includes('://') || w.includes('$')) continue;
      if (SCRIPT.test(w) && /^[\w@+./-]+$/.test(w)) out.push({ path: posix.normalize(posix.join(cwd, w)), relative: !w.startsWith('/') });
      const mod = words[i - 1] === '-m' && /^[A-Za-z_][\w.]*$/.test(w) ? w : MODULE_ATTR.test(w) ? w.split(':')[0] : undefined;
      if (mod) {
        const p = mod.replace(/\./g, '/');
        out.push({ path: posix.join(cwd, `${p}.py`), relative: true }, { path: posix.join(cwd, p, '__main__.py'), relative: true });
      }
    }
    words = [];
  };
  for (const line of command.split('\n')) {
    for (const t of shellSplit(line)) {
      if ('op' in t) flush();
      else words.push(t.word);
    }
    flush();
  }
  return out;
}

/** `dist/server.js` is built from `src/server.ts`: the source files a path may stand for. */
function variants(p: string): string[] {
  const stem = p.replace(/\.(?:c|m)?js$/, '');
  const src = stem.replace(/(^|\/)(dist|build|out|lib)\//, '$1src/');
  const out = [p];
  for (const s of new Set([stem, src])) for (const ext of ['.ts', '.tsx', '.mts', '.js']) out.push(`${s}${ext}`);
  return out;
}

/** The repository file a container path comes from, through the COPY steps before the command. */
function repoFile(named: Named, cmd: DockerCommand, context: string, known: Set<string>): string | undefined {
  const at = (rel: string) => {
    const full = posix.normalize(context ? `${context}/${rel}` : rel);
    return variants(full).find((v) => known.has(v));
  };
  const p = named.path;
  let underCopy = false;
  for (const c of [...cmd.copies].reverse()) {
    for (const src of c.sources) {
      // `docker/extra/*`: the folder's files
      const glob = src.includes('*');
      const dir = glob ? src.split('/').filter((s) => !s.includes('*')).join('/') : src === '.' ? '' : src;
      const cands: string[] = [];
      if (!c.intoDir && !glob && p === c.dest) cands.push(src);
      if (posix.dirname(p) === c.dest && posix.basename(p) === posix.basename(src)) cands.push(src);
      if (c.dest === '/' || p.startsWith(`${c.dest}/`)) {
        underCopy = true;
        const rest = c.dest === '/' ? p.slice(1) : p.slice(c.dest.length + 1);
        cands.push(dir ? `${dir}/${rest}` : rest);
      }
      for (const cand of cands) {
        const hit = at(cand);
        if (hit) return hit;
      }
    }
  }
  // a script the command names relative to its folder, or in a copied folder: by its name, when
  // exactly one file of the build context has it
  if (!named.relative && !underCopy) return undefined;
  const base = posix.basename(p);
  if (!SCRIPT.test(base) || base === '__main__.py') return undefined;
  const same = [...known].filter((f) => within(f, context) && posix.basename(f) === base);
  return same.length === 1 ? same[0] : undefined;
}

type Service = SystemModel['services'][number];

/**
 * What an image holds of the repository, from its Dockerfile's COPY/ADD sources (ARG and ENV
 * values filled in) and its build context: the paths copied in (outermost only), 'all' for `COPY
 * . .`, a glob or a variable left unknown, or undefined when it copies only a build output or
 * manifests (`COPY dist ./dist`), which tells nothing about which sources it was built from.
 */
export function imageSources(contextSources: string[], context: string, known: Iterable<string>): string[] | 'all' | undefined {
  if (!contextSources.length || contextSources.some((x) => x === '.' || x === '' || x.startsWith('..') || /[*?[$]/.test(x))) return 'all';
  const paths = [...new Set(contextSources.map((x) => posix.normalize(posix.join(context || '.', x)).replace(/\/+$/, '')).map((x) => (x === '.' ? '' : x)))].sort();
  if (paths.includes('')) return 'all';
  const held = paths.filter((p) => !paths.some((q) => q !== p && within(p, q)));
  for (const k of known) if (held.some((h) => k === h || within(k, h))) return held;
  return undefined;
}

/**
 * What an image built from this Dockerfile holds of the repository: the workspaces a `turbo prune`
 * step keeps or an install step installs by name (and what they depend on), else what its COPY
 * steps bring in (`imageSources`).
 */
export function imageHolds(
  dockerfile: string,
  target: string | undefined,
  context: string,
  known: Iterable<string>,
  workspaces?: (names: string[]) => string[] | undefined,
): string[] | 'all' | undefined {
  const scopes = [...new Set([...turboPruneScopes(dockerfile), ...workspaceInstallScopes(dockerfile, target)])];
  return (scopes.length ? workspaces?.(scopes) : undefined) ?? imageSources(dockerfileSteps(dockerfile, target).contextSources, context, known);
}

/**
 * The context each file a Dockerfile runs gets: `build` for RUN steps, `service` / `cli` for the
 * start command. A file also started by the container is not build code.
 */
export function dockerfileContexts(
  dockerfiles: DockerfileText[],
  services: Service[],
  known: Set<string>,
  oneShotCommands: RegExp[],
  readText?: (rel: string) => string | undefined,
  /** filled with what each compose service's image holds of the repository: the folders and files its Dockerfile copies in, or 'all' */
  images?: Map<string, string[] | 'all'>,
  /** the folders a process started from the named npm workspaces loads (for `turbo prune`) */
  workspaces?: (names: string[]) => string[] | undefined,
): Map<string, DockerfileDecision> {
  const out = new Map<string, DockerfileDecision>();
  const started = new Set<string>();
  for (const df of dockerfiles) {
    const builders = services.filter((s) => s.dockerfile === df.path && s.build !== undefined);
    // how it is built: each compose build (context, target), else from its folder or the scan root
    const dir = posix.dirname(df.path) === '.' ? '' : posix.dirname(df.path);
    const uses: Array<{ context: string; target?: string; services: Service[] }> = [];
    for (const s of builders) {
      if (!uses.some((u) => u.context === s.build && u.target === s.buildTarget)) uses.push({ context: s.build!, target: s.buildTarget, services: [] });
      uses.find((u) => u.context === s.build && u.target === s.buildTarget)!.services.push(s);
    }
    if (!uses.length) for (const c of new Set([dir, ''])) uses.push({ context: c, services: [] });
    for (const use of uses) {
      const steps = dockerfileSteps(df.text, use.target);
      if (images) {
        const held = imageHolds(df.text, use.target, use.context, known, workspaces);
        if (held) for (const svc of use.services) images.set(svc.name, held);
      }
      const find = (cmd: DockerCommand) => [...new Set(commandScripts(cmd.command, cmd.workdir).map((n) => repoFile(n, cmd, use.context, known)).filter((f): f is string => !!f))];
      if (steps.start) {
        const oneShot = (use.services.length > 0 && use.services.every((s) => s.oneShot)) || oneShotCommands.some((re) => re.test(steps.start!.command));
        for (const f of find(steps.start)) {
          started.add(f);
          if (out.get(f)?.context === 'service') continue;
          out.set(f, {
            context: oneShot ? 'cli' : 'service',
            why: `${df.path}:${steps.start.line} starts the container with it (${oneShot ? 'one-shot' : 'long-running'}: ${clip(steps.start.command)})`,
          });
        }
        // an entrypoint shell script that runs its set-up steps, then `exec`s the server
        // (Tandoor's boot.sh: migrate, `python plugin.py`, collectstatic, `exec gunicorn`): the
        // scripts before the exec run once per container start
        if (!oneShot && readText) {
          for (const sh of shellScripts(steps.start.command, steps.start.workdir)) {
            const rel = scriptInRepo(sh, use.context, readText);
            const text = rel ? readText(rel) : undefined;
            if (!rel || text === undefined) continue;
            for (const step of setupSteps(text)) {
              for (const f of find({ ...steps.start, command: step.command })) {
                if (started.has(f) || out.has(f)) continue;
                out.set(f, { context: 'cli', why: `${rel}:${step.line} runs it once at container start, before the server it execs (line ${step.execLine})` });
              }
            }
          }
        }
      }
      for (const run of steps.runs) {
        for (const f of find(run)) {
          // a file a container also starts runs in it
          if (started.has(f) || out.has(f)) continue;
          out.set(f, { context: 'build', why: `${df.path}:${run.line} runs it while the image is built (RUN ${clip(run.command)})` });
        }
      }
    }
  }
  return out;
}

/** `/opt/recipes/boot.sh`, `./docker-entrypoint.sh`: the shell scripts a start command names, as container paths. */
function shellScripts(command: string, workdir: string): string[] {
  return shellWords(command)
    .filter((w) => /\.sh$/.test(w))
    .map((w) => (w.startsWith('/') ? w : posix.join(workdir || '/', w)));
}

/** The repository file a container path of a shell script comes from: the longest tail of the path that exists under the build context. */
function scriptInRepo(path: string, context: string, readText: (rel: string) => string | undefined): string | undefined {
  const parts = path.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const rel = posix.normalize(context ? `${context}/${parts.slice(i).join('/')}` : parts.slice(i).join('/'));
    if (readText(rel) !== undefined) return rel;
  }
  return undefined;
}

/**
 * The commands of an entrypoint script that run before its final `exec` (the server), with their
 * lines; none when the script never execs (then what it runs last is the service, unknown here).
 */
function setupSteps(text: string): Array<{ command: string; line: number; execLine: number }> {
  const lines = text.split('\n');
  let execLine = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^\s*(?:[\w.-]+(?:\s+\S+)?\s*&&\s*)?exec\s+\S/.test(lines[i] ?? '')) {
      execLine = i;
      break;
    }
  }
  if (execLine < 0) return [];
  const out: Array<{ command: string; line: number; execLine: number }> = [];
  for (let i = 0; i < execLine; i++) {
    const line = (lines[i] ?? '').replace(/(^|\s)#.*$/, '').trim();
    // `python worker.py &`: started in the background, it runs beside the server for good
    if (!line || /&\s*$/.test(line.replace(/&&\s*$/, ''))) continue;
    out.push({ command: line, line: i + 1, execLine: execLine + 1 });
  }
  return out;
}

function clip(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
