// Celery acknowledges a task before running it unless `acks_late` is on, and even with
// `acks_late` a worker killed mid-task (OOM, SIGKILL) acks it unless `reject_on_worker_lost` is
// on too. Either way the task is gone after a crash.
//
// Reported per task decorator: `acks_late=False` always; a missing `acks_late`, or `acks_late=True`
// without `reject_on_worker_lost`, only when the app's whole configuration is visible in the file
// (the Celery app is built here and not configured from another module or the environment).
// Otherwise the setting may live in celeryconfig.py: unknown, and quiet.
import type { Check } from '../api.js';
import type { CallFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { appSetting, frameworkOf, taskOption } from '../analysis/task-frameworks.js';

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const out: FindingDraft[] = [];
  for (const fn of facts.functions) {
    for (const d of fn.decorators) {
      if (!catalog.lookupRole(d.qualified, facts.language, ['task.register'])) continue;
      // the framework entry (catalog `task-frameworks`) that owns the decorator, with acks semantics
      const fw = frameworkOf(facts, catalog, d.qualified);
      if (!fw) continue;
      const call: CallFact | undefined = d.callId === undefined ? undefined : facts.calls[d.callId];
      if (call?.kwargsOpen) continue;
      let acksLate = taskOption(call, fw, 'acks-late');
      if (acksLate === 'absent') acksLate = appSetting(facts, fw, 'acks-late');
      let rejectLost = taskOption(call, fw, 'reject-on-worker-lost');
      if (rejectLost === 'absent') rejectLost = appSetting(facts, fw, 'reject-on-worker-lost');
      let state: string | undefined;
      if (acksLate === 'false' || acksLate === 'absent') {
        state =
          acksLate === 'false'
            ? 'acks before running (`acks_late=False`)'
            : 'acks before running (no `acks_late`, and the app configured in this file does not set `task_acks_late`)';
      } else if (acksLate === 'true' && (rejectLost === 'false' || rejectLost === 'absent')) {
        state = 'acks late, but without `reject_on_worker_lost` a worker killed mid-task (OOM, SIGKILL) still acks it';
      }
      if (!state) continue;
      out.push({
        ruleId: ctx.rule.id,
        loc: d.loc,
        message: ctx.rule.message,
        data: { task: fn.name, state },
        symbol: fn.qualifiedName,
        where: { scope: fn.scope },
      });
    }
  }
  return out;
};

export default check;
