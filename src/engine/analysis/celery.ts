// Celery facts shared by the Celery-aware checks (not a check itself: the leading underscore keeps
// it out of the rule namespace). What a task's effective settings are, when the file shows them.
// How an app is configured (constructor, update methods, opaque loaders, setting names) is in the
// catalog section `task-app-settings` (rules/catalog/python-queues.yaml).
import type { Catalog } from '../../catalog/index.js';
import type { FileFacts, Value } from '../../languages/types.js';

export type Setting = 'true' | 'false' | 'unknown' | 'absent';

interface TaskAppSettings {
  language: string;
  app: string;
  update: string[];
  opaque: string[];
  attributes: string;
  settings: Record<string, string[]>;
}

export function truth(v: Value | undefined): Setting {
  if (!v) return 'absent';
  const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (lit.kind === 'boolean') return lit.value ? 'true' : 'false';
  if (lit.kind === 'null') return 'false';
  return 'unknown';
}

/**
 * The app-level value of a setting (`acks-late`, a key of the catalog's `settings`) when the
 * whole config is visible in this file, else 'unknown'.
 */
export function appSetting(facts: FileFacts, catalog: Catalog, setting: string): Setting {
  let found: Setting = 'absent';
  let seen = false;
  const take = (s: Setting) => {
    if (s !== 'absent') found = s;
  };
  for (const spec of catalog.section<TaskAppSettings>('task-app-settings')) {
    if (spec.language !== facts.language) continue;
    const names = spec.settings[setting] ?? [];
    const apps = facts.calls.filter((c) => c.qualified === spec.app);
    if (!apps.length) continue;
    seen = true;
    for (const app of apps) {
      if (app.kwargsOpen) return 'unknown';
      for (const n of names) take(truth(app.kwargs[n]));
    }
    const prefix = `${spec.app}().`;
    for (const c of facts.calls) {
      if (!c.qualified?.startsWith(prefix)) continue;
      const method = c.qualified.slice(prefix.length);
      if (spec.opaque.some((o) => method.startsWith(o))) return 'unknown';
      if (spec.update.includes(method)) {
        if (c.kwargsOpen || c.args.length) return 'unknown';
        for (const n of names) take(truth(c.kwargs[n]));
      }
    }
    const attrPrefix = prefix + spec.attributes;
    for (const a of facts.assignments) {
      const attr = a.qualified?.startsWith(attrPrefix) ? a.qualified.slice(attrPrefix.length) : undefined;
      const bare = a.scope.functionId === undefined && a.scope.classId === undefined ? a.target : undefined;
      const key = attr ?? bare;
      if (key && names.some((n) => n === key || n.toUpperCase() === key)) take(truth(a.value));
    }
  }
  return seen ? found : 'unknown';
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
