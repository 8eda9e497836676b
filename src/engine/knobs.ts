// Reads one catalog knob (timeout, connect timeout, max connections, …) off one call, the way
// the library would see it: on the call, inherited from the client that made the receiver, set
// by an assignment such as `axios.defaults.timeout = 5000`, or left to the library default.
// The answer is set | missing | disabled | unknown; unknown (open options) never becomes a P0.
import type { CatalogApi, CatalogLiteral, Knob } from '../catalog/types.js';
import type { Catalog } from '../catalog/index.js';
import type { CallFact, FileFacts, Value } from '../languages/types.js';
import type { KnobReading } from './api.js';

type Found = { value: Value; key: string } | 'unknown' | undefined;

/** The options object of a TS/JS call as the catalog describes it; 'open' when not visible. */
export function optionsObject(call: CallFact, api: CatalogApi): Extract<Value, { kind: 'object' }> | 'open' | undefined {
  const idx = api.optionsArg ?? -1;
  let arg: Value | undefined;
  if (idx >= 0) arg = call.args[idx];
  else {
    // the last argument before a trailing callback (`http.request(url, options, (res) => …)`,
    // Trilium's docker_healthcheck.ts with `{ timeout: 2000 }`)
    const isFn = (v: Value | undefined) => v?.kind === 'function' || (v?.kind === 'name' && v.resolved?.kind === 'function');
    let end = call.args.length;
    while (end > 1 && isFn(call.args[end - 1])) end--;
    const last = call.args[end - 1];
    if (last && (last.kind === 'object' || (last.kind === 'name' && last.resolved?.kind === 'object'))) arg = last;
    else if (last && last.kind === 'name' && !last.resolved && end > 1) return 'open';
  }
  if (!arg) return call.argsOpen ? 'open' : noObject(call, api);
  if (arg.kind === 'name' && arg.resolved) arg = arg.resolved;
  if (arg.kind === 'object') return arg;
  if (arg.kind === 'null') return noObject(call, api);
  return 'open'; // a variable, call or anything we cannot read
}

/** No options object in sight: none, unless any variable argument may be the options (`optionsMayBeAnyArg`). */
function noObject(call: CallFact, api: CatalogApi): 'open' | undefined {
  return api.optionsMayBeAnyArg && call.args.some((a) => a.kind === 'name' && !a.resolved) ? 'open' : undefined;
}

/**
 * One option of a call, by name: a Python keyword, or a (dotted) property of the TS/JS options
 * object. 'unknown' when open options may hold it.
 */
export function optionValue(call: CallFact, api: CatalogApi, key: string): Value | 'unknown' | undefined {
  if (api.language === 'python') return call.kwargs[key] ?? (call.kwargsOpen ? 'unknown' : undefined);
  const obj = optionsObject(call, api);
  if (obj === 'open') return 'unknown';
  if (!obj) return undefined;
  const f = objectPath(obj, key);
  return f === 'unknown' ? 'unknown' : f?.value;
}

/** An option test: the key is present (`equals` absent), or present with this literal (null = None/null/undefined). */
export interface OptionTest {
  key: string;
  equals?: CatalogLiteral;
}

/** Does the call pass the test? 'unknown' when the options are not visible. */
export function optionMatches(call: CallFact, api: CatalogApi, test: OptionTest): boolean | 'unknown' {
  const v = optionValue(call, api, test.key);
  if (v === 'unknown') return 'unknown';
  if (!v) return false;
  if (!('equals' in test)) return true;
  const lit = literalOf(v);
  return lit.ok && sameLiteral(test.equals === '.inf' ? Infinity : test.equals!, lit.lit);
}

/**
 * The API's variant on this call (`variant` in the catalog: TypeORM `type: 'postgres'`): the
 * literal value when it is one the entry lists, else undefined (absent, unreadable or another one).
 */
export function variantOf(call: CallFact, api: CatalogApi): string | undefined {
  if (!api.variant) return undefined;
  const v = optionValue(call, api, api.variant.key);
  const lit = v && v !== 'unknown' ? (v.kind === 'name' && v.resolved ? v.resolved : v) : undefined;
  return lit?.kind === 'string' && api.variant.values.includes(lit.value) ? lit.value : undefined;
}

/** Look a dotted key up in an object literal; 'unknown' when an open object (or a maybe-set key) hides it. */
export function objectPath(obj: Extract<Value, { kind: 'object' }>, dotted: string): Found {
  const parts = dotted.split('.');
  let cur: Value = obj;
  for (let i = 0; i < parts.length; i++) {
    if (cur.kind === 'name' && cur.resolved) cur = cur.resolved;
    if (cur.kind !== 'object') return i === 0 ? undefined : 'unknown';
    const next: Value | undefined = cur.props[parts[i]];
    if (!next) return cur.open || cur.unknownKeys?.includes(parts[i]) ? 'unknown' : undefined;
    cur = next;
  }
  return { value: cur, key: dotted };
}

