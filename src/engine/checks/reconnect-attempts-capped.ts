// Hand-written reconnect logic (WebSocket / EventSource hooks and clients) capped at a small
// number of attempts: the default-parameter form (`{ maxReconnectAttempts = 5 } = {}`), the
// object-property form (`useWebSocket(url, { reconnectAttempts: 10 })`) and the constant form
// (`const MAX_RECONNECT_ATTEMPTS = 5`, `private maxRetries = 3`). Only in files that open a
// socket (catalog role `socket.open`), only literal numbers (a name is reported where it is
// defined), and quiet when the file restarts on the rule options' `restartEvents` (`online`,
// `visibilitychange`). The cap that counts as low is the rule option `maxAttempts`.
import type { Check } from '../api.js';
import type { Loc, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

interface Options {
  maxAttempts: number;
  restartEvents: string[];
}

const CAP_NAME = /max/i;
const CAP_WORD = /(reconnect|retr|attempt)/i;
const PROP_NAME = /^reconnect(ion)?_?(attempts|tries)$/i;

const check: Check = (ctx) => {
  const opts = ctx.rule.options as unknown as Options;
  const facts = ctx.facts;
  const limit = opts.maxAttempts;
  const openers = facts.calls.filter((c) => ctx.catalog.lookupRole(c.qualified, facts.language, ['socket.open']) !== undefined);
  if (!openers.length) return [];
  // where sockets are opened: those functions with every function around them, and their classes
  const socketFns = new Set<number>();
  const socketClasses = new Set<number>();
  for (const c of openers) {
    if (c.scope.classId !== undefined) socketClasses.add(c.scope.classId);
    for (let f = c.scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) socketFns.add(f);
  }
  const moduleOpens = openers.some((c) => c.scope.functionId === undefined);
  /**
   * A cap inside a function is a reconnect cap only where sockets are opened: in that function, one
   * around it or one inside it, or its class (a 2,000-line SDK's HTTP poll `maxNetworkRetries = 3`
   * is not the WebSocket's). A module-level cap counts in any file that opens one.
   */
  const nearSocket = (scope: (typeof facts.calls)[number]['scope'] | undefined): boolean => {
    if (!scope || moduleOpens) return true;
    if (scope.functionId === undefined) return scope.classId === undefined || socketClasses.has(scope.classId);
    for (let f: number | undefined = scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) if (socketFns.has(f)) return true;
    return false;
  };
  const restart = new Set(opts.restartEvents);
  const restarts = facts.calls.some(
    (c) => /(^|\.)addEventListener$/.test(c.callee) && c.args[0]?.kind === 'string' && restart.has(c.args[0].value),
  );
  if (restarts) return [];
  const heartbeat =
    facts.calls.some((c) => c.callee === 'setInterval' || c.callee.endsWith('.setInterval')) &&
    facts.calls.some((c) => /\.(send|ping)$/.test(c.callee));
  const reconnectingClient = (callId: number) =>
    !!ctx.catalog.lookupRole(facts.calls[callId]?.qualified ?? null, facts.language, ['reconnecting.client']);

  const out: FindingDraft[] = [];
  const seen = new Set<string>();
  /**
   * the file zeroes the counter once it reaches the cap (gpt-researcher's send path: `if
   * (reconnectAttempts >= maxReconnectAttempts) { reconnectAttempts = 0; }`, then reconnects):
   * the cap ends one round of attempts, and the next message starts another
   */
  const rearmed = (name: string) =>
    /^[A-Za-z_]\w*$/.test(name) &&
    new RegExp(`\\bif\\s*\\(\\s*(?:this\\.)?([A-Za-z_$][\\w$]*)\\s*>=?\\s*(?:this\\.)?${name}\\s*\\)\\s*\\{?\\s*(?:this\\.)?\\1\\s*=\\s*0\\b`).test(ctx.text);
  const report = (name: string, v: Value | undefined, form: string, scopeOf?: (typeof facts.calls)[number]['scope']) => {
    if (!v || v.kind !== 'number' || !Number.isFinite(v.value) || v.value < 0 || v.value > limit) return;
    if (!nearSocket(scopeOf) || rearmed(name)) return;
    const key = `${v.loc.line}:${v.loc.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    const loc: Loc = v.loc;
    out.push({
      ruleId: ctx.rule.id,
      loc,
      message: ctx.rule.message,
      data: {
        name,
        n: String(v.value),
        form,
        heartbeat: heartbeat ? '' : ' There is no heartbeat either, so a half-open connection is not even noticed.',
      },
      where: scopeOf ? { scope: scopeOf } : undefined,
    });
  };
  const isCap = (n: string) => CAP_NAME.test(n) && CAP_WORD.test(n);

  for (const fn of facts.functions) {
    for (const p of fn.params) if (isCap(p.name)) report(p.name, p.default, 'default parameter', fn.scope);
  }
  for (const a of facts.assignments) {
    if (a.augmented) continue;
    const name = a.selfAttr ?? a.target.slice(a.target.lastIndexOf('.') + 1);
    if (isCap(name) && a.value.kind === 'number' && a.value.value >= 1) report(name, a.value, 'constant', a.scope);
    if (a.value.kind === 'object') visitObject(a.value, a.scope);
  }
  function visitObject(o: Extract<Value, { kind: 'object' }>, scope: (typeof facts.calls)[number]['scope']) {
    for (const [k, v] of Object.entries(o.props)) {
      if (isCap(k) || PROP_NAME.test(k)) report(k, v, 'option', scope);
      else if (v.kind === 'object') visitObject(v, scope);
    }
  }
  for (const c of facts.calls) {
    if (reconnectingClient(c.id)) continue; // library clients: reconnect-gives-up
    for (const arg of c.args) if (arg.kind === 'object') visitObject(arg, c.scope);
  }
  return out;
};

export default check;
