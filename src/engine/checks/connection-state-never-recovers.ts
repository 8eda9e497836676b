// A component marks its connection dead on an error path (`this.connected = false`,
// `self._client = None`, `self._closed = True` in a catch/except, an 'error'/'close' listener or an
// onerror/onclose callback) and nothing ever brings it back: no assignment restores it outside
// the constructor, or the one that does sits in a method only the constructor calls.
// The same for a variable that outlives the failing call: a module global (`global redis_client`
// in Python, a module-level `let` in TS/JS, or the module-level `try/except` around the first
// connect) and a closure variable (`nonlocal`, a `let` of the enclosing function): restored only
// by a function that nothing calls again (only module-level code or a startup hook calls it), it
// stays dead. Language-neutral over facts (`this.` / `self.`, AssignmentFact.binds).
//
// A catch is a connection-loss path only if an outage can reach it. When every command the try
// body awaits goes to the client held in the very name it clears, and that client waits out an
// outage (catalog `offline-queues`: ioredis with `maxRetriesPerRequest: null` queues the command
// until it is back, reconnects and re-subscribes on its own), no connection loss lands there:
// there is no finding. The client may be built in this file, or taken from another module
// (`this.subscriber = RedisAdapter.collaborationSubscriber`): then the project model looks the
// exported name up in that module (`data.pendingUnless`) and drops the finding when it is one.
import type { Check } from '../api.js';
import { heldQueue } from '../analysis/offline-queues.js';
import type { AssignmentFact, FileFacts, FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { isLoggingCall } from '../../languages/logging.js';

/** flags whose `false` means dead: the last word of the name (`is_redis_connected`, `dbReady`) */
const FALSE_WORDS = new Set(['connected', 'ready', 'healthy', 'alive', 'available', 'online']);
/** short flags that only count as the whole name (`is_open`, `up`): `setup`, `backup` are not */
const FALSE_WHOLE = new Set(['open', 'up']);
/** flags whose `true` means dead: the whole name (`_closed`, `isDead`), or `…disconnected` */
const TRUE_WHOLE = new Set(['closed', 'failed', 'broken', 'dead', 'stopped', 'shutdown', 'shut_down', 'down', 'disconnected']);
/** handles whose `None`/`null` means dead: the last word of the name (`redis_client`, `mongoConn`) */
const NULL_WORDS = new Set(['client', 'conn', 'connection', 'channel', 'session', 'producer', 'consumer', 'pool', 'ws', 'websocket', 'socket', 'sock', 'db', 'redis', 'subscriber', 'publisher', 'nc', 'broker', 'transport']);
const TERMINAL = /^_*(close|shutdown|shut_?down|stop|dispose|destroy|disconnect|quit|end|teardown|cleanup|terminate|aclose|__aexit__|__exit__|__del__|on_?module_?destroy|on_?application_?shutdown|before_?application_?shutdown)/i;
const ERROR_EVENTS = new Set(['error', 'close', 'end', 'disconnect', 'disconnected', 'closed', 'lost']);
const HANDLER_NAME = /^_*(on|handle)_?(error|close|disconnect|end)/i;
const LISTEN = /(^|\.)(on|once|addListener|addEventListener|prependListener)$/;
const EXIT = /(^|\.)(exit|_exit|abort|kill)$/;
/** a call that hands the loss to listeners: a callback taken from a list, an emitted event, a notify */
const TELLS_OWNER = /^(callback|cb|listener|handler|on_?disconnect\w*|on_?close\w*|on_?lost\w*)$|(^|\.)_?(emit|notify\w*|fire\w*|dispatch_?event|trigger)$/i;
const RESCHEDULE = /(^|\.)(setTimeout|setInterval|setImmediate|call_later|create_task|ensure_future)$|(re_?connect|retry|restart|reinit|reconnect|schedule|connect)\w*$/i;
/** handlers for these only run when a library is not installed: not a runtime failure */
const IMPORT_ERRORS = /(^|\.)(ImportError|ModuleNotFoundError)$/;
/** functions that run once, at startup: a restore there is not a way back */
const STARTUP = /^_*(main|startup|on_?startup|lifespan|init|initiali[sz]e|setup|bootstrap|create_?app|start_?up|boot|run_?app|app_?init)$/i;
const STARTUP_DECORATOR = /startup|lifespan|before_serving|before_first_request|on_event/i;

type Kind = 'false' | 'true' | 'null';

/**
 * Can an outage reach the catch `tryId` of function `fnId`? 'no' when every command awaited in
 * its try body goes through `target` and the client `target` holds (from `writes`) waits out an
 * outage; the module and name to look up when that client comes from another module; undefined
 * when an outage may reach it (or nothing says otherwise).
 */
function outageProof(ctx: Parameters<Check>[0], target: string, tryId: number, fnId: number | undefined, writes: AssignmentFact[]): 'no' | { module: string; name: string } | undefined {
  const facts = ctx.facts;
  const awaited = facts.calls.filter((c) => c.scope.awaited && c.scope.functionId === fnId && c.scope.tries.some((x) => x.tryId === tryId && x.part === 'body'));
  if (!awaited.length || !awaited.every((c) => c.callee.startsWith(`${target}.`))) return undefined;
  const held = heldQueue(facts, ctx.catalog, writes);
  if (!held) return undefined;
  if ('wait' in held) return held.wait === 'forever' ? 'no' : undefined;
  return held;
}

/** what a finding carries when its catch is out of an outage's reach if another module's client waits one out */
const pendingQueue = (p: { module: string; name: string }) => ({ pendingUnless: 'offline-queue:waits-forever', appModule: p.module, appName: p.name });

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split('_')
    .filter(Boolean);
}

