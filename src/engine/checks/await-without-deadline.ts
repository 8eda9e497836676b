// FL123: an awaited network call (catalog role `net.await`, rules/catalog/python-asyncio.yaml) that
// waits with no deadline: its own timeout knob is missing or disabled, or it has none, and no
// deadline wrapper (asyncio.wait_for / asyncio.timeout / anyio.fail_after …) bounds it.
//
// What the `call` matcher cannot say, and this check adds:
// - the call must actually be waited on here (`await x(...)` or an `async with` item); a coroutine
//   handed to create_task/gather is waited on elsewhere;
// - a deadline around the caller counts: a function of this file that is itself run inside a
//   deadline wrapper (`await asyncio.wait_for(self._handshake(), 10)`) bounds the awaits in it;
// - tuple unpacking: `reader, writer = await asyncio.open_connection(...)` gives `reader.read()`
//   the name `asyncio.open_connection()[0].read` (element index, then the method), so the
//   catalog can say which element is the StreamReader. `self._reader, self._writer = …` in one
//   method covers the other methods of the class.
// - APIs tagged `settings-at-creation` (a connect whose knob governs every later wait on the
//   connection) are reported whether or not the creation itself is awaited or wrapped.
import type { Check, RuleContext } from '../api.js';
import type { CallFact, FileFacts, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { readKnob } from '../knobs.js';
import { withinRole } from '../matchers/call.js';
import { pingsByHand } from '../analysis/sockets.js';

interface Options {
  roles: string[];
  knob: string;
  unlessWithin: string[];
}

/** Names of the targets of `a, b = …` / `(a, b) = …` / `[a, b] = …`, or null for a single target. */
function tupleTargets(target: string): string[] | null {
  if (!target.includes(',')) return null;
  return target
    .replace(/^[([]|[)\]]$/g, '')
    .split(',')
    .map((t) => t.trim());
}

/**
 * Receivers bound by tuple unpacking of a call: `<scope>|<name>` -> the constructor call and the
 * element index. Scope: `k<classId>` for `self.x`, `f<functionId>` / `m` for plain names. A name
 * bound twice in the same scope to anything else (other than None) is ambiguous and left out.
 */
type Unpacked = Map<string, { callId: number; index: number } | 'ambiguous'>;

function unpackedReceivers(facts: FileFacts, ctx: RuleContext, deadlineRoles: string[]): Unpacked {
  const out: Unpacked = new Map();
  const keyOf = (name: string, a: { scope: { classId?: number; functionId?: number } }): string | null => {
    if (name.startsWith('self.')) return a.scope.classId === undefined ? null : `k${a.scope.classId}|${name}`;
    return `${a.scope.functionId === undefined ? 'm' : `f${a.scope.functionId}`}|${name}`;
  };
  for (const a of facts.assignments) {
    const names = a.augmented ? null : tupleTargets(a.target);
    if (!names) continue;
    const callId = producerCall(a.value, facts, ctx, deadlineRoles);
    names.forEach((name, index) => {
      const key = keyOf(name, a);
      if (!key) return;
      const seen = out.get(key);
      const entry = callId === undefined ? 'ambiguous' : { callId, index };
      if (seen === undefined) out.set(key, entry);
      else if (seen === 'ambiguous' || entry === 'ambiguous') out.set(key, 'ambiguous');
      else if (facts.calls[seen.callId].qualified !== facts.calls[entry.callId].qualified || seen.index !== index) out.set(key, 'ambiguous');
    });
  }
  if (out.size === 0) return out;
  // the same name also bound to something else (a parameter's value, another client), in the
  // same scope or a nested one that would shadow it: unknown there
  const tupleNames = new Set([...out.keys()].map((k) => k.slice(k.indexOf('|') + 1)));
  for (const a of facts.assignments) {
    if (a.augmented || !tupleNames.has(a.target) || a.value.kind === 'null') continue;
    const key = keyOf(a.target, a);
    if (key) out.set(key, 'ambiguous');
  }
  return out;
}

/** The call whose result is unpacked, looking through a deadline wrapper around it. */
function producerCall(v: Value, facts: FileFacts, ctx: RuleContext, deadlineRoles: string[]): number | undefined {
  if (v.kind !== 'call') return undefined;
  const c = facts.calls[v.callId];
  if (!c) return undefined;
  if (ctx.catalog.lookupRole(c.qualified, facts.language, deadlineRoles)) {
    const inner = c.args[0];
    return inner?.kind === 'call' ? inner.callId : undefined;
  }
  return c.qualified ? c.id : undefined;
}

/** `reader.read()` where `reader` came out of `a, b = await ctor(...)` -> `ctor()[0].read`. */
function unpackedQualified(call: CallFact, facts: FileFacts, unpacked: Unpacked): string | null {
  const dot = call.callee.lastIndexOf('.');
  if (dot <= 0) return null;
  const recv = call.callee.slice(0, dot);
  const resolve = (key: string): string | null | undefined => {
    const hit = unpacked.get(key);
    if (hit === undefined) return undefined;
    if (hit === 'ambiguous') return null;
    const ctor = facts.calls[hit.callId].qualified;
    return ctor ? `${ctor}()[${hit.index}].${call.callee.slice(dot + 1)}` : null;
  };
  if (recv.startsWith('self.')) return call.scope.classId === undefined ? null : resolve(`k${call.scope.classId}|${recv}`) ?? null;
  const base = recv.split('.')[0];
  for (let f = call.scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) {
    const r = resolve(`f${f}|${recv}`);
    if (r !== undefined) return r;
    // a parameter of that name shadows what enclosing scopes bound (a server handler's `reader`)
    if (facts.functions[f]?.params.some((p) => p.name === base)) return null;
  }
  return resolve(`m|${recv}`) ?? null;
}

/** The functions of this file a call runs: `f()` (a module-level or nested def) or `self.m()` (a method of the same class). */
function calledFunctions(call: CallFact, facts: FileFacts): number[] {
  const self = /^self\.(\w+)$/.exec(call.callee);
  if (self) {
    if (call.scope.classId === undefined) return [];
    return facts.functions.filter((f) => f.classId === call.scope.classId && f.name === self[1]).map((f) => f.id);
  }
  if (!/^\w+$/.test(call.callee)) return [];
  return facts.functions.filter((f) => f.classId === undefined && f.name === call.callee).map((f) => f.id);
}

/**
 * Functions of this file that run under a deadline: called inside a deadline wrapper
 * (`await asyncio.wait_for(self._handshake(), 10)`), or called from such a function, to a fixed
 * point. Any such call counts, even when the function is also called elsewhere without one
 * (errs towards silence).
 */
function boundedFunctions(facts: FileFacts, ctx: RuleContext, roles: string[]): Set<number> {
  const ids = new Set<number>();
  const seen = new Set<number>();
  let frontier = facts.calls.filter((c) => (c.scope.argOfCalls.length || c.scope.withCalls.length) && withinRole(c, ctx, roles));
  while (frontier.length) {
    const next: CallFact[] = [];
    for (const c of frontier) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      for (const f of calledFunctions(c, facts)) {
        if (ids.has(f)) continue;
        ids.add(f);
        next.push(...facts.calls.filter((x) => !seen.has(x.id) && inFunctions(x, facts, new Set([f]))));
      }
    }
    frontier = next;
  }
  return ids;
}

