// Clients whose commands wait for the reconnect during an outage instead of failing (catalog
// `offline-queues`: ioredis with `maxRetriesPerRequest: null`). Code awaiting such a client is
// not where a connection loss lands: the command completes once the client is back. Read by
// FL552 (a catch around those commands is not a connection-loss path) and by the project model,
// which records what a module exports of them (a class extending ioredis, its static members).
import type { Catalog } from '../../catalog/index.js';
import type { OfflineQueues } from '../../catalog/types.js';
import type { AssignmentFact, CallFact, FileFacts, Value } from '../../languages/types.js';
import { objectPath } from '../knobs.js';
import { functionAndNested } from './facts-query.js';

/** 'forever': queued commands wait however long the outage lasts; 'gives-up': after the client's retry budget; 'unknown': options not visible */
export type QueueWait = 'forever' | 'gives-up' | 'unknown';

function literal(v: Value): { ok: true; lit: unknown } | { ok: false } {
  const x = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (x.kind === 'null') return { ok: true, lit: null };
  if (x.kind === 'number' || x.kind === 'string' || x.kind === 'boolean') return { ok: true, lit: x.value };
  if (x.kind === 'name' && x.text === 'undefined') return { ok: true, lit: undefined };
  return { ok: false };
}

/** How long a command waits through an outage on the client this constructor call builds. */
export function queueWait(call: CallFact, e: OfflineQueues): QueueWait {
  const idx = e.optionsArg ?? -1;
  let obj = idx === -1 ? call.args[call.args.length - 1] : call.args[idx];
  if (obj?.kind === 'name' && obj.resolved) obj = obj.resolved;
  if (!obj || obj.kind !== 'object') {
    // `new Redis()` / `new Redis(6379, 'host')`: the defaults hold; `new Redis(opts)`: a name we cannot read
    if (call.argsOpen || call.args.some((a) => a.kind !== 'string' && a.kind !== 'number')) return 'unknown';
    return 'gives-up';
  }
  const options = obj;
  const read = (key: string, values: unknown[]): boolean | 'unknown' => {
    const f = objectPath(options, key);
    if (f === 'unknown') return 'unknown';
    if (!f) return false;
    const l = literal(f.value);
    return l.ok ? values.includes(l.lit) : 'unknown';
  };
  const atOnce = e.failsAtOnce ? read(e.failsAtOnce.key, e.failsAtOnce.values) : false;
  if (atOnce === true) return 'gives-up';
  const forever = read(e.waitsForever.key, e.waitsForever.values);
  if (forever === 'unknown' || atOnce === 'unknown') return 'unknown';
  return forever ? 'forever' : 'gives-up';
}

/** The `offline-queues` entry a qualified constructor name builds, if any. */
export function offlineQueueOf(catalog: Catalog, language: 'python' | 'typescript', qualified: string | null): OfflineQueues | undefined {
  if (!qualified) return undefined;
  return catalog.entries('offline-queues', language).find((e) => e.clients.includes(qualified));
}

/** Classes of this file that extend such a client, by id, with the entry. */
function clientClasses(facts: FileFacts, catalog: Catalog): Map<number, OfflineQueues> {
  const out = new Map<number, OfflineQueues>();
  for (const c of facts.classes) {
    for (const b of c.bases) {
      const e = offlineQueueOf(catalog, facts.language, b);
      if (e) out.set(c.id, e);
    }
  }
  return out;
}

/**
 * How long commands wait on the client a constructor call builds, when it builds one: a catalog
 * client, `new this(…)` in a member of a class extending one, or `new Sub(…)` of such a class
 * in this file. Undefined for any other call.
 */