function deadKind(name: string, a: AssignmentFact): Kind | undefined {
  const v = a.value;
  const w = words(name);
  const bare = w[0] === 'is' ? w.slice(1) : w;
  const last = w[w.length - 1];
  if (!last) return undefined;
  if (v.kind === 'boolean' && !v.value && (FALSE_WORDS.has(last) || (bare.length === 1 && FALSE_WHOLE.has(last)))) return 'false';
  if (v.kind === 'boolean' && v.value && (TRUE_WHOLE.has(bare.join('_')) || last === 'disconnected')) return 'true';
  if (v.kind === 'null' && NULL_WORDS.has(last)) return 'null';
  return undefined;
}

function brokenKind(a: AssignmentFact): Kind | undefined {
  if (!a.selfAttr || a.augmented) return undefined;
  return deadKind(a.selfAttr, a);
}

function restores(a: AssignmentFact, kind: Kind): boolean {
  const v = a.value;
  if (kind === 'false') return v.kind === 'boolean' ? v.value : v.kind !== 'null';
  if (kind === 'true') return v.kind === 'boolean' ? !v.value : v.kind !== 'null';
  return v.kind !== 'null' && !(v.kind === 'boolean' && !v.value);
}

const literal = (kind: Kind, facts: FileFacts) =>
  kind === 'null' ? (facts.language === 'python' ? 'None' : 'null') : kind === 'true' ? (facts.language === 'python' ? 'True' : 'true') : facts.language === 'python' ? 'False' : 'false';

