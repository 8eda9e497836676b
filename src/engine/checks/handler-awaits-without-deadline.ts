// FL124: a request, webhook or consumer handler awaits a function that — in this file, or one or
// two hops away in another module of the project — waits on the network with no limit of its own
// (or only a library's default), and nothing puts a deadline around the whole: no
// asyncio.timeout / wait_for around the await, no AbortSignal.timeout or timeout handed down, no
// request-level timeout middleware (catalog role `deadline.request`) in the file.
//
// Same-file targets are judged here (src/engine/analysis/network-waits.ts). A target imported
// from another project module cannot be seen from this file: the finding is drafted with
// `pending: reach` and the candidate modules, and the project model (src/model/reach.ts) keeps it
// only when that module's summary (signals `reaches`, written by the worker that parsed it) shows
// a network wait, then names it in the message. An unresolved module (not scanned, not parsed,
// a library) is unknown: the draft is dropped.
//
// Handlers come from the catalog: `http.route` / `http.resource` (decorated routes, route
// registrations, resource classes), section `route-files` (Next.js route handlers, Remix
// loaders/actions) and section `message-handlers` (BullMQ / Kafka / AMQP consumers).
import type { Check } from '../api.js';
import type { CallFact, FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { declaredHandlers, httpHandlers, routeFileDeadline } from '../analysis/handlers.js';
import { deadlineBounded, functionReaches, moduleTargets, onlyLongLimits, LATE, LATE_HAZARD, type NetworkWait } from '../analysis/network-waits.js';

const REQUEST_DEADLINE = ['deadline.request'];
const PAUSE = ['schedule.pause'];
const EVERY = ['schedule.every'];

/** A wait in words, for the message: "`requests.get` (line 12: no `timeout`)". */
export function describeWait(w: NetworkWait, where: string): string {
  return `\`${w.callee}\` (${where}${w.line}: ${w.note})`;
}

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const handlers = new Map<number, { fn: FunctionFact; kind: string; consumer: boolean; monitor?: 'loop' | 'every' }>();
  for (const h of httpHandlers(ctx)) handlers.set(h.fn.id, { ...h, consumer: false });
  // a route file that sets its own execution limit (Next.js `maxDuration`) bounds its handlers
  const routeFiles = catalog.entries('route-files', lang);
  if (routeFileDeadline(facts, ctx.file.path, routeFiles) === undefined)
    for (const rf of routeFiles) for (const h of declaredHandlers(facts, ctx.file.path, { routeFiles: rf })) handlers.set(h.fn.id, { ...h, consumer: false });
  for (const h of declaredHandlers(facts, ctx.file.path, { handlers: catalog.entries('message-handlers', lang) })) handlers.set(h.fn.id, { ...h, consumer: true });
  // periodic loops: an async function whose loop sleeps between rounds (`while True: … await
  // asyncio.sleep(30)`), and callbacks of setInterval; only the awaits inside the loop count
  const loops = new Set<number>();
  for (const c of facts.calls) {
    const fid = c.scope.functionId;
    if (fid !== undefined && c.scope.inLoop && catalog.lookupRole(c.qualified, lang, PAUSE) && !handlers.has(fid)) loops.add(fid);
    if (catalog.lookupRole(c.qualified, lang, EVERY)) {
      const cb = c.args[0];
      const fn = cb?.kind === 'function' ? facts.functions[cb.functionId] : undefined;
      if (fn && !handlers.has(fn.id)) handlers.set(fn.id, { fn, kind: 'setInterval callback', consumer: false, monitor: 'every' });
    }
  }
  for (const fid of loops) handlers.set(fid, { fn: facts.functions[fid], kind: 'periodic loop', consumer: false, monitor: 'loop' });
  if (!handlers.size) return [];
  // a request-level timeout middleware in the file bounds every handler registered in it
  if (facts.calls.some((c) => catalog.lookupRole(c.qualified, lang, REQUEST_DEADLINE))) return [];

  let reaches: ReturnType<typeof functionReaches> | undefined;
  const topLevel = new Map(facts.functions.filter((f) => f.name && f.parentFunctionId === undefined && f.classId === undefined).map((f) => [f.name, f]));
  const out: FindingDraft[] = [];
  for (const c of facts.calls) {
    if (!c.scope.awaited || c.scope.functionId === undefined) continue;
    const handler = handlerOf(c);
    if (!handler) continue;
    // in a periodic loop, only what runs every round
    if (handler.monitor === 'loop' && (!c.scope.inLoop || c.scope.functionId !== handler.fn.id)) continue;
    if (deadlineBounded(c, facts, catalog) || decoratedWithDeadline(handler.fn)) continue;
    const what = handler.fn.name && !handler.kind.includes(handler.fn.name) ? `${handler.kind} \`${handler.fn.qualifiedName}\`` : handler.kind;
    const hazard =
      handler.monitor === 'loop'
        ? 'one round that hangs stops the loop, so nothing is checked (or alerted on) again until the process restarts'
        : handler.monitor === 'every'
          ? 'every tick starts another round while the hung ones pile up, each holding its sockets and memory'
          : handler.consumer
            ? 'this consumer slot takes no other message while the dependency stalls, and the messages behind it wait'
            : 'the request, and the worker serving it, waits as long as the dependency stalls, long after the caller gave up';
    const data: Record<string, string> = { callee: c.callee, handler: what, hazard };
    // a periodic loop whose round a library default bounds (aiohttp's 300 s) is slow, not stopped:
    // only a wait nothing bounds stops it
    const loopOnly = handler.monitor === 'loop';
    const counts = (w: NetworkWait) => (loopOnly ? w.limit === 'none' : w.limit !== 'explicit');
    const limitOnly: Record<string, string> = loopOnly ? { reachLimit: 'none' } : {};
    // a function of this file
    const self = /^(?:self|this)\.(\w+)$/.exec(c.callee);
    const local = self
      ? facts.functions.find((f) => f.classId !== undefined && f.classId === c.scope.classId && f.name === self[1])
      : /^\w+$/.test(c.callee)
        ? topLevel.get(c.callee)
        : undefined;
    if (local) {
      reaches ??= functionReaches(facts, catalog);
      const r = reaches.get(local.id);
      const waits = (r?.waits ?? []).filter(counts);
      if (waits.length) {
        const late = onlyLongLimits(waits);
        // a library default ends each wait (httpx's 5 s of inactivity): slow, not stuck, and the message says so
        const d = draft(c, { ...data, reach: reachText(waits, 'line '), reachedAt: JSON.stringify(waits.map((w) => `${facts.path}:${w.line}`)), ...(late ? { hazard: LATE_HAZARD } : {}) });
        if (late) Object.assign(d, { priority: 'P2', priorityReason: LATE });
        out.push(d);
        continue;
      }
      if (!r?.via.length) continue;
      // the local function leads into another module: the model follows it (one hop more)
      out.push(draft(c, { ...data, ...limitOnly, pending: 'reach', via: JSON.stringify(r.via), hops: '1' }));
      continue;
    }
    const targets = moduleTargets(c, facts);
    if (!targets) continue;
    out.push(draft(c, { ...data, ...limitOnly, pending: 'reach', via: JSON.stringify([targets]), hops: '0' }));
  }
  return out;

  function draft(c: CallFact, data: Record<string, string>): FindingDraft {
    return { ruleId: ctx.rule.id, loc: c.loc, message: ctx.rule.message, data, where: { scope: c.scope } };
  }

  /** The handler this call runs in: its own function or one it is nested in (a callback inside the handler). */
  function handlerOf(c: CallFact) {
    for (let f = c.scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) {
      const h = handlers.get(f);
      if (h) return h;
    }
    return undefined;
  }

  function decoratedWithDeadline(fn: FunctionFact): boolean {
    return fn.decorators.some((d) => catalog.lookupRole(d.qualified, lang, ['deadline', ...REQUEST_DEADLINE]));
  }
};

/** The first waits in words (at most two, then a count). */
export function reachText(waits: NetworkWait[], where: string): string {
  const shown = waits.slice(0, 2).map((w) => describeWait(w, where));
  const more = waits.length > 2 ? ` and ${waits.length - 2} more` : '';
  return `${shown.join(' and ')}${more}`;
}

export default check;
