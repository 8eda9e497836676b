// Worker side of the project model's entry points: which functions of one file something outside
// calls once per event (HTTP routes, webhooks, queue consumers and tasks, scheduled jobs, CLI
// commands), and what in the file reaches each finding, each call into another module and each
// enqueue call. Pure function of the file's facts and findings, cached with them; the model joins
// the files (src/model/reach.ts). Library knowledge comes from the catalog: roles `http.route`,
// `http.resource`, `task.register`, `queue.publish`; sections `message-handlers`, `route-files`,
// `entry-points`, `webhook-signals`. The handler finders are the checks' own (analysis/handlers.ts).
import { expandBraces, type Catalog } from '../catalog/index.js';
import type { EntryPointEntry } from '../catalog/types.js';
import { declaredHandlers, httpHandlers, methodOf, signatureVerifiers, taskHandlers } from '../engine/analysis/handlers.js';
import { readKnob } from '../engine/knobs.js';
import type { CallFact, FileFacts, FunctionFact, Value } from '../languages/types.js';
import { Gate } from '../engine/run-file.js';
import type { EntryKind, EntrySignal, FileSignals, GuardSignal, Reachers } from './types.js';

/** Bounds that keep one file's signals small whatever the file (generated clients, huge routers). */
const MAX_ENTRIES = 200;
const MAX_LINKS = 400;
const MAX_NAMES = 20;
const MAX_REACHERS = 400;
const MAX_GUARDS = 40;

type Out = Pick<FileSignals, 'entries' | 'reach' | 'links' | 'enqueues' | 'guards'>;

interface Draft extends EntrySignal {
  fnId?: number;
  /** a view defined in another module (route tables) */
  target?: { q?: string; module?: string; name?: string; member?: string };
}

const HTTP_VERBS = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ALL|HTTP)\b/;

function literal(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return v.value;
  if (v.kind === 'number') return String(v.value);
  if (v.kind === 'name' && v.resolved && v.resolved.kind === 'string') return v.resolved.value;
  return undefined;
}

/** An argument by index, or a keyword (Python) / property of the options object (TS) by name. */
function argOf(call: CallFact, at: number | string | undefined): Value | undefined {
  if (at === undefined) return undefined;
  if (typeof at === 'number') return call.args[at];
  if (call.kwargs[at]) return call.kwargs[at];
  for (const a of call.args) {
    const obj = a.kind === 'object' ? a : a.kind === 'name' && a.resolved?.kind === 'object' ? a.resolved : undefined;
    if (obj && obj.kind === 'object' && obj.props[at]) return obj.props[at];
  }
  return undefined;
}

/** Keep a label short and on one line: it is repository text shown in reports. */
function clip(s: string, max = 80): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** `^api/v2/jobs/$` -> `/api/v2/jobs/`; `users/<int:pk>/` -> `/users/<int:pk>/`. */
/** The path a resource class is mounted on in this file (catalog `http.resource` registeredBy), when exactly one is visible. */
function resourcePath(facts: FileFacts, catalog: Catalog, classId: number): string | undefined {
  const k = facts.classes[classId];
  if (!k) return undefined;
  const regs = k.bases.flatMap((b) => catalog.lookupRole(b, facts.language, ['http.resource'])?.registeredBy ?? []);
  if (!regs.length) return undefined;
  const paths = new Set<string>();
  for (const c of facts.calls) {
    const method = c.callee.slice(c.callee.lastIndexOf('.') + 1);
    for (const r of regs) {
      if (r.method !== method) continue;
      const cls = r.classArg !== undefined ? c.args[r.classArg] : r.viewKwarg ? c.kwargs[r.viewKwarg] : undefined;
      const names = cls?.kind === 'name' ? cls.text === k.name : cls?.kind === 'call' ? cls.text.startsWith(`${k.name}.as_view(`) : false;
      const path = names ? literal(c.args[r.pathArg]) : undefined;
      if (path !== undefined) paths.add(path);
    }
  }
  return paths.size === 1 ? [...paths][0] : undefined;
}