class Funcs {
  private readonly children = new Map<number, number[]>();
  readonly assignedAsHandler = new Set<number>();
  constructor(private readonly facts: FileFacts) {
    for (const f of facts.functions) {
      if (f.parentFunctionId === undefined) continue;
      const l = this.children.get(f.parentFunctionId) ?? [];
      l.push(f.id);
      this.children.set(f.parentFunctionId, l);
    }
    for (const a of facts.assignments) {
      if (a.value.kind === 'function' && /\.on_?(error|close)$/i.test(a.target)) this.assignedAsHandler.add(a.value.functionId);
    }
  }
  /** the class member a function belongs to (itself for a method) */
  member(id: number | undefined): FunctionFact | undefined {
    let f = id === undefined ? undefined : this.facts.functions[id];
    while (f && f.classId === undefined && f.parentFunctionId !== undefined) f = this.facts.functions[f.parentFunctionId];
    return f && f.classId !== undefined ? f : undefined;
  }
  chain(id: number | undefined): FunctionFact[] {
    const out: FunctionFact[] = [];
    for (let f = id === undefined ? undefined : this.facts.functions[id]; f; f = f.parentFunctionId === undefined ? undefined : this.facts.functions[f.parentFunctionId]) {
      out.push(f);
      if (f.classId !== undefined) break;
    }
    return out;
  }
  descendants(id: number): Set<number> {
    const out = new Set([id]);
    const stack = [id];
    while (stack.length) for (const c of this.children.get(stack.pop()!) ?? []) if (!out.has(c)) (out.add(c), stack.push(c));
    return out;
  }
  isErrorCallback(f: FunctionFact): boolean {
    if (this.assignedAsHandler.has(f.id) || HANDLER_NAME.test(f.name)) return true;
    if (f.argOfCall === undefined) return false;
    const call = this.facts.calls[f.argOfCall];
    const ev = call?.args[0];
    return !!call && LISTEN.test(call.callee) && ev?.kind === 'string' && ERROR_EVENTS.has(ev.value);
  }
}

function describe(f: FunctionFact, facts: FileFacts): string {
  const call = f.argOfCall === undefined ? undefined : facts.calls[f.argOfCall];
  const ev = call?.args[0];
  if (ev?.kind === 'string') return `the '${ev.value}' listener`;
  return f.name ? `${f.name}()` : 'an onerror/onclose callback';
}

const isCtor = (f: FunctionFact | undefined) => !!f && (f.name === 'constructor' || f.name === '__init__');

const check: Check = (ctx) => {
  const funcs = new Funcs(ctx.facts);
  return [...classFindings(ctx, funcs), ...variableFindings(ctx, funcs)];
};

