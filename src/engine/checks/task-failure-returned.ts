// FL355: a task (catalog role `task.register`) whose `except` around its work only logs (or does
// nothing) and then returns: the framework sees a task that succeeded. Celery marks it SUCCESS and
// acks it, `autoretry_for` never sees the exception, late acks never redeliver it; taskiq's retry
// middleware and dramatiq's Retries act on exceptions only. A transient failure (a timeout, a 503,
// a broker blip) ends the work for good, and the return value is rarely read by anyone.
//
// Quiet when the handler re-raises (`raise`, `raise self.retry(...)`), calls the framework's retry,
// re-enqueues the work (a `queue.publish` call), records the failure anywhere but a log (any other
// call), or catches only exceptions that retrying cannot fix (rule options: `permanent`).
import type { Check } from '../api.js';
import type { CallFact, HandlerFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { isLoggingCall } from '../../languages/logging.js';
import { frameworkOf, taskOption } from '../analysis/task-frameworks.js';
import { functionAndNested } from '../analysis/facts-query.js';
import { taskHandlers } from '../analysis/handlers.js';

interface Options {
  /** caught types (last segment) that a retry cannot fix: returning on them is a decision, not a loss */
  permanent: string;
  /** calls that only build the returned value (`str(exc)`) */
  valueCalls: string[];
}

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const o = ctx.rule.options as unknown as Options;
  const permanent = new RegExp(o.permanent);
  const valueCalls = new Set(o.valueCalls);
  const lines = ctx.text.split('\n');
  const out: FindingDraft[] = [];
  for (const fn of taskHandlers(ctx)) {
    const ids = functionAndNested(facts, fn.id);
    const deco = fn.decorators.find((d) => catalog.lookupRole(d.qualified, facts.language, ['task.register']));
    const fw = deco ? frameworkOf(facts, catalog, deco.qualified) : undefined;
    const reported = new Set<number>();
    for (const c of facts.calls) {
      // the innermost try around work done directly in this task
      if (c.scope.functionId !== fn.id || !ids.has(c.scope.functionId)) continue;
      const t = c.scope.tries[0];
      if (!t || t.part !== 'body' || reported.has(t.tryId)) continue;
      const tr = facts.tries[t.tryId];
      const onlyPermanent = (x: HandlerFact) => x.types.length > 0 && x.types.every((ty) => permanent.test(ty.split('.').pop() ?? ''));
      const h = tr?.handlers.find((x: HandlerFact) => x.returns && !x.reraises && !onlyPermanent(x));
      if (!h) continue;
      const retryCall = fw?.retryCall;
      const handledCalls = facts.calls.filter((x: CallFact) => x.scope.tries.some((s) => s.tryId === t.tryId && s.part === 'handler'));
      if (retryCall && handledCalls.some((x) => x.callee === retryCall)) continue;
      if (handledCalls.some((x) => catalog.lookupRole(x.qualified, facts.language, ['queue.publish']))) continue;
      // only logs (building the returned value with `str(exc)` and the like does not handle anything)
      if (!h.callees.every((x) => isLoggingCall(x) || valueCalls.has(x))) continue;
      const ret = lines.slice(h.loc.line - 1, h.loc.endLine).join('\n').match(/\breturn\b[ \t]*([^\n#]*)/);
      const value = ret?.[1].trim() || 'None';
      reported.add(t.tryId);
      // name the work, not the client opened for it (`async with httpx.AsyncClient() as c: await c.post(…)`)
      const inTry = facts.calls.filter((x) => x.scope.functionId === fn.id && x.scope.tries[0]?.tryId === t.tryId && x.scope.tries[0].part === 'body');
      const opened = new Set(inTry.flatMap((x) => x.scope.withCalls));
      const work = inTry.find((x) => !opened.has(x.id)) ?? c;
      const caught = h.types.length ? h.types.join(', ') : 'every exception';
      const d: FindingDraft = {
        ruleId: ctx.rule.id,
        loc: h.loc,
        message: ctx.rule.message,
        data: {
          task: fn.name,
          caught,
          value,
          outcome:
            fw?.framework === 'celery'
              ? 'Celery records the task as a success and acks it, so neither `autoretry_for`, `self.retry()` nor a late-ack redelivery ever runs it again'
              : 'the task framework records a success, so no retry middleware or redelivery runs it again',
          line: String(work.loc.line),
          callee: work.callee,
        },
        symbol: fn.qualifiedName,
        where: { scope: fn.scope },
      };
      // a failure returned under a key that the code which reads task results checks (WebODM's
      // exports return `{'error': str(e)}`, and app/api/workers.py shows `result['error']` to the
      // user): a reported failure, settled by the project model
      const first = /^\{\s*['"](\w+)['"]\s*:/.exec(value)?.[1];
      const key = first && fw?.resultErrorKeys?.includes(first) ? first : undefined;
      if (key && fw) Object.assign(d.data!, { pendingOn: `${fw.app.constructor.split('.')[0]}:result-key-${key}`, pendingMiss: 'keep', pendingHit: 'drop' });
      // a Celery task that declares no retry (no `autoretry_for`, no `self.retry()` anywhere in it)
      // would not run again if it re-raised either: what the return costs is the FAILURE state
      // that monitoring shows (mediacms's `save_user_action`, `clear_sessions`)
      if (fw?.framework === 'celery') {
        const decoCall = deco?.callId === undefined ? undefined : facts.calls[deco.callId];
        const retries =
          !['absent', 'false'].includes(taskOption(decoCall, fw, 'auto-retry')) ||
          (fw.retryCall !== undefined && facts.calls.some((x) => x.callee === fw.retryCall && x.scope.functionId !== undefined && ids.has(x.scope.functionId)));
        if (!retries) {
          d.data!.outcome = 'Celery records the task as a success; the task declares no retry (no `autoretry_for`, no `self.retry()`), so re-raising would not run it again either, but it would record a FAILURE that monitoring and result backends show';
          d.priority = 'P2';
          d.priorityReason = 'no retry is declared for this task: the return hides the failure rather than losing a retry';
        }
      }
      out.push(d);
    }
  }
  return out;
};

export default check;
