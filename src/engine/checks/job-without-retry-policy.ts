// Jobs enqueued with no retry policy (catalog section `job-queues`: BullMQ, bull): `attempts`
// defaults to 1, so the first transient failure (a timeout, a 503, a deploy) fails the job for
// good. A job with attempts but no `backoff` retries immediately. Read on the `add()` call, then
// on the queue's job defaults when the queue is built in this file. Unknown (spread, a variable,
// an injected queue) stays quiet.
import type { Check } from '../api.js';
import type { JobQueue } from '../../catalog/types.js';
import type { CallFact, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { objectPath } from '../knobs.js';

type Obj = Extract<Value, { kind: 'object' }>;

function asObject(v: Value | undefined): Obj | 'open' | undefined {
  if (!v) return undefined;
  if (v.kind === 'name' && v.resolved) v = v.resolved;
  if (v.kind === 'object') return v;
  if (v.kind === 'null') return undefined;
  return 'open';
}

/** the job options of `add(name, data, opts)` / bull's `add(data, opts)` */
function addOptions(c: CallFact, q: JobQueue): Obj | 'open' | undefined {
  const named = c.args[0]?.kind === 'string' || c.args.length >= 3;
  const v = c.args[named ? q.jobOptions.named : q.jobOptions.unnamed];
  if (!v && c.argsOpen) return 'open';
  return asObject(v);
}

function read(o: Obj | 'open' | undefined, key: string): Value | 'unknown' | undefined {
  if (o === 'open') return 'unknown';
  if (!o) return undefined;
  const f = objectPath(o, key);
  if (f === 'unknown') return 'unknown';
  return f?.value;
}

const check: Check = (ctx) => {
  const queues = ctx.catalog.entries('job-queues', ctx.facts.language);
  const out: FindingDraft[] = [];
  for (const c of ctx.facts.calls) {
    const q = c.qualified ? queues.find((x) => x.add === c.qualified) : undefined;
    if (!q) continue;
    const own = addOptions(c, q);
    const ctor = c.receiverCall === undefined ? undefined : ctx.facts.calls[c.receiverCall];
    const defaults: Obj | 'open' | undefined = ctor ? (() => {
      // Queue(name, opts), or Queue(name, redisUrl, opts)
      const at = ctor.args[q.queueOptions.arg]?.kind === 'string' ? q.queueOptions.afterString : q.queueOptions.arg;
      const opts = asObject(ctor.args[at]) ?? (ctor.argsOpen ? 'open' : undefined);
      if (opts === 'open' || !opts) return opts;
      return asObject(opts.props[q.defaultsKey]) ?? (opts.open ? 'open' : undefined);
    })() : 'open'; // no visible queue construction: defaults unknown
    let attempts = read(own, q.attemptsKey);
    if (attempts === undefined) attempts = read(defaults, q.attemptsKey);
    if (attempts === 'unknown') continue;
    let backoff = read(own, q.backoffKey);
    if (backoff === undefined) backoff = read(defaults, q.backoffKey);
    const data: Record<string, string> = { callee: c.callee };
    if (attempts === undefined) {
      data.problem = `has no \`${q.attemptsKey}\` (${q.attemptsDefault}): the first transient failure fails the job for good`;
    } else {
      const n = attempts.kind === 'name' && attempts.resolved ? attempts.resolved : attempts;
      if (n.kind !== 'number' || n.value <= 1) continue; // deliberate single attempt, or a value we cannot read
      if (backoff !== undefined) continue;
      data.problem = `retries ${n.value - 1} times with no \`${q.backoffKey}\`: the retries fire immediately, while the dependency is still down`;
    }
    const d: FindingDraft = { ruleId: ctx.rule.id, loc: c.loc, message: ctx.rule.message, data, where: { scope: c.scope } };
    if (attempts !== undefined) {
      d.priority = 'P2';
      d.priorityReason = 'retries exist, only the spacing is missing';
    }
    out.push(d);
  }
  return out;
};

export default check;
