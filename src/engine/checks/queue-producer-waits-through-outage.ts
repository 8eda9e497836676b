// FL161: a job producer (BullMQ `Queue`, catalog `offline-queues` `producers`) whose connection is
// a client that waits out a Redis outage (ioredis with `maxRetriesPerRequest: null`, the setting
// BullMQ requires for workers). `queue.add` then hangs until Redis is back, and so does every
// request that enqueues (inbox-zero's web app builds its Queue on such a connection). The
// connection is found in the producer's options: the client built in place, a name bound to it,
// or a call of this file's function that builds it (`connection: getConnection()`).
import type { Check } from '../api.js';
import type { CallFact, FileFacts, Value } from '../../languages/types.js';
import { constructedQueue } from '../analysis/offline-queues.js';
import type { FindingDraft } from '../types.js';

/** The client constructor call a connection value comes from, when this file shows it. */
function clientCall(facts: FileFacts, v: Value | undefined, isClient: (c: CallFact) => boolean): CallFact | undefined {
  if (!v) return undefined;
  const x = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (x.kind === 'call') {
    const c = facts.calls[x.callId];
    if (!c) return undefined;
    if (isClient(c)) return c;
    // `connection: getConnection()`: the one client that function of this file builds
    const fn = facts.functions.find((f) => f.name === c.callee && f.parentFunctionId === undefined);
    if (!fn) return undefined;
    const built = facts.calls.filter((k) => k.scope.functionId === fn.id && isClient(k));
    return built.length === 1 ? built[0] : undefined;
  }
  if (x.kind === 'name') {
    const writes = facts.assignments.filter((a) => a.target === x.text && a.value.kind === 'call' && isClient(facts.calls[a.value.callId]));
    return writes.length === 1 && writes[0].value.kind === 'call' ? facts.calls[writes[0].value.callId] : undefined;
  }
  return undefined;
}

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const out: FindingDraft[] = [];
  for (const e of ctx.catalog.entries('offline-queues', facts.language)) {
    if (!e.producers?.length || !e.producerOption) continue;
    const isClient = (c: CallFact | undefined) => !!c && constructedQueue(facts, ctx.catalog, c) !== undefined;
    for (const p of facts.calls) {
      if (!p.qualified || !e.producers.includes(p.qualified)) continue;
      const opts = p.args.map((a) => (a.kind === 'name' && a.resolved ? a.resolved : a)).find((a) => a.kind === 'object' && e.producerOption! in a.props);
      if (opts?.kind !== 'object') continue;
      const client = clientCall(facts, opts.props[e.producerOption], isClient);
      if (!client || constructedQueue(facts, ctx.catalog, client) !== 'forever') continue;
      out.push({
        ruleId: ctx.rule.id,
        loc: p.loc,
        message: ctx.rule.message,
        data: { callee: p.callee, client: client.callee, clientLine: String(client.loc.line) },
        where: { scope: p.scope },
      });
    }
  }
  return out;
};

export default check;
