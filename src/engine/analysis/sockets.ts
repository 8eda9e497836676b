// The event handlers of a WebSocket / EventSource opened in a file (TS/JS): `ws.onclose = …`,
// `ws.addEventListener('close', …)`, `ws.on('message', …)`. A handler belongs to the socket when it
// is attached to the instance the call built (receiverCall), or, when the instance is not bound
// to a name the adapter follows (`wsRef.current`, a parameter), when it is attached in the
// function that opens the socket or a function nested in it. Read by FL556 and FL557.
import type { CallFact, FileFacts, FunctionFact } from '../../languages/types.js';
import { functionAndNested } from './facts-query.js';

const LISTEN = /(^|\.)(on|once|addEventListener|addListener)$/;

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

/** the socket is closed again by the function that opened it, outside its handlers: a one-shot use */
export function closedInPlace(facts: FileFacts, open: CallFact): boolean {
  return facts.calls.some(
    (c) =>
      c.scope.functionId === open.scope.functionId &&
      /\.(close|terminate|aclose)$/.test(c.callee) &&
      (c.receiverCall === open.id || c.scope.withCalls.includes(open.id)),
  );
}