function routePath(p: string): string {
  const s = p.replace(/^\^/, '').replace(/\$$/, '');
  return s.startsWith('/') ? s : `/${s}`;
}

/** Next.js / Remix route files: the URL path their location stands for. */
function fileRoute(path: string): string | undefined {
  const app = /(?:^|\/)app\/((?:.*\/)?)route\.[a-z]+$/i.exec(path);
  if (app) return `/${app[1].split('/').filter((s) => s && !/^\(.*\)$/.test(s)).join('/')}`;
  const pages = /(?:^|\/)pages\/(api\/.*)\.[a-z]+$/i.exec(path);
  if (pages) return `/${pages[1].replace(/\/index$/, '')}`;
  const remix = /(?:^|\/)app\/routes\/(.*)\.[a-z]+$/i.exec(path);
  if (remix) return `/${remix[1].replace(/\._index$|^_index$/, '').replace(/\./g, '/').replace(/\$(\w+)/g, ':$1')}`;
  return undefined;
}

function matchesApi(q: string | null, pattern: string): boolean {
  if (!q) return false;
  return pattern.includes('{') ? expandBraces(pattern).includes(q) : q === pattern;
}

/** The function a handler argument names: an inline function, or a function of this file by name. */
function handlerFn(facts: FileFacts, v: Value | undefined, byName: Map<string, FunctionFact[]>): FunctionFact | undefined {
  if (!v) return undefined;
  if (v.kind === 'function') return facts.functions[v.functionId];
  if (v.kind === 'name') {
    const last = v.text.split('.').pop() ?? '';
    const self = /^(this|self)\./.test(v.text);
    return (byName.get(last) ?? []).find((f) => (self ? f.classId !== undefined : f.classId === undefined));
  }
  return undefined;
}

function containing(facts: FileFacts, line: number, column: number): FunctionFact | undefined {
  let best: FunctionFact | undefined;
  for (const f of facts.functions) {
    const l = f.loc;
    const inside = (line > l.line || (line === l.line && column >= l.column)) && (line < l.endLine || (line === l.endLine && column <= l.endColumn));
    if (!inside) continue;
    if (!best || l.line > best.loc.line || (l.line === best.loc.line && l.column > best.loc.column)) best = f;
  }
  return best;
}

