// Calls to third-party APIs (LLM providers, payments, messaging SDKs, or plain HTTP to a public
// https host) with neither a circuit breaker nor a timeout + retry policy of the team's own.
//
// Which calls leave for a third party, and each SDK's timeout/retry spellings and defaults, come
// from the catalog (roles `third-party.client`, `third-party.derive`, `third-party.call`, and
// `http.request` for generic clients). What protects a call also comes from the catalog:
//   breaker      `breaker` / `policy.wrap` APIs: a decorator on the enclosing function, an
//                enclosing `with breaker.calling()`, or the call sits in a function passed to one
//                (`new CircuitBreaker(fn)`, `cb.execute(() => …)`, `breaker.call(fn, …)`)
//   timeout      a timeout set explicitly on the call, on a derived client (`with_options`) or on
//                the client constructor, or a `deadline` wrapper around the call. A library
//                default (openai's 600 s) is not a policy someone chose, so it does not count.
//   retry        retries set on the call/client, the SDK's own bounded default retries, or a
//                `retry.policy` wrapper (tenacity/backoff decorator, p-retry, cockatiel retry)
// Generic HTTP calls count only with a literal https:// URL (or f-string/template prefix) to a
// host that is not internal; calls FL101 reports (no timeout at all) stay with FL101.
// Opaque options (`**kwargs`, an options variable) make the answer unknown: no finding.
import type { Check, RuleContext } from '../api.js';
import type { CatalogApi } from '../../catalog/types.js';
import type { CallFact, FunctionFact, Loc, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { readKnob } from '../knobs.js';
import { frameworkTagged, optionKeys } from '../analysis/task-frameworks.js';
import { declaredHandlers, httpHandlers, interactiveRoute, routeFileDeadline, signatureVerifiers, taskHandlers } from '../analysis/handlers.js';

interface Options {
  /** regex on a URL's host: internal hosts are not third parties */
  internalHost: string;
}

type Reading = 'explicit' | 'default' | 'off' | 'unknown';

interface Target {
  call: CallFact;
  /** most specific first: the call, derived clients, then the client constructor or module API */
  chain: Array<{ call: CallFact; api: CatalogApi }>;
  what: string;
  generic: boolean;
  /** judged only in an HTTP handler (a publish to the project's own message bus) */
  requestPathOnly?: boolean;
}

const GUARD_BREAKER = ['breaker', 'policy.wrap'];
const GUARD_RETRY = ['retry.policy'];
const GUARD_DEADLINE = ['deadline'];

function within(inner: Loc, outer: Loc): boolean {
  const starts = inner.line > outer.line || (inner.line === outer.line && inner.column >= outer.column);
  const ends = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endColumn <= outer.endColumn);
  return starts && ends;
}

