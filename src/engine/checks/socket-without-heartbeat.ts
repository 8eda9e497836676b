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
// - A `ws` server whose connections (or the server itself) are handed to a library that owns the
//   connection's lifecycle (catalog role `socket.handoff`: Hocuspocus `handleConnection`,
//   y-websocket `setupWSConnection`, graphql-ws `useServer`) has that library's heartbeat, read
//   from its knob `heartbeat` (on by default for those; tRPC's `applyWSSHandler` only with
//   `keepAlive.enabled`). A connection is the first parameter of the server's 'connection'
//   listener or of its `handleUpgrade` callback.
import type { Check } from '../api.js';
import type { CatalogApi } from '../../catalog/types.js';
import type { CallFact, FileFacts, FunctionFact, Value } from '../../languages/types.js';
import { functionAndNested } from '../analysis/facts-query.js';
import type { FindingDraft } from '../types.js';
import { readKnob } from '../knobs.js';
import { callsWithin, closedInPlace, handedOut, listensTo, pingsByHand, socketHandlers } from '../analysis/sockets.js';

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
  if (pingsByHand(facts)) return true;
  if (facts.calls.some((c) => /(^|\.)(on|once|addEventListener)$/.test(c.callee) && c.args[0]?.kind === 'string' && /^(pong|ping)$/.test(c.args[0].value))) return true;
  // an application-level keepalive the file writes and runs (`startHealthTimers()` sending a PING
  // message, `_run_keepalive(ws)` closing after a silence): skyvern's bridge and relay
  if (keepaliveRuns(facts)) return true;
  if (server) return false;
  // a timer that sends (`this.sendRaw(ping)`) or that checks how long the socket has been silent
  const timerSends = facts.calls.some(
    (c) =>
      /(^|\.)setInterval$/.test(c.callee) &&
      c.args.some((a) => a.kind === 'function' && callsWithin(facts, facts.functions[a.functionId]).some((x) => /\.send\w*$/.test(x.callee) || x.callee === 'Date.now')),
  );
  if (timerSends) return true;
  return socketHandlers(facts, open, ['message']).some((h) => callsWithin(facts, h).some((c) => /(^|\.)setTimeout$/.test(c.callee)));
}

const KEEPALIVE_NAME = /keep_?alive|heartbeat|health_?timers?|ping_?(loop|timer)s?$/i;

/** A function named for a keepalive that the file calls or starts (by name, or as a method). */
function keepaliveRuns(facts: FileFacts): boolean {
  const names = new Set(facts.functions.filter((f) => f.name && KEEPALIVE_NAME.test(f.name)).map((f) => f.name));
  if (!names.size) return false;
  return facts.calls.some((c) => names.has(c.callee.slice(c.callee.lastIndexOf('.') + 1)));
}

/**
 * A server bound to the loopback interface only (`web.TCPSite(runner, "127.0.0.1", port)`,
 * `listen(port, 'localhost')`): its peer is a process on the same host, whose socket the kernel
 * closes when it dies, so no half-open connection needs a heartbeat to be found.
 */
function loopbackOnly(facts: FileFacts): boolean {
  const loop = (v: { kind: string; value?: unknown } | undefined) => v?.kind === 'string' && /^(127\.0\.0\.1|localhost|::1)$/.test(String(v.value));
  const binds = facts.calls.filter((c) => /(^|\.)(TCPSite|listen|serve|run_app|create_server|start_server)$/.test(c.callee));
  return binds.length > 0 && binds.every((c) => c.args.some(loop) || loop(c.kwargs.host));
}

/**
 * The handoff calls (role `socket.handoff`) that take this server or one of its connections: the
 * server's binding among their arguments (`useServer(opts, wss)`, `applyWSSHandler({ wss, … })`),
 * or the first parameter of a 'connection' listener or `handleUpgrade` callback of the server
 * (`hocuspocus.handleConnection(ws, req)`), or a handoff function given as the listener itself
 * (`wss.on('connection', setupWSConnection)`).
 */
