// FL600: an at-least-once handler (a task, job processor, queue consumer or webhook route) whose
// side effect (a payment, a write, a state-changing request, a message) has no dedup check. One
// hazard, one rule; each language's half reads its own options block:
//   python      task handlers from the catalog (`task.register`), Celery's delivery semantics
//   typescript  job processors and consumers from the catalog (`message-handlers`), webhook-like routes from the options
import type { Check, RuleContext } from '../api.js';
import type { CallFact, FunctionFact, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { appSetting, frameworkOf, optionKeys, truth } from '../analysis/task-frameworks.js';
import { functionAndNested } from '../analysis/facts-query.js';
import { declaredHandlers, httpHandlers, taskHandlers, type Handler, type HandlerOptions } from '../analysis/handlers.js';
import { attemptsCount, jobRetryPolicy } from '../analysis/job-queues.js';
import { lastSegment, writeCalls, type WriteOptions } from '../analysis/side-effects.js';

interface Options {
  python: PythonDedupOptions;
  typescript: TypeScriptDedupOptions;
}

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  return ctx.facts.language === 'python' ? pythonTaskFindings(ctx, o.python) : typescriptHandlerFindings(ctx, o.typescript);
};

export default check;

// ---------------------------------------------------------------------------------------- python
// Task/job handlers (taskiq `@broker.task`, Celery `@app.task` / `@shared_task`, dramatiq
// `@actor`, RQ `@job`, and functions handed to `queue.enqueue(fn, …)`) run again whenever their
// message is redelivered or retried. A handler that writes, posts, publishes, mails or charges
// with no dedup check repeats the side effect.
//
// Which decorators register tasks and which calls publish or make HTTP requests comes from the
// catalog (roles `task.register`, `queue.publish`, `http.request`, `payment.create`); the
// side-effect method names and the dedup signals (`ON CONFLICT`, `get_or_create`, an idempotency
// key, `nx=True`, an existing-result check) are rule options, matched on the handler's source
// text, which keeps the check lenient: any visible dedup signal silences it.
interface PythonDedupOptions extends WriteOptions {
  /** HTTP methods that change state on the remote side */
  httpMethods: string[];
  /** method names that send e-mail / SMS */
  notifyMethods: string[];
  /** regexes: any match in the handler's source text counts as a dedup check */
  dedup: string[];
  /** HTTP routes (catalog `http.route`) whose literal path looks like a webhook: methods and path regex */
  routeMethods: string[];
  routePattern: string;
}

interface Effect {
  kind: 'payment' | 'write' | 'post' | 'publish' | 'notify';
  call: CallFact;
}

const WORDS: Record<Effect['kind'], string> = {
  payment: 'charges a payment',
  write: 'writes to the database',
  post: 'sends a state-changing HTTP request',
  publish: 'publishes a message',
  notify: 'sends a notification',
};

/**
 * Can this handler run more than once for one message, and what makes it? 'redelivery': the whole
 * message comes back (late acks, brokers that ack after the run); 'retry': the framework re-runs it
 * after an exception only; 'pending': a framework that acks before running (catalog
 * `task-frameworks`, `acksEarly`: Celery) whose task says nothing and whose app is configured in
 * another module: the project model settles it from the process-wide defaults (`task_acks_late`
 * in the app module, `CELERY_TASK_ACKS_LATE` in Django settings). undefined: at most once (early
 * ack, no retries), so no duplicates to guard against. `why` names the mechanism.
 */
interface Delivery {
  mode: 'redelivery' | 'retry' | 'pending';
  why: string;
  /** the setting that decides is set from a value the scan cannot see */
  unknown?: boolean;
  /** for 'pending': the framework setting the model looks up, and the sentence it fills in */
  pendingOn?: string;
  pendingSay?: string;
  /** for a task on an imported app: the model first checks that the app is the framework's */
  pendingIf?: string;
  appModule?: string;
  appName?: string;
}

const LOST_MID_TASK = 'a worker lost mid-task (OOM kill, deploy, lost broker connection) or a broker visibility timeout delivers it again';

