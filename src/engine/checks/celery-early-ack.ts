// Celery acknowledges a task before running it unless `acks_late` is on, and even with
// `acks_late` a worker killed mid-task (OOM, SIGKILL) acks it unless `reject_on_worker_lost` is
// on too. Either way the task is gone after a crash.
//
// Reported per task decorator: `acks_late=False` always; a missing `acks_late`, or `acks_late=True`
// without `reject_on_worker_lost`, only when the app's whole configuration is visible in the file
// (the Celery app is built here and not configured from another module or the environment).
// Otherwise the setting may live in celeryconfig.py: unknown, and quiet.
import type { Check } from '../api.js';
import type { CallFact, FileFacts, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

type Setting = 'true' | 'false' | 'unknown' | 'absent';

interface Options {
  /** catalog role of the decorators that register tasks */
  role?: string;
  /** qualified-name pattern of Celery task decorators whose app is imported from elsewhere */
  celeryPattern?: string;
}

function truth(v: Value | undefined): Setting {
  if (!v) return 'absent';
  const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (lit.kind === 'boolean') return lit.value ? 'true' : 'false';
  if (lit.kind === 'null') return 'false';
  return 'unknown';
}

/** The app-level value of a setting when the whole config is visible in this file, else 'unknown'. */
function appSetting(facts: FileFacts, names: string[]): Setting {
  const apps = facts.calls.filter((c) => c.qualified === 'celery.Celery');
  if (!apps.length) return 'unknown';
  let found: Setting = 'absent';
  const take = (s: Setting) => {
    if (s !== 'absent') found = s;
  };
  for (const app of apps) {
    if (app.kwargsOpen) return 'unknown';
    for (const n of names) take(truth(app.kwargs[n]));
  }
  for (const c of facts.calls) {
    if (!c.qualified?.startsWith('celery.Celery().')) continue;
    const method = c.qualified.slice('celery.Celery().'.length);
    if (/^config_from_(object|envvar)$|^(conf\.)?(add_defaults|load_from)/.test(method)) return 'unknown';
    if (method === 'conf.update') {
      if (c.kwargsOpen || c.args.length) return 'unknown';
      for (const n of names) take(truth(c.kwargs[n]));
    }
  }
  for (const a of facts.assignments) {
    const attr = a.qualified?.startsWith('celery.Celery().conf.') ? a.qualified.slice('celery.Celery().conf.'.length) : undefined;
    const bare = a.scope.functionId === undefined && a.scope.classId === undefined ? a.target : undefined;
    const key = attr ?? bare;
    if (key && names.some((n) => n === key || n.toUpperCase() === key)) take(truth(a.value));
  }
  return found;
}

const check: Check = (ctx) => {
  const opts = (ctx.rule.options ?? {}) as Options;
  const { facts, catalog } = ctx;
  const role = opts.role ?? 'task.register';
  const celeryRe = new RegExp(opts.celeryPattern ?? '(^celery\\.|celery)', 'i');
  const importsCelery = facts.imports.some((i) => i.module === 'celery' || i.module.startsWith('celery.'));
  const appAcksLate = appSetting(facts, ['task_acks_late', 'CELERY_ACKS_LATE']);
  const appRejectLost = appSetting(facts, ['task_reject_on_worker_lost', 'CELERY_REJECT_ON_WORKER_LOST']);

  const out: FindingDraft[] = [];
  for (const fn of facts.functions) {
    for (const d of fn.decorators) {
      if (!catalog.lookupRole(d.qualified, facts.language, [role])) continue;
      const isCelery = celeryRe.test(d.qualified ?? '') || (importsCelery && /(^|\.)(shared_)?task$/.test(d.qualified ?? ''));
      if (!isCelery || /^taskiq/.test(d.qualified ?? '')) continue;
      const call: CallFact | undefined = d.callId === undefined ? undefined : facts.calls[d.callId];
      if (call?.kwargsOpen) continue;
      let acksLate = truth(call?.kwargs['acks_late']);
      if (acksLate === 'absent') acksLate = appAcksLate;
      let rejectLost = truth(call?.kwargs['reject_on_worker_lost']);
      if (rejectLost === 'absent') rejectLost = appRejectLost;
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
        context: fn.qualifiedName,
        where: { scope: fn.scope },
      });
    }
  }
  return out;
};

export default check;
