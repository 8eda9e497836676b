// What a function waits on over the network with no deadline someone chose, and where a call
// leads into another module of the project. Shared by handler-awaits-without-deadline (FL124),
// which judges a request or consumer handler by what the functions it awaits reach, in this file
// and (through the project model) one or two modules away; the worker records each file's
// summary in its signals (`reaches`) so the model can follow a call into another module.
//
// A network wait is a call the catalog knows:
//   `http.request`          knob `timeout`: missing or disabled -> no limit; the library default
//                            (httpx's 5 s of inactivity, aiohttp's 300 s) -> 'default'
//   `third-party.client`     a method called through a client it built (an LLM SDK, an agent),
//   `third-party.call`       or a module call: knob `timeout`, whose library default is 'default'
//   `net.await`              knob `deadline` missing or disabled, or no timeout parameter at all
// A call inside a `deadline` wrapper (asyncio.wait_for / asyncio.timeout / AbortSignal.timeout
// passed to it) is bounded. An explicit timeout is recorded with its value in seconds when it is a
// literal (for sums); opaque options are unknown and left out.
import { moduleAssetUrl } from '../matchers/call.js';
import type { Catalog } from '../../catalog/index.js';
import type { CatalogApi } from '../../catalog/types.js';
import type { CallFact, FileFacts, FunctionFact, Value } from '../../languages/types.js';
import { readKnob } from '../knobs.js';

export interface NetworkWait {
  /** the call as written */
  callee: string;
  line: number;
  /** 'none': nothing bounds it; 'default': only the library's default; 'explicit': a timeout someone chose */
  limit: 'none' | 'default' | 'explicit';
  /** what bounds it, in words: "no `timeout`", "`timeout=None`", "600 s (connect 5 s)" */
  note: string;
  /** the explicit limit in seconds, when it is a literal */
  seconds?: number;
  /** no deadline, but the runtime ends an idle wait after a long while (Node fetch: undici's 300 s per phase; catalog tag `long-default`) */
  runtimeIdle?: boolean;
}

/** Why a handler whose every wait ends on its own, late, is P2 (FL124, here and through the project model). */
/** FL124's consequence where every wait it reaches ends on its own, only late (a library default) */
export const LATE_HAZARD = "nothing bounds the request as a whole, so it ends only when the library's own limit fires: every stall costs the caller that long, and a dependency that keeps trickling data holds it longer still";

export const LATE = "every call it reaches ends on its own, only late (a library's default timeout, or Node fetch's 300 s idle limit): the request is slow while the dependency stalls, not stuck";

/** Every wait ends on its own, late (a library default, or the runtime's idle limit): slow, not stuck. */
export function onlyLongLimits(waits: NetworkWait[]): boolean {
  return waits.length > 0 && waits.every((w) => w.limit === 'default' || w.runtimeIdle);
}

/** A call into another module of the project: the module as imported and the name in it, most likely first. */
export interface ModuleTarget {
  module: string;
  name: string;
}

export interface FunctionReach {
  waits: NetworkWait[];
  /** imported project functions it calls, each a list of candidate targets */
  via: ModuleTarget[][];
}

const DEADLINE = ['deadline'];
/** option names that pass a deadline (or a budget) down to the callee: bounded or unknown, never a finding */
const PASSED_DOWN = /^(signal|abortSignal|timeout|timeout_ms|timeoutMs|deadline|request_timeout)$/;

/** Is the call inside a deadline wrapper (`asyncio.wait_for(f(), 5)`, `async with asyncio.timeout(5)`, `Promise.race`)? */
export function insideDeadline(c: CallFact, facts: FileFacts, catalog: Catalog): boolean {
  const lang = facts.language;
  for (const id of [...c.scope.argOfCalls, ...c.scope.withCalls]) {
    const outer = facts.calls[id];
    if (outer && catalog.lookupRole(outer.qualified, lang, DEADLINE)) return true;
  }
  return false;
}

