// A queued job's retry policy as the enqueue call and its queue show it (catalog section
// `job-queues`: BullMQ, bull): the job's own options first, then the `defaultJobOptions` of the
// queue when it is built in this file. Shared by FL354 (jobs that never retry) and FL600 (jobs
// whose retries re-run a processor's side effects). Unknown (spread, a variable, an injected
// queue) is 'unknown', never absent.
import type { JobQueue } from '../../catalog/types.js';
import type { CallFact, FileFacts, Value } from '../../languages/types.js';
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

export interface JobRetryPolicy {
  /** the attempts value (job options, else queue defaults); 'unknown' when it cannot be read */
  attempts: Value | 'unknown' | undefined;
  backoff: Value | 'unknown' | undefined;
  /** the queue's constructor call, when the queue is built in this file */
  queue?: CallFact;
  /** the job repeats on a schedule (its own options carry the catalog's `repeatKey`) */
  repeats?: boolean;
}

/** The attempts and backoff an enqueue call (`q.add`) gives its job. */
export function jobRetryPolicy(facts: FileFacts, c: CallFact, q: JobQueue): JobRetryPolicy {
  const own = addOptions(c, q);
  const ctor = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall];
  const defaults: Obj | 'open' | undefined = ctor
    ? (() => {
        // Queue(name, opts), or Queue(name, redisUrl, opts)
        const at = ctor.args[q.queueOptions.arg]?.kind === 'string' ? q.queueOptions.afterString : q.queueOptions.arg;
        const opts = asObject(ctor.args[at]) ?? (ctor.argsOpen ? 'open' : undefined);
        if (opts === 'open' || !opts) return opts;
        return asObject(opts.props[q.defaultsKey]) ?? (opts.open ? 'open' : undefined);
      })()
    : 'open'; // no visible queue construction: defaults unknown
  let attempts = read(own, q.attemptsKey);
  if (attempts === undefined) attempts = read(defaults, q.attemptsKey);
  let backoff = read(own, q.backoffKey);
  if (backoff === undefined) backoff = read(defaults, q.backoffKey);
  const repeat = q.repeatKey ? read(own, q.repeatKey) : undefined;
  return { attempts, backoff, ...(ctor ? { queue: ctor } : {}), ...(repeat !== undefined && repeat !== 'unknown' ? { repeats: true } : {}) };
}

/** A literal attempts count, else undefined. */
export function attemptsCount(v: Value | 'unknown' | undefined): number | undefined {
  if (!v || v === 'unknown') return undefined;
  const n = v.kind === 'name' && v.resolved ? v.resolved : v;
  return n.kind === 'number' ? n.value : undefined;
}