function classFindings(ctx: Parameters<Check>[0], funcs: Funcs): FindingDraft[] {
  const facts = ctx.facts;
  if (!facts.classes.length) return [];
  const out: FindingDraft[] = [];
  const reported = new Set<string>();
  // a streaming response or a request handler lives for one exchange: marking it disconnected
  // when its client goes away ends that exchange, and the next request gets a new instance
  const perRequest = new Set(ctx.catalog.entries('per-request-classes', facts.language).flatMap((e) => e.bases));
  for (const a of facts.assignments) {
    const kind = brokenKind(a);
    const cls = a.scope.classId;
    if (!kind || cls === undefined) continue;
    if (facts.classes[cls].bases.some((b) => perRequest.has(b))) continue;
    const member = funcs.member(a.scope.functionId);
    if (!member || TERMINAL.test(member.name) || isCtor(member)) continue;
    const chain = funcs.chain(a.scope.functionId);
    const inCatch = a.scope.tries.some((t) => t.part === 'handler');
    const callback = chain.find((f) => funcs.isErrorCallback(f));
    if (!inCatch && !callback) continue;
    // does the error path itself exit or schedule a reconnect?
    const pathFn = callback ?? facts.functions[a.scope.functionId!];
    const scope = funcs.descendants(pathFn.id);
    // in a catch, only what the handler itself does counts: the `connect()` that failed in the
    // try body is not a recovery (`try: await connect() except: self.connected = False`)
    const handler = inCatch ? a.scope.tries.find((t) => t.part === 'handler') : undefined;
    const pathCalls = facts.calls.filter(
      (c) =>
        c.scope.functionId !== undefined &&
        scope.has(c.scope.functionId) &&
        (!handler || c.scope.tries.some((t) => t.tryId === handler.tryId && t.part === 'handler')),
    );
    if (pathCalls.some((c) => EXIT.test(c.qualified ?? c.callee) || RESCHEDULE.test(c.callee))) continue;
    // the error path tells whoever owns the instance (`for cb in self._disconnect_listeners: cb()`,
    // `self.emit("disconnected")`): a single-use connection whose owner opens the next one
    if (pathCalls.some((c) => TELLS_OWNER.test(c.callee))) continue;
    // can a connection loss reach this catch at all?
    const proof = handler ? outageProof(ctx, a.target, handler.tryId, a.scope.functionId, facts.assignments.filter((b) => b.selfAttr === a.selfAttr && b.scope.classId === cls)) : undefined;
    if (proof === 'no') continue;
    // is it restored anywhere reachable?
    let partial: string | undefined;
    let restorer: string | undefined;
    let recovered = false;
    for (const b of facts.assignments) {
      if (b === a || b.selfAttr !== a.selfAttr || b.scope.classId !== cls || !restores(b, kind)) continue;
      const m = funcs.member(b.scope.functionId);
      if (!m || isCtor(m)) continue; // field initializer or constructor: runs once
      if (b.scope.functionId !== m.id) {
        recovered = true; // inside a callback ('ready', 'connect', a timer): event-driven recovery
        break;
      }
      // a property getter that reconnects when the handle is gone (`@property def conn(self): if
      // self._conn is None: self._conn = connect()`) runs on every use: the lazy reconnect
      if (m.decorators.some((d) => /^(property|[\w.]+\.getter)$/.test(d.text.replace(/^@/, '')))) {
        recovered = true;
        break;
      }
      const callers = facts.calls.filter((c) => /^(this|self)\./.test(c.callee) && c.callee.slice(c.callee.indexOf('.') + 1) === m.name);
      if (callers.some((c) => !isCtor(funcs.member(c.scope.functionId)))) {
        recovered = true;
        break;
      }
      // the method retries itself: its `except` clears the session inside the loop of attempts
      // that sets it again (`for attempt in range(n): try: … self.session = s / except: self.session = None`)
      if (m.id === a.scope.functionId && handler && facts.tries[handler.tryId]?.inLoop) {
        recovered = true;
        break;
      }
      if (!callers.length) {
        partial = `${m.name}() restores it, but nothing in the class calls it again; a caller outside may`;
        restorer = m.name;
      }
    }
    if (recovered) continue;
    const key = `${cls}:${a.selfAttr}`;
    const pathKey = `${cls}:path:${pathFn.id}:${inCatch ? a.scope.tries.find((t) => t.part === 'handler')?.tryId : ''}`;
    if (reported.has(pathKey)) continue; // one finding per error path
    reported.add(pathKey);
    if (reported.has(key)) continue;
    reported.add(key);
    const self = a.target.split('.')[0];
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: a.loc,
      message: ctx.rule.message,
      data: {
        target: a.target,
        value: literal(kind, facts),
        where: `${inCatch ? 'a catch block' : describe(callback!, facts)} of \`${facts.classes[cls].name}\``,
        after: 'after the first failure',
        subject: 'this instance stays broken',
        self,
        ...(proof ? pendingQueue(proof) : {}),
        // the project model drops the finding when another module calls the restoring method
        ...(restorer ? { restoredBy: restorer } : {}),
      },
      where: { scope: a.scope },
    };
    if (partial) {
      d.priority = 'P1';
      d.priorityReason = partial;
    }
    optionalFeature(ctx, d, `${facts.classes[cls].name} ${a.selfAttr}`);
    out.push(d);
  }
  return out;
}

/**
 * A client that serves a feature its callers can go without (they check it and skip it): rule
 * option `cacheNames` for a cache (lost for good, every read falls through to the source: P1,
 * slower and heavier, not down) and `optionalFeatures` for metrics and telemetry (lost numbers:
 * P2). unstract's WorkerCacheManager and MetricsMixin: readers of set T put both P0s at P2.
 */