/**
 * A call of the project's own code bounded from outside: inside a deadline wrapper, or handed a
 * deadline or timeout (`{ signal: AbortSignal.timeout(5000) }`, `timeout=3`). Library calls are
 * read through their catalog knobs instead (`timeout=None` is no deadline).
 */
export function deadlineBounded(c: CallFact, facts: FileFacts, catalog: Catalog): boolean {
  return insideDeadline(c, facts, catalog) || passesDeadline(c);
}

/** A deadline or a timeout handed to the callee: `f(x, timeout=5)`, `f(x, { signal })`. */
export function passesDeadline(c: CallFact): boolean {
  if (Object.keys(c.kwargs).some((k) => PASSED_DOWN.test(k))) return true;
  for (const a of c.args) {
    const v = a.kind === 'name' && a.resolved ? a.resolved : a;
    if (v.kind === 'object' && Object.keys(v.props).some((k) => PASSED_DOWN.test(k))) return true;
    if (a.kind === 'name' && /signal$/i.test(a.text)) return true;
  }
  return false;
}

function seconds(v: Value | undefined, lang: FileFacts['language']): number | undefined {
  const lit = v && v.kind === 'name' && v.resolved ? v.resolved : v;
  if (lit?.kind !== 'number') return undefined;
  return lang === 'typescript' ? lit.value / 1000 : lit.value;
}

/** The network wait a call is, when the catalog knows it and nothing chosen bounds it tightly. */
export function networkWait(c: CallFact, facts: FileFacts, catalog: Catalog): NetworkWait | undefined {
  if (!c.qualified || insideDeadline(c, facts, catalog)) return undefined;
  const lang = facts.language;
  const base = { callee: c.callee, line: c.loc.line };
  const http = catalog.lookupRole(c.qualified, lang, ['http.request']);
  // a font or asset bundled beside the module (chibisafe's og route): read from disk, not the network
  if (http?.tags?.includes('page-relative') && moduleAssetUrl(c)) return undefined;
  if (http?.knobs?.timeout) return fromKnob(c, http, 'timeout', base);
  const direct = catalog.lookupRole(c.qualified, lang, ['third-party.call']);
  if (direct?.knobs?.timeout) return fromKnob(c, direct, 'timeout', base);
  // a method called through a third-party client built in this file (through derived clients)
  let r = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall];
  if (r && !catalog.lookupRole(c.qualified, lang, ['third-party.client', 'third-party.derive'])) {
    for (let n = 0; r && n < 8; n++) {
      const client = catalog.lookupRole(r.qualified, lang, ['third-party.client']);
      if (client?.knobs?.timeout) {
        const own = client.language === 'python' ? c.kwargs.timeout : undefined;
        if (own) return { ...base, limit: 'explicit', note: 'its own timeout', seconds: seconds(own, lang) };
        return fromKnob(r, client, 'timeout', base);
      }
      if (!catalog.lookupRole(r.qualified, lang, ['third-party.derive'])) break;
      r = r.receiverCall === undefined ? undefined : facts.calls[r.receiverCall];
    }
  }
  const net = catalog.lookupRole(c.qualified, lang, ['net.await']);
  // read loops wait for the next message on purpose (FL123 reports them at P2)
  if (net && !net.tags?.includes('consumer') && !net.tags?.includes('settings-at-creation')) {
    if (!net.knobs?.deadline) return { ...base, limit: 'none', note: 'it has no timeout parameter' };
    const k = readKnob(c, net, 'deadline', facts, catalog);
    if (k.state === 'missing' || k.state === 'disabled') return { ...base, limit: 'none', note: k.state === 'disabled' ? `\`${k.key}=None\`` : `no \`${k.key}\`` };
  }
  return undefined;

  function fromKnob(call: CallFact, api: CatalogApi, name: string, b: { callee: string; line: number }): NetworkWait | undefined {
    const knob = api.knobs![name];
    let k = readKnob(call, api, name, facts, catalog);
    if (k.source === 'receiver' && call.receiverCall !== undefined) {
      // the constructor's own reading: its library default is a default, not a choice
      const ctor = facts.calls[call.receiverCall];
      const ctorApi = catalog.lookup(ctor.qualified, lang).find((a) => a.knobs?.[name]);
      if (ctorApi) k = readKnob(ctor, ctorApi, name, facts, catalog);
    }
    if (k.state === 'unknown') return undefined;
    // Node fetch with no signal: undici still gives up after 300 s idle per phase (a page-relative
    // URL, a browser's call, never reaches a server handler's summary)
    if (k.state === 'missing') return { ...b, limit: 'none', note: `no \`${k.key}\``, ...(api.tags?.includes('long-default') && lang === 'typescript' ? { runtimeIdle: true } : {}) };
    if (k.state === 'disabled') return { ...b, limit: 'none', note: `\`${k.key}\` switched off` };
    if (k.source === 'default') return { ...b, limit: 'default', note: `library default only: ${knob.defaultNote ?? 'bounded'}` };
    const v = k.valueLoc ? valueAt(call, k.key) : undefined;
    return { ...b, limit: 'explicit', note: 'a timeout of its own', seconds: seconds(v, lang) };
  }

  function valueAt(call: CallFact, key: string): Value | undefined {
    if (lang === 'python') return call.kwargs[key];
    for (const a of call.args) {
      const v = a.kind === 'name' && a.resolved ? a.resolved : a;
      if (v.kind === 'object' && v.props[key]) return v.props[key];
    }
    return undefined;
  }
}

