// `match: { call: {...} }` — the workhorse of the vocabulary:
//   role / roles       catalog role(s) of the API called
//   knob               a knob of that API (rules/catalog/*.yaml)
//   state              which knob states fire: missing | disabled (unknown never fires)
//   unless-within      catalog roles of an enclosing call or `with` item that bound the call
//                      anyway (asyncio.wait_for, asyncio.timeout, Promise.race, …)
//   unless             options that make the call fine as it is: `{ key }` (the option is given)
//                      or `{ key, equals }` (given with this literal; null = None/null/undefined).
//                      Options we cannot see count as given (quiet).
//                      `unused-here: { ignoring: [methods] }` on a test: the option exempts the call
//                      only while the instance is not used directly in this file (no method called
//                      through it but the `ignoring` ones, not handed to a call outside
//                      `unless-handed-to`): `maxRetriesPerRequest: null` marks a BullMQ connection,
//                      not a cache client that also calls `get`
//   unless-handed-to   catalog roles of calls the instance is handed to in this file (in place or
//                      through its name) that make it fine: an ioredis connection given to a Worker
//   unless-per-request true: skip instances built, used and dropped per request (engine/handlers.ts
//                      perRequestInstance): a cap on those bounds one request, so it is neither
//                      praised nor blamed
//   unless-one-request roles of request calls: skip an instance built in place as an option of
//                      such a call (`axios.get(u, { httpsAgent: new Agent() })`), or bound to a
//                      local that one run of the function hands to its requests outside a loop:
//                      it carries that run's requests, so a cap on it bounds nothing
//   unless-exiting     true: skip a call through a process instance after the same function read
//                      one of its output pipes to the end or killed it (catalog `process-pipes`:
//                      `for line in proc.stdout`, `proc.stdout.read()`, `proc.kill()`): the child is
//                      exiting or dead, so `proc.wait()` returns when it does
//   unless-local-command true: skip a child whose command is visibly one that only reads local
//                      state and exits (catalog `local-commands`: `uname`, `dmidecode`, `tool --version`)
//   unless-sends-nothing methods through which the instance makes its requests (`send` of an AWS SDK
//                      v3 client): skip a client of a module that calls none of them and exports
//                      neither the client nor a function returning it (useSend's S3Client that
//                      only presigns upload URLs: signing is local, nothing waits on the network)
//   unless-page-relative true: skip a call to an API tagged `page-relative` (fetch) whose URL is a
//                      literal path relative to the page (`fetch("/api/theme")`, `` fetch(`/api/${id}`) ``):
//                      only a browser resolves it; on a server the call throws before it connects.
//                      Also a module-relative asset (`fetch(new URL('./font.ttf', import.meta.url))`)
//   loopback           { priority, why }: a call whose URL starts at this host's loopback
//                      (analysis/loopback-urls.ts) gets that priority; one that starts at a constant
//                      imported from a project module carries `data.urlImport`, `data.loopbackPriority`
//                      and `data.loopbackWhy` for the model, which reads the constant there
// With no `knob`, every call to an API with the role fires (for "this API is itself the hazard").
// An API with a catalog `variant` matches only calls whose options name one of its values.
// Message data: {callee} {api} {variant}, and with a knob {knob} {key} {keys} {state} {default}.
import type { CallFact, Value } from '../../languages/types.js';
import type { LocalCommands } from '../../catalog/types.js';
import type { FindingDraft, Priority } from '../types.js';
import { renderMessage } from '../run-file.js';
import type { Matcher, RuleContext } from '../api.js';
import { perRequestInstance } from '../analysis/handlers.js';
import { urlBase } from '../analysis/loopback-urls.js';
import { instanceUses } from '../analysis/facts-query.js';
import { optionMatches, readKnob, variantOf, type OptionTest } from '../knobs.js';
import { shellSplit } from '../../languages/compose/service.js';

