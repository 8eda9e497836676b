// A long-lived WebSocket or EventSource client that never reconnects (catalog role `socket.open`,
// tags `websocket` / `eventsource`).
// - TS/JS: no close or error handler of the socket (an `onclose`/`onerror` property, or a
//   'close'/'error' listener, on the instance or in the function that opens it) schedules a new
//   connection: a timer, a call of the opening function, or a (re)connect/retry function. A file
//   that restarts on `online` / `visibilitychange` (rule option `restartEvents`) reconnects too.
//   EventSource reconnects by itself after a dropped connection, but not once the connection has
//   failed (an HTTP error or wrong content type on a reconnect): reported with that wording, and
//   plainly when its error handler closes it.
// - Python: the connect call runs once: not in a loop (a `while True` retry loop, or the
//   reconnecting `async for ws in websockets.connect(url)` form), its function has no retry
//   decorator (catalog role `retry.policy`) and nothing in the file calls the function from a
//   loop. Only sockets with a receive loop count (a call in a loop inside `async with` the
//   socket, or on it): one that sends a message and closes has nothing to lose.
// A TS/JS socket that the function opening it also closes (outside a handler) is one-shot.
import type { Check } from '../api.js';
import type { FileFacts, FunctionFact } from '../../languages/types.js';
import { callsWithin, closedInPlace, handedOut, socketHandlers } from '../analysis/sockets.js';
import type { FindingDraft } from '../types.js';

interface Options {
  restartEvents: string[];
}

const CLOSE_EVENTS = ['close', 'error', 'disconnect'];
const TIMERS = /(^|\.)(setTimeout|setInterval)$/;
/** the last segment of a callee that opens a connection again (`this.reconnect`, `connect`, `scheduleRetry`) */
const RECONNECTS = /^_*(re_?connect|retry|restart|reopen|connect|schedule|open_?(socket|connection|stream)|create_?(socket|connection)|init_?(socket|connection)|start_?(socket|stream))/i;

function reconnectsFrom(facts: FileFacts, handler: FunctionFact, openerName: string | undefined): boolean {
  return callsWithin(facts, handler).some((c) => {
    if (TIMERS.test(c.callee)) return true;
    const last = c.callee.slice(c.callee.lastIndexOf('.') + 1);
    return RECONNECTS.test(last) || (!!openerName && last === openerName);
  });
}

/** a React effect's dependency that exists to run it again: a reconnect trigger or attempt counter */
const REOPEN_DEP = /reconnect|retry|trigger|attempt|nonce|epoch|generation/i;

/**
 * The socket is opened in a React effect whose dependencies include a reconnect trigger
 * (`useEffect(() => { … new WebSocket(url) … }, [sessionId, messagesDisconnectedTrigger])`):
 * another effect bumps it after a close, and React runs this one again, which opens a new socket.
 */
function effectReopens(facts: FileFacts, functionId: number | undefined): boolean {
  const chain = new Set<number>();
  for (let id = functionId; id !== undefined; id = facts.functions[id]?.parentFunctionId) chain.add(id);
  return facts.calls.some((c) => {
    if (!/(^|\.)use(Layout)?Effect$/.test(c.callee)) return false;
    const [fn, deps] = c.args;
    if (fn?.kind !== 'function' || !chain.has(fn.functionId) || deps?.kind !== 'array') return false;
    return deps.items.some((d) => d.kind === 'name' && REOPEN_DEP.test(d.text));
  });
}

const closesItself = (facts: FileFacts, handler: FunctionFact) => callsWithin(facts, handler).some((c) => /\.close$/.test(c.callee));

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const opts = ctx.rule.options as unknown as Options;
  const lang = facts.language;
  const out: FindingDraft[] = [];
  const restart = new Set(opts.restartEvents);
  const restartsOnEvent = facts.calls.some((c) => /(^|\.)addEventListener$/.test(c.callee) && c.args[0]?.kind === 'string' && restart.has(c.args[0].value));
  for (const open of facts.calls) {
    const api = ctx.catalog.lookupRole(open.qualified, lang, ['socket.open']);
    const kind = api?.tags?.includes('eventsource') ? 'eventsource' : api?.tags?.includes('websocket') ? 'websocket' : undefined;
    if (!api || !kind) continue;
    if (facts.language === 'typescript' && closedInPlace(facts, open)) continue; // one-shot
    // a factory hands the socket to its caller, which owns what happens when it drops
    if (facts.language === 'typescript' && handedOut(facts, ctx.text, open)) continue;
    const opener = open.scope.functionId === undefined ? undefined : facts.functions[open.scope.functionId];
    let how: string | undefined;
    if (lang === 'typescript') {
      if (restartsOnEvent) continue;
      const handlers = socketHandlers(facts, open, CLOSE_EVENTS);
      if (handlers.some((h) => reconnectsFrom(facts, h, opener?.name || undefined))) continue;
      if (effectReopens(facts, open.scope.functionId)) continue;
      if (kind === 'eventsource') {
        how = handlers.some((h) => closesItself(facts, h))
          ? 'its error handler closes it, so the first error (a dropped connection, a server restart) ends the stream for good'
          : 'the browser retries a dropped connection, but once a retry gets an HTTP error or a non-event-stream response (a 502 from the proxy during a deploy) it stays CLOSED, and no error handler creates a new one';
      } else {
        how = handlers.length
          ? 'its close/error handlers never open a new connection, so after the first disconnect (a deploy, a proxy timeout, a network switch) it stays closed'
          : 'nothing handles its close, so after the first disconnect (a deploy, a proxy timeout, a network switch) it stays closed';
      }
    } else {
      if (open.scope.inLoop) continue; // a retry loop, or `async for ws in connect(...)`
      if (!opener) continue;
      if (opener.decorators.some((d) => ctx.catalog.lookupRole(d.qualified, lang, ['retry.policy']))) continue;
      const receiveLoop = facts.calls.some(
        (c) => c.scope.inLoop && c.scope.functionId === opener.id && (c.receiverCall === open.id || c.scope.withCalls.includes(open.id)),
      );
      if (!receiveLoop) continue;
      const supervised = facts.calls.some((c) => {
        const last = c.callee.slice(c.callee.lastIndexOf('.') + 1);
        return last === opener.name && (c.scope.inLoop || c.scope.functionId === opener.id);
      });
      if (supervised) continue;
      how = `the receive loop in \`${opener.name}()\` ends when the connection drops, and nothing connects again`;
    }
    out.push({
      ruleId: ctx.rule.id,
      loc: open.loc,
      message: ctx.rule.message,
      data: { callee: open.callee, how, kind: kind === 'eventsource' ? 'an EventSource' : 'a WebSocket' },
      where: { scope: open.scope, apiTags: api.tags },
    });
  }
  return out;
};

export default check;