function optionalFeature(ctx: Parameters<Check>[0], d: FindingDraft, names: string): void {
  const opts = (ctx.rule.options ?? {}) as { cacheNames?: string; optionalFeatures?: string };
  const hit = (re?: string) => (re ? new RegExp(re, 'i').exec(names)?.[0].toLowerCase() : undefined);
  const optional = hit(opts.optionalFeatures);
  const cache = optional ? undefined : hit(opts.cacheNames);
  if (!optional && !cache) return;
  if (optional) {
    d.priority = 'P2';
    d.priorityReason = `it serves an optional feature (${optional}): its callers go on without it`;
  } else if (!d.priority || d.priority === 'P0') {
    d.priority = 'P1';
    d.priorityReason = `it serves a ${cache}: its callers go on without it, and every read falls through to the source`;
  }
}

type Home = number | 'module';

/** the handler a fact sits in, innermost first, unless it only catches a missing library */
function runtimeHandler(facts: FileFacts, a: AssignmentFact, catalog: Parameters<Check>[0]['catalog']) {
  const t = a.scope.tries.find((x) => x.part === 'handler');
  if (!t) return undefined;
  const h = facts.tries[t.tryId]?.handlers[t.handlerIndex ?? 0];
  if (h && h.types.length && h.types.every((ty) => IMPORT_ERRORS.test(ty))) return undefined;
  // `try: from scrapling import Session / except Exception: Session = None`: the fallback of an
  // optional import (whatever it catches) is an install fact, not a connection that failed
  const tr = facts.tries[t.tryId];
  if (tr && h && facts.imports.some((i) => i.local === a.target && i.loc.line >= tr.loc.line && i.loc.line < h.loc.line)) return undefined;
  // `try: import sendgrid; client = sendgrid.SendGridAPIClient(key) / except: client = None`: an
  // optional import and an SDK constructor that does no I/O; only an install or config fault lands here
  if (tr && h && facts.imports.some((i) => i.loc.line >= tr.loc.line && i.loc.line < h.loc.line)) {
    const body = facts.calls.filter((c) => c.scope.functionId === a.scope.functionId && c.scope.tries.some((x) => x.tryId === t.tryId && x.part === 'body'));
    const quiet = (c: (typeof body)[number]) => isLoggingCall(c.callee) || /(^|\.)_?get_?\w*logger$/i.test(c.callee) || (!!c.qualified && catalog.lookupRole(c.qualified, facts.language, ['third-party.client']) !== undefined);
    if (body.every(quiet)) return undefined;
  }
  return t;
}

/** no handler of the try leaves the function or the loop: code after the try runs on the error path */
function fallsThrough(facts: Parameters<Check>[0]['facts'], tryId: number): boolean {
  const t = facts.tries[tryId];
  return !!t && t.handlers.every((h) => !h.returns && !h.reraises && !h.breaks);
}

/**
 * Module globals and closure variables. `home` is where the variable lives: 'module', or the
 * function that declares it; a local of the writing function is not state that outlives a call.
 */