export function constructedQueue(facts: FileFacts, catalog: Catalog, call: CallFact, classes = clientClasses(facts, catalog)): QueueWait | undefined {
  const direct = offlineQueueOf(catalog, facts.language, call.qualified);
  if (direct) return queueWait(call, direct);
  if (!call.isNew) return undefined;
  const cls =
    call.callee === 'this'
      ? call.scope.classId !== undefined && classes.has(call.scope.classId)
        ? call.scope.classId
        : undefined
      : facts.classes.find((c) => c.name === call.callee && classes.has(c.id))?.id;
  if (cls === undefined) return undefined;
  // a subclass that writes the options into its own `super(…)` call decides for every instance
  const forced = facts.calls.find((s) => s.callee === 'super' && s.scope.classId === cls && s.args.some((a) => a.kind === 'object'));
  return queueWait(forced ?? call, classes.get(cls)!);
}

/**
 * What this module exports that is such a client with commands that wait forever: a module-level
 * instance (`export const sub = new Redis(url, { maxRetriesPerRequest: null })`, name `sub`), and
 * the members of an exported class extending the client whose every construction does
 * (`static get subscriber() { return new this(url, { maxRetriesPerRequest: null }) }`, name
 * `default.subscriber` for a default-exported class).
 */
export function offlineQueueMembers(facts: FileFacts, catalog: Catalog): Array<{ name: string; line: number }> {
  if (!catalog.entries('offline-queues', facts.language).length) return [];
  const classes = clientClasses(facts, catalog);
  const exported = (local: string) => facts.exports.filter((x) => x.local === local || (x.local === undefined && x.name === local)).map((x) => x.name);
  const out: Array<{ name: string; line: number }> = [];
  for (const a of facts.assignments) {
    if (a.scope.functionId !== undefined || a.scope.classId !== undefined || a.value.kind !== 'call') continue;
    const call = facts.calls[a.value.callId];
    if (call && constructedQueue(facts, catalog, call, classes) === 'forever') for (const n of exported(a.target)) out.push({ name: n, line: a.loc.line });
  }
  for (const [cls] of classes) {
    const names = exported(facts.classes[cls].name);
    if (!names.length) continue;
    for (const fn of facts.functions) {
      if (fn.classId !== cls || !fn.name || fn.name === 'constructor') continue;
      const inside = functionAndNested(facts, fn.id);
      const built = facts.calls.filter((c) => c.isNew && c.scope.functionId !== undefined && inside.has(c.scope.functionId));
      const waits = built.map((c) => constructedQueue(facts, catalog, c, classes)).filter((w) => w !== undefined);
      if (waits.length && waits.every((w) => w === 'forever')) for (const n of names) out.push({ name: `${n}.${fn.name}`, line: fn.loc.line });
    }
  }
  return out;
}

/**
 * How the client that a name (`this.subscriber`, a module-level `sub`) holds waits through an
 * outage, from the writes that set it: built here (a verdict), or taken from a name imported
 * from another module (`RedisAdapter.collaborationSubscriber`: the module and the exported name
 * the model looks up). Undefined when the writes disagree or say nothing.
 */
export function heldQueue(facts: FileFacts, catalog: Catalog, writes: AssignmentFact[]): { wait: QueueWait } | { module: string; name: string } | undefined {
  const classes = clientClasses(facts, catalog);
  const verdicts = new Set<QueueWait>();
  let imported: { module: string; name: string } | undefined;
  for (const w of writes) {
    const v = w.value;
    if (v.kind === 'null' || (v.kind === 'name' && v.text === 'undefined')) continue;
    if (v.kind === 'call') {
      const call = facts.calls[v.callId];
      const wait = call && constructedQueue(facts, catalog, call, classes);
      if (!wait) return undefined;
      verdicts.add(wait);
      continue;
    }
    if (v.kind !== 'name') return undefined;
    const [root, ...rest] = v.text.split('.');
    const imp = facts.imports.find((i) => i.local === root);
    if (!imp) return undefined;
    const name = [imp.name ?? 'default', ...rest].join('.');
    if (imported && (imported.module !== imp.module || imported.name !== name)) return undefined;
    imported = { module: imp.module, name };
  }
  if (imported) return verdicts.size ? undefined : imported;
  if (verdicts.size !== 1) return undefined;
  return { wait: [...verdicts][0]! };
}