function redelivery(ctx: RuleContext, fn: FunctionFact, ids: Set<number>): Delivery | undefined {
  const { facts, catalog } = ctx;
  const decos = fn.decorators.filter((d) => catalog.lookupRole(d.qualified, facts.language, ['task.register']));
  const early = decos.map((d) => ({ d, fw: frameworkOf(facts, catalog, d.qualified) })).filter((x) => x.fw?.acksEarly);
  const generic: Delivery = { mode: 'redelivery', why: 'its message can be delivered again (a broker that acks after the run redelivers it when the worker dies first, and a retry re-runs it)' };
  if (!early.length) return importedApp(ctx, decos) ?? generic;
  let retry: string | undefined;
  let acks: 'true' | 'false' | undefined;
  for (const { d, fw } of early) {
    const call = d.callId === undefined ? undefined : facts.calls[d.callId];
    if (!call) continue;
    // options spread from a value not visible here may or may not turn late acks on: like an
    // unreadable `acks_late=` value, P2 (openwisp's `**API_TASK_RETRY_OPTIONS` holds only retry knobs)
    if (call.kwargsOpen) return { mode: 'redelivery', unknown: true, why: 'its options are passed through `**kwargs`, so late acks or retries may be on' };
    for (const k of optionKeys(fw!, 'acks-late')) {
      const t = truth(call.kwargs[k]);
      if (t === 'true') return { mode: 'redelivery', why: `\`${k}=True\` acks it only after the run: ${LOST_MID_TASK}` };
      if (t === 'unknown') return { mode: 'redelivery', unknown: true, why: `\`${k}\` is set from a value not visible here; if it is on, ${LOST_MID_TASK}` };
      if (t === 'false') acks = 'false';
    }
    // `max_retries` / `retry_kwargs` alone retry nothing: they bound `autoretry_for` or `self.retry()`
    for (const k of optionKeys(fw!, 'auto-retry')) {
      const v = call.kwargs[k];
      if (v && truth(v) !== 'false') retry = `\`${k}\` re-runs the whole task after an exception, repeating what already succeeded`;
    }
  }
  const fw = early[0].fw!;
  if (fw.retryCall && facts.calls.some((c) => c.scope.functionId !== undefined && ids.has(c.scope.functionId) && c.callee === fw.retryCall)) {
    retry = `\`${fw.retryCall}()\` re-runs the whole task, repeating what already succeeded before the failure`;
  }
  if (acks !== 'false') {
    const app = appSetting(facts, fw, 'acks-late');
    const names = fw.app.settings['acks-late'] ?? [];
    if (app === 'true') return { mode: 'redelivery', why: `the app in this file sets \`${names[0] ?? 'acks-late'}\`: ${LOST_MID_TASK}` };
    if (app === 'unknown' && !retry) {
      return {
        mode: 'pending',
        why: `its ${fw.framework} app is configured in another module, which may turn on late acks`,
        pendingOn: `${fw.framework}:acks-late`,
        pendingSay: `its ${fw.framework[0].toUpperCase()}${fw.framework.slice(1)} app acks late ({setting}): ${LOST_MID_TASK}`,
      };
    }
  }
  return retry ? { mode: 'retry', why: retry } : undefined;
}

/**
 * A bare `@app.task` on an app imported from the project's own code, in a file that imports no
 * framework: an early-acking framework's (Celery's) when the project model finds that the imported
 * name is such an app, built in that module; then its delivery is the app's process-wide setting.
 */
