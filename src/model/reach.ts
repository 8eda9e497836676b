// Main-thread side of the entry points: join what each file says (src/model/entries.ts) into the
// system's entry points with the services that run them, follow calls across modules (at most two
// hops through the project's own imports) to tell which entry points reach each finding, and link
// the entry points that enqueue work to the tasks and job processors that run it. Bounded: one
// pass over each file's signals, one index of inbound links, breadth-first over names per finding.
import { resolveLocal } from './contexts.js';
import type { TsPaths } from './ts-paths.js';
import { runningOwners } from './owners.js';
import type { CodeFlow, EntryKind, EntryReach, FileSignals, LinkTarget, ModelEntryPoint, ModelGuard, ModelService, Reachers } from './types.js';

type ModelFile = { rel: string; kind: 'python' | 'typescript'; signals?: FileSignals };

/** How far calls are followed across modules: the enclosing file, then callers one and two imports away. */
const MAX_HOPS = 2;
/** Entry points listed on one finding (the count says how many there are in all). */
export const MAX_LISTED = 10;

/** Entry kinds by how much a failure there costs the users: a webhook's sender retries, a route's user waits. */
export const ENTRY_RANK: Record<EntryKind, number> = { webhook: 0, http: 1, consumer: 2, task: 3, schedule: 4, cli: 5 };

interface Inbound {
  file: string;
  entries?: number[];
  names?: string[];
}

export interface EntryModel {
  entryPoints: ModelEntryPoint[];
  flows: CodeFlow[];
  guards: ModelGuard[];
  /** the entry points that reach a finding, nearest and most exposed first, and how many in all */
  reachOf(file: string, line: number, column: number): { list: EntryReach[]; count: number };
}

// What a compose command says a service runs: a task worker or scheduler, or a web server.
// Command-line shapes of the tools, not library knowledge of the code.
export const WORKER_CMD = /\b(celery|taskiq|rq|dramatiq|arq|huey|procrastinate)\b|\bworker\b/i;
export const SCHEDULER_CMD = /\bbeat\b|\bscheduler\b|\bcron\b/i;
const WEB_CMD = /\b(uvicorn|gunicorn|hypercorn|daphne|granian|waitress|runserver|flask\s+run|next\s+start|nginx)\b/i;
/** a task monitor's UI (`celery flower`): it runs none of the project's routes or tasks */
const MONITOR_CMD = /\bcelery\b.*\bflower\b|^\s*flower\b/i;
/** a line of a start script that starts one of the programs above */
export const STARTS_PROGRAM = new RegExp(`${WORKER_CMD.source}|${SCHEDULER_CMD.source}|${WEB_CMD.source}|${MONITOR_CMD.source}`, 'i');

/** Whether a service, by its command, runs entry points of this kind (no command: anything). */
function runsKind(s: ModelService, kind: EntryKind): boolean {
  const cmd = [s.command, s.starts].filter(Boolean).join(' ');
  if (!cmd) return true;
  if (MONITOR_CMD.test(s.starts ?? s.command ?? '')) return false;
  const sched = SCHEDULER_CMD.test(cmd);
  const worker = WORKER_CMD.test(cmd);
  const web = WEB_CMD.test(cmd);
  if (sched && !web) return kind === 'schedule';
  if (worker && !web) return kind === 'task' || kind === 'consumer' || kind === 'schedule';
  if (web && !worker) return kind === 'http' || kind === 'webhook';
  return true;
}

/**
 * The services that run an entry point: those whose code roots hold its file (the deepest roots
 * win), narrowed by what their command runs when several share the code (an API and its worker
 * built from one folder).
 */
