// FL602: a Celery app that acknowledges tasks late and lets them run longer than the broker waits
// for that acknowledgement. With the Redis or SQS transport an unacknowledged message becomes
// visible again after `visibility_timeout` (3600 s unless broker_transport_options says otherwise)
// (the catalog's `redeliverAfterSeconds`) and another worker runs it while the first is still at work; RabbitMQ closes the channel of a
// consumer that has not acked within its consumer_timeout (30 min by default) and redelivers.
//
// Reported at the time-limit write when, in one file, the app turns task_acks_late on, writes a
// literal time limit above 3600 s, and writes no transport options (any write counts: its
// visibility_timeout may be there). Settings loaded from elsewhere are unknown: not reported.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { settingWrites } from '../analysis/task-frameworks.js';

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const out: FindingDraft[] = [];
  for (const fw of catalog.entries('task-frameworks', facts.language)) {
    const window = fw.app.redeliverAfterSeconds;
    if (window === undefined || !fw.app.settings['transport-options'] || !fw.app.settings['acks-late']) continue;
    const apps = facts.calls.filter((c) => c.qualified === fw.app.constructor && c.scope.functionId === undefined);
    if (!apps.length) continue;
    for (const app of apps) {
      // this app's own write of task_acks_late=True (several apps in one file have their own)
      const acks = settingWrites(facts, fw, 'acks-late', app.id);
      if (!acks.some((w) => 'value' in w && w.value === true)) continue;
      const limits = settingWrites(facts, fw, 'time-limit', app.id);
      if (limits.some((w) => w.state === 'opaque')) continue;
      if (settingWrites(facts, fw, 'transport-options', app.id).length) continue;
      // the longest literal limit: the time a task may hold its message unacknowledged
      let longest: { text: string; line: number; seconds: number } | undefined;
      for (const w of limits) {
        if (w.state !== 'set' || typeof w.value !== 'number') continue;
        if (!longest || w.value > longest.seconds) longest = { text: w.text, line: w.line, seconds: w.value };
      }
      if (!longest || longest.seconds <= window) continue;
      const loc = facts.assignments.find((a) => a.loc.line === longest!.line)?.loc ?? { line: longest.line, column: 1, endLine: longest.line, endColumn: 1 };
      out.push({
        ruleId: ctx.rule.id,
        loc,
        message: ctx.rule.message,
        data: { limit: longest.text, hours: String(Math.round((longest.seconds / 3600) * 10) / 10), line: String(longest.line) },
        where: { scope: app.scope },
      });
    }
  }
  return out;
};

export default check;