/** Entry points of this file, from the catalog and the handler finders. */
function findEntries(facts: FileFacts, catalog: Catalog): Draft[] {
  const lang = facts.language;
  const ctx = { facts, catalog };
  const drafts: Draft[] = [];
  const byName = new Map<string, FunctionFact[]>();
  for (const f of facts.functions) if (f.name) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const add = (d: Draft) => {
    if (drafts.length >= MAX_ENTRIES) return;
    if (d.fnId !== undefined && drafts.some((x) => x.fnId === d.fnId && x.kind === d.kind && x.label === d.label)) return;
    drafts.push(d);
  };
  const fnEntry = (fn: FunctionFact, kind: EntryKind, label: string, queue?: string): Draft => ({
    kind,
    label: clip(label),
    line: fn.nameLoc.line || fn.loc.line,
    fnId: fn.id,
    ...(fn.qualifiedName ? { fn: fn.qualifiedName } : {}),
    ...(queue ? { queue } : {}),
  });
  const display = (fn: FunctionFact) => fn.qualifiedName || fn.name || `function at line ${fn.loc.line}`;

  // HTTP routes: decorators, registration calls, resource classes
  for (const h of httpHandlers(ctx)) {
    const label = h.kind.replace(/ handler$/, '');
    // a resource class's method: the path the file mounts the class on, when it does
    const mounted = h.fn.classId !== undefined ? resourcePath(facts, catalog, h.fn.classId) : undefined;
    const named = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|HTTP) \//.test(label)
      ? label
      : `${label.replace(/^HTTP /, '')} ${mounted !== undefined ? routePath(mounted) : display(h.fn)}`;
    add(fnEntry(h.fn, 'http', named));
  }
  // route files (Next.js, Remix): the exported handlers
  for (const rf of catalog.entries('route-files', lang)) {
    if (!new RegExp(rf.path, 'i').test(facts.path)) continue;
    const route = fileRoute(facts.path) ?? `/${facts.path}`;
    // Pages Router API routes: the default export is the handler, whatever its name
    const defaults = new Set(facts.exports.filter((x) => x.name === 'default' && x.local && !x.from).map((x) => x.local!));
    const exports = [...rf.exports, ...(/(^|\/)pages\/api\//.test(facts.path) ? defaults : [])];
    for (const h of declaredHandlers(facts, facts.path, { routeFiles: { ...rf, exports } })) {
      const verb = h.fn.name === 'loader' ? 'GET' : h.fn.name === 'action' ? 'POST' : HTTP_VERBS.test(h.fn.name) ? h.fn.name : 'HTTP';
      add(fnEntry(h.fn, 'http', `${verb} ${route}`));
    }
  }
  // job processors and message consumers registered by a call (BullMQ Worker, kafkajs run, amqplib consume)
  for (const h of declaredHandlers(facts, facts.path, { handlers: catalog.entries('message-handlers', lang) })) {
    const queue = h.call ? literal(h.call.args[0]) : undefined;
    const kind: EntryKind = h.kind === 'job processor' ? 'task' : 'consumer';
    // a queue named by a variable (inbox-zero's `new Worker(name, async (job) => …)` per configured
    // queue): say so, rather than "job function at line 27"
    const first = h.call?.args[0];
    const named = queue ?? (first?.kind === 'name' && /^[\w$.]+$/.test(first.text) ? `on the queues \`${first.text}\` names` : undefined);
    add(fnEntry(h.fn, kind, `${kind === 'task' ? 'job' : 'consumer'} ${named ?? display(h.fn)}`, queue));
  }
  // tasks: decorated with a task registration, or enqueued by name in this file
  for (const fn of taskHandlers(ctx)) add(fnEntry(fn, 'task', `task ${fn.name}`, fn.name));

  const entries = catalog.entries('entry-points', lang);
  for (const e of entries) {
    if (e.api) for (const c of facts.calls) if (matchesApi(c.qualified, e.api)) fromCall(facts, e, c, byName, add, fnEntry, display);
    if (e.decorator) {
      const re = new RegExp(e.decorator);
      for (const fn of facts.functions) {
        const d = fn.decorators.find((x) => x.qualified && re.test(x.qualified));
        if (!d) continue;
        const call = d.callId === undefined ? undefined : facts.calls[d.callId];
        let label = call ? literal(argOf(call, e.label ?? 0)) : undefined;
        const verb = /\.(Get|Post|Put|Patch|Delete|All)$/.exec(d.qualified ?? '')?.[1]?.toUpperCase();
        if (e.prefix && fn.classId !== undefined) {
          const k = facts.classes[fn.classId];
          const ctl = k && facts.calls.find((c) => c.qualified === e.prefix && c.scope.functionId === undefined && c.loc.line >= k.loc.line && c.loc.line <= k.nameLoc.line);
          const prefix = ctl ? literal(ctl.args[0]) : undefined;
          if (prefix !== undefined) label = [prefix, label].filter((s) => s !== undefined && s !== '').join('/');
        }
        const text =
          e.kind === 'http'
            ? `${verb ?? 'HTTP'} ${routePath(label ?? '')}`
            : e.kind === 'schedule'
              ? `${(d.qualified ?? '').split('.').pop()?.toLowerCase() ?? 'schedule'} ${label ?? display(fn)}`
              : e.kind === 'cli'
                ? `command ${fn.name}`
                : `${e.kind} ${label ?? display(fn)}`;
        add(fnEntry(fn, e.kind, text, e.kind === 'consumer' ? label : undefined));
      }
    }
    if (e.base && e.method) {
      const bases = e.base.includes('{') ? expandBraces(e.base) : [e.base];
      for (const k of facts.classes) {
        if (!k.bases.some((b) => bases.includes(b))) continue;
        const fn = facts.functions.find((f) => f.classId === k.id && f.name === e.method);
        if (!fn) continue;
        const name = facts.path.split('/').pop()!.replace(/\.[^.]+$/, '');
        add(fnEntry(fn, e.kind, e.kind === 'cli' ? `command ${name}` : `${e.kind} ${k.name}`));
      }
    }
    if (e.settings?.length) {
      for (const a of facts.assignments) {
        const tail = a.target.split('.').pop() ?? '';
        if (a.scope.functionId !== undefined || !e.settings.includes(tail) || a.value.kind !== 'object') continue;
        for (const [key, v] of Object.entries(a.value.props)) {
          const task = v.kind === 'object' && e.taskKey ? literal(v.props[e.taskKey]) : undefined;
          if (!task) continue;
          add({ kind: 'schedule', label: clip(`schedule ${key}`), line: v.loc.line, queue: task.split('.').pop() });
        }
      }
    }
  }
  // webhooks: a route whose path or function name says so, or that verifies a signature
  const hooks = catalog.entries('webhook-signals', lang);
  if (hooks.length) {
    const verifying = signatureVerifiers(facts, catalog);
    for (const d of drafts) {
      if (d.kind !== 'http') continue;
      // senders deliver with POST: a GET `/auth/slack/callback` is a browser's sign-in redirect
      const read = methodOf(d.label) === 'GET' || methodOf(d.label) === 'HEAD';
      const byPath = !read && hooks.some((h) => new RegExp(h.pattern, 'i').test(d.label.replace(HTTP_VERBS, '')) || (d.fn !== undefined && new RegExp(h.pattern, 'i').test(d.fn)));
      if (byPath || (d.fnId !== undefined && verifying.has(d.fnId))) d.kind = 'webhook';
    }
  }
  return drafts;
}

function fromCall(
  facts: FileFacts,
  e: EntryPointEntry,
  c: CallFact,
  byName: Map<string, FunctionFact[]>,
  add: (d: Draft) => void,
  fnEntry: (fn: FunctionFact, kind: EntryKind, label: string, queue?: string) => Draft,
  display: (fn: FunctionFact) => string,
): void {
  const label = literal(argOf(c, e.label));
  if (e.target !== undefined) {
    // a route table: the view is a local function or a name imported from another module
    const v = c.args[e.target];
    const path = routePath(label ?? '');
    const local = v && handlerFn(facts, v, byName);
    if (local) return add(fnEntry(local, e.kind, `HTTP ${path}`));
    let q: string | undefined;
    if (v?.kind === 'name') q = v.qualified ?? v.text;
    else if (v?.kind === 'call') {
      const inner = facts.calls[v.callId];
      q = (inner?.qualified ?? inner?.callee)?.replace(/\.as_view$/, '');
    }
    if (!q) return;
    // the view's name says what the route does where an included urlconf's path is relative
    const view = q.split('.').pop();
    add({ kind: e.kind, label: clip(`HTTP ${path}${view ? ` (${view})` : ''}`), line: c.loc.line, target: { q, member: '*' } });
    return;
  }
  const h = e.handler !== undefined ? argOf(c, e.handler) : undefined;
  const fn = h ? handlerFn(facts, h, byName) : undefined;
  const word = e.verb === 'method' ? c.callee.slice(c.callee.lastIndexOf('.') + 1) : e.verb ?? (e.kind === 'schedule' ? 'cron' : e.kind === 'consumer' ? 'consumer' : e.kind);
  if (fn) return add(fnEntry(fn, e.kind, `${word} ${label ?? display(fn)}`, e.kind === 'consumer' ? label : undefined));
  // a handler imported from another module (OpenSign's `Parse.Cloud.define('signPdf', PDF)` with
  // `import PDF from './parsefunction/pdf/PDF.js'`): the entry runs that module's function
  if (h?.kind === 'name' && facts.language === 'typescript') {
    const imp = facts.imports.find((i) => i.local === h.text);
    if (imp?.module.startsWith('.')) return add({ kind: e.kind, label: clip(`${word} ${label ?? h.text}`), line: c.loc.line, target: { module: imp.module, name: imp.name ?? 'default' } });
  }
  if (e.handler !== undefined && h) return; // a handler we cannot see: no entry rather than a wrong one
  // no handler argument: the function that subscribes reads the messages (`async for msg in sub`)
  const owner = c.scope.functionId === undefined ? undefined : facts.functions[c.scope.functionId];
  if (owner) add(fnEntry(owner, e.kind, `${word} ${label ?? display(owner)}`, e.kind === 'consumer' ? label : undefined));
}

/** The file's local call graph: who calls each function by name (`helper()`, `self.helper()`), and each function's enclosing one. */
function callers(facts: FileFacts): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  const link = (callee: number, caller: number) => {
    if (callee === caller) return;
    const s = out.get(callee) ?? new Set<number>();
    s.add(caller);
    out.set(callee, s);
  };
  const topByName = new Map<string, number[]>();
  const methodByName = new Map<string, FunctionFact[]>();
  for (const f of facts.functions) {
    if (f.parentFunctionId !== undefined) link(f.id, f.parentFunctionId);
    if (!f.name) continue;
    if (f.classId === undefined && f.parentFunctionId === undefined) topByName.set(f.name, [...(topByName.get(f.name) ?? []), f.id]);
    if (f.classId !== undefined) methodByName.set(f.name, [...(methodByName.get(f.name) ?? []), f]);
  }
  for (const c of facts.calls) {
    const g = c.scope.functionId;
    if (g === undefined) continue;
    const self = /^(this|self|cls)\.(\w+)$/.exec(c.callee);
    if (self) {
      const cls = facts.functions[g].classId;
      for (const m of methodByName.get(self[2]) ?? []) if (m.classId === cls) link(m.id, g);
    } else if (/^[A-Za-z_$][\w$]*$/.test(c.callee)) for (const f of topByName.get(c.callee) ?? []) link(f, g);
  }
  return out;
}