function importedApp(ctx: RuleContext, decos: FunctionFact['decorators']): Delivery | undefined {
  const { facts, catalog } = ctx;
  for (const d of decos) {
    const root = d.text.replace(/^@/, '').split(/[.(]/)[0];
    const imp = facts.imports.find((i) => i.local === root && i.name !== undefined);
    if (!imp) continue;
    for (const fw of catalog.entries('task-frameworks', facts.language)) {
      if (!fw.acksEarly || !new RegExp(fw.decorators.bare, 'i').test(d.qualified ?? '') || new RegExp(fw.decorators.bareNot, 'i').test(d.qualified ?? '')) continue;
      const call = d.callId === undefined ? undefined : facts.calls[d.callId];
      if (call?.kwargsOpen) return undefined;
      for (const k of optionKeys(fw, 'acks-late')) {
        const t = truth(call?.kwargs[k]);
        if (t === 'true') return { mode: 'redelivery', why: `\`${k}=True\` acks it only after the run: ${LOST_MID_TASK}` };
        if (t !== 'absent') return undefined;
      }
      const auto = optionKeys(fw, 'auto-retry').find((k) => call?.kwargs[k] && truth(call.kwargs[k]) !== 'false');
      if (auto) return { mode: 'retry', why: `\`${auto}\` re-runs the whole task after an exception, repeating what already succeeded` };
      return {
        mode: 'redelivery',
        why: 'its message can be delivered again (a broker that acks after the run redelivers it when the worker dies first, and a retry re-runs it)',
        pendingOn: `${fw.framework}:acks-late`,
        pendingIf: `${fw.framework}:app`,
        appModule: imp.module,
        appName: imp.name!,
        pendingSay: `its ${fw.framework[0].toUpperCase()}${fw.framework.slice(1)} app acks late ({setting}): ${LOST_MID_TASK}`,
      };
    }
  }
  return undefined;
}

function sourceOf(text: string, fn: FunctionFact): string {
  const lines = text.split('\n');
  return lines.slice(fn.loc.line - 1, fn.loc.endLine).join('\n');
}

/** The python half of FL600: `opts` is the rule's `python:` options block. */
function pythonTaskFindings(ctx: RuleContext, opts: PythonDedupOptions): FindingDraft[] {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const writes = writeCalls(opts);
  const httpMethods = new Set(opts.httpMethods);
  const notifyMethods = new Set(opts.notifyMethods);
  const dedup = opts.dedup.map((p) => new RegExp(p, 'i'));

  const effectOf = (c: CallFact): Effect['kind'] | undefined => {
    const method = lastSegment(c.callee);
    if (catalog.lookupRole(c.qualified, lang, ['payment.create'])) return 'payment';
    if (catalog.lookupRole(c.qualified, lang, ['queue.publish'])) return 'publish';
    if (catalog.lookupRole(c.qualified, lang, ['http.request']) && httpMethods.has(lastSegment(c.qualified ?? ''))) return 'post';
    if (notifyMethods.has(method)) return 'notify';
    return writes(c) ? 'write' : undefined;
  };

  const effectsOf = (fn: FunctionFact, ids: Set<number>): Effect[] => {
    const effects: Effect[] = [];
    for (const c of facts.calls) {
      if (c.scope.functionId === undefined || !ids.has(c.scope.functionId)) continue;
      const kind = effectOf(c);
      // a task that re-enqueues itself (the next batch) repeats its own work, not a side effect
      if (kind === 'publish' && c.callee.startsWith(`${fn.name}.`)) continue;
      if (kind) effects.push({ kind, call: c });
    }
    return effects;
  };

  const out: FindingDraft[] = [...webhookRouteFindings(ctx, opts, effectsOf, dedup)];
  for (const fn of taskHandlers(ctx)) {
    const ids = functionAndNested(facts, fn.id);
    const effects = effectsOf(fn, ids);
    if (!effects.length) continue;
    const again = redelivery(ctx, fn, ids);
    if (!again) continue;
    // a retry after an exception repeats the side effects that had already succeeded: with a single
    // one, the retry mostly follows its own failure (only an ambiguous timeout duplicates it)
    if (again.mode === 'retry' && effects.length === 1) continue;
    const source = sourceOf(ctx.text, fn);
    if (dedup.some((re) => re.test(source))) continue;
    const first = effects.find((e) => e.kind === 'payment') ?? effects[0];
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: fn.nameLoc,
      message: ctx.rule.message,
      data: {
        subject: `Task \`${fn.name}\``,
        effect: WORDS[first.kind],
        callee: first.call.callee,
        at: `, line ${first.call.loc.line}`,
        delivery: again.why,
        ...(again.pendingOn ? { pendingOn: again.pendingOn, pendingSay: again.pendingSay! } : {}),
        ...(again.pendingIf ? { pendingIf: again.pendingIf, appModule: again.appModule!, appName: again.appName! } : {}),
      },
      symbol: fn.qualifiedName,
      where: { scope: fn.scope },
    };
    if (again.unknown) {
      d.priority = 'P2';
      d.priorityReason = 'whether the task acks late is not visible';
    } else if (first.kind !== 'payment') {
      d.priority = 'P1';
      d.priorityReason = 'a duplicate write or message, not a duplicate payment';
    }
    out.push(d);
  }
  return out;
}