/** The literal text a URL value starts with ('' when nothing literal is visible). */
export function literalPrefix(v: Value | undefined): string {
  if (!v) return '';
  if (v.kind === 'string') return v.value;
  if (v.kind === 'name' && v.resolved) return literalPrefix(v.resolved);
  if (v.kind !== 'other') return '';
  const m = /^(?:[rRbBuU]?[fF][rRbB]?)?(["'`]{1,3})/.exec(v.text);
  if (!m) return '';
  const body = v.text.slice(m[0].length);
  const end = body.search(/\$\{|\{|["'`]/);
  return end < 0 ? body : body.slice(0, end);
}

/** The host of an https URL prefix, when the prefix reaches past the host. */
export function httpsHost(prefix: string): string | undefined {
  const m = /^https:\/\/([^/:?#\s]+)(?=[/:?#]|$)/i.exec(prefix);
  // the prefix must show the whole host: `https://${host}/…` and `https://api.${region}…` stop
  // inside it (unknown)
  if (!m || /[.-]$/.test(m[1])) return undefined;
  return m[1].toLowerCase();
}

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const internal = new RegExp(o.internalHost, 'i');
  // catalog `http-request-urls`: URL keys, retrying client keys, method-first request calls
  const shapes = catalog.entries('http-request-urls', lang);
  const urlKeys = shapes.flatMap((u) => u.urlKeys ?? []);
  const opaqueKeys = shapes.flatMap((u) => u.retryingKeys ?? []);
  const methodFirst = shapes.flatMap((u) => (u.methodFirst ? [new RegExp(u.methodFirst)] : []));
  const role = (q: string | null, roles: string[]) => catalog.lookupRole(q, lang, roles);

  // ---------------------------------------------------------------- what leaves for a third party
  // A call chained into another call in the same expression builds the request rather than
  // sending it (`services(sid)` in `services(sid).verifications.create(…)`); a promise's
  // then/catch/finally is not a request either.
  const PROMISE = /\.(then|catch|finally)$/;
  const builders = new Set<number>();
  for (const c of facts.calls) {
    const r = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall];
    if (r && !PROMISE.test(c.callee) && within(r.loc, c.calleeLoc)) builders.add(r.id);
  }
  const targets: Target[] = [];
  for (const c of facts.calls) {
    if (!c.qualified || c.scope.functionId === undefined) continue; // module level runs once, at import
    if (PROMISE.test(c.callee)) continue;
    const moduleApi = role(c.qualified, ['third-party.call']);
    if (moduleApi) {
      targets.push({ call: c, chain: [{ call: c, api: moduleApi }], what: describe(moduleApi), generic: false });
      continue;
    }
    // a client's private helper (`jira._get_url(…)` builds a string) is not a call to the API
    const method = c.callee.split('.').pop() ?? '';
    if (c.receiverCall !== undefined && !builders.has(c.id) && !method.startsWith('_') && !role(c.qualified, ['third-party.client', 'third-party.derive'])) {
      const chain: Target['chain'] = [];
      let r: CallFact | undefined = facts.calls[c.receiverCall];
      let derive: CatalogApi | undefined;
      // walk back through derived clients and chained builders (`client.verify.services(sid).verifications.create`)
      while (r && !role(r.qualified, ['third-party.client']) && ((derive = role(r.qualified, ['third-party.derive'])) || builders.has(r.id))) {
        if (derive) chain.push({ call: r, api: derive });
        r = r.receiverCall === undefined ? undefined : facts.calls[r.receiverCall];
      }
      const client = r && role(r.qualified, ['third-party.client']);
      // a lazy handle (catalog `lazyKwargs`: python-gitlab's `projects.get(id, lazy=True)`) sends nothing
      const lazy = client?.lazyKwargs?.some((k) => c.kwargs[k]?.kind === 'boolean' && (c.kwargs[k] as { value: boolean }).value);
      if (lazy) continue;
      if (r && client && !redirected(r)) {
        targets.push({ call: c, chain: [{ call: c, api: perCall(client) }, ...chain, { call: r, api: client }], what: describe(client), generic: false });
        continue;
      }
    }
    // a publish that waits for the broker (catalog `queue.publish` with timeout knobs, tag
    // `message-bus`), with the settings of the clients it was made through
    const publish = role(c.qualified, ['queue.publish']);
    if (publish?.knobs?.timeout && publish.tags?.includes('message-bus')) {
      const chain: Target['chain'] = [{ call: c, api: publish }];
      for (let r = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall], n = 0; r && n < 8; r = r.receiverCall === undefined ? undefined : facts.calls[r.receiverCall], n++) {
        const api = role(r.qualified, ['message-bus.client']);
        if (api) chain.push({ call: r, api });
      }
      targets.push({ call: c, chain, what: 'the message broker', generic: false, requestPathOnly: true });
      continue;
    }
    const http = role(c.qualified, ['http.request']);
    if (http) {
      const host = thirdPartyHost(c);
      if (host) targets.push({ call: c, chain: [{ call: c, api: http }], what: `the third-party API at ${host}`, generic: true });
    }
  }
  if (!targets.length) return [];

  const handlers = new Map<number, string>();
  for (const h of httpHandlers(ctx)) handlers.set(h.fn.id, h.kind);
  const routeFiles = catalog.entries('route-files', lang);
  for (const rf of routeFiles) for (const h of declaredHandlers(facts, ctx.file.path, { routeFiles: rf })) handlers.set(h.fn.id, h.kind);
  // the route file's own execution limit (Next.js `maxDuration`) is a timeout someone chose for every call in it
  const fileDeadline = routeFileDeadline(facts, ctx.file.path, routeFiles);
  const workers = new Map<number, string>();
  for (const f of taskHandlers(ctx)) workers.set(f.id, 'task');
  for (const h of declaredHandlers(facts, ctx.file.path, { handlers: catalog.entries('message-handlers', lang) })) workers.set(h.fn.id, h.kind);

  // a handler that verifies a provider's webhook signature (catalog `webhook-signals`) is that
  // provider's caller: when the provider fails, its delivery fails and it redelivers later, so a
  // breaker around the handler's calls back to it protects nothing
  const rootOf = (q: string | null | undefined) => (q ?? '').split('.')[0];
  const senders = signatureVerifiers(facts, catalog);

  const passedCache = new Map<string, Set<string>>();
  const out: FindingDraft[] = [];
  for (const t of targets) {
    if (guarded(t.call, GUARD_BREAKER)) continue;
    const provider = rootOf(t.chain[t.chain.length - 1].call.qualified);
    if (!t.generic && enclosing(t.call.scope.functionId).some((f) => senders.get(f.id)?.has(provider))) continue;
    let timeout: Reading;
    let retry: Reading;
    if (t.generic) {
      const g = genericTimeout(t.call, t.chain[0].api);
      if (g === 'quiet') continue; // no timeout at all is FL101's finding; opaque options are unknown
      timeout = g;
      retry = 'off';
    } else {
      timeout = reading(t.chain, 'timeout');
      retry = reading(t.chain, 'retries');
    }
    if (timeout === 'unknown' || retry === 'unknown') continue;
    if (timeout !== 'explicit' && (guarded(t.call, GUARD_DEADLINE) || fileDeadline !== undefined)) timeout = 'explicit';
    if (retry === 'off' && guarded(t.call, GUARD_RETRY, true)) retry = 'explicit';
    if (timeout === 'explicit' && retry !== 'off') continue;
    // the vendor's own bounded timeout and retries (stripe-node): a policy, as long as it holds
    if (timeout === 'default' && retry !== 'off' && t.chain[t.chain.length - 1].api.defaultsArePolicy) continue;

    const chainFns = enclosing(t.call.scope.functionId);
    const handler = chainFns.find((f) => handlers.has(f.id));
    const worker = chainFns.find((f) => workers.has(f.id));
    // an OAuth sign-in redirect: its code exchange is single-use (a retry cannot help) and it runs
    // once per sign-in (a breaker has no traffic to shed); a bounded wait is all it needs
    if (handler && (timeout === 'explicit' || t.generic) && interactiveRoute(catalog, handlers.get(handler.id) ?? '', handler.name)) continue;
    // a plain HTTP call is judged only where it is known to run per request or per job; an SDK
    // call anywhere (its defaults are known to be too patient for any request path)
    if (t.generic && !handler && !worker) continue;
    // the project's own broker is judged where a user waits on it; a worker's publish is its queue's business
    if (t.requestPathOnly && !handler) continue;
    // off the request path and optional: a failure is caught and the work goes on without it
    if (!handler && optional(t.call)) continue;
    const base = t.chain[t.chain.length - 1];
    const tKnob = base.api.knobs?.timeout;
    const lacks =
      timeout === 'default' && retry === 'off'
        ? `no retry policy, and only the library's default timeout (${tKnob?.defaultNote ?? 'bounded'})`
        : timeout !== 'explicit' && retry === 'off'
        ? 'no timeout or retry policy of its own'
        : timeout !== 'explicit'
          ? `no timeout of its own (library default: ${tKnob?.defaultNote ?? (t.generic ? 'the client default' : 'none')})`
          : 'no retry policy';
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: t.call.loc,
      message: ctx.rule.message,
      data: {
        callee: t.call.callee,
        target: t.what,
        where: handler ? ` in ${named(handlers.get(handler.id), handler)}` : worker ? ` in ${named(workers.get(worker.id), worker)}` : '',
        lacks,
        who: handler ? 'requests' : worker ? 'workers' : 'callers',
      },
      where: { scope: t.call.scope, apiTags: base.api.tags },
    };
    if (!handler) {
      d.priority = 'P2';
      d.priorityReason = worker ? 'in a background worker: nobody is waiting on a response' : 'not called directly in a recognised HTTP request handler (a route may still reach it through other functions)';
      // the SDK ships a finite timeout and bounded retries (openai, anthropic: 600 s, 2 retries):
      // off a request path that is a policy, if a patient one (readers on letta's token counts
      // and model lists, anything-llm's provider classes). The project model keeps the finding
      // only when a route or webhook reaches the call from another module
      if (timeout === 'default' && retry === 'default') d.data!.unlessRequestReaches = 'drop';
    }
    out.push(d);
  }
  return out;

  // ---------------------------------------------------------------- helpers (closures over ctx)
  function named(kind: string | undefined, fn: FunctionFact): string {
    return fn.name && !kind?.includes(fn.name) ? `${kind} \`${fn.qualifiedName}\`` : `${kind}`;
  }

  function describe(api: CatalogApi): string {
    const kind = api.tags?.includes('llm') ? 'an LLM API' : api.tags?.includes('payments') ? 'a payments API' : api.tags?.includes('messaging') ? 'a messaging API' : 'a third-party API';
    return kind;
  }

  /**
   * The client's knobs read off one request: TS/JS SDK methods take per-request options as their
   * last argument (`create(body, { timeout })`), Python ones as keywords. File-wide settings
   * (assignments, setter calls) belong to the client or module entry, not to each request.
   */
  function perCall(api: CatalogApi): CatalogApi {
    const knobs = Object.fromEntries(Object.entries(api.knobs ?? {}).map(([k, v]) => [k, { ...v, setByAssignment: undefined, setByCall: undefined }]));
    return { ...api, knobs, optionsArg: api.language === 'typescript' ? -1 : api.optionsArg };
  }

  /** The most specific explicit setting along the chain, else the client's library default. */
  function reading(chain: Target['chain'], knob: string): Reading {
    for (const { call, api } of chain) {
      if (!api.knobs?.[knob]) continue;
      const r = readKnob(call, api, knob, facts, catalog);
      if (r.state === 'unknown') return 'unknown';
      if (r.state === 'disabled') return 'off';
      if (r.state === 'set' && r.source !== 'default') return 'explicit';
    }
    const k = chain[chain.length - 1].api.knobs?.[knob];
    return k?.default === 'bounded' ? 'default' : 'off';
  }

  function genericTimeout(call: CallFact, api: CatalogApi): Reading | 'quiet' {
    const r = readKnob(call, api, 'timeout', facts, catalog);
    if (r.state !== 'set') return 'quiet';
    const ctor = call.receiverCall === undefined ? undefined : facts.calls[call.receiverCall];
    if (ctor && opaqueKeys.some((k) => ctor.kwargs[k] || ctor.kwargsOpen)) return 'quiet';
    if (r.source === 'receiver' && ctor) {
      const ctorApi = catalog.lookup(ctor.qualified, lang).find((a) => a.knobs?.timeout);
      const cr = ctorApi ? readKnob(ctor, ctorApi, 'timeout', facts, catalog) : undefined;
      return cr && cr.state === 'set' && cr.source !== 'default' ? 'explicit' : 'default';
    }
    return r.source === 'default' ? 'default' : 'explicit';
  }

  /**
   * An SDK client pointed somewhere else with a base URL: a literal internal host (a local model
   * server) is not a third party, and a base URL from configuration is unknown (quiet, as for
   * generic calls). A literal public base URL (`https://api.groq.com/openai/v1`) is still one.
   */
  function redirected(ctor: CallFact): boolean {
    const [base] = urlValues(ctor, true);
    if (!base) return false;
    const host = httpsHost(literalPrefix(base)) ?? /^http:\/\/([^/:?#\s]+)/i.exec(literalPrefix(base))?.[1]?.toLowerCase();
    return !host || internal.test(host);
  }

  /** The host of a literal https URL on the call (or its client's base URL) that is not internal. */
  function thirdPartyHost(c: CallFact): string | undefined {
    const ctor = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall];
    for (const v of [...urlValues(c), ...(ctor ? urlValues(ctor, true) : [])]) {
      const host = httpsHost(literalPrefix(v));
      if (host) return internal.test(host) ? undefined : host;
    }
    return undefined;
  }

  function urlValues(c: CallFact, ctorOnly = false): Value[] {
    const vals: Value[] = [];
    for (const k of urlKeys) if (c.kwargs[k]) vals.push(c.kwargs[k]);
    const objects = c.args.map((a) => (a.kind === 'name' && a.resolved ? a.resolved : a)).filter((a) => a.kind === 'object');
    for (const obj of objects) if (obj.kind === 'object') for (const k of urlKeys) if (obj.props[k]) vals.push(obj.props[k]);
    if (!ctorOnly) {
      // requests.request("POST", url) / session.request(method, url): the URL is the second argument
      const first = methodFirst.some((re) => re.test(c.qualified ?? '')) ? c.args[1] : c.args[0];
      if (first) vals.push(first);
    }
    return vals;
  }

  /**
   * Is the call optional where it runs: inside a try whose handler catches the failure and goes on
   * (no re-raise: a fallback value, a log and return), so an outage degrades the feature instead of
   * stalling or failing the job?
   */
  function optional(call: CallFact): boolean {
    const t = call.scope.tries.find((x) => x.part === 'body');
    if (!t) return false;
    const handlers = facts.tries[t.tryId]?.handlers ?? [];
    return handlers.length > 0 && handlers.every((h) => !h.reraises);
  }

  /** The enclosing functions, innermost first. */
  function enclosing(fid: number | undefined): FunctionFact[] {
    const fns: FunctionFact[] = [];
    while (fid !== undefined && facts.functions[fid]) {
      fns.push(facts.functions[fid]);
      fid = facts.functions[fid].parentFunctionId;
    }
    return fns;
  }

  /** Does this call (or the instance it was made on) have one of the roles? */
  function hit(c: CallFact | undefined, roles: string[]): boolean {
    for (let r = c, n = 0; r && n < 8; r = r.receiverCall === undefined ? undefined : facts.calls[r.receiverCall], n++) {
      if (accepts(role(r.qualified, roles), r.kwargs)) return true;
    }
    return false;
  }

  /** A task framework's decorator (an API tagged with the framework) is a retry policy only with its auto-retry option (Celery: `autoretry_for`). */
  function accepts(api: CatalogApi | undefined, kwargs: Record<string, Value>): boolean {
    if (api === undefined) return false;
    const fw = frameworkTagged(catalog, lang, api.tags);
    return !fw || optionKeys(fw, 'auto-retry').some((k) => kwargs[k] !== undefined);
  }

  /** Names of functions handed to a call with these roles (`breaker.call(fetch_user, id)`), once per file. */
  function passedTo(roles: string[]): Set<string> {
    const key = roles.join(',');
    let names = passedCache.get(key);
    if (!names) {
      names = new Set<string>();
      for (const c of facts.calls) {
        if (!hit(c, roles)) continue;
        for (const a of c.args) if (a.kind === 'name') names.add(a.text.split('.').pop() ?? '');
      }
      passedCache.set(key, names);
    }
    return names;
  }

  /**
   * Is the call protected by an API with these roles: an argument or `with` item of one, or inside
   * a function decorated with one, passed to one (inline or by name)? With `sameFunction`, any such
   * call in the innermost function counts too (`for attempt in Retrying(…)`).
   */
  function guarded(call: CallFact, roles: string[], sameFunction = false): boolean {
    if ([...call.scope.argOfCalls, ...call.scope.withCalls].some((id) => hit(facts.calls[id], roles))) return true;
    const fns = enclosing(call.scope.functionId);
    const passed = passedTo(roles);
    for (const f of fns) {
      if (f.decorators.some((d) => (d.callId !== undefined ? hit(facts.calls[d.callId], roles) : accepts(role(d.qualified, roles), {})))) return true;
      if (f.argOfCall !== undefined && hit(facts.calls[f.argOfCall], roles)) return true;
      if ([...f.scope.argOfCalls, ...f.scope.withCalls].some((id) => hit(facts.calls[id], roles))) return true;
      if (f.name && passed.has(f.name)) return true;
    }
    if (sameFunction && fns.length) return facts.calls.some((c) => c.scope.functionId === fns[0].id && hit(c, roles));
    return false;
  }
};

export default check;