/** Every function that reaches these (their callers and enclosing functions, transitively), bounded. */
function reachersOf(seeds: number[], graph: Map<number, Set<number>>): Set<number> {
  const seen = new Set<number>(seeds);
  const queue = [...seeds];
  while (queue.length && seen.size < MAX_REACHERS) {
    const f = queue.shift()!;
    for (const g of graph.get(f) ?? []) if (!seen.has(g)) (seen.add(g), queue.push(g));
  }
  return seen;
}

/**
 * Entry points, what reaches each finding, the calls into other modules and the enqueue calls of
 * one file, with the local entries and module-level names that reach each.
 */
export function entrySignals(facts: FileFacts, catalog: Catalog, findings: Array<{ line: number; column: number }>): Out {
  const out: Out = {};
  const drafts = findEntries(facts, catalog);
  const graph = callers(facts);
  const entryOf = new Map<number, number[]>();
  drafts.forEach((d, i) => d.fnId !== undefined && entryOf.set(d.fnId, [...(entryOf.get(d.fnId) ?? []), i]));
  // module-level names other modules can import: top-level functions, classes (for their methods), exported aliases
  const exportAs = new Map<string, string[]>();
  for (const x of facts.exports) if (x.local && !x.from && x.local !== x.name) exportAs.set(x.local, [...(exportAs.get(x.local) ?? []), x.name]);
  // a method is reached through its class and name (`Cache.get`); a constructor also through the class
  const nameOf = (f: FunctionFact): string[] => {
    if (f.parentFunctionId !== undefined) return [];
    if (f.classId === undefined) return f.name ? [f.name, ...(exportAs.get(f.name) ?? [])] : [];
    const k = facts.classes[f.classId]?.name;
    if (!k || !f.name) return [];
    const out = [k, ...(exportAs.get(k) ?? [])].map((c) => `${c}.${f.name}`);
    if (f.name === '__init__' || f.name === 'constructor') out.push(k, ...(exportAs.get(k) ?? []));
    return out;
  };
  const describe = (fns: Set<number>, extraNames: string[] = []): Reachers => {
    const entries = new Set<number>();
    const names = new Set<string>(extraNames);
    for (const f of fns) {
      for (const i of entryOf.get(f) ?? []) entries.add(i);
      if (names.size < MAX_NAMES) for (const n of nameOf(facts.functions[f])) names.add(n);
    }
    const r: Reachers = {};
    if (entries.size) r.entries = [...entries].sort((a, b) => a - b);
    if (names.size) r.names = [...names].slice(0, MAX_NAMES).sort();
    return r;
  };
  const memo = new Map<number, Reachers>();
  const fromFunction = (fnId: number): Reachers => {
    let r = memo.get(fnId);
    if (!r) memo.set(fnId, (r = describe(reachersOf([fnId], graph))));
    return r;
  };
  const empty = (r: Reachers) => !r.entries?.length && !r.names?.length;

  if (drafts.length) {
    out.entries = drafts.map((d) => {
      const { fnId: _f, target: _t, ...e } = d;
      void _f;
      void _t;
      return e;
    });
  }

  // each finding: its enclosing function's reachers; at module level, the functions that use the value it builds
  const reach: NonNullable<Out['reach']> = [];
  for (const f of findings) {
    const fn = containing(facts, f.line, f.column);
    let r: Reachers;
    if (fn) r = fromFunction(fn.id);
    else {
      // the module-level statement the finding is in: an assignment of a call that spans its position
      const bound = facts.assignments.find(
        (a) => a.scope.functionId === undefined && a.value.kind === 'call' && a.value.loc.line <= f.line && f.line <= a.value.loc.endLine && (a.value.loc.line < f.line || a.value.loc.column <= f.column),
      );
      const call = bound && bound.value.kind === 'call' ? facts.calls[bound.value.callId] : facts.calls.find((c) => c.loc.line === f.line && c.loc.column === f.column);
      const seeds = call ? [...new Set(facts.calls.filter((c) => c.receiverCall === call.id && c.scope.functionId !== undefined).map((c) => c.scope.functionId!))] : [];
      // the name it is bound to, and module-level names built from that one (`Session = sessionmaker(engine)`)
      const names = bound && /^[A-Za-z_$][\w$]*$/.test(bound.target) ? [bound.target] : [];
      if (names.length) {
        for (const a of facts.assignments) {
          if (a.scope.functionId !== undefined || a.value.kind !== 'call' || !/^[A-Za-z_$][\w$]*$/.test(a.target)) continue;
          const made = facts.calls[a.value.callId];
          if (made && [...made.args, ...Object.values(made.kwargs)].some((v) => v.kind === 'name' && v.text === names[0])) names.push(a.target);
        }
        for (const c of facts.calls) {
          if (c.scope.functionId !== undefined && names.includes(c.callee.split(/[.(]/)[0])) seeds.push(c.scope.functionId);
        }
      }
      r = describe(reachersOf([...new Set(seeds)], graph), names);
    }
    if (!empty(r)) reach.push({ line: f.line, column: f.column, ...r });
  }
  if (reach.length) out.reach = reach;

  // calls through names imported from other modules (and route tables naming a view elsewhere)
  const imported = new Map(facts.imports.map((i) => [i.local, i]));
  const links = new Map<string, NonNullable<Out['links']>[number]>();
  const addLink = (key: string, target: { q?: string; module?: string; name?: string; member?: string }, r: Reachers) => {
    const have = links.get(key);
    if (!have) {
      if (links.size < MAX_LINKS) links.set(key, { ...target, ...r });
      return;
    }
    if (r.entries) have.entries = [...new Set([...(have.entries ?? []), ...r.entries])].sort((a, b) => a - b);
    if (r.names) have.names = [...new Set([...(have.names ?? []), ...r.names])].slice(0, MAX_NAMES).sort();
  };
  drafts.forEach((d, i) => {
    if (d.target) addLink(`${d.target.q ?? ''}\0${d.target.module ?? ''}\0${d.target.name ?? ''}\0*`, d.target, { entries: [i] });
  });
  const targetOf = (c: CallFact): { q?: string; module?: string; name?: string; member?: string } | undefined => {
    const parts = c.callee.split('.');
    const imp = imported.get(parts[0]);
    if (!imp) return undefined;
    if (facts.language === 'python') return c.qualified ? { q: c.qualified } : undefined;
    const internal = imp.module.startsWith('.') || imp.module.startsWith('@/') || imp.module.startsWith('~/');
    if (!internal) return undefined;
    const name = imp.name ?? (parts.length > 1 ? parts[1] : 'default');
    const member = imp.name ? parts[1] : parts[2];
    return { module: imp.module, name, ...(member ? { member } : {}) };
  };
  for (const c of facts.calls) {
    if (c.scope.functionId === undefined) continue;
    // an enqueue hands work to a worker (a flow, below), it does not wait on the task's code
    if (catalog.lookupRole(c.qualified, facts.language, ['queue.publish'])) continue;
    // a call through an instance of an imported class (`cache.get()` on `new Cache(…)`) runs that method
    const ctor = c.receiverCall !== undefined ? facts.calls[c.receiverCall] : undefined;
    const direct = targetOf(c);
    const viaCtor = !direct && ctor ? targetOf(ctor) : undefined;
    const t = direct ?? (viaCtor ? { ...viaCtor, member: c.callee.split('.').pop() } : undefined);
    if (!t) continue;
    const r = fromFunction(c.scope.functionId);
    if (empty(r)) continue;
    addLink(`${t.q ?? ''}\0${t.module ?? ''}\0${t.name ?? ''}\0${t.member ?? ''}`, t, r);
  }
  // a decorator from another module (`@broker.task`, `@router.post`): the decorated function runs on what it builds
  for (const fn of facts.functions) {
    for (const d of fn.decorators) {
      const root = d.text.replace(/^@/, '').split(/[.(]/)[0];
      const imp = imported.get(root);
      if (!imp) continue;
      const t = facts.language === 'python' ? (d.qualified ? { q: d.qualified } : undefined) : targetOf({ callee: d.text.replace(/\(.*$/s, ''), qualified: d.qualified } as CallFact);
      if (!t || (t.q && t.q.startsWith('.'))) continue;
      const r = fromFunction(fn.id);
      if (!empty(r)) addLink(`${t.q ?? ''}\0${t.module ?? ''}\0${t.name ?? ''}\0${t.member ?? ''}`, t, r);
    }
  }
  if (links.size) out.links = [...links.values()];

  // enqueue calls: `send_invoice.delay()`, `app.send_task("tasks.x")`, `queue.add(name, data)`
  const enqueues: NonNullable<Out['enqueues']> = [];
  for (const c of facts.calls) {
    if (c.scope.functionId === undefined || !catalog.lookupRole(c.qualified, facts.language, ['queue.publish'])) continue;
    const r = fromFunction(c.scope.functionId);
    const parts = c.callee.split('.');
    const ctor = c.receiverCall !== undefined ? facts.calls[c.receiverCall] : undefined;
    const queueName = ctor ? literal(ctor.args[0]) : undefined;
    const named = literal(c.args[0]);
    let e: NonNullable<Out['enqueues']>[number] | undefined;
    if (queueName && facts.language === 'typescript') e = { target: queueName, via: 'queue', line: c.loc.line, ...r };
    else if (/send_task$/.test(c.callee) && named) e = { target: named.split('.').pop()!, via: 'task', line: c.loc.line, ...r };
    else if (parts.length >= 2 && /^(delay|apply_async|kiq|send_with_options)$/.test(parts[parts.length - 1])) {
      const task = parts[parts.length - 2];
      const t = targetOf(c);
      e = { target: task, via: 'task', line: c.loc.line, ...(t ? t : {}), ...r };
    }
    if (e && enqueues.length < MAX_LINKS) enqueues.push(e);
  }
  if (enqueues.length) out.enqueues = enqueues;

  const guards = guardSignals(facts, catalog);
  if (guards.length) out.guards = guards;
  return out;
}

/** Which guardrail a knob stands for (the catalog's knob names). */
function guardKind(knob: string): GuardSignal['kind'] | undefined {
  if (/timeout|deadline|^statement$/.test(knob)) return 'timeout';
  if (/^max-(connections|sockets)$|queue-limit|pool/.test(knob)) return 'pool';
  if (/^backoff$/.test(knob)) return 'retry';
  if (/half-open/.test(knob)) return 'breaker';
  return undefined;
}

/**
 * The file makes a signal that fires on time: a catalog deadline (`AbortSignal.timeout(ms)`, role
 * `deadline`), or a timer that calls `.abort()`.
 */
function abortsOnTime(facts: FileFacts, catalog: Catalog): boolean {
  if (facts.calls.some((c) => !!catalog.lookupRole(c.qualified, facts.language, ['deadline']))) return true;
  const timers = facts.calls.some((c) => /(^|\.)setTimeout$/.test(c.callee));
  return timers && facts.calls.some((c) => /\.abort$/.test(c.callee));
}

/**
 * Guardrails written in code: a knob the library leaves unbounded by default (timeouts, pool
 * bounds, retry backoff, breaker reset), set on the call to a value that bounds it. The knob
 * reader decides, as it does for the findings; defaults and unknown values are not guardrails.
 */
export function guardSignals(facts: FileFacts, catalog: Catalog): GuardSignal[] {
  const out: GuardSignal[] = [];
  const seen = new Map<string, GuardSignal>();
  let timedAbort: boolean | undefined;
  for (const c of facts.calls) {
    if (!c.qualified) continue;
    for (const api of catalog.lookup(c.qualified, facts.language)) {
      for (const [name, knob] of Object.entries(api.knobs ?? {})) {
        const kind = guardKind(name);
        if (!kind || knob.default !== 'unbounded') continue;
        const r = readKnob(c, api, name, facts, catalog);
        if (r.state !== 'set' || r.source !== 'call') continue;
        // an AbortSignal is a deadline only when something fires it on time (briefer's
        // `signal: abortController.signal` is a cancel handle, and its stream has no timeout)
        if (kind === 'timeout' && r.key === 'signal' && !(timedAbort ??= abortsOnTime(facts, catalog))) continue;
        const text = `${c.qualified.replace(/\(\)/g, '')} ${r.key}`;
        const key = `${kind}\0${text}`;
        const have = seen.get(key);
        if (!have && out.length >= MAX_GUARDS) continue;
        if (have) {
          have.count = (have.count ?? 1) + 1;
          continue;
        }
        const g: GuardSignal = { kind, text, line: c.loc.line };
        seen.set(key, g);
        out.push(g);
      }
    }
  }
  return out;
}

/**
 * The files worth parsing for their entry points when no rule wants them: those importing a
 * route, task or consumer library, or written the way tasks, route tables and route files are
 * (`@app.task`, `urlpatterns`, `export async function POST`). Task decorators come from the
 * project's own app object (`from .celery import app`), so they gate on the decorator's shape.
 */
export function entryGate(catalog: Catalog, lang: 'python' | 'typescript'): Gate {
  const modules = new Set<string>(catalog.gateWords(['http.route', 'http.resource'], lang)?.modules ?? []);
  const globals = new Set<string>();
  const root = (q: string) => q.split(/[.(]/)[0];
  for (const h of catalog.entries('message-handlers', lang)) modules.add(root(h.api));
  for (const e of catalog.entries('entry-points', lang)) {
    for (const p of [e.api, e.base]) if (p) for (const x of expandBraces(p)) (e.global ? globals : modules).add(root(x));
    for (const m of e.modules ?? []) modules.add(m);
  }
  const shapes =
    lang === 'python'
      ? /@[\w.]*\.(?:task|actor)\b|@shared_task\b|\burlpatterns\b|\bbeat_schedule\b|CELERYBEAT_SCHEDULE|BaseCommand\b/
      : /export\s+(?:async\s+)?function\s+(?:GET|POST|PUT|PATCH|DELETE|loader|action)\b|export\s+default\s+(?:async\s+)?function\b/;
  return new Gate([...modules].filter(Boolean).sort(), [...globals].sort(), shapes);
}
