// FL358: `asyncio.create_task(<write>())` as a statement of its own. The event loop keeps tasks
// weakly, so the task may be collected before it finishes, and nothing ever reads its outcome: a
// failed write is lost with at most a "Task exception was never retrieved" line at collection.
// Kept tasks are quiet: assigned, returned, awaited, handed to a call, or chained with a
// done-callback. So is a coroutine of this file that catches every exception around its work.
import { catchesAnything } from '../analysis/facts-query.js';
import type { Check } from '../api.js';
import type { CallFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { isLoggingCall } from '../../languages/logging.js';

interface Options {
  spawners: string[];
  writes: string;
}

const last = (s: string) => s.slice(s.lastIndexOf('.') + 1);

const check: Check = (ctx) => {
  const { facts } = ctx;
  const o = ctx.rule.options as unknown as Options;
  const spawners = new Set(o.spawners);
  const writes = new RegExp(o.writes);
  /** a coroutine function of this file whose work all sits in a try that catches anything */
  const handlesItsOwnFailure = (name: string): boolean => {
    const fns = facts.functions.filter((f) => f.name === name && f.isAsync);
    return (
      fns.length > 0 &&
      fns.every((f) => {
        const work = facts.calls.filter((c) => c.scope.functionId === f.id && !isLoggingCall(c.qualified ?? c.callee) && !c.scope.tries.some((t) => t.part === 'handler'));
        return work.length > 0 && work.every((c) => c.scope.tries.some((t) => t.part === 'body' && facts.tries[t.tryId]?.handlers.some((h) => catchesAnything(h) && !h.reraises)));
      })
    );
  };
  const out: FindingDraft[] = [];
  for (const c of facts.calls) {
    if (!c.qualified || !spawners.has(c.qualified)) continue;
    // only a spawn that is a statement of its own drops its task (the parser says so)
    if (!c.scope.statement) continue;
    const arg = c.args[0];
    const inner = arg?.kind === 'call' ? facts.calls[arg.callId] : undefined;
    if (!inner || !writes.test(last(inner.callee))) continue;
    if (/^(self\.)?\w+$/.test(inner.callee) && handlesItsOwnFailure(last(inner.callee))) continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: c.loc,
      message: ctx.rule.message,
      data: { spawner: c.callee, callee: inner.callee },
      where: { scope: c.scope },
    });
  }
  return out;
};

export default check;
