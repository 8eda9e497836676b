// A long-lived WebSocket with no heartbeat: nothing notices a peer that vanished without a close
// frame (an idle NAT or proxy cut, a laptop going to sleep, a crashed host), so the close handler
// and any reconnect logic never run. Catalog role `socket.open` (clients) and `socket.serve`
// (servers), tag `websocket`.
// - A library with a keepalive knob (catalog knob `heartbeat`: websockets' `ping_interval`,
//   on by default; aiohttp's `heartbeat` / `receive_timeout`, off by default): the knob decides.
// - The browser WebSocket and the `ws` package have none: a heartbeat is code in the file, a
//   `.ping()` call or a 'pong' listener, a timer (`setInterval`) that sends, or an idle timer
//   (`setTimeout`) started from the message handler.
// Clients count only with a receive side (a message listener, a receive loop); servers always.
// Servers are reported one step lower: a dead client leaks its socket, it does not stop the service.
import type { Check } from '../api.js';
import type { CallFact, FileFacts } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { readKnob } from '../knobs.js';
import { callsWithin, closedInPlace, listensTo, socketHandlers } from '../analysis/sockets.js';

/** the client receives: a message handler (TS/JS), or a loop over / on it (Python) */
function receives(facts: FileFacts, open: CallFact): boolean {
  if (facts.language === 'typescript') return listensTo(facts, open, ['message']);
  const fn = open.scope.functionId;
  // `async for ws in connect(url): async for msg in ws: …`: the socket is the loop variable
  const iterated = open.scope.inLoop && !open.scope.awaited;
  return facts.calls.some(
    (c) => c !== open && c.scope.inLoop && c.scope.functionId === fn && (iterated || c.receiverCall === open.id || c.scope.withCalls.includes(open.id)),
  );
}

/** a heartbeat written in the file: ping / pong, a timer that sends, an idle timer reset on messages */
function handWritten(facts: FileFacts, open: CallFact, server: boolean): boolean {
  if (facts.calls.some((c) => /\.ping$/.test(c.callee))) return true;
  if (facts.calls.some((c) => /(^|\.)(on|once|addEventListener)$/.test(c.callee) && c.args[0]?.kind === 'string' && /^(pong|ping)$/.test(c.args[0].value))) return true;
  if (server) return false;
  const timerSends = facts.calls.some(
    (c) =>
      /(^|\.)setInterval$/.test(c.callee) &&
      c.args.some((a) => a.kind === 'function' && callsWithin(facts, facts.functions[a.functionId]).some((x) => /\.send(Json|JSON)?$/.test(x.callee))),
  );
  if (timerSends) return true;
  return socketHandlers(facts, open, ['message']).some((h) => callsWithin(facts, h).some((c) => /(^|\.)setTimeout$/.test(c.callee)));
}

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const out: FindingDraft[] = [];
  for (const open of facts.calls) {
    const api = ctx.catalog.lookupRole(open.qualified, facts.language, ['socket.open', 'socket.serve']);
    if (!api?.tags?.includes('websocket')) continue;
    if (facts.language === 'typescript' && closedInPlace(facts, open)) continue; // one-shot
    const server = api.role === 'socket.serve';
    if (!server && !receives(facts, open)) continue;
    let detail: string;
    let loc = open.loc;
    if (api.knobs?.['heartbeat']) {
      const r = readKnob(open, api, 'heartbeat', facts, ctx.catalog);
      if (r.state === 'set' || r.state === 'unknown') continue;
      const knob = api.knobs['heartbeat'];
      detail = r.state === 'disabled' ? `\`${r.key}\` switches the keepalive off` : `\`${knob.keys.join('` / `')}\` not set, and the default is ${knob.defaultNote ?? 'none'}`;
      if (r.valueLoc) loc = r.valueLoc;
    } else {
      if (handWritten(facts, open, server)) continue;
      detail = server ? 'no client is ever pinged' : 'no ping, no timer that sends, no idle timeout on incoming messages';
    }
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc,
      message: ctx.rule.message,
      data: {
        callee: open.callee,
        detail,
        consequence: server
          ? 'the handler and socket of every client that vanished stay open for good, and broadcasts keep writing to them'
          : 'the close handler (and any reconnect logic) never runs and this client silently stops receiving',
      },
      where: { scope: open.scope, apiTags: api.tags },
    };
    if (server) {
      d.priority = 'P2';
      d.priorityReason = 'server side: a dead client leaks its socket and handler; the service keeps serving the others';
    }
    out.push(d);
  }
  return out;
};

export default check;
