// FL357: a task that writes a batch in a loop and commits it once, with no rollback, no retry and
// no dead-letter. One bad row or a connection dropped at the commit fails the whole batch: nothing
// retries it, nothing parks the rows that failed, and a session shared with the next task (a
// module-level or scoped session) is left in a failed transaction until someone rolls it back.
//
// Tasks come from the catalog (`task.register`, and functions handed to an enqueue call); writes
// and commits from the rule's options (row-creating methods on session-like receivers). Quiet when
// the function rolls back (`.rollback()`, or the commit runs inside a transaction context such as
// `with session.begin():`), when the task retries (its framework's retry options or retry call, a
// retry decorator: catalog `retry.policy`), or when an `except` around the commit does more than log.
import type { Check } from '../api.js';
import type { CallFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { isLoggingCall } from '../../languages/logging.js';
import { functionAndNested } from '../analysis/facts-query.js';
import { taskHandlers } from '../analysis/handlers.js';
import { lastSegment, writeCalls, type WriteOptions } from '../analysis/side-effects.js';
import { frameworkOf, optionKeys, truth } from '../analysis/task-frameworks.js';

interface Options extends WriteOptions {
  /** methods that commit, on a receiver matching `writeReceiver` */
  commitMethods: string[];
  rollbackMethods: string[];
  /** context managers (last callee segment) that roll back on an exception */
  transactionContexts: string[];
  /** task keywords that ask for retries, beyond the framework's own (taskiq's label) */
  retryKeywords: string[];
}

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const o = ctx.rule.options as unknown as Options;
  const writes = writeCalls(o);
  const receiver = new RegExp(o.writeReceiver, 'i');
  const commits = new Set(o.commitMethods);
  const rollbacks = new Set(o.rollbackMethods);
  const tx = new Set(o.transactionContexts);
  const out: FindingDraft[] = [];
  for (const fn of taskHandlers(ctx)) {
    const ids = functionAndNested(facts, fn.id);
    const calls = facts.calls.filter((c) => c.scope.functionId !== undefined && ids.has(c.scope.functionId));
    const onSession = (c: CallFact, methods: Set<string>) => methods.has(lastSegment(c.callee)) && receiver.test(c.callee.slice(0, -lastSegment(c.callee).length - 1));
    const write = calls.find((c) => c.scope.inLoop && writes(c));
    if (!write) continue;
    const commit = calls.find((c) => !c.scope.inLoop && onSession(c, commits) && c.loc.line > write.loc.line);
    if (!commit || calls.some((c) => c.scope.inLoop && onSession(c, commits))) continue;
    // rolled back: an explicit rollback, or a transaction context around the commit
    if (calls.some((c) => onSession(c, rollbacks))) continue;
    if ([...commit.scope.withCalls, ...write.scope.withCalls].some((id) => tx.has(lastSegment(facts.calls[id]?.callee ?? '')))) continue;
    // retried: the framework's retry options or call, a retry label, a retry decorator
    const decos = fn.decorators;
    // (a Celery task decorator is a `retry.policy` too, for its retry options: those are read below)
    const registers = (d: (typeof decos)[number]) => catalog.lookupRole(d.qualified, facts.language, ['task.register']) !== undefined;
    if (decos.some((d) => !registers(d) && catalog.lookupRole(d.qualified, facts.language, ['retry.policy']))) continue;
    const task = decos.find((d) => catalog.lookupRole(d.qualified, facts.language, ['task.register']));
    const taskCall = task?.callId === undefined ? undefined : facts.calls[task.callId];
    if (taskCall?.kwargsOpen) continue;
    const fw = task ? frameworkOf(facts, catalog, task.qualified) : undefined;
    const retryKeys = [...(fw ? optionKeys(fw, 'auto-retry') : []), ...o.retryKeywords];
    if (retryKeys.some((k) => taskCall?.kwargs[k] && truth(taskCall.kwargs[k]) !== 'false')) continue;
    if (fw?.retryCall && calls.some((c) => c.callee === fw.retryCall)) continue;
    // dead-lettered or handled: an except around the commit that does more than log
    const t = commit.scope.tries[0];
    const tr = t && t.part === 'body' ? facts.tries[t.tryId] : undefined;
    if (tr?.handlers.some((h) => h.reraises || !h.callees.every(isLoggingCall))) continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: commit.loc,
      message: ctx.rule.message,
      data: { task: fn.name, write: write.callee, writeLine: String(write.loc.line), commit: commit.callee },
      symbol: fn.qualifiedName,
      where: { scope: commit.scope },
    });
  }
  return out;
};

export default check;
