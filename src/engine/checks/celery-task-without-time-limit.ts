// FL126: a Celery app whose tasks have no time limit anywhere. Celery's task_time_limit and
// task_soft_time_limit default to no limit (catalog `task-frameworks`, rules/catalog/python-queues.yaml):
// a task stuck on a socket that never answers holds its worker process until someone restarts
// the worker.
//
// Reported once per app, at the constructor, from what the file shows of the app's settings
// (constructor keywords, app.conf.update(…), app.conf.<setting> = …, module-level settings):
//   - a limit switched off (`task_time_limit=None`): P1, says where;
//   - none written and the whole config is in the file: P1;
//   - settings loaded from elsewhere (config_from_object / config_from_envvar): P2, unknown here.
// The last two carry `api`/`knob`/`state: no`, so the project model drops them when another
// module of the same process writes the setting (celeryconfig.py, Django settings with
// namespace="CELERY", another module's app.conf.update): process-wide defaults. A write whose
// value is not visible (`CELERY_TASK_TIME_LIMIT = env(...)`, one inside a module-level `if`)
// counts as a limit, in this file and in the others (`unknownDefault: bounded`).
// Tasks of this file that set their own `time_limit` / `soft_time_limit` lower the finding to P2
// when every task here does (tasks in other modules may still run unbounded).
import type { Check } from '../api.js';
import type { FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { settingWrites } from '../analysis/task-frameworks.js';

const SETTING = 'time-limit';

const HANGS = 'a task stuck on a dependency that never answers holds its worker process forever, and once every process of the pool holds one the queue stops draining.';
/** When the process selects a pool the limits cannot reach (Celery's threads pool): the project model fills `{setting}`. */
const THREADS =
  "its workers run tasks in a pool that does not enforce task_time_limit or task_soft_time_limit at all ({setting}: the threads pool cannot interrupt its threads, celery#9203, and the solo pool runs each task inline with no timer), so setting them would change nothing: a task stuck on a dependency that never answers holds its worker forever, and once every worker slot holds one the queue stops draining; each task's own calls need a deadline.";

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const out: FindingDraft[] = [];
  for (const fw of catalog.entries('task-frameworks', lang)) {
    const apps = facts.calls.filter((c) => c.qualified === fw.app.constructor && c.scope.functionId === undefined);
    if (!apps.length) continue;
    const keys = fw.app.settings[SETTING] ?? [];
    // one app built in either branch of an `if` (`app = Celery(..., broker=url)` / `app = Celery(...)`)
    // is one app: its settings are written once, through the one name
    const judged = new Set<string>();
    for (const app of apps) {
      const bound = assignedName(app.id);
      if (bound) {
        if (judged.has(bound)) continue;
        judged.add(bound);
      }
      const builds = bound ? apps.filter((c) => assignedName(c.id) === bound) : [app];
      const writes = builds.flatMap((c) => settingWrites(facts, fw, SETTING, c.id));
      if (writes.some((w) => w.state === 'set' || w.state === 'unknown')) continue;
      const off = writes.find((w) => w.state === 'disabled') as { text: string; line: number } | undefined;
      const opaque = writes.find((w) => w.state === 'opaque') as { text: string; line: number; namespace?: string; module?: string } | undefined;
      const name = bound ?? app.callee;
      // this app's tasks in this file (`@app.task(...)`, `@app.task`), and those with a limit of their own
      const tasks = facts.functions.filter((f) => f.decorators.some((d) => ownTask(d, app.id, name)));
      const limited = tasks.filter((f) =>
        f.decorators.some((d) => {
          const call = d.callId === undefined ? undefined : facts.calls[d.callId];
          return call && ownTask(d, app.id, name) && (fw.taskOptions[SETTING] ?? []).some((k) => call.kwargs[k] && call.kwargs[k].kind !== 'null');
        }),
      );
      // Django settings read with namespace="CELERY" spell the settings CELERY_TASK_TIME_LIMIT …
      const shown = opaque?.namespace ? keys.slice(0, 2).map((k) => `${opaque.namespace}_${k.replace(/^task_/, 'TASK_').toUpperCase()}`) : keys.slice(0, 2);
      const detail = off
        ? `switches its task time limit off (\`${off.text}\`, line ${off.line})`
        : opaque
          ? `loads its settings with \`${opaque.text}\`, and no module in the scan sets \`${shown[0]}\` or \`${shown[1]}\``
          : `sets neither \`${shown[0]}\` nor \`${shown[1]}\``;
      const d: FindingDraft = {
        ruleId: ctx.rule.id,
        loc: app.loc,
        message: ctx.rule.message,
        // api/knob/state 'no': the project model drops it when another module of the process writes
        // the setting; a write whose value it cannot see (`env(...)`, in an `if`) counts, as it does here
        data: {
          app: name,
          detail,
          consequence: HANGS,
          api: fw.app.constructor,
          knob: SETTING,
          state: off ? 'disabled' : 'no',
          unknownDefault: 'bounded',
          // a worker pool that ignores the limits, written anywhere in the process, changes the fix
          ...(fw.app.pools
            ? { pendingOn: `${fw.framework}:pool-ignores-time-limits`, pendingMiss: 'keep', ...(opaque?.module ? { pendingModule: opaque.module } : {}), pendingSlot: 'consequence', pendingSay: THREADS, pendingHitPriority: 'P2', pendingReason: '{setting} selects a pool where time limits are not enforced: only per-call deadlines bound a task' }
            : {}),
        },
        where: { scope: app.scope },
      };
      if (opaque) {
        d.priority = 'P2';
        d.priorityReason = `the app loads its settings with \`${opaque.text}\`: no scanned module sets the limit, but settings from outside the repository (the environment, a deploy's own settings file) may`;
      } else if (tasks.length && limited.length === tasks.length) {
        d.priority = 'P2';
        d.priorityReason = `every task in this file sets its own time limit (${limited.map((f) => f.name).join(', ')}); tasks in other modules may not`;
      }
      out.push(d);
    }
  }
  return out;

  function ownTask(d: FunctionFact['decorators'][number], appId: number, name: string): boolean {
    if (!catalog.lookupRole(d.qualified, lang, ['task.register'])) return false;
    const call = d.callId === undefined ? undefined : facts.calls[d.callId];
    return call ? call.receiverCall === appId : d.text.replace(/^@/, '').startsWith(`${name}.`);
  }

  function assignedName(callId: number): string | undefined {
    const a = facts.assignments.find((x) => x.value.kind === 'call' && x.value.callId === callId);
    return a?.target;
  }
};

export default check;
