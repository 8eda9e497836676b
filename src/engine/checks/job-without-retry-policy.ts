// Jobs enqueued with no retry policy (catalog section `job-queues`: BullMQ, bull): `attempts`
// defaults to 1, so the first transient failure (a timeout, a 503, a deploy) fails the job for
// good. A job with attempts but no `backoff` retries immediately. Read on the `add()` call, then
// on the queue's job defaults when the queue is built in this file. Unknown (spread, a variable,
// an injected queue) stays quiet.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { jobRetryPolicy } from '../analysis/job-queues.js';

const check: Check = (ctx) => {
  const queues = ctx.catalog.entries('job-queues', ctx.facts.language);
  const out: FindingDraft[] = [];
  for (const c of ctx.facts.calls) {
    const q = c.qualified ? queues.find((x) => x.add === c.qualified) : undefined;
    if (!q) continue;
    const { attempts, backoff, repeats } = jobRetryPolicy(ctx.facts, c, q);
    if (attempts === 'unknown') continue;
    const data: Record<string, string> = { callee: c.callee };
    if (attempts === undefined && repeats) {
      data.problem = `has no \`${q.attemptsKey}\` (${q.attemptsDefault}): a run that hits a transient failure is not retried, and its work waits for the next run of the schedule`;
    } else if (attempts === undefined) {
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
    } else if (repeats) {
      d.priority = 'P2';
      d.priorityReason = 'a repeatable job: the schedule runs it again';
    } else if (q.awaitResult) {
      // a producer anywhere in the project that waits on the job's result gets its failure back
      // and decides itself: the project model drops the finding when a file calls it
      d.data!.unlessMentioned = q.awaitResult;
    }
    out.push(d);
  }
  return out;
};

export default check;
