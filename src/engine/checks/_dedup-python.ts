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
import type { RuleContext } from '../api.js';
import type { CallFact, FileFacts, FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { appSetting, isCeleryTask, truth } from './_celery.js';
import { functionAndNested } from '../facts-query.js';
import { taskHandlers } from '../handlers.js';

export interface PythonDedupOptions {
  /** method names (last callee segment) that write to a store */
  writeMethods?: string[];
  /** receivers (callee as written, before the method) that make `writeMethods` count, as a regex */
  writeReceiver?: string;
  /** SQL that writes, in a string argument of any call */
  writeSql?: string;
  /** HTTP methods that change state on the remote side */
  httpMethods?: string[];
  /** method names that send e-mail / SMS */
  notifyMethods?: string[];
  /** regexes: any match in the handler's source text counts as a dedup check */
  dedup?: string[];
  /**
   * Celery task options that make delivery at-least-once (redelivery after a crash, or retries).
   * A Celery task with none of them, no `self.retry()` and no app-level `task_acks_late` is acked
   * before it runs: at most once, so no duplicates to guard against.
   */
  celeryRedelivery?: string[];
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

function lastSegment(callee: string): string {
  const i = callee.lastIndexOf('.');
  return i < 0 ? callee : callee.slice(i + 1);
}

/**
 * Can this handler run more than once for one message? 'redelivery': the whole message comes back
 * (late acks, brokers that ack after the run); 'retry': Celery re-runs it after an exception only;
 * undefined: Celery's default early ack with no retries, at most once.
 */
function redelivery(ctx: RuleContext, fn: FunctionFact, ids: Set<number>, celeryKeys: string[]): 'redelivery' | 'retry' | undefined {
  const { facts, catalog } = ctx;
  const decos = fn.decorators.filter((d) => catalog.lookupRole(d.qualified, facts.language, ['task.register']));
  const celery = decos.filter((d) => isCeleryTask(facts, d.qualified));
  if (!celery.length) return 'redelivery'; // taskiq (acks after the result is saved), dramatiq, RQ
  let retry = false;
  for (const d of celery) {
    const call = d.callId === undefined ? undefined : facts.calls[d.callId];
    if (!call) continue;
    if (call.kwargsOpen) return 'redelivery';
    for (const k of celeryKeys) {
      const v = call.kwargs[k];
      if (!v || truth(v) === 'false') continue;
      if (k === 'acks_late') return 'redelivery';
      retry = true;
    }
  }
  if (appSetting(facts, catalog, 'acks-late') === 'true') return 'redelivery';
  if (facts.calls.some((c) => c.scope.functionId !== undefined && ids.has(c.scope.functionId) && /^self\.retry$/.test(c.callee))) retry = true;
  return retry ? 'retry' : undefined;
}

function sourceOf(text: string, fn: FunctionFact): string {
  const lines = text.split('\n');
  return lines.slice(fn.loc.line - 1, fn.loc.endLine).join('\n');
}

/** The python half of FL600 (side-effect-dedup.ts): `opts` is the rule's `python:` options block. */
export function pythonTaskFindings(ctx: RuleContext, opts: PythonDedupOptions): FindingDraft[] {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const writeMethods = new Set(opts.writeMethods ?? []);
  const writeReceiver = new RegExp(opts.writeReceiver ?? '.', 'i');
  const writeSql = opts.writeSql ? new RegExp(opts.writeSql, 'i') : undefined;
  const httpMethods = new Set(opts.httpMethods ?? ['post', 'put', 'patch', 'delete']);
  const notifyMethods = new Set(opts.notifyMethods ?? []);
  const dedup = (opts.dedup ?? []).map((p) => new RegExp(p, 'i'));
  const celeryKeys = opts.celeryRedelivery ?? ['acks_late', 'autoretry_for', 'retry_kwargs', 'max_retries'];

  const effectOf = (c: CallFact): Effect['kind'] | undefined => {
    const method = lastSegment(c.callee);
    if (catalog.lookupRole(c.qualified, lang, ['payment.create'])) return 'payment';
    if (catalog.lookupRole(c.qualified, lang, ['queue.publish'])) return 'publish';
    if (catalog.lookupRole(c.qualified, lang, ['http.request']) && httpMethods.has(lastSegment(c.qualified ?? ''))) return 'post';
    if (notifyMethods.has(method)) return 'notify';
    const receiver = c.callee.slice(0, Math.max(0, c.callee.length - method.length - 1));
    if (writeMethods.has(method) && receiver && writeReceiver.test(receiver)) return 'write';
    if (writeSql && c.args.some((a) => a.kind === 'string' && writeSql.test(a.value))) return 'write';
    return undefined;
  };

  const out: FindingDraft[] = [];
  for (const fn of taskHandlers(ctx)) {
    const ids = functionAndNested(facts, fn.id);
    const effects: Effect[] = [];
    for (const c of facts.calls) {
      if (c.scope.functionId === undefined || !ids.has(c.scope.functionId)) continue;
      const kind = effectOf(c);
      // a task that re-enqueues itself (the next batch) repeats its own work, not a side effect
      if (kind === 'publish' && c.callee.startsWith(`${fn.name}.`)) continue;
      if (kind) effects.push({ kind, call: c });
    }
    if (!effects.length) continue;
    const again = redelivery(ctx, fn, ids, celeryKeys);
    if (!again) continue;
    // a retry after an exception repeats the side effects that had already succeeded: with a single
    // one, the retry mostly follows its own failure (only an ambiguous timeout duplicates it)
    if (again === 'retry' && effects.length === 1) continue;
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
        delivery: again === 'retry' ? 'a retry after a failure runs it again' : 'its message can be delivered again',
      },
      symbol: fn.qualifiedName,
      where: { scope: fn.scope },
    };
    if (first.kind !== 'payment') {
      d.priority = 'P1';
      d.priorityReason = 'a duplicate write or message, not a duplicate payment';
    }
    out.push(d);
  }
  return out;
}