function servicesFor(file: string, services: ModelService[], kind: EntryKind, runs: (s: ModelService, file: string) => boolean | undefined = () => undefined): string[] {
  const all = runningOwners(services, (s) => s.codeRoots, (s) => s.kind === 'long-running', file);
  let fit = all.filter((s) => runsKind(s, kind));
  // services sharing one image run different modules (`python -m tracecat.mcp`, `… dsl.worker`):
  // those whose command's module imports the file, or whose command names none; when that
  // leaves nobody, all of them (an import the model cannot follow)
  const importing = fit.filter((s) => runs(s, file) !== false);
  if (importing.length) fit = importing;
  // a schedule table is read by the scheduler when there is one (celery beat), not by the workers
  const sched = fit.filter((s) => SCHEDULER_CMD.test(`${s.command ?? ''} ${s.starts ?? ''}`) && !WEB_CMD.test(`${s.command ?? ''} ${s.starts ?? ''}`));
  if (kind === 'schedule' && sched.length) fit = sched;
  return (fit.length ? fit : all).map((s) => s.name).filter((n, i, a) => a.indexOf(n) === i).sort();
}


/** The Python module a command starts: `uvicorn app.main:app`, `celery -A app.worker worker`, `python -m app.mcp`. */
export function commandModule(command: string): string | undefined {
  const web = /\b(?:uvicorn|gunicorn|hypercorn|granian|daphne)\b.*?\s['"]?([A-Za-z_][\w.]*):[A-Za-z_]\w*/.exec(command);
  if (web) return web[1];
  const celery = /\bcelery\b.*?\s(?:-A|--app)[=\s]+['"]?([A-Za-z_][\w.]*)/.exec(command);
  if (celery) return celery[1];
  const m = /\bpython[\d.]*['"]?,?\s+(?:['"]?-[A-Za-z]+['"]?,?\s+)*?['"]?-m['"]?,?\s+['"]?([A-Za-z_][\w.]*)/.exec(command);
  if (m && !/^(uvicorn|gunicorn|hypercorn|granian|daphne|celery|alembic|flask|pytest|pip|http\.server|manage)$/.test(m[1])) return m[1];
  return undefined;
}

/**
 * For each service whose command names a Python module of the scan: the files that module
 * imports, transitively through the project's own imports (bounded). A service without one is
 * not narrowed.
 */
function commandReach(files: ModelFile[], known: Set<string>): (s: ModelService, file: string) => boolean | undefined {
  const sigOf = new Map(files.map((f) => [f.rel, f.signals]));
  const memo = new Map<string, Set<string> | undefined>();
  // the module is found from the service's code roots up (`uvicorn app.main:app` run in backend/)
  const closure = (mod: string, roots: string[]): Set<string> | undefined => {
    const key = `${roots.join('\0')}\0${mod}`;
    if (memo.has(key)) return memo.get(key);
    let start: string | undefined;
    for (const r of roots.length ? roots : ['']) {
      const from = r ? `${r}/__command__` : '__command__';
      start = resolveLocal(from, `${mod}.__main__`, known, 'python') ?? resolveLocal(from, mod, known, 'python');
      if (start) break;
    }
    let out: Set<string> | undefined;
    if (start) {
      out = new Set([start]);
      const queue = [start];
      while (queue.length && out.size < 20000) {
        const f = queue.shift()!;
        for (const spec of sigOf.get(f)?.imports ?? []) {
          const t = resolveLocal(f, spec, known, 'python');
          if (t && !out.has(t)) { out.add(t); queue.push(t); }
        }
      }
    }
    memo.set(key, out);
    return out;
  };
  return (s, file) => {
    const mod = s.command ? commandModule(s.command) : undefined;
    const reach = mod ? closure(mod, s.codeRoots) : undefined;
    return reach ? reach.has(file) : undefined;
  };
}

export function buildEntryModel(files: ModelFile[], services: ModelService[], paths?: TsPaths): EntryModel {
  const known = new Set(files.map((f) => f.rel));
  const runs = commandReach(files, known);
  const kindOf = new Map(files.map((f) => [f.rel, f.kind]));
  const sigOf = new Map(files.map((f) => [f.rel, f.signals]));
  const ids = new Map<string, string[]>(); // file -> entry ids by index
  const entryPoints: ModelEntryPoint[] = [];
  const byId = new Map<string, ModelEntryPoint>();
  for (const f of files) {
    const list = f.signals?.entries;
    if (!list?.length) continue;
    const here: string[] = [];
    for (const e of list) {
      const id = `${f.rel}:${e.line}:${e.kind}:${e.label}`;
      here.push(id);
      if (byId.has(id)) continue;
      const ep: ModelEntryPoint = { id, kind: e.kind, label: e.label, file: f.rel, line: e.line, ...(e.fn ? { fn: e.fn } : {}), ...(e.queue ? { queue: e.queue } : {}), services: servicesFor(f.rel, services, e.kind, runs) };
      byId.set(id, ep);
      entryPoints.push(ep);
    }
    ids.set(f.rel, here);
  }

  /** Where a link points: the file and the module-level name in it. */
  const target = (from: string, t: LinkTarget): { file: string; name: string } | undefined => {
    const lang = kindOf.get(from) ?? 'typescript';
    const named = (file: string, name: string, member: string | undefined) => ({ file, name: member ? `${name}.${member}` : name });
    if (t.q) {
      const parts = t.q.split('.');
      for (let k = parts.length - 1; k >= 1; k--) {
        const file = resolveLocal(from, parts.slice(0, k).join('.'), known, 'python');
        if (file) return named(file, parts[k], t.member ?? parts[k + 1]);
      }
      return undefined;
    }
    if (t.module === undefined || t.name === undefined) return undefined;
    const file = resolveLocal(from, t.module, known, lang, paths);
    return file ? named(file, t.name, t.member) : undefined;
  };

  // who calls each module-level name from another file
  const inbound = new Map<string, Inbound[]>();
  for (const f of files) {
    for (const l of f.signals?.links ?? []) {
      const t = target(f.rel, l);
      if (!t || t.file === f.rel) continue;
      const key = `${t.file}\0${t.name}`;
      const list = inbound.get(key) ?? [];
      if (list.length < 200) list.push({ file: f.rel, entries: l.entries, names: l.names });
      inbound.set(key, list);
    }
  }
  // a route table naming a class view: the class's own route methods take the table's path
  for (const f of files) {
    const sig = f.signals;
    for (const l of sig?.links ?? []) {
      if (!l.entries?.length || l.names?.length) continue;
      const t = target(f.rel, l);
      if (!t) continue;
      for (const i of l.entries) {
        const route = sig!.entries?.[i];
        const path = route && /^HTTP (\/\S*)/.exec(route.label)?.[1];
        if (!path) continue;
        for (const ep of entryPoints) {
          if (ep.file === t.file && ep.fn?.startsWith(`${t.name.replace(/\.\*$/, '')}.`) && /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [A-Za-z_]\w*\.\w+$/.test(ep.label)) ep.label = `${ep.label.split(' ')[0]} ${path}`;
        }
      }
    }
  }

  const reachFrom = (file: string, r: Reachers): Map<string, number> => {
    const found = new Map<string, number>(); // entry id -> hops
    const note = (f: string, entries: number[] | undefined, hops: number) => {
      const list = ids.get(f);
      for (const i of entries ?? []) {
        const id = list?.[i];
        if (id && (!found.has(id) || found.get(id)! > hops)) found.set(id, hops);
      }
    };
    note(file, r.entries, 0);
    let frontier: Array<{ file: string; names: string[] }> = r.names?.length ? [{ file, names: r.names }] : [];
    const seen = new Set<string>();
    for (let hops = 1; hops <= MAX_HOPS && frontier.length; hops++) {
      const next: typeof frontier = [];
      for (const { file: f, names } of frontier) {
        for (const n of names) {
          const key = `${f}\0${n}`;
          if (seen.has(key)) continue;
          seen.add(key);
          // `Class.method` (and a function) is also reached by whatever takes the whole of it (`Class.*`: a route table's view)
          const dot = n.indexOf('.');
          const whole = inbound.get(`${f}\0${dot > 0 ? n.slice(0, dot) : n}.*`) ?? [];
          for (const inb of [...(inbound.get(key) ?? []), ...whole]) {
            note(inb.file, inb.entries, hops);
            if (inb.names?.length) next.push({ file: inb.file, names: inb.names });
          }
        }
      }
      frontier = next.slice(0, 500);
    }
    return found;
  };
  const ranked = (found: Map<string, number>): Array<{ ep: ModelEntryPoint; hops: number }> =>
    [...found]
      .map(([id, hops]) => ({ ep: byId.get(id)!, hops }))
      .filter((x) => x.ep)
      .sort((a, b) => a.hops - b.hops || ENTRY_RANK[a.ep.kind] - ENTRY_RANK[b.ep.kind] || (a.ep.label < b.ep.label ? -1 : a.ep.label > b.ep.label ? 1 : a.ep.id < b.ep.id ? -1 : 1));

  // enqueue -> the task or job processor that runs the work
  const flows: CodeFlow[] = [];
  const tasksByName = new Map<string, ModelEntryPoint[]>();
  for (const ep of entryPoints) {
    if ((ep.kind === 'task' || ep.kind === 'consumer') && ep.queue) tasksByName.set(ep.queue, [...(tasksByName.get(ep.queue) ?? []), ep]);
  }
  const flowKeys = new Set<string>();
  // a schedule table entry hands its task to the workers
  for (const ep of entryPoints) {
    if (ep.kind !== 'schedule' || !ep.queue) continue;
    for (const b of (tasksByName.get(ep.queue) ?? []).filter((x) => x.kind === 'task').slice(0, 3)) {
      flowKeys.add(`${ep.id}\0${b.id}`);
      flows.push({ from: ep.id, to: b.id, file: ep.file, line: ep.line });
    }
  }
  for (const f of files) {
    for (const q of f.signals?.enqueues ?? []) {
      let to = tasksByName.get(q.target) ?? [];
      // an imported task: prefer the one defined in the module it comes from
      const t = q.q || q.module ? target(f.rel, q) : undefined;
      if (t) {
        const exact = to.filter((ep) => ep.file === t.file);
        if (exact.length) to = exact;
      } else if (to.length > 1) {
        const same = to.filter((ep) => ep.file === f.rel);
        if (same.length) to = same;
      }
      if (!to.length) continue;
      const from = ranked(reachFrom(f.rel, q)).filter((x) => x.ep.kind !== 'task' || x.hops === 0);
      for (const a of from.slice(0, 5)) {
        for (const b of to.slice(0, 3)) {
          if (a.ep.id === b.id) continue;
          const key = `${a.ep.id}\0${b.id}`;
          if (flowKeys.has(key)) continue;
          flowKeys.add(key);
          flows.push({ from: a.ep.id, to: b.id, file: f.rel, line: q.line });
        }
      }
    }
  }
  flows.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));

  const guards: ModelGuard[] = [];
  for (const f of files) for (const g of f.signals?.guards ?? []) guards.push({ ...g, file: f.rel, count: g.count ?? 1 });

  entryPoints.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || ENTRY_RANK[a.kind] - ENTRY_RANK[b.kind]));

  const reachAt = new Map<string, Reachers>();
  for (const f of files) for (const r of f.signals?.reach ?? []) reachAt.set(`${f.rel}:${r.line}:${r.column}`, r);
  return {
    entryPoints,
    flows,
    guards,
    reachOf(file, line, column) {
      const r = reachAt.get(`${file}:${line}:${column}`);
      if (!r || !sigOf.has(file)) return { list: [], count: 0 };
      const all = ranked(reachFrom(file, r));
      return {
        count: all.length,
        list: all.slice(0, MAX_LISTED).map(({ ep, hops }) => ({ kind: ep.kind, label: ep.label, file: ep.file, line: ep.line, hops })),
      };
    },
  };
}