/** Does this import name the project's own code (a module the model may resolve to a file)? */
function projectImport(module: string, lang: FileFacts['language']): boolean {
  if (lang === 'typescript') return module.startsWith('.') || module.startsWith('@/') || module.startsWith('~/');
  return module.startsWith('.') || module.includes('.');
}

/**
 * The other-module targets a call may run, most specific first: `fetch_profile()` imported from
 * `.services`; `services.fetch_profile()` with `from app import services` (module `app.services`,
 * else the name `services.fetch_profile` in `app`); `svc.fetchProfile()` with `import * as svc`.
 */
export function moduleTargets(c: CallFact, facts: FileFacts): ModuleTarget[] | undefined {
  const root = c.callee.split('.')[0];
  const rest = c.callee.slice(root.length + 1);
  if (/[()[\]]/.test(c.callee)) return undefined;
  const imp = facts.imports.find((i) => i.local === root);
  if (!imp) return undefined;
  const lang = facts.language;
  const fromImport = imp.name !== undefined && imp.name !== 'default' && imp.name !== '*';
  if (!projectImport(imp.module, lang) && !(lang === 'python' && fromImport && imp.module !== '__future__')) return undefined;
  if (!fromImport) return rest ? [{ module: imp.module, name: rest }] : undefined;
  const name = rest ? `${imp.name}.${rest}` : imp.name!;
  const out: ModuleTarget[] = [];
  if (rest && lang === 'python') out.push({ module: imp.module.endsWith('.') ? `${imp.module}${imp.name}` : `${imp.module}.${imp.name}`, name: rest });
  if (rest && lang === 'typescript') out.push({ module: imp.module, name });
  out.push({ module: imp.module, name });
  return out;
}

/**
 * Per function of the file: the network waits it reaches in this file (its own calls and those of
 * the functions of this file it calls, `helper()` / `self.helper()` / `this.helper()`, to a fixed
 * point) and its calls into other project modules.
 */
