// The event handlers of a WebSocket / EventSource opened in a file (TS/JS): `ws.onclose = …`,
// `ws.addEventListener('close', …)`, `ws.on('message', …)`. A handler belongs to the socket when it
// is attached to the instance the call built (receiverCall), or, when the instance is not bound
// to a name the adapter follows (`wsRef.current`, a parameter), when it is attached in the
// function that opens the socket or a function nested in it. Read by FL556 and FL557.
import type { CallFact, FileFacts, FunctionFact } from '../../languages/types.js';
import { functionAndNested } from './facts-query.js';

const LISTEN = /(^|\.)(on|once|addEventListener|addListener)$/;

/**
 * The file pings a connection itself (`await ws.ping()`, `socket.ping()`): a heartbeat written by
 * hand. `awaited` asks for an awaited ping (Python websockets' `ping()` returns the pong waiter),
 * which is what stands in for a keepalive switched off at creation (FL123, FL557).
 */
export function pingsByHand(facts: FileFacts, opts: { awaited?: boolean } = {}): boolean {
  return facts.calls.some((c) => /\.ping$/.test(c.callee) && (!opts.awaited || c.scope.awaited));
}

interface Attached {
  /** the handler, when it is a function written in this file (else a name: `ws.on('message', onData)`) */
  fn?: FunctionFact;
}

function attached(facts: FileFacts, open: CallFact, events: readonly string[]): Attached[] {
  const opener = open.scope.functionId;
  const near = opener === undefined ? undefined : functionAndNested(facts, opener);
  // attached to another socket built in this file: not this one's
  const other = (r: number | undefined) => r !== undefined && r !== open.id && facts.calls[r]?.qualified === open.qualified;
  const mine = (receiverCall: number | undefined, fnId: number | undefined) =>
    receiverCall === open.id || (!other(receiverCall) && (near ? fnId !== undefined && near.has(fnId) : fnId === undefined));
  const props = new Set(events.map((e) => `on${e}`));
  const out: Attached[] = [];
  for (const a of facts.assignments) {
    if (!a.target.includes('.') || !mine(a.receiverCall, a.scope.functionId)) continue;
    if (!props.has(a.target.slice(a.target.lastIndexOf('.') + 1).toLowerCase()) || a.value.kind === 'null') continue;
    out.push({ fn: a.value.kind === 'function' ? facts.functions[a.value.functionId] : undefined });
  }
  for (const c of facts.calls) {
    const ev = c.args[0];
    if (!LISTEN.test(c.callee) || ev?.kind !== 'string' || !events.includes(ev.value) || !mine(c.receiverCall, c.scope.functionId)) continue;
    const fns = c.args.filter((a) => a.kind === 'function');
    if (!fns.length) out.push({});
    for (const arg of fns) if (arg.kind === 'function') out.push({ fn: facts.functions[arg.functionId] });
  }
  return out;
}

/** the functions that handle any of `events` ('close', 'message', …) on the socket `open` made */
export function socketHandlers(facts: FileFacts, open: CallFact, events: readonly string[]): FunctionFact[] {
  return attached(facts, open, events).flatMap((a) => (a.fn ? [a.fn] : []));
}

/** something listens for one of `events` on the socket, a function written here or not */
export function listensTo(facts: FileFacts, open: CallFact, events: readonly string[]): boolean {
  return attached(facts, open, events).length > 0;
}

/** the calls made in `fn` or in a function nested in it */
export function callsWithin(facts: FileFacts, fn: FunctionFact): CallFact[] {
  const scope = functionAndNested(facts, fn.id);
  return facts.calls.filter((c) => c.scope.functionId !== undefined && scope.has(c.scope.functionId));
}

const closes = (c: CallFact, open: CallFact) => /\.(close|terminate|aclose)$/.test(c.callee) && (c.receiverCall === open.id || c.scope.withCalls.includes(open.id));

/**
 * The socket is closed again by the function that opened it, outside its handlers, or by a timer
 * that function sets (homarr's ArchiveTeam Warrior snapshot: `setTimeout(finish, 2500)`, where
 * `finish` closes the socket): a one-shot use, which the next call opens afresh.
 */
export function closedInPlace(facts: FileFacts, open: CallFact): boolean {
  if (facts.calls.some((c) => c.scope.functionId === open.scope.functionId && closes(c, open))) return true;
  const opener = open.scope.functionId;
  if (opener === undefined) return false;
  for (const t of facts.calls) {
    if (t.scope.functionId !== opener || !/(^|\.)setTimeout$/.test(t.callee)) continue;
    const a = t.args[0];
    const target = a?.kind === 'name' ? (a.resolved ?? facts.assignments.find((x) => x.target === a.text && x.scope.functionId === opener)?.value) : a;
    if (target?.kind !== 'function') continue;
    const fn = facts.functions[target.functionId];
    if (fn && callsWithin(facts, fn).some((c) => closes(c, open))) return true;
  }
  return false;
}

/**
 * A socket factory (TS/JS): the function that opens the socket hands it to its caller, which then
 * owns reconnects and heartbeats (hcengineering's `ClientSocketFactory` callbacks, a `createSocket`
 * that returns a wrapper around `ws`). Either the function returns the socket or an object (the
 * wrapper) or the opening call itself, or it is a callback passed to another call and returns
 * anything at all. Its text is read for `return` (nested functions included: a rough but quiet test).
 */
export function handedOut(facts: FileFacts, text: string, open: CallFact): boolean {
  const fnId = open.scope.functionId;
  const fn = fnId === undefined ? undefined : facts.functions[fnId];
  if (!fn) return false;
  const binding = facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === open.id)?.target;
  const lines = text.split('\n');
  const body = [lines[fn.loc.line - 1]?.slice(fn.loc.column - 1) ?? '', ...lines.slice(fn.loc.line, fn.loc.endLine)].join('\n');
  // an arrow whose body is the opening call: `(url) => new WebSocket(url)`
  if (/^(?:async\s+)?\(?[\w$\s,:]*\)?\s*(?::\s*[\w$<>]+\s*)?=>\s*new\s+(?:WebSocket|EventSource)\b/.test(body)) return true;
  const returns = [...body.matchAll(/\breturn\s+([^;\n]*)/g)].map((m) => m[1].trim());
  const escaped = binding?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (returns.some((r) => /^new\s+(?:WebSocket|EventSource)\b/.test(r) || (escaped && new RegExp(`^${escaped}\\b`).test(r)) || r.startsWith('{'))) return true;
  // a Promise executor that resolves with it (`new Promise((resolve) => { const s = new
  // WebSocket(u); s.once('open', () => resolve(s)) })`: homarr's TrueNAS client): the awaiting caller holds it
  if (binding && fn.argOfCall !== undefined && /^Promise$/.test(facts.calls[fn.argOfCall]?.callee ?? '')) {
    const resolver = fn.params[0]?.name;
    if (resolver && callsWithin(facts, fn).some((c) => c.callee === resolver && c.args[0]?.kind === 'name' && c.args[0].text === binding)) return true;
  }
  // a callback handed to another call (`setMetadata(SocketFactory, (url) => { … return socket })`),
  // not a React effect, whose returned function is its cleanup
  if (fn.argOfCall === undefined || /(^|\.)use\w*Effect$/.test(facts.calls[fn.argOfCall]?.callee ?? '')) return false;
  return returns.some((r) => r.length > 0 && !/^(?:async\s+)?(?:\([^)]*\)|[\w$]+)\s*=>|^function\b/.test(r));
}