interface CallSpec {
  role?: string;
  roles?: string[];
  knob?: string;
  state?: Array<'missing' | 'disabled'>;
  'unless-within'?: string[];
  unless?: Array<OptionTest & { 'unused-here'?: { ignoring?: string[] } }>;
  'unless-handed-to'?: string[];
  'unless-per-request'?: boolean;
  'unless-one-request'?: string[];
  'unless-exiting'?: boolean;
  'unless-local-command'?: boolean;
  'unless-page-relative'?: boolean;
  'unless-sends-nothing'?: string[];
  loopback?: { priority: Priority; why: string };
}

const STATE_WORDS = { missing: 'no', disabled: 'a disabled' } as const;

export function withinRole(call: CallFact, ctx: RuleContext, roles: readonly string[]): boolean {
  return enclosingRole(call, ctx, roles) !== undefined;
}

/** The enclosing call or `with` item of these roles that bounds `call` (the project model names it: `asyncio.wait_for` at file:line). */
export function enclosingRole(call: CallFact, ctx: Pick<RuleContext, 'facts' | 'catalog'>, roles: readonly string[]): CallFact | undefined {
  const lang = ctx.facts.language;
  // Python's deadlines (asyncio.timeout, wait_for, anyio/trio) cancel at the next await: a
  // blocking call that is not awaited (`requests.get`, `subprocess.run`) runs on through them
  // (a coroutine handed to `wait_for(...)` is awaited there; an `async with` item counts as awaited)
  if (lang === 'python' && roles.includes('deadline') && !call.scope.awaited && !call.scope.argOfCalls.length) return undefined;
  for (const id of [...call.scope.argOfCalls, ...call.scope.withCalls]) {
    const outer = ctx.facts.calls[id];
    if (outer && ctx.catalog.lookupRole(outer.qualified, lang, roles)) return outer;
  }
  return undefined;
}

/**
 * Built in place among the arguments of a request call (of these roles): the instance carries that
 * one request, however often the call runs (each run builds its own).
 */
export function carriesOneRequest(call: CallFact, ctx: RuleContext, roles: readonly string[]): boolean {
  const isRequest = (c: CallFact | undefined) => !!c?.qualified && !!ctx.catalog.lookupRole(c.qualified, ctx.facts.language, roles);
  if (isRequest(call.scope.argOfCalls[0] !== undefined ? ctx.facts.calls[call.scope.argOfCalls[0]] : undefined)) return true;
  // written into a local options object that one request of the run takes (wekan's OIDC token
  // fetch: `if (httpCa) fetchOptions.agent = new https.Agent({ ca })`, then `fetch(url, fetchOptions)`)
  if (!call.scope.inLoop && call.scope.functionId !== undefined) {
    const into = ctx.facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === call.id && /^[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*$/.test(a.target));
    const base = into?.target.split('.')[0];
    const local = base !== undefined && ctx.facts.assignments.some((a) => a.target === base && a.scope.functionId === call.scope.functionId && a.value.kind === 'object');
    if (local) {
      // (any one call: wekan's `fetch` comes from meteor/fetch, which the catalog does not know)
      const uses = ctx.facts.calls.filter((c) => c.scope.functionId === call.scope.functionId && c.args.some((a) => a.kind === 'name' && a.text === base));
      const aliased = ctx.facts.assignments.some((a) => a.value.kind === 'name' && a.value.text === base);
      if (uses.length === 1 && !uses[0]!.scope.inLoop && !aliased) return true;
    }
  }
  // bound to a local that lives for one run of its function, outside a loop, and handed as an
  // option to that run's request (`const agent = new https.Agent({…}); axios.get(u, { httpsAgent:
  // agent })`: OpenSign's PDF download): each run builds its own, so a cap bounds nothing
  if (call.lifetime !== 'call' || call.scope.inLoop || call.scope.functionId === undefined) return false;
  const sameCtor = ctx.facts.calls.filter((c) => c.qualified === call.qualified && c.scope.functionId === call.scope.functionId);
  const holds = (v: Value | undefined, depth = 0): boolean => {
    if (!v || depth > 3) return false;
    // the instance's name: qualified as an instance of its constructor, the only such one in the function
    if (v.kind === 'name') return v.qualified === `${call.qualified}()` && sameCtor.length === 1;
    if (v.kind === 'object') return Object.values(v.props).some((p) => holds(p, depth + 1));
    return false;
  };
  const uses = ctx.facts.calls.filter((c) => c.scope.functionId === call.scope.functionId && isRequest(c) && c.args.some((a) => holds(a)));
  // requests made in a loop through one agent: the run may open many sockets (judged)
  return uses.length > 0 && uses.every((c) => !c.scope.inLoop);
}