function handoffs(ctx: Parameters<Check>[0], open: CallFact): Array<{ call?: CallFact; api: CatalogApi }> {
  const facts = ctx.facts;
  const lookup = (q: string | null | undefined) => (q ? ctx.catalog.lookupRole(q, facts.language, ['socket.handoff']) : undefined);
  const out: Array<{ call?: CallFact; api: CatalogApi }> = [];
  const names = new Set(facts.assignments.filter((a) => a.value.kind === 'call' && a.value.callId === open.id).map((a) => a.target));
  const mentions = (v: Value, set: Set<string>): boolean =>
    (v.kind === 'name' && set.has(v.text)) || (v.kind === 'object' && Object.values(v.props).some((p) => mentions(p, set)));
  // the connection callbacks: 'connection' listeners, handleUpgrade callbacks
  const callbacks: FunctionFact[] = [...socketHandlers(facts, open, ['connection'])];
  for (const c of facts.calls) {
    if (c.receiverCall !== open.id) continue;
    if (/\.handleUpgrade$/.test(c.callee)) for (const a of c.args) if (a.kind === 'function') callbacks.push(facts.functions[a.functionId]);
    // `wss.on('connection', setupWSConnection)`: the handoff is the listener
    if (/\.(on|once|addListener)$/.test(c.callee) && c.args[0]?.kind === 'string' && c.args[0].value === 'connection') {
      const l = c.args[1];
      const api = l?.kind === 'name' ? lookup(l.qualified) : undefined;
      if (api) out.push({ api });
    }
  }
  // the server's own name means this server only where its binding is in scope
  const near = open.scope.functionId === undefined ? undefined : functionAndNested(facts, open.scope.functionId);
  const inScope = (c: CallFact) => !near || (c.scope.functionId !== undefined && near.has(c.scope.functionId));
  for (const c of facts.calls) {
    const api = lookup(c.qualified);
    if (!api) continue;
    if (names.size && inScope(c) && c.args.some((a) => mentions(a, names))) {
      out.push({ call: c, api });
      continue;
    }
    for (const cb of callbacks) {
      const conn = cb.params[0]?.name;
      if (!conn || c.scope.functionId === undefined || !functionAndNested(facts, cb.id).has(c.scope.functionId)) continue;
      if (c.args.some((a) => mentions(a, new Set([conn])))) {
        out.push({ call: c, api });
        break;
      }
    }
  }
  return out;
}

/**
 * The server re-emits its connections (`wss.emit('connection', ws, req)` in a handleUpgrade
 * callback) and no 'connection' listener of it is in this file: whoever listens is elsewhere.
 */
function reEmitsElsewhere(facts: FileFacts, open: CallFact): boolean {
  const emits = facts.calls.some((c) => /\.emit$/.test(c.callee) && c.args[0]?.kind === 'string' && c.args[0].value === 'connection' && c.scope.functionId !== undefined);
  if (!emits) return false;
  return socketHandlers(facts, open, ['connection']).length === 0;
}

/** The library the connections are handed to pings them: its knob `heartbeat` is set, on by default, or not visible. */
function handedHeartbeat(ctx: Parameters<Check>[0], open: CallFact): 'yes' | { off: string } | undefined {
  let off: string | undefined;
  for (const h of handoffs(ctx, open)) {
    const knob = h.api.knobs?.['heartbeat'];
    if (!knob) return 'yes';
    if (!h.call) {
      if (knob.default === 'bounded') return 'yes';
      continue;
    }
    const r = readKnob(h.call, h.api, 'heartbeat', ctx.facts, ctx.catalog);
    if (r.state === 'set' || r.state === 'unknown') return 'yes';
    off ??= r.state === 'disabled' ? `\`${h.call.callee}\` gets the connections with its keepalive switched off (\`${r.key}\`)` : `\`${h.call.callee}\` gets the connections, and its keepalive is ${knob.defaultNote ?? 'off'}`;
  }
  return off ? { off } : undefined;
}

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const out: FindingDraft[] = [];
  for (const open of facts.calls) {
    const api = ctx.catalog.lookupRole(open.qualified, facts.language, ['socket.open', 'socket.serve']);
    if (!api?.tags?.includes('websocket')) continue;
    if (facts.language === 'typescript' && closedInPlace(facts, open)) continue; // one-shot
    // a factory hands the socket to its caller, which owns what happens when it drops
    if (facts.language === 'typescript' && handedOut(facts, ctx.text, open)) continue;
    const server = api.role === 'socket.serve';
    if (!server && !receives(facts, open)) continue;
    let detail: string;
    let loc = open.loc;
    if (server && loopbackOnly(facts)) continue;
    if (api.knobs?.['heartbeat']) {
      const r = readKnob(open, api, 'heartbeat', facts, ctx.catalog);
      if (r.state === 'set' || r.state === 'unknown') continue;
      if (r.state !== 'disabled' && keepaliveRuns(facts)) continue;
      // switched off because the file pings by hand (freqtrade's consumer: `wait_for(recv(), 30)`,
      // then `ping()` with its own pong deadline, and a reconnect loop around it)
      if (r.state === 'disabled' && pingsByHand(facts, { awaited: true })) continue;
      const knob = api.knobs['heartbeat'];
      detail = r.state === 'disabled' ? `\`${r.key}\` switches the keepalive off` : `\`${knob.keys.join('` / `')}\` not set, and the default is ${knob.defaultNote ?? 'none'}`;
      if (r.valueLoc) loc = r.valueLoc;
    } else {
      if (handWritten(facts, open, server)) continue;
      // the `ws` noServer shape: handleUpgrade re-emits 'connection' on the server, and the
      // listeners that own each connection are registered in another module (not visible here)
      if (server && reEmitsElsewhere(facts, open)) continue;
      const handed = server ? handedHeartbeat(ctx, open) : undefined;
      if (handed === 'yes') continue; // the library the connections are handed to pings them
      detail = handed ? `no client is ever pinged: ${handed.off}` : server ? 'no client is ever pinged' : 'no ping, no timer that sends, no idle timeout on incoming messages';
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