/**
 * Python webhook routes: a POST/PUT route (catalog `http.route`) whose literal path looks like a
 * webhook, doing a side effect with no dedup signal. The sender (catalog `webhook-senders`) says
 * whether it delivers again; GitHub does not on its own (P2). A payment is P0, and so is an
 * enqueue when the sender retries: the task it starts runs once per delivery.
 */
function webhookRouteFindings(
  ctx: RuleContext,
  opts: PythonDedupOptions,
  effectsOf: (fn: FunctionFact, ids: Set<number>) => Effect[],
  dedup: RegExp[],
): FindingDraft[] {
  const { facts } = ctx;
  const path = new RegExp(opts.routePattern, 'i');
  const methods = new Set(opts.routeMethods.map((m) => m.toUpperCase()));
  const out: FindingDraft[] = [];
  const seen = new Set<number>();
  for (const h of httpHandlers(ctx)) {
    if (seen.has(h.fn.id) || !h.path || !path.test(h.path) || !methods.has(h.kind.split(' ')[0])) continue;
    seen.add(h.fn.id);
    const ids = functionAndNested(facts, h.fn.id);
    const effects = effectsOf(h.fn, ids);
    if (!effects.length) continue;
    if (dedup.some((re) => re.test(sourceOf(ctx.text, h.fn)))) continue;
    const sender = ctx.catalog.entries('webhook-senders', facts.language).find((w) => new RegExp(w.path, 'i').test(h.path!));
    const first = effects.find((e) => e.kind === 'payment') ?? effects.find((e) => e.kind === 'publish') ?? effects[0];
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: h.fn.nameLoc,
      message: ctx.rule.message,
      data: {
        subject: `The ${h.kind}`,
        effect: first.kind === 'publish' ? 'enqueues a task' : WORDS[first.kind],
        callee: first.call.callee,
        at: `, line ${first.call.loc.line}`,
        delivery: sender?.redelivery ?? 'the sender delivers again when it got no 2xx in time, including after the work was done and the answer was late',
      },
      symbol: h.fn.qualifiedName,
      where: { scope: h.fn.scope },
    };
    if (sender && !sender.retries) {
      d.priority = 'P2';
      d.priorityReason = `${sender.sender} does not redeliver on its own`;
    } else if (first.kind !== 'payment' && !(first.kind === 'publish' && sender)) {
      d.priority = 'P1';
      d.priorityReason = 'a duplicate write or message, not a duplicate payment';
    }
    out.push(d);
  }
  return out;
}

// ------------------------------------------------------------------------------------ typescript
// At-least-once handlers that create or charge without a dedup key. Handlers are found from data:
//   job processors and consumers   catalog section `message-handlers` (`bullmq.Worker` arg 1,
//              kafkajs `consumer().run({ eachMessage })`, amqplib `consume`)
//   routes     rule options: `<router>.post(path, …, handler)` with a path matching `routePattern`
//   routeFiles rule options: a webhook-like file path + exported function names (Next.js `app/**/route.ts` POST)
// Side effects: calls matching `charge` (payments: P0) or `create` (records, mail: P1) patterns.
// Dedup signals anywhere in the handler: an idempotency key property, a dedup/upsert call, an SQL
// conflict clause, or — for workers — a deterministic `jobId` on the adds in the same file.
interface TypeScriptDedupOptions extends Pick<HandlerOptions, 'routeMethods' | 'routePattern' | 'routeFiles'> {
  /** regexes (case-insensitive but `dedupKeys`): calls that charge money, calls that create a record or send a message */
  charge: string;
  create: string;
  /** calls, option keys and SQL that dedupe */
  dedupCalls: string;
  dedupKeys: string;
  dedupSql: string;
}


function* values(v: Value): Generator<{ key?: string; v: Value }> {
  yield { v };
  if (v.kind === 'object') for (const [k, x] of Object.entries(v.props)) for (const y of values(x)) yield { key: y.key ?? k, v: y.v };
  if (v.kind === 'array') for (const x of v.items) yield* values(x);
  if (v.kind === 'name' && v.resolved) yield* values(v.resolved);
}