/**
 * The function read one of the instance's output pipes to its end, or killed the child, before
 * this call: it iterated `<instance>.<stream>`, called `<instance>.<stream>.<drain>()` or
 * `<instance>.<kill>()` (catalog `process-pipes`).
 */
export function exitingBefore(call: CallFact, ctx: RuleContext): boolean {
  const recv = call.receiverCall;
  if (recv === undefined) return false;
  const ctor = ctx.facts.calls[recv]?.qualified;
  if (!ctor) return false;
  const before = (l: { line: number; column: number }) => l.line < call.loc.line || (l.line === call.loc.line && l.column < call.loc.column);
  const fn = call.scope.functionId;
  for (const e of ctx.catalog.entries('process-pipes', ctx.facts.language)) {
    const streams = new Set(e.streams.map((s) => `${ctor}().${s}`));
    if ((ctx.facts.iterations ?? []).some((it) => it.receiverCall === recv && it.scope.functionId === fn && it.qualified && streams.has(it.qualified) && before(it.loc))) return true;
    const drains = new Set(e.drains);
    // `for line in iter(proc.stdout.readline, ''):` reads the stream to its end too
    const receiver = ctx.facts.calls[recv];
    const owner = call.callee.slice(0, call.callee.lastIndexOf('.'));
    if (
      owner &&
      ctx.facts.calls.some(
        (c) => c.callee === 'iter' && c.scope.functionId === fn && before(c.loc) && receiver && e.streams.some((st) => c.args[0]?.kind === 'name' && c.args[0].text === `${owner}.${st}.readline`),
      )
    )
      return true;
    const kills = new Set((e.kills ?? []).map((k) => `${ctor}().${k}`));
    const waits = new Set((e.waits ?? []).map((k) => `${ctor}().${k}`));
    for (const c of ctx.facts.calls) {
      if (c.receiverCall !== recv || c.scope.functionId !== fn || !c.qualified || !before(c.loc)) continue;
      if (kills.has(c.qualified)) return true;
      // an earlier unbounded wait is where the hang happens (and is reported); one with a timeout
      // may have expired, so the child may still run
      if (waits.has(c.qualified) && !('timeout' in c.kwargs) && !c.kwargsOpen && !c.args.length) return true;
      const dot = c.qualified.lastIndexOf('.');
      if (drains.has(c.qualified.slice(dot + 1)) && streams.has(c.qualified.slice(0, dot))) return true;
    }
  }
  return false;
}

/**
 * The command a process call runs, as far as literals show it: `["uname", "-a"]`, `"uname -a"`
 * (shell words), or the positional strings of `create_subprocess_exec("uname", "-a")`. For a
 * call through an instance (`proc.wait()`), the constructor's command. Unknown parts stay
 * undefined; undefined overall when the command is not visible.
 */
