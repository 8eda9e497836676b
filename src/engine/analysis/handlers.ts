// Which functions in a file are entry points that something outside calls once per event: HTTP
// request handlers (a client waits on them), task/job processors and message consumers. Shared by
// the checks that judge what such a function does (dedup on redelivery, calls that can hang a
// request). Library knowledge comes from the catalog (roles `http.route`, `http.resource`,
// `task.register`, `queue.publish`; sections `message-handlers` and `route-files`); route
// heuristics (webhook-like paths) from the rule's options. Nothing here names a library.
import type { RuleContext } from '../api.js';
import type { InteractiveRoute, MessageHandler, RouteFiles } from '../../catalog/types.js';
import type { CallFact, FileFacts, FunctionFact, Value } from '../../languages/types.js';

export interface Handler {
  fn: FunctionFact;
  kind: string;
  /** the catalog entry (section `message-handlers`) that declared it, and the registering call (also a route registration's) */
  entry?: MessageHandler;
  call?: CallFact;
  /** a route's path as written, or a route file's path */
  path?: string;
}

/** What the handler finders read: a file's facts and the catalog (a RuleContext, or the project model's worker side). */
type HandlerInput = Pick<RuleContext, 'facts' | 'catalog'>;

/** Which handlers to look for: catalog entries, and routes a rule picks by their path. */
export interface HandlerOptions {
  /** job processors and message consumers (catalog section `message-handlers`) */
  handlers?: MessageHandler[];
  /** `<router>.<method>(path, …, handler)` with a literal path matching `routePattern` */
  routeMethods?: string[];
  routePattern?: string;
  /** a file path pattern + exported function names (Next.js `app/**\/route.ts` POST; catalog section `route-files`) */
  routeFiles?: Pick<RouteFiles, 'path' | 'exports'>;
}

const KIND: Record<MessageHandler['kind'], string> = { 'job-processor': 'job processor', 'message-consumer': 'message consumer' };

const fnOf = (facts: FileFacts, v: Value | undefined): FunctionFact | undefined => (v && v.kind === 'function' ? facts.functions[v.functionId] : undefined);

/** Job processors, consumers, routes and route files as the catalog entries and options describe them. */
export function declaredHandlers(facts: FileFacts, path: string, o: HandlerOptions): Handler[] {
  const handlers: Handler[] = [];
  for (const c of facts.calls) {
    const q = c.qualified ?? '';
    for (const h of o.handlers ?? []) {
      if (q !== h.api || h.language !== facts.language) continue;
      if (h.arg !== undefined) {
        const fn = fnOf(facts, h.arg === 'last' ? c.args[c.args.length - 1] : c.args[h.arg]);
        if (fn) handlers.push({ fn, kind: KIND[h.kind], entry: h, call: c });
      }
      if (h.prop) {
        const obj = c.args.find((a) => a.kind === 'object');
        const fn = obj && obj.kind === 'object' ? fnOf(facts, obj.props[h.prop]) : undefined;
        if (fn) handlers.push({ fn, kind: KIND[h.kind], entry: h, call: c });
      }
    }
    const dot = c.callee.lastIndexOf('.');
    if (dot > 0 && o.routePattern && (o.routeMethods ?? []).includes(c.callee.slice(dot + 1))) {
      const p = c.args[0];
      if (p?.kind === 'string' && new RegExp(o.routePattern, 'i').test(p.value)) {
        const fn = fnOf(facts, c.args[c.args.length - 1]);
        if (fn) handlers.push({ fn, kind: `POST ${p.value} handler`, call: c, path: p.value });
      }
    }
  }
  if (o.routeFiles && new RegExp(o.routeFiles.path, 'i').test(path)) {
    const exports = o.routeFiles.exports;
    const seen = new Set<string>();
    for (const f of facts.functions) {
      if (f.parentFunctionId === undefined && f.classId === undefined && exports.includes(f.name)) {
        handlers.push({ fn: f, kind: `${f.name} route handler`, path });
        seen.add(f.name);
      }
    }
    // `export const GET = withAuth("x", async (req) => { … })`: the handler is the function the
    // module-level wrapper call is given (inbox-zero writes 239 of its route handlers this way)
    for (const a of facts.assignments) {
      if (a.scope.functionId !== undefined || !exports.includes(a.target) || seen.has(a.target) || a.value.kind !== 'call') continue;
      const fn = wrappedFunction(facts, a.value.callId, 0);
      if (fn) {
        handlers.push({ fn: { ...fn, name: a.target }, kind: `${a.target} route handler`, path });
        seen.add(a.target);
      }
    }
  }
  return handlers;
}