/** Is the call inside one of these functions (or a function nested in one)? */
function inFunctions(call: CallFact, facts: FileFacts, ids: Set<number>): boolean {
  for (let f = call.scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) if (ids.has(f)) return true;
  return false;
}

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const out: FindingDraft[] = [];
  let withItems: Set<number> | undefined;
  let unpacked: Unpacked | undefined;
  let bounded: Set<number> | undefined;
  for (const c of facts.calls) {
    let q = c.qualified;
    if (!q) {
      if (!c.scope.awaited || !c.callee.includes('.')) continue;
      unpacked ??= unpackedReceivers(facts, ctx, o.unlessWithin);
      q = unpackedQualified(c, facts, unpacked);
    }
    const apis = catalog.lookup(q, lang).filter((a) => o.roles.includes(a.role));
    for (const api of apis) {
      const atCreation = api.tags?.includes('settings-at-creation') ?? false;
      if (!atCreation) {
        withItems ??= new Set(facts.calls.flatMap((x) => x.scope.withCalls));
        if (!c.scope.awaited && !withItems.has(c.id)) continue;
        if (withinRole(c, ctx, o.unlessWithin)) continue;
        bounded ??= boundedFunctions(facts, ctx, o.unlessWithin);
        if (bounded.size && inFunctions(c, facts, bounded)) continue;
      }
      const knob = api.knobs?.[o.knob];
      let detail: string;
      let loc = c.loc;
      if (knob) {
        const r = readKnob(c, api, o.knob, facts, catalog);
        if (r.state !== 'disabled' && r.state !== 'missing') continue;
        // a keepalive switched off at creation because the file pings the connection itself
        // (freqtrade: `ping_interval=None`, then `ping()` awaited with its own pong deadline)
        if (atCreation && pingsByHand(facts, { awaited: true })) continue;
        if (r.state === 'disabled') {
          detail = `\`${r.key}=None\` switches off its limit (default: ${knob.defaultNote ?? 'bounded'})`;
          if (r.valueLoc) loc = r.valueLoc;
        } else detail = `no \`${r.key}\` (default: ${knob.defaultNote ?? 'none'})`;
      } else detail = 'no timeout parameter, and no asyncio.timeout / wait_for around it';
      out.push({
        ruleId: ctx.rule.id,
        loc,
        message: ctx.rule.message,
        data: { callee: c.callee, api: q ?? c.callee, detail, hazard: api.note ?? 'it waits without a deadline' },
        where: { scope: c.scope, apiTags: api.tags },
      });
    }
  }
  return out;
};

export default check;