function commandWords(call: CallFact, ctx: RuleContext): Array<string | undefined> | undefined {
  const site = call.receiverCall !== undefined ? ctx.facts.calls[call.receiverCall] : call;
  if (!site) return undefined;
  const lit = (v: Value | undefined): string | undefined => {
    const r = v?.kind === 'name' ? v.resolved : v;
    return r?.kind === 'string' ? r.value : undefined;
  };
  const first = commandArg(site, ctx);
  // `create_subprocess_exec(*cmd)` where `cmd` is a list written in the function: its words
  const spread = !first && site.leadingSplat?.kind === 'name' ? site.leadingSplat.resolved : site.leadingSplat;
  if (!first && spread?.kind === 'array' && /create_subprocess_exec$/.test(site.qualified ?? '')) return spread.open ? undefined : spread.items.map(lit);
  if (!first) return undefined;
  if (first.kind === 'array') return first.open ? undefined : first.items.map(lit);
  // a Python f-string shell command (`f"rm {path}"`): its literal words before the first
  // substitution, when the rest holds no pipeline, list or redirection either
  const f = first.kind === 'other' && ctx.facts.language === 'python' ? /^[fF]([rR]?)(["'])(.*)\2$/s.exec(first.text) : null;
  if (f) {
    const body = f[3];
    if (/[`$<>()|;&]/.test(body.replace(/\{[^{}]*\}/g, ''))) return undefined;
    const head = body.slice(0, body.indexOf('{') < 0 ? body.length : body.indexOf('{'));
    const words = head.split(/\s+/).filter(Boolean);
    if (!/\s$/.test(head) && body.includes('{')) words.pop(); // a word the substitution completes
    return words.length ? [...words, ...(body.includes('{') ? [undefined] : [])] : undefined;
  }
  if (first.kind !== 'string') return undefined;
  // exec-style: every positional is one word
  if (/create_subprocess_exec$/.test(site.qualified ?? '')) return site.argsOpen ? undefined : site.args.map(lit);
  // a shell string: one simple command only (no pipeline, list, substitution or redirection)
  if (/[`$<>(){}]/.test(first.value)) return undefined;
  const tokens = shellSplit(first.value);
  return tokens.every((t): t is { word: string } => 'word' in t) ? tokens.map((t) => t.word) : undefined;
}

/**
 * The command argument of a subprocess call: a literal, a resolved constant, or the one value a
 * local got in the function before the call (`ps_command = f"ps aux | grep {x}"; run(ps_command)`).
 */
function commandArg(site: CallFact, ctx: RuleContext): Value | undefined {
  const arg = site.args[0];
  if (arg?.kind !== 'name') return arg;
  if (arg.resolved) return arg.resolved;
  const writes = ctx.facts.assignments.filter((a) => a.target === arg.text && a.scope.functionId === site.scope.functionId && a.loc.line <= site.loc.line);
  return writes.length === 1 ? writes[0]!.value : arg;
}

/** One simple command's words name a command that only reads local state and exits. */
function localWords(all: Array<string | undefined>, e: LocalCommands): boolean {
  const base = all[0]?.slice(all[0].lastIndexOf('/') + 1);
  // `python -m pip freeze` runs `pip freeze`; so does `[sys.executable, "-m", "pip", "freeze"]`
  const words = (base === undefined || e.interpreters?.includes(base)) && all[1] === '-m' ? all.slice(2) : all;
  const exe = words[0]?.slice(words[0].lastIndexOf('/') + 1);
  if (exe !== undefined && e.commands.includes(exe)) return true;
  if (exe !== undefined && words[1] !== undefined && e.subcommands?.[exe]?.includes(words[1])) return true;
  // `<any tool> --version`: the tool prints and exits
  return words.length === 2 && words[1] !== undefined && e.probes.includes(words[1]);
}

/**
 * The executable a process call runs, when visible: the first word of its command, where that
 * word is a literal or a name bound once in the function or module to one (`gdalwarp_bin =
 * shutil.which("gdalwarp")` counts as `gdalwarp`); and whether any literal argument is a URL.
 */
function executableOf(call: CallFact, ctx: RuleContext): { exe?: string; remote: boolean } {
  const site = call.receiverCall !== undefined ? ctx.facts.calls[call.receiverCall] : call;
  const first = site ? commandArg(site, ctx) : undefined;
  type Item = Value | { kind: 'word'; value: string } | undefined;
  const items: Item[] = first?.kind === 'array' ? first.items : first?.kind === 'string' ? shellSplit(first.value).map((t) => ('word' in t ? { kind: 'word' as const, value: t.word } : undefined)) : [];
  // (an f-string or template counts by its text: `f"/vsicurl/{url}"`)
  const remote = items.some((v) => {
    const t = v?.kind === 'string' || v?.kind === 'word' ? v.value : v?.kind === 'other' ? v.text.replace(/^[fFrR]{0,2}["'`]/, '') : '';
    return /:\/\/|^\/vsi(?:curl|s3|gs|az|http)/.test(t);
  });
  const head = items[0];
  const word = (v: Item): string | undefined => {
    if (v?.kind === 'string' || v?.kind === 'word') return v.value;
    if (v?.kind !== 'name') return undefined;
    if (v.resolved?.kind === 'string') return v.resolved.value;
    // (`exiftool = None` first, then `exiftool = shutil.which('exiftool')`: None runs nothing)
    const writes = ctx.facts.assignments.filter((a) => a.target === v.text && a.value.kind !== 'null' && (a.scope.functionId === site?.scope.functionId || a.scope.functionId === undefined));
    const which = writes.length === 1 && writes[0]!.value.kind === 'call' ? ctx.facts.calls[writes[0]!.value.callId] : undefined;
    return which && /(^|\.)which$/.test(which.callee) && which.args[0]?.kind === 'string' ? which.args[0].value : undefined;
  };
  const w = word(head);
  return { ...(w ? { exe: w.slice(w.lastIndexOf('/') + 1) } : {}), remote };
}

/** The child runs a converter of local files (catalog `local-commands` `fileTools`) on no URL. */
function fileTool(call: CallFact, ctx: RuleContext): boolean {
  const tools = ctx.catalog.entries('local-commands', ctx.facts.language).flatMap((e) => e.fileTools ?? []);
  if (!tools.length) return false;
  const { exe, remote } = executableOf(call, ctx);
  return exe !== undefined && !remote && tools.includes(exe);
}

/**
 * The child visibly runs a command that only reads local state and exits, or one that turns local
 * files into local files (catalog `local-commands`).
 */
export function localCommand(call: CallFact, ctx: RuleContext): boolean {
  if (fileTool(call, ctx)) return true;
  const all = commandWords(call, ctx);
  if (!all) return localPipeline(call, ctx);
  if (all.length === 0) return false;
  return ctx.catalog.entries('local-commands', ctx.facts.language).some((e) => localWords(all, e));
}

/**
 * A shell pipeline of one local command into text filters (`ps aux | grep x | awk '{print $2}'`),
 * written as a string or a Python f-string whose substitutions fill in arguments only. No list,
 * redirection or command substitution: each stage is a simple command.
 */
function localPipeline(call: CallFact, ctx: RuleContext): boolean {
  const site = call.receiverCall !== undefined ? ctx.facts.calls[call.receiverCall] : call;
  const first = site ? commandArg(site, ctx) : undefined;
  let text: string | undefined;
  if (first?.kind === 'string') text = first.value;
  else if (first?.kind === 'other' && ctx.facts.language === 'python') {
    const f = /^[fF][rR]?(["'])(.*)\1$/s.exec(first.text);
    // `{{` / `}}` are literal braces; a substitution becomes one argument word
    if (f) text = f[2].replace(/\{\{|\}\}/g, '').replace(/\{[^{}]*\}/g, 'X');
  }
  if (!text || !text.includes('|') || /`|\$\(|[<>]/.test(text)) return false;
  const stages: string[][] = [[]];
  for (const t of shellSplit(text)) {
    if ('word' in t) stages[stages.length - 1]!.push(t.word);
    else if (t.op === '|') stages.push([]);
    else return false;
  }
  if (stages.some((st) => !st.length)) return false;
  return ctx.catalog.entries('local-commands', ctx.facts.language).some((e) => localWords(stages[0]!, e) && stages.slice(1).every((st) => (e.filters ?? []).includes(st[0]!)));
}

/**
 * Nothing in this module calls a sending method (`client.send(cmd)`), and the client stays in the
 * module: no export names its binding or a function that returns it (TS/JS `export`,
 * `module.exports`). Another module could send through an exported one.
 */
function sendsNothing(call: CallFact, ctx: RuleContext, methods: readonly string[]): boolean {
  const { facts, text } = ctx;
  if (facts.calls.some((c) => methods.includes(c.callee.slice(c.callee.lastIndexOf('.') + 1)) && c.callee.includes('.'))) return false;
  const names = facts.assignments.filter((a) => a.value.kind === 'call' && a.value.callId === call.id && /^[A-Za-z_$][\w$]*$/.test(a.target)).map((a) => a.target);
  // the functions that hand it out: `return S3` (the parser keeps no return facts), or the
  // constructor as the function's own value (`export const getClient = () => new S3Client()`)
  const lines = text.split('\n');
  const returners = facts.functions
    .filter((f) => f.name && names.some((n) => new RegExp(`\\breturn\\s+${n.replace(/\$/g, '\\$')}\\b`).test(lines.slice(f.loc.line - 1, f.loc.endLine).join('\n'))))
    .map((f) => f.name);
  const enclosing = call.scope.functionId !== undefined ? facts.functions[call.scope.functionId] : undefined;
  if (enclosing?.name) returners.push(enclosing.name);
  const handedOut = new Set([...names, ...returners]);
  // the adapter's exports: ES `export`, defaults, re-exports and CommonJS assignments
  return !facts.exports.some(
    (e) =>
      e.from === undefined &&
      (handedOut.has(e.local ?? e.name) ||
        (e.value?.kind === 'call' && e.value.callId === call.id) ||
        (e.value?.kind === 'function' && enclosing !== undefined && e.value.functionId === enclosing.id) ||
        (e.value?.kind === 'name' && handedOut.has(e.value.text))),
  );
}

/**
 * A call to this host's loopback gets the rule's `loopback` priority; one whose URL starts at a
 * constant imported from a project module carries what the model needs to decide it there.
 */
function loopbackPriority(d: FindingDraft, call: CallFact, ctx: RuleContext, spec: NonNullable<CallSpec['loopback']>, data: Record<string, string>): void {
  const base = urlBase(call, ctx.facts, ctx.catalog);
  if (!base) return;
  if ('import' in base) {
    Object.assign(data, { urlImport: `${base.import.module}\0${base.import.name}`, loopbackPriority: spec.priority, loopbackWhy: spec.why });
    return;
  }
  data.loopback = base.loopback;
  d.priority = spec.priority;
  d.priorityReason = renderMessage(spec.why, data);
}

/** `/api/x`, `./x`, `../x`, `?q=1`: a URL with no scheme or host, relative to the page that runs it */
const PAGE_RELATIVE = /^(?:\/(?!\/)|\.\.?\/|\?)/;

/** The call's URL argument is a literal (or a local constant) relative to the page. */
export function pageRelativeUrl(call: CallFact): boolean {
  let v: Value | undefined = call.args[0];
  if (v?.kind === 'name' && v.resolved) v = v.resolved;
  if (v?.kind === 'string') return PAGE_RELATIVE.test(v.value);
  // a template literal: its text up to the first substitution
  if (v?.kind === 'other' && v.text.startsWith('`')) return PAGE_RELATIVE.test(v.text.slice(1));
  return moduleAssetUrl(call);
}

/** `fetch(new URL('../fonts/x.ttf', import.meta.url))`: a file bundled beside the module, not the network */
export function moduleAssetUrl(call: CallFact): boolean {
  const v = call.args[0];
  return v?.kind === 'call' && /^new\s+URL\(\s*(['"`])(?!\w+:)[^'"`]*\1\s*,\s*import\.meta\.url\s*\)$/.test(v.text);
}

const matcher: Matcher = (raw, ctx) => {
  const spec = raw as CallSpec;
  const roles = spec.roles ?? (spec.role ? [spec.role] : []);
  const fires = new Set(spec.state ?? ['missing', 'disabled']);
  const out: FindingDraft[] = [];
  const lang = ctx.facts.language;
  for (const call of ctx.facts.calls) {
    if (!call.qualified) continue;
    const api = ctx.catalog.lookupRole(call.qualified, lang, roles);
    if (!api) continue;
    if (spec['unless-within'] && withinRole(call, ctx, spec['unless-within'])) continue;
    if (spec['unless-per-request'] && perRequestInstance(ctx, call)) continue;
    if (spec['unless-one-request'] && carriesOneRequest(call, ctx, spec['unless-one-request'])) continue;
    if (spec['unless-exiting'] && exitingBefore(call, ctx)) continue;
    if (spec['unless-local-command'] && localCommand(call, ctx)) continue;
    if (spec['unless-sends-nothing'] && sendsNothing(call, ctx, spec['unless-sends-nothing'])) continue;
    if (spec['unless-page-relative'] && api.tags?.includes('page-relative') && pageRelativeUrl(call)) continue;
    const data: Record<string, string> = { callee: call.callee, api: call.qualified };
    if (api.variant) {
      const variant = variantOf(call, api);
      if (variant === undefined) continue;
      data.variant = variant;
    }
    let uses: ReturnType<typeof instanceUses> | undefined;
    const handedTo = spec['unless-handed-to'];
    if (handedTo) {
      uses = instanceUses(ctx.facts, call.id);
      if (uses.handedTo.some((c) => ctx.catalog.lookupRole(c.qualified, lang, handedTo))) continue;
    }
    const usedHere = (ignoring: string[]): boolean => {
      uses ??= instanceUses(ctx.facts, call.id);
      const methodOf = (c: CallFact) => c.callee.slice(c.callee.lastIndexOf('.') + 1);
      return uses.methods.some((m) => !ignoring.includes(methodOf(m))) || uses.handedTo.some((c) => !handedTo || !ctx.catalog.lookupRole(c.qualified, lang, handedTo));
    };
    if (
      spec.unless?.some((t) => {
        const m = optionMatches(call, api, t);
        if (m === false) return false;
        return !(m === true && t['unused-here'] && usedHere(t['unused-here'].ignoring ?? []));
      })
    )
      continue;
    if (spec.knob) {
      const knob = api.knobs?.[spec.knob];
      if (!knob) continue;
      const r = readKnob(call, api, spec.knob, ctx.facts, ctx.catalog);
      // calls through a client built in this file inherit its value: the constructor is reported
      if (r.source === 'receiver') continue;
      if (r.state !== 'missing' && r.state !== 'disabled') continue;
      if (!fires.has(r.state)) continue;
      // a call on the library itself (`axios.post`, not an instance's): one process-wide
      // assignment (`axios.defaults.timeout = …`) covers it and every call like it
      const owner = call.qualified && !call.qualified.includes('(') ? call.qualified.split('.').slice(0, -1).filter((s) => s !== 'default').join('.') : '';
      const global = r.state === 'missing' && owner && knob.setByAssignment?.length ? `${owner}.${knob.setByAssignment[0]}` : undefined;
      Object.assign(data, {
        ...(global ? { globalDefault: global } : {}),
        knob: spec.knob,
        key: r.key,
        keys: knob.keys.join(' / '),
        state: STATE_WORDS[r.state],
        // messages say "(library default: {default})": "none: waits forever" would read as two labels
        default: (knob.defaultNote ?? (knob.default === 'unbounded' ? 'none' : 'bounded')).replace(/^([^:(]{1,24}): /, '$1, '),
      });
      const d: FindingDraft = { ruleId: ctx.rule.id, loc: r.state === 'disabled' && r.valueLoc ? r.valueLoc : call.loc, message: ctx.rule.message, data, where: { scope: call.scope, apiTags: api.tags } };
      if (spec.loopback) loopbackPriority(d, call, ctx, spec.loopback, data);
      out.push(d);
    } else {
      out.push({ ruleId: ctx.rule.id, loc: call.loc, message: ctx.rule.message, data, where: { scope: call.scope, apiTags: api.tags } });
    }
  }
  return out;
};

export default matcher;