/** The function literal a wrapper call is given (its last one), through nested wrappers: `withA(withB(async () => …))`. */
function wrappedFunction(facts: FileFacts, callId: number, depth: number): FunctionFact | undefined {
  const c = facts.calls[callId];
  if (!c || depth > 3) return undefined;
  for (let i = c.args.length - 1; i >= 0; i--) {
    const v = c.args[i];
    if (v.kind === 'function') return facts.functions[v.functionId];
    if (v.kind === 'call') {
      const inner = wrappedFunction(facts, v.callId, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Task handlers: decorated with a task registration (catalog `task.register`), or enqueued by name. */
export function taskHandlers(ctx: HandlerInput): FunctionFact[] {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const enqueued = new Set<string>();
  for (const c of facts.calls) {
    if (!catalog.lookupRole(c.qualified, lang, ['queue.publish'])) continue;
    const first = c.args[0];
    if (first?.kind === 'name') enqueued.add(first.text);
  }
  return facts.functions.filter((f) => {
    if (!f.name) return false;
    if (enqueued.has(f.name) && f.classId === undefined) return true;
    return f.decorators.some((d) => catalog.lookupRole(d.qualified, lang, ['task.register']) !== undefined);
  });
}

function functionsByName(facts: FileFacts): Map<string, FunctionFact[]> {
  const byName = new Map<string, FunctionFact[]>();
  for (const f of facts.functions) if (f.name) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return byName;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * `POST /chat handler` from the registering API's method (or the one verb of Flask's
 * `methods=["POST"]`) and a literal path, else `HTTP handler`. A path a blueprint joins to its
 * prefix (`@auth.route("signup")`) still reads as a path.
 */
function routeKind(qualified: string | null, path: Value | undefined, call?: CallFact): string {
  const method = (qualified ?? '').split('.').pop() ?? '';
  const listed = call?.kwargs.methods?.kind === 'array' ? call.kwargs.methods.items : [];
  const only = listed.length === 1 && listed[0].kind === 'string' ? listed[0].value.toLowerCase() : '';
  const verb = HTTP_METHODS.has(method) ? method.toUpperCase() : HTTP_METHODS.has(only) ? only.toUpperCase() : 'HTTP';
  if (path?.kind !== 'string' || !path.value) return `${verb} handler`;
  return `${verb} ${path.value.startsWith('/') ? path.value : `/${path.value}`} handler`;
}

/**
 * HTTP request handlers found through the catalog: functions decorated with an `http.route` API
 * (`@app.post(…)`, `@bp.route(…)`), get/post/… methods of classes based on an `http.resource`
 * (flask-restx Resource, MethodView, APIView), and functions passed to an `http.route`
 * registration call (`app.get(path, handler)`, inline or by name).
 */
export function httpHandlers(ctx: HandlerInput): Handler[] {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const out: Handler[] = [];
  const isRoute = (q: string | null) => catalog.lookupRole(q, lang, ['http.route']) !== undefined;
  const resourceClasses = new Set(
    facts.classes.filter((k) => k.bases.some((b) => catalog.lookupRole(b, lang, ['http.resource']))).map((k) => k.id),
  );
  const byName = functionsByName(facts);
  // `router = APIRouter(prefix="/git")` in this file: its routes' paths start with the prefix
  const prefixOf = (call: CallFact | undefined): string => {
    const ctor = call?.receiverCall === undefined ? undefined : facts.calls[call.receiverCall];
    const api = ctor ? catalog.lookupRole(ctor.qualified, lang, ['http.router']) : undefined;
    for (const k of api?.prefixKeys ?? []) {
      const v = ctor!.kwargs[k];
      if (v?.kind === 'string') return v.value.replace(/\/$/, '');
    }
    return '';
  };
  for (const f of facts.functions) {
    const deco = f.decorators.find((d) => isRoute(d.qualified));
    if (deco) {
      const call = deco.callId === undefined ? undefined : facts.calls[deco.callId];
      const arg = call?.args[0];
      const prefix = prefixOf(call);
      const p: Value | undefined = arg?.kind === 'string' && prefix ? { ...arg, value: `${prefix}${arg.value.startsWith('/') || !arg.value ? '' : '/'}${arg.value}` } : arg;
      out.push({ fn: f, kind: routeKind(deco.qualified, p, call), ...(p?.kind === 'string' ? { path: p.value } : {}) });
    }
    else if (f.classId !== undefined && resourceClasses.has(f.classId) && HTTP_METHODS.has(f.name)) out.push({ fn: f, kind: `HTTP ${f.name.toUpperCase()} handler` });
  }
  for (const c of facts.calls) {
    if (!isRoute(c.qualified)) continue;
    for (const a of c.args) {
      const fns = a.kind === 'function' ? [facts.functions[a.functionId]] : a.kind === 'name' ? (byName.get(a.text.split('.').pop() ?? '') ?? []) : [];
      const p = c.args[0];
      for (const fn of fns) if (fn) out.push({ fn, kind: routeKind(c.qualified, p, c), call: c, ...(p?.kind === 'string' ? { path: p.value } : {}) });
    }
  }
  return out;
}

const perRequestMemo = new WeakMap<FileFacts, Set<number>>();

/**
 * Functions that run once per request or job: HTTP and task handlers (above), the functions nested
 * in them, and the functions of this file they call by name (`helper()`, `this.helper()`,
 * `self.helper()`), transitively. Calls from other modules are the project model's business.
 */
export function perRequestFunctions(ctx: HandlerInput): Set<number> {
  const { facts } = ctx;
  const memo = perRequestMemo.get(facts);
  if (memo) return memo;
  const out = new Set<number>([...httpHandlers(ctx).map((h) => h.fn.id), ...taskHandlers(ctx).map((f) => f.id)]);
  const inside = (fnId: number | undefined): boolean => {
    for (let f = fnId; f !== undefined; f = facts.functions[f].parentFunctionId) if (out.has(f)) return true;
    return false;
  };
  const byName = functionsByName(facts);
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of facts.calls) {
      if (!inside(c.scope.functionId)) continue;
      const self = /^(this|self)\.(\w+)$/.exec(c.callee);
      const name = self ? self[2] : /^\w+$/.test(c.callee) ? c.callee : undefined;
      if (!name) continue;
      const caller = facts.functions[c.scope.functionId!];
      for (const f of byName.get(name) ?? []) {
        if (out.has(f.id)) continue;
        const sameClass = self ? f.classId !== undefined && f.classId === caller.classId : f.classId === undefined && f.parentFunctionId === undefined;
        if (!sameClass) continue;
        out.add(f.id);
        grew = true;
      }
    }
  }
  for (const f of facts.functions) if (inside(f.id)) out.add(f.id);
  perRequestMemo.set(facts, out);
  return out;
}

/**
 * An agent, client or pool built per request: made, used and dropped (CallFact.lifetime 'call')
 * inside a function that runs per request. A cap on it bounds one request, not the process.
 */
export function perRequestInstance(ctx: RuleContext, call: CallFact): boolean {
  return call.lifetime === 'call' && call.scope.functionId !== undefined && perRequestFunctions(ctx).has(call.scope.functionId);
}

/**
 * The execution limit a route file sets for all its handlers (catalog `route-files`
 * `deadlineExport`: Next.js `export const maxDuration = 60`), in seconds, when the file is a route
 * file and exports a literal number under that name.
 */
export function routeFileDeadline(facts: FileFacts, path: string, routeFiles: RouteFiles[]): number | undefined {
  for (const rf of routeFiles) {
    if (!rf.deadlineExport || rf.language !== facts.language || !new RegExp(rf.path, 'i').test(path)) continue;
    if (!facts.exports.some((e) => e.name === rf.deadlineExport)) continue;
    const a = facts.assignments.find((x) => x.target === rf.deadlineExport && x.scope.functionId === undefined);
    const v = a?.value.kind === 'name' && a.value.resolved ? a.value.resolved : a?.value;
    if (v?.kind === 'number' && v.value > 0) return v.value;
  }
  return undefined;
}

/**
 * Functions that verify a webhook sender's signature (catalog `webhook-signals` `verifyCalls`:
 * `stripe.Webhook.construct_event`, `hmac.compare_digest`), the functions around them included,
 * each with the module roots of the verifying calls (`stripe`): who the sender is.
 */
export function signatureVerifiers(facts: FileFacts, catalog: RuleContext['catalog']): Map<number, Set<string>> {
  const verify = new Set(catalog.entries('webhook-signals', facts.language).flatMap((h) => h.verifyCalls ?? []));
  const out = new Map<number, Set<string>>();
  if (!verify.size) return out;
  for (const c of facts.calls) {
    if (!c.qualified || !verify.has(c.qualified)) continue;
    const root = c.qualified.split('.')[0];
    for (let f = c.scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) {
      const roots = out.get(f) ?? new Set<string>();
      out.set(f, roots.add(root));
    }
  }
  return out;
}

/**
 * The HTTP method a handler's description names (`GET /auth/callback handler`, `HTTP POST
 * handler`, `GET route handler`), or undefined when it names none (`@app.route` with no methods).
 */
export function methodOf(kind: string): string | undefined {
  return /\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/.exec(kind)?.[1];
}

/** Is the handler a route one user's browser is redirected to (catalog `interactive-routes`)? */
export function interactiveRoute(catalog: RuleContext['catalog'], kind: string, fnName: string | undefined): InteractiveRoute | undefined {
  const m = methodOf(kind);
  if (!m) return undefined;
  const path = kind.replace(/^\S+\s+/, '').replace(/\s+handler$/, '');
  return catalog.section('interactive-routes').find((r) => r.methods.includes(m) && (new RegExp(r.pattern, 'i').test(path) || (fnName !== undefined && new RegExp(r.pattern, 'i').test(fnName))));
}