/** Every spelling of the knob present on the call (several keys can co-exist, e.g. total + sock_read). */
/** Every value a call gives a knob, by spelling; `unknown` when open options may hold it. */
export function knobValues(call: CallFact, api: CatalogApi, knob: Knob): { found: Array<{ value: Value; key: string }>; unknown: boolean } {
  const all = rawKnobValues(call, api, knob);
  if (!knob.keyMatches) return all;
  const kept = all.found.filter((f) => carries(f, knob.keyMatches!));
  return kept.length === all.found.length ? all : { found: kept, unknown: all.unknown };
}

/** A key of `keyMatches` whose visible text does not match carries nothing of the knob. */
function carries(f: { value: Value; key: string }, matches: Record<string, string>): boolean {
  const want = matches[f.key.replace(/^.*\./, '')] ?? matches[f.key];
  if (!want) return true;
  const v = f.value.kind === 'name' && f.value.resolved ? f.value.resolved : f.value;
  const text = v.kind === 'string' ? v.value : v.kind === 'other' ? v.text : undefined;
  return text === undefined || new RegExp(want, 'i').test(text);
}

function rawKnobValues(call: CallFact, api: CatalogApi, knob: Knob): { found: Array<{ value: Value; key: string }>; unknown: boolean } {
  const found: Array<{ value: Value; key: string }> = [];
  if (api.language === 'python') {
    for (const k of knob.keys) {
      const v = call.kwargs[k];
      if (v) found.push({ value: v, key: k });
    }
    if (knob.positional !== undefined) {
      const v = call.args[knob.positional];
      if (v) found.push({ value: v, key: knob.keys[0] });
      else if (call.argsOpen && !found.length) return { found, unknown: true };
    }
    return { found, unknown: !found.length && (call.kwargsOpen || knob.keys.some((k) => call.unknownKwargs?.includes(k))) };
  }
  // TS/JS: a knob passed as a plain argument (graphql-ws `useServer(options, wss, keepAlive)`)
  if (knob.positional !== undefined) {
    const v = call.args[knob.positional];
    if (v && v.kind !== 'object') return { found: [{ value: v, key: knob.keys[0] ?? `argument ${knob.positional + 1}` }], unknown: false };
    if (!v && call.argsOpen) return { found, unknown: true };
  }
  const obj = optionsObject(call, api);
  if (obj === 'open') return { found, unknown: true };
  if (!obj) return { found, unknown: false };
  let sawUnknown = false;
  for (const k of knob.keys) {
    const f = objectPath(obj, k);
    if (f === 'unknown') sawUnknown = true;
    else if (f) found.push(f);
  }
  return { found, unknown: !found.length && sawUnknown };
}

function literalOf(v: Value): { ok: true; lit: CatalogLiteral } | { ok: false } {
  switch (v.kind) {
    case 'null':
      return { ok: true, lit: null };
    case 'number':
    case 'string':
    case 'boolean':
      return { ok: true, lit: v.value };
    case 'name':
      if ([v.text, v.qualified].some((n) => n === 'Infinity' || n === 'Number.POSITIVE_INFINITY' || n === 'math.inf')) return { ok: true, lit: Infinity };
      return v.resolved ? literalOf(v.resolved) : { ok: false };
    default:
      return { ok: false };
  }
}

function sameLiteral(a: CatalogLiteral, b: CatalogLiteral): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Is this value one the library reads as "no limit"? `key`: the spelling it was passed under. */
export function isDisabledValue(v: Value, knob: Knob, facts: FileFacts, key?: string): boolean {
  const lit = literalOf(v);
  const values = (key !== undefined && knob.disabledByKey?.[key]) || knob.disabledBy || [];
  if (lit.ok) return values.some((d) => sameLiteral(d === '.inf' ? Infinity : d, lit.lit));
  const inner = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (inner.kind === 'call' && knob.disabledByCall?.length) {
    const c = facts.calls[inner.callId];
    if (!c) return false;
    for (const rule of knob.disabledByCall) {
      if (c.qualified !== rule.api) continue;
      const values = [...c.args, ...Object.values(c.kwargs)];
      if (rule.when === 'first-arg-null') {
        const first = c.args[0] ?? c.kwargs['timeout'];
        if (first && first.kind === 'null') return true;
      } else if (rule.when === 'all-args-null') {
        if (!c.argsOpen && !c.kwargsOpen && values.every((x) => x.kind === 'null')) return true;
      }
    }
  }
  return false;
}

/** A value that is there and not a "no limit": not null/undefined, not a disabling value. */
function isLive(v: Value, knob: Knob, facts: FileFacts, key: string): boolean {
  const lit = literalOf(v);
  return !(lit.ok && lit.lit === null) && !isDisabledValue(v, knob, facts, key);
}