export function functionReaches(facts: FileFacts, catalog: Catalog): Map<number, FunctionReach> {
  const own = new Map<number, FunctionReach>();
  const edges = new Map<number, Set<number>>();
  const topLevel = new Map<string, FunctionFact>();
  for (const f of facts.functions) if (f.name && f.parentFunctionId === undefined && f.classId === undefined) topLevel.set(f.name, f);
  const methods = new Map<string, FunctionFact>();
  for (const f of facts.functions) if (f.name && f.classId !== undefined) methods.set(`${f.classId}:${f.name}`, f);
  for (const c of facts.calls) {
    const fid = c.scope.functionId;
    if (fid === undefined) continue;
    const r = own.get(fid) ?? { waits: [], via: [] };
    const w = networkWait(c, facts, catalog);
    if (w) r.waits.push(w);
    else if (!deadlineBounded(c, facts, catalog)) {
      const self = /^(?:self|this)\.(\w+)$/.exec(c.callee);
      const local = self ? (c.scope.classId === undefined ? undefined : methods.get(`${c.scope.classId}:${self[1]}`)) : /^\w+$/.test(c.callee) ? topLevel.get(c.callee) : undefined;
      if (local && local.id !== fid) {
        const e = edges.get(fid) ?? new Set<number>();
        e.add(local.id);
        edges.set(fid, e);
      } else if (!local) {
        const t = moduleTargets(c, facts);
        if (t) r.via.push(t);
      }
    }
    if (r.waits.length || r.via.length) own.set(fid, r);
  }
  const out = new Map<number, FunctionReach>();
  const visit = (fid: number, seen: Set<number>): FunctionReach => {
    const done = out.get(fid);
    if (done) return done;
    const mine = own.get(fid) ?? { waits: [], via: [] };
    const acc: FunctionReach = { waits: [...mine.waits], via: [...mine.via] };
    seen.add(fid);
    for (const next of edges.get(fid) ?? []) {
      if (seen.has(next)) continue;
      const r = visit(next, seen);
      acc.waits.push(...r.waits);
      acc.via.push(...r.via);
    }
    return acc;
  };
  for (const f of facts.functions) {
    const r = visit(f.id, new Set());
    if (r.waits.length || r.via.length) out.set(f.id, { waits: dedupe(r.waits), via: r.via });
  }
  return out;
}

function dedupe(waits: NetworkWait[]): NetworkWait[] {
  const seen = new Set<string>();
  return waits.filter((w) => {
    const k = `${w.line}\0${w.callee}`;
    return seen.has(k) ? false : (seen.add(k), true);
  }).sort((a, b) => a.line - b.line);
}

/**
 * What the module makes importable, by name, with what it reaches: top-level functions (`fetch_profile`,
 * TS exports under their exported name), methods of classes (`ProfileService.fetch`) and of
 * module-level instances (`profiles.fetch` for `profiles = ProfileService()`).
 */
export function moduleReaches(facts: FileFacts, catalog: Catalog): Array<{ name: string } & FunctionReach> {
  const reach = functionReaches(facts, catalog);
  if (!reach.size) return [];
  const out = new Map<string, FunctionReach>();
  const classes = new Map(facts.classes.map((k) => [k.name, k.id]));
  for (const [fid, r] of reach) {
    const f = facts.functions[fid];
    if (!f.name) continue;
    if (f.parentFunctionId === undefined && f.classId === undefined) out.set(f.name, r);
    else if (f.classId !== undefined && f.parentFunctionId === undefined) out.set(`${facts.classes[f.classId].name}.${f.name}`, r);
  }
  // module-level instances of classes defined here
  for (const a of facts.assignments) {
    if (a.scope.functionId !== undefined || a.scope.classId !== undefined || a.value.kind !== 'call' || !/^[A-Za-z_$][\w$]*$/.test(a.target)) continue;
    const ctor = facts.calls[a.value.callId];
    const cls = ctor && classes.get(ctor.callee);
    if (cls === undefined) continue;
    for (const [fid, r] of reach) {
      const f = facts.functions[fid];
      if (f.classId === cls && f.parentFunctionId === undefined) out.set(`${a.target}.${f.name}`, r);
    }
  }
  // TS/JS: exported under another name (`export { fetchProfile as getProfile }`, `export default handler`)
  for (const e of facts.exports) {
    if (!e.local || e.from || e.name === '*') continue;
    const r = out.get(e.local);
    if (r && e.name !== e.local) out.set(e.name, r);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, r]) => ({ name, ...r }));
}