function variableFindings(ctx: Parameters<Check>[0], funcs: Funcs): FindingDraft[] {
  const facts = ctx.facts;
  const py = facts.language === 'python';
  const fn = (id: number | undefined) => (id === undefined ? undefined : facts.functions[id]);
  const writes = new Map<string, AssignmentFact[]>();
  for (const a of facts.assignments) {
    if (a.selfAttr || a.augmented || !/^[A-Za-z_$][\w$]*$/.test(a.target)) continue;
    const l = writes.get(a.target) ?? [];
    l.push(a);
    writes.set(a.target, l);
  }
  const declaresIn = (f: number | undefined, name: string): boolean =>
    (writes.get(name) ?? []).some((b) => b.scope.functionId === f && (py ? b.binds === undefined : b.binds === 'declares')) ||
    (f !== undefined && !!fn(f)?.params.some((p) => p.name === name));
  const homeOf = (a: AssignmentFact): Home | undefined => {
    const f = a.scope.functionId;
    if (py) {
      if (f === undefined) return a.scope.classId === undefined ? 'module' : undefined;
      if (a.binds === 'global') return 'module';
      if (a.binds === 'nonlocal') {
        for (let p = fn(f)?.parentFunctionId; p !== undefined; p = fn(p)?.parentFunctionId) if (declaresIn(p, a.target)) return p;
        return undefined;
      }
      return f;
    }
    for (let p: number | undefined = f; p !== undefined; p = fn(p)?.parentFunctionId) if (declaresIn(p, a.target)) return p;
    return declaresIn(undefined, a.target) ? 'module' : undefined;
  };
  /** functions from the writer up to (not including) the variable's home */
  const chainTo = (id: number | undefined, home: Home): FunctionFact[] => {
    const out: FunctionFact[] = [];
    for (let f = fn(id); f && f.id !== home; f = fn(f.parentFunctionId)) out.push(f);
    return out;
  };
  const isCallback = (f: FunctionFact) => f.argOfCall !== undefined || funcs.assignedAsHandler.has(f.id) || facts.assignments.some((b) => b.value.kind === 'function' && b.value.functionId === f.id && b.target.includes('.'));
  const runsOnce = (id: number | undefined, home: Home): boolean => {
    if (id === undefined || id === home) return true;
    return chainTo(id, home).some((f) => STARTUP.test(f.name) || f.decorators.some((d) => STARTUP_DECORATOR.test(d.text)));
  };
  /** how a restoring write in function `id` can run again: 'yes', 'once', or 'maybe' (nothing here calls it) */
  const runsAgain = (id: number | undefined, home: Home): 'yes' | 'once' | 'maybe' => {
    if (runsOnce(id, home)) return 'once';
    const chain = chainTo(id, home);
    if (chain.some(isCallback)) return 'yes'; // a listener, a timer, a handler: event-driven
    const g = chain.find((f) => f.name) ?? chain[0];
    if (!g?.name) return 'once';
    if (g.decorators.length) return 'yes'; // a route, a scheduled job (startup hooks are caught above)
    const startupRegistration = (c: (typeof facts.calls)[number]) => c.args.some((v) => v.kind === 'string' && /startup/i.test(v.value));
    let called = false;
    for (const c of facts.calls) {
      const direct = c.callee === g.name;
      const handed = !direct && c.args.some((v) => v.kind === 'name' && v.text === g.name);
      if (!direct && !handed) continue;
      called = true;
      if (handed && startupRegistration(c)) continue;
      if (handed || !runsOnce(c.scope.functionId, home)) return 'yes';
    }
    return called ? 'once' : 'maybe';
  };

  const out: FindingDraft[] = [];
  const reported = new Set<string>();
  for (const a of facts.assignments) {
    if (a.selfAttr || a.augmented || !writes.has(a.target) || a.binds === 'declares') continue;
    const kind = deadKind(a.target, a);
    if (!kind) continue;
    const home = homeOf(a);
    if (home === undefined || (home !== 'module' && home === a.scope.functionId)) continue;
    const chain = chainTo(a.scope.functionId, home);
    if (chain.some((f) => TERMINAL.test(f.name))) continue;
    // a closure variable of a function that runs again (per request, per connection) is state of
    // one call: the next call starts with a fresh one
    if (home !== 'module' && runsAgain(home, 'module') === 'yes') continue;
    const handler = runtimeHandler(facts, a, ctx.catalog);
    const callback = chain.find((f) => funcs.isErrorCallback(f));
    if (!handler && !callback) continue;
    if (home === 'module' && a.scope.functionId === undefined && !handler) continue;
    // what the error path itself does: exit, or schedule a reconnect
    const pathFn = callback ?? fn(a.scope.functionId);
    const scope = pathFn ? funcs.descendants(pathFn.id) : undefined;
    const pathCalls = facts.calls.filter(
      (c) =>
        (scope ? c.scope.functionId !== undefined && scope.has(c.scope.functionId) : c.scope.functionId === undefined) &&
        (!handler || c.scope.tries.some((t) => t.tryId === handler.tryId && t.part === 'handler')),
    );
    if (pathCalls.some((c) => EXIT.test(c.qualified ?? c.callee) || RESCHEDULE.test(c.callee))) continue;
    // the error path tells whoever owns the instance (`for cb in self._disconnect_listeners: cb()`,
    // `self.emit("disconnected")`): a single-use connection whose owner opens the next one
    if (pathCalls.some((c) => TELLS_OWNER.test(c.callee))) continue;
    const proof = handler ? outageProof(ctx, a.target, handler.tryId, a.scope.functionId, (writes.get(a.target) ?? []).filter((b) => homeOf(b) === home)) : undefined;
    if (proof === 'no') continue;
    let partial: string | undefined;
    let restorer: string | undefined;
    let recovered = false;
    // a cached answer whose initial value means "not checked yet" (`let available: boolean | null =
    // null`): putting that value back (wg-easy's `clearAvailabilityCache()`) makes the next use check again
    const initial = (writes.get(a.target) ?? []).find((b) => homeOf(b) === home && (py ? b.scope.functionId === undefined && b.binds === undefined : b.binds === 'declares'));
    const unchecked = kind !== 'null' && initial?.value.kind === 'null';
    for (const b of writes.get(a.target) ?? []) {
      if (b === a || homeOf(b) !== home || !(restores(b, kind) || (unchecked && b !== initial && b.value.kind === 'null'))) continue;
      if (b.binds === 'declares' || b === initial) continue; // the initial value
      // the error path falls through to a rebuild in the same call (`except: client = None`, then
      // `client = Redis.from_url(...)` after the try): nothing stays broken
      if (handler && fallsThrough(facts, handler.tryId) && b.scope.functionId === a.scope.functionId && b.loc.line > a.loc.line && !b.scope.tries.some((t) => t.tryId === handler.tryId)) {
        recovered = true;
        break;
      }
      const again = runsAgain(b.scope.functionId, home);
      if (again === 'yes') {
        recovered = true;
        break;
      }
      if (again === 'maybe') {
        const g = chainTo(b.scope.functionId, home).find((f) => f.name);
        partial = `${g?.name ?? 'a function'}() restores it, but nothing in this file calls it again; a caller in another module may`;
        restorer = g?.name;
      }
    }
    if (recovered) continue;
    const key = `${home}:${a.target}`;
    const pathKey = `path:${pathFn?.id ?? 'module'}:${handler?.tryId ?? ''}`;
    if (reported.has(key) || reported.has(pathKey)) continue;
    reported.add(key);
    reported.add(pathKey);
    const homeFn = home === 'module' ? undefined : fn(home);
    const named = [...chain, ...(homeFn ? [homeFn] : [])].find((f) => f.name && f !== callback);
    const place = named ? `\`${named.name}()\`` : undefined;
    const where = handler
      ? a.scope.functionId === undefined
        ? 'the module-level catch block'
        : `a catch block of ${place ?? 'a callback'}`
      : `${describe(callback!, facts)}${place ? ` of ${place}` : ''}`;
    // the failing connect itself runs once, at import or from a startup hook: a boot-time latch.
    // Still P0 (the auditors' "marks itself dead after one failed connect and never tries again");
    // the message says when it latches
    const startupOnly = home === 'module' && runsAgain(a.scope.functionId, home) === 'once';
    const subject = home === 'module' ? `the module-level \`${a.target}\` stays broken` : `the \`${a.target}\` that \`${homeFn?.name || 'its function'}()\` closes over stays broken`;
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: a.loc,
      message: ctx.rule.message,
      data: { target: a.target, value: literal(kind, facts), where, after: startupOnly ? 'if the connect fails when the process starts (a start-order race, a dependency restarting during a deploy),' : 'after the first failure', subject, ...(proof ? pendingQueue(proof) : {}), ...(restorer ? { restoredBy: restorer } : {}) },
      where: { scope: a.scope },
    };
    if (partial) {
      d.priority = 'P1';
      d.priorityReason = partial;
    }
    optionalFeature(ctx, d, a.target);
    out.push(d);
  }
  return out;
}

export default check;