function setByAssignment(call: CallFact, knob: Knob, facts: FileFacts): boolean {
  if (!knob.setByAssignment?.length || !call.qualified) return false;
  const root = call.qualified.split(/[.(]/)[0];
  for (const a of facts.assignments) {
    if (!a.qualified) continue;
    for (const path of knob.setByAssignment) {
      if (a.qualified === `${root}.${path}`) return true; // library-wide default
      // `api.defaults.timeout = …` covers calls through `api` and the constructor that made it
      const inst = call.receiverCall ?? call.id;
      if (a.receiverCall === inst && a.qualified.endsWith(`.${path}`)) return true;
    }
  }
  return false;
}

function setOnInstance(call: CallFact, knob: Knob, facts: FileFacts): boolean {
  if (!knob.setOnInstance?.length) return false;
  const inst = call.receiverCall ?? call.id; // a constructor is its own instance
  return facts.calls.some(
    (c) => c.receiverCall === inst && c.qualified && knob.setOnInstance!.some((m) => c.qualified!.endsWith(`().${m}`)),
  );
}

/** The receiver was built with an argument that makes the knob moot (`socket.socket(AF_INET, SOCK_DGRAM)`). */
function mootByReceiver(call: CallFact, knob: Knob, facts: FileFacts): boolean {
  if (!knob.mootByReceiverArg?.length || call.receiverCall === undefined) return false;
  const ctor = facts.calls[call.receiverCall];
  if (!ctor) return false;
  const named = (v: Value) => v.kind === 'name' && knob.mootByReceiverArg!.some((n) => v.text === n || v.text.endsWith(`.${n}`));
  return [...ctor.args, ...Object.values(ctor.kwargs)].some(named);
}

/**
 * Read knob `name` of `api` on `call`. When the knob is not on the call:
 * - `inherit: receiver` and the receiver was built in this file -> the constructor's reading,
 *   with source 'receiver' (rules report the constructor, not every call made through it);
 * - set by an assignment (`axios.defaults.timeout = …`), a process-wide call or global assignment -> set;
 * - possibly set on the instance out of sight (`session.mount(…)`) -> unknown;
 * - otherwise the library default decides: bounded -> set (source 'default'), unbounded -> missing.
 */
export function readKnob(call: CallFact, api: CatalogApi, name: string, facts: FileFacts, catalog: Catalog): KnobReading {
  const knob = api.knobs?.[name];
  if (!knob) return { state: 'unknown', key: name, source: 'none' };
  const { found, unknown } = knobValues(call, api, knob);
  if (unknown) return { state: 'unknown', key: knob.keys[0], source: 'call' };
  if (found.length) {
    // a per-key "no limit" lifts the whole knob (`pool_size=0` whatever `max_overflow` says)
    const lifted = found.find((f) => knob.disabledByKey?.[f.key] && isDisabledValue(f.value, knob, facts, f.key));
    const bounded = knob.boundedBy && found.some((f) => knob.boundedBy!.includes(f.key) && isLive(f.value, knob, facts, f.key));
    if (lifted && !bounded) return { state: 'disabled', key: lifted.key, source: 'call', valueLoc: lifted.value.loc };
    // otherwise one live spelling is enough (`ClientTimeout(total=None, sock_read=10)` still bounds reads)
    const live = found.find((f) => !isDisabledValue(f.value, knob, facts, f.key));
    const f = live ?? found[0];
    return { state: live ? 'set' : 'disabled', key: f.key, source: 'call', valueLoc: f.value.loc };
  }
  if (mootByReceiver(call, knob, facts)) return { state: 'set', key: knob.keys[0], source: 'default' };
  if (setByAssignment(call, knob, facts)) return { state: 'set', key: knob.keys[0], source: 'assignment' };
  if (knob.setByCall?.length && facts.calls.some((c) => c.qualified !== null && knob.setByCall!.includes(c.qualified)))
    return { state: 'set', key: knob.keys[0], source: 'assignment' };
  if (knob.setByGlobalAssignment?.length && facts.assignments.some((a) => a.qualified !== null && knob.setByGlobalAssignment!.includes(a.qualified)))
    return { state: 'set', key: knob.keys[0], source: 'assignment' };
  if (setOnInstance(call, knob, facts)) return { state: 'unknown', key: knob.keys[0], source: 'none' };
  if (knob.inherit === 'receiver' && call.receiverCall !== undefined) {
    const ctor = facts.calls[call.receiverCall];
    const ctorApi = ctor && catalog.lookup(ctor.qualified, api.language).find((a) => a.knobs?.[name]);
    if (ctor && ctorApi) {
      const r = readKnob(ctor, ctorApi, name, facts, catalog);
      return { ...r, source: 'receiver' };
    }
    return { state: 'unknown', key: knob.keys[0], source: 'receiver' };
  }
  if (knob.default === 'bounded') return { state: 'set', key: knob.keys[0], source: 'default' };
  return { state: 'missing', key: knob.keys[0], source: 'none' };
}