function hasKey(v: Value, re: RegExp): boolean {
  for (const x of values(v)) {
    if (x.v.kind === 'object' && Object.keys(x.v.props).some((k) => re.test(k))) return true;
  }
  return false;
}

/** What delivers a TS/JS handler's event again, and how sure that is. */
interface TsDelivery {
  why: string;
  /** lower the priority one step, with this reason (only a stall or a manual redelivery repeats it) */
  weaker?: string;
}

/** The value of `key` in the options at argument `at` of `call`, when it is a literal. */
function optionLiteral(call: CallFact | undefined, at: number, key: string): unknown {
  const o = call?.args[at];
  const obj = o && o.kind === 'name' && o.resolved ? o.resolved : o;
  if (!obj || obj.kind !== 'object') return undefined;
  const v = obj.props[key];
  const lit = v && v.kind === 'name' && v.resolved ? v.resolved : v;
  return lit && (lit.kind === 'boolean' || lit.kind === 'number') ? lit.value : undefined;
}

/**
 * Why a TS/JS handler runs again: a job's attempts seen on the adds of its queue in this file,
 * the library's own redelivery (catalog `message-handlers` `redelivery`: stalled jobs, uncommitted
 * offsets, unacked deliveries) unless an option turns it off, or the webhook sender's retries
 * (catalog `webhook-senders`). undefined: it runs at most once.
 */
function tsDelivery(ctx: RuleContext, h: Handler): TsDelivery | undefined {
  const facts = ctx.facts;
  const e = h.entry;
  if (e) {
    let retry: string | undefined;
    const q = e.retries ? ctx.catalog.entries('job-queues', facts.language).find((x) => x.add === e.retries) : undefined;
    if (q) {
      const name = h.call?.args[0]?.kind === 'string' ? h.call.args[0].value : undefined;
      for (const c of facts.calls) {
        if (c.qualified !== q.add) continue;
        const policy = jobRetryPolicy(facts, c, q);
        const queueName = policy.queue?.args[0]?.kind === 'string' ? policy.queue.args[0].value : undefined;
        if (name && queueName && name !== queueName) continue;
        const n = attemptsCount(policy.attempts);
        if (n !== undefined && n > 1) {
          retry = `\`${q.attemptsKey}: ${n}\` on \`${c.callee}\` (line ${c.loc.line}) re-runs the job after each failure, repeating what already succeeded`;
          break;
        }
      }
    }
    if (retry) return { why: retry };
    const once = e.atMostOnce && optionLiteral(h.call, e.atMostOnce.optionsArg, e.atMostOnce.key) === e.atMostOnce.equals;
    if (once || !e.redelivery) return undefined;
    if (h.entry?.kind === 'job-processor' && q) {
      return { why: e.redelivery, weaker: `only a stalled job runs twice: no \`${q.attemptsKey}\` above 1 on the adds of this queue in this file` };
    }
    return { why: e.redelivery };
  }
  const where = h.path ?? '';
  const sender = ctx.catalog.entries('webhook-senders', facts.language).find((w) => new RegExp(w.path, 'i').test(where));
  if (sender && !sender.retries) return { why: sender.redelivery, weaker: `${sender.sender} does not redeliver on its own` };
  if (sender) return { why: sender.redelivery };
  return { why: 'the sender delivers again when it got no 2xx in time, including after the work was done and the answer was late' };
}

