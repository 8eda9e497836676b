// Celery facts shared by the Celery-aware checks (not a check itself: the leading underscore keeps
// it out of the rule namespace). What a task's effective settings are, when the file shows them.
import type { FileFacts, Value } from '../../languages/types.js';

export type Setting = 'true' | 'false' | 'unknown' | 'absent';

export function truth(v: Value | undefined): Setting {
  if (!v) return 'absent';
  const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (lit.kind === 'boolean') return lit.value ? 'true' : 'false';
  if (lit.kind === 'null') return 'false';
  return 'unknown';
}

/** The app-level value of a setting when the whole config is visible in this file, else 'unknown'. */
export function appSetting(facts: FileFacts, names: string[]): Setting {
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

/** A task decorator that belongs to Celery: its name says so, or the file imports celery (and not taskiq). */
export function isCeleryTask(facts: FileFacts, qualified: string | null): boolean {
  if (!qualified || /^taskiq/.test(qualified)) return false;
  if (/celery|(^|\.)shared_task$/i.test(qualified)) return true;
  // `@broker.task` is taskiq's idiom; an app imported from elsewhere is Celery when the file uses celery
  if (/broker/i.test(qualified)) return false;
  const imports = (m: string) => facts.imports.some((i) => i.module === m || i.module.startsWith(`${m}.`));
  return imports('celery') && !imports('taskiq') && /(^|\.)task$/.test(qualified);
}
