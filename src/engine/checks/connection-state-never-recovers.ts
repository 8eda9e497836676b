// A class marks its connection dead on an error path (`this.connected = false`,
// `this.client = null`, `self._closed = True` in a catch/except, an 'error'/'close' listener or an
// onerror/onclose callback) and nothing ever brings it back: no assignment restores it outside
// the constructor, or the one that does sits in a method only the constructor calls.
// Language-neutral over facts (`this.` / `self.`).
import type { Check } from '../api.js';
import type { AssignmentFact, FileFacts, FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

const BAD_FALSE = /^_*(is_?)?(connected|ready|healthy|alive|available|online|open|up)$/i;
const BAD_TRUE = /^_*(is_?)?(closed|failed|broken|dead|stopped|shut_?down|down|disconnected)$/i;
const BAD_NULL = /^_*(client|conn|connection|channel|session|producer|consumer|pool|ws|socket|sock|db|redis|subscriber|publisher|nc|broker|transport)$/i;
const TERMINAL = /^_*(close|shutdown|shut_?down|stop|dispose|destroy|disconnect|quit|end|teardown|cleanup|terminate|aclose|__aexit__|__exit__|__del__|on_?module_?destroy|on_?application_?shutdown|before_?application_?shutdown)/i;
const ERROR_EVENTS = new Set(['error', 'close', 'end', 'disconnect', 'disconnected', 'closed', 'lost']);
const HANDLER_NAME = /^_*(on|handle)_?(error|close|disconnect|end)/i;
const LISTEN = /(^|\.)(on|once|addListener|addEventListener|prependListener)$/;
const EXIT = /(^|\.)(exit|_exit|abort|kill)$/;
const RESCHEDULE = /(^|\.)(setTimeout|setInterval|setImmediate|call_later|create_task|ensure_future)$|(re_?connect|retry|restart|reinit|reconnect|schedule|connect)\w*$/i;

type Kind = 'false' | 'true' | 'null';

function brokenKind(a: AssignmentFact): Kind | undefined {
  if (!a.selfAttr || a.augmented) return undefined;
  const v = a.value;
  if (v.kind === 'boolean' && !v.value && BAD_FALSE.test(a.selfAttr)) return 'false';
  if (v.kind === 'boolean' && v.value && BAD_TRUE.test(a.selfAttr)) return 'true';
  if (v.kind === 'null' && BAD_NULL.test(a.selfAttr)) return 'null';
  return undefined;
}

function restores(a: AssignmentFact, kind: Kind): boolean {
  const v = a.value;
  if (kind === 'false') return v.kind === 'boolean' ? v.value : v.kind !== 'null';
  if (kind === 'true') return v.kind === 'boolean' ? !v.value : v.kind !== 'null';
  return v.kind !== 'null' && !(v.kind === 'boolean' && !v.value);
}

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
  const facts = ctx.facts;
  if (!facts.classes.length) return [];
  const funcs = new Funcs(facts);
  const out: FindingDraft[] = [];
  const reported = new Set<string>();
  for (const a of facts.assignments) {
    const kind = brokenKind(a);
    const cls = a.scope.classId;
    if (!kind || cls === undefined) continue;
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
    // is it restored anywhere reachable?
    let partial: string | undefined;
    let recovered = false;
    for (const b of facts.assignments) {
      if (b === a || b.selfAttr !== a.selfAttr || b.scope.classId !== cls || !restores(b, kind)) continue;
      const m = funcs.member(b.scope.functionId);
      if (!m || isCtor(m)) continue; // field initializer or constructor: runs once
      if (b.scope.functionId !== m.id) {
        recovered = true; // inside a callback ('ready', 'connect', a timer): event-driven recovery
        break;
      }
      const callers = facts.calls.filter((c) => /^(this|self)\./.test(c.callee) && c.callee.slice(c.callee.indexOf('.') + 1) === m.name);
      if (callers.some((c) => !isCtor(funcs.member(c.scope.functionId)))) {
        recovered = true;
        break;
      }
      if (!callers.length) partial = `${m.name}() restores it, but nothing in the class calls it again; a caller outside may`;
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
        value: kind === 'null' ? (facts.language === 'python' ? 'None' : 'null') : kind === 'true' ? (facts.language === 'python' ? 'True' : 'true') : facts.language === 'python' ? 'False' : 'false',
        where: inCatch ? 'a catch block' : describe(callback!, facts),
        class: facts.classes[cls].name,
        self,
      },
      where: { scope: a.scope },
    };
    if (partial) {
      d.priority = 'P1';
      d.priorityReason = partial;
    }
    out.push(d);
  }
  return out;
};

export default check;