/** The typescript half of FL600: `o` is the rule's `typescript:` options block. */
function typescriptHandlerFindings(ctx: RuleContext, o: TypeScriptDedupOptions): FindingDraft[] {
  const facts = ctx.facts;
  const lang = facts.language;
  const charge = new RegExp(o.charge, 'i');
  const create = new RegExp(o.create, 'i');
  const dedupCalls = new RegExp(o.dedupCalls, 'i');
  const dedupKeys = new RegExp(o.dedupKeys);
  const dedupSql = new RegExp(o.dedupSql, 'i');
  const injected = ctx.catalog.entries('injected-publishers', lang).map((p) => ({ methods: new Set(p.methods), receiver: new RegExp(p.receiver, 'i') }));
  const publishes = (c: CallFact): boolean => {
    if (c.qualified && ctx.catalog.lookupRole(c.qualified, lang, ['queue.publish'])) return true;
    if (c.qualified) return false;
    const dot = c.callee.lastIndexOf('.');
    if (dot < 0) return false;
    const receiver = c.callee.slice(0, dot).split('.').pop() ?? '';
    return injected.some((p) => p.methods.has(c.callee.slice(dot + 1)) && p.receiver.test(receiver));
  };

  const handlers = declaredHandlers(facts, ctx.file.path, { ...o, handlers: ctx.catalog.entries('message-handlers', facts.language) });
  if (!handlers.length) return [];

  // producers in this file that dedupe with a deterministic job id guard the workers of their
  // queue: every add onto the worker's queue (by name, when both are literal) carries a `jobId`
  const adds = facts.calls.filter((c) => /\(\)\.(add|addBulk)$/.test(c.qualified ?? ''));
  const withJobId = (c: CallFact) => c.args.some((a) => hasKey(a, /^jobId$/));
  const queueOf = (c: CallFact) => {
    const q = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall];
    return q?.args[0]?.kind === 'string' ? q.args[0].value : undefined;
  };
  const jobIdOnAdds = (h: Handler): boolean => {
    const name = h.call?.args[0]?.kind === 'string' ? h.call.args[0].value : undefined;
    const mine = adds.filter((c) => !name || !queueOf(c) || queueOf(c) === name);
    return mine.length > 0 && mine.every(withJobId);
  };

  const name = (c: CallFact) => c.qualified ?? c.callee;
  const isCharge = (c: CallFact) => charge.test(name(c)) || charge.test(c.callee);
  const callsOf = (h: Handler) => {
    const inside = functionAndNested(facts, h.fn.id);
    return facts.calls.filter((c) => c.scope.functionId !== undefined && inside.has(c.scope.functionId));
  };
  // queues whose worker in this file charges money: enqueueing onto one twice charges twice
  const chargingQueues = new Set(
    handlers.filter((h) => h.entry?.kind === 'job-processor' && h.call?.args[0]?.kind === 'string' && callsOf(h).some(isCharge)).map((h) => (h.call!.args[0] as { value: string }).value),
  );

  const out: FindingDraft[] = [];
  for (const h of handlers) {
    const inside = functionAndNested(facts, h.fn.id);
    const calls = callsOf(h);
    const effects = calls.filter((c) => isCharge(c) || create.test(c.callee) || publishes(c));
    if (!effects.length) continue;
    if (h.kind === 'job processor' && jobIdOnAdds(h)) continue;
    const guarded =
      calls.some((c) => dedupCalls.test(c.callee)) ||
      calls.some((c) => c.args.some((a) => hasKey(a, dedupKeys) || [...values(a)].some((x) => (x.v.kind === 'string' && dedupSql.test(x.v.value)) || (x.v.kind === 'other' && dedupSql.test(x.v.text))))) ||
      facts.assignments.some((a) => a.scope.functionId !== undefined && inside.has(a.scope.functionId) && hasKey(a.value, dedupKeys));
    if (guarded) continue;
    const again = tsDelivery(ctx, h);
    if (!again) continue;
    const chain = effects.find((c) => publishes(c) && chargingQueues.has(queueOf(c) ?? ''));
    const money = effects.find(isCharge) ?? chain;
    const first = money ?? effects.find((c) => create.test(c.callee)) ?? effects[0];
    const enqueues = !create.test(first.callee) && !isCharge(first);
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: first.loc,
      message: ctx.rule.message,
      data: {
        subject: `This ${h.kind}`,
        effect: chain && first === chain ? `enqueues a charge onto queue \`${queueOf(chain)}\`` : money ? 'charges money' : enqueues ? 'enqueues a job or publishes a message' : 'creates a record or sends a message',
        callee: first.callee,
        at: '',
        delivery: again.why,
      },
      where: { scope: first.scope },
    };
    // a payment repeated by a stalled job (a worker killed mid-charge) is still a double charge on
    // one common fault: P0; other side effects repeated only that way drop a step
    const base = money ? 'P0' : 'P1';
    const priority = again.weaker && !money ? 'P2' : base;
    if (priority !== 'P0') {
      d.priority = priority;
      d.priorityReason = again.weaker ?? (enqueues ? 'a duplicate job or message, no money moves here' : 'creates a duplicate record or message, no money moves');
    }
    out.push(d);
  }
  return out;
}
