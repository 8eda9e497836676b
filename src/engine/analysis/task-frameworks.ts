// Task frameworks as the catalog describes them (section `task-frameworks`,
// rules/catalog/python-queues.yaml): which `task.register` decorator belongs to which framework,
// what a task's options mean for delivery, and an app's effective settings when the file shows
// them. Nothing here names a framework: the catalog entry does.
import type { Catalog } from '../../catalog/index.js';
import type { TaskFramework } from '../../catalog/types.js';
import type { CallFact, FileFacts, Value } from '../../languages/types.js';

export type Setting = 'true' | 'false' | 'unknown' | 'absent';

export function truth(v: Value | undefined): Setting {
  if (!v) return 'absent';
  const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (lit.kind === 'boolean') return lit.value ? 'true' : 'false';
  if (lit.kind === 'null') return 'false';
  return 'unknown';
}

const compiled = new WeakMap<TaskFramework, Record<'notOurs' | 'ours' | 'bare' | 'bareNot', RegExp>>();
function patterns(fw: TaskFramework): Record<'notOurs' | 'ours' | 'bare' | 'bareNot', RegExp> {
  let p = compiled.get(fw);
  if (!p) {
    const d = fw.decorators;
    p = { notOurs: new RegExp(d.notOurs, 'i'), ours: new RegExp(d.ours, 'i'), bare: new RegExp(d.bare, 'i'), bareNot: new RegExp(d.bareNot, 'i') };
    compiled.set(fw, p);
  }
  return p;
}

function ownsDecorator(fw: TaskFramework, facts: FileFacts, qualified: string): boolean {
  const p = patterns(fw);
  if (p.notOurs.test(qualified)) return false;
  if (p.ours.test(qualified)) return true;
  if (p.bareNot.test(qualified)) return false;
  const imports = (m: string) => facts.imports.some((i) => i.module === m || i.module.startsWith(`${m}.`));
  return fw.decorators.imports.some(imports) && !fw.decorators.rivalImports.some(imports) && p.bare.test(qualified);
}

/** The framework a task decorator (qualified name) belongs to, when the catalog can tell. */
export function frameworkOf(facts: FileFacts, catalog: Catalog, qualified: string | null): TaskFramework | undefined {
  if (!qualified) return undefined;
  return catalog.entries('task-frameworks', facts.language).find((fw) => ownsDecorator(fw, facts, qualified));
}

/** The framework a catalog API belongs to (it carries the framework's name as a tag). */
export function frameworkTagged(catalog: Catalog, language: FileFacts['language'], tags: string[] | undefined): TaskFramework | undefined {
  return tags?.length ? catalog.entries('task-frameworks', language).find((fw) => tags.includes(fw.framework)) : undefined;
}

/** The task option's keywords for a setting (`acks-late` -> [acks_late]). */
export function optionKeys(fw: TaskFramework, setting: string): string[] {
  return fw.taskOptions[setting] ?? [];
}

/** A task option as the decorator call sets it: the first of its keywords present, else 'absent'. */
export function taskOption(call: CallFact | undefined, fw: TaskFramework, setting: string): Setting {
  for (const k of optionKeys(fw, setting)) if (call?.kwargs[k]) return truth(call.kwargs[k]);
  return 'absent';
}

/**
 * The app-level value of a setting (`acks-late`, a key of the framework's app `settings`) when the
 * whole config is visible in this file, else 'unknown'.
 */
export function appSetting(facts: FileFacts, fw: TaskFramework, setting: string): Setting {
  const app = fw.app;
  let found: Setting = 'absent';
  const take = (s: Setting) => {
    if (s !== 'absent') found = s;
  };
  const names = app.settings[setting] ?? [];
  const apps = facts.calls.filter((c) => c.qualified === app.constructor);
  if (!apps.length) return 'unknown';
  for (const a of apps) {
    if (a.kwargsOpen) return 'unknown';
    for (const n of names) take(truth(a.kwargs[n]));
  }
  const prefix = `${app.constructor}().`;
  for (const c of facts.calls) {
    if (!c.qualified?.startsWith(prefix)) continue;
    const method = c.qualified.slice(prefix.length);
    if (app.opaque.some((o) => method.startsWith(o))) return 'unknown';
    if (app.update.includes(method)) {
      if (c.kwargsOpen || c.args.length) return 'unknown';
      for (const n of names) take(truth(c.kwargs[n]));
    }
  }
  const attrPrefix = prefix + app.attributes;
  for (const a of facts.assignments) {
    const attr = a.qualified?.startsWith(attrPrefix) ? a.qualified.slice(attrPrefix.length) : undefined;
    const bare = a.scope.functionId === undefined && a.scope.classId === undefined ? a.target : undefined;
    const key = attr ?? bare;
    if (key && names.some((n) => n === key || n.toUpperCase() === key)) take(a.scope.inBranch && truth(a.value) === 'true' ? 'unknown' : truth(a.value));
  }
  return found;
}

/** A limit-like setting (a number of seconds) as written: live, switched off (None / 0), opaque, or not written. */
export type LimitSetting =
  | { state: 'set' | 'disabled' | 'unknown'; text: string; line: number; value?: number | boolean }
  | { state: 'absent' }
  /** settings loaded from elsewhere; `namespace`: the prefix their names carry there (Django's `CELERY`) */
  | { state: 'opaque'; text: string; line: number; namespace?: string; module?: string };

function limitOf(v: Value, text: string, line: number, branch?: boolean): LimitSetting {
  const lit = v.kind === 'name' && v.resolved ? v.resolved : v;
  if (lit.kind === 'null' || (lit.kind === 'number' && lit.value <= 0)) return { state: 'disabled', text, line };
  // a limit written in an if/else branch may not run: a limit is written, the value in force is not known
  if (lit.kind === 'number' && !branch) return { state: 'set', text, line, value: lit.value };
  return { state: 'unknown', text, line, ...(lit.kind === 'boolean' && !branch ? { value: lit.value } : {}) };
}

/** Does the name spell one of the setting's names (`task_time_limit`, or its upper-case form)? */
function spells(names: string[], key: string): boolean {
  return names.some((n) => n === key || n.toUpperCase() === key);
}

/**
 * Every place this file writes a setting of the framework's apps: the constructor's keywords,
 * `app.conf.update(…)`, `app.conf.<setting> = …`, and module-level `<setting> = …` (a
 * celeryconfig module, Django settings with the CELERY namespace), in a module-level `if` too
 * (`if env("LIMIT") > 0: CELERY_TASK_TIME_LIMIT = …`: written, value unknown). Opaque loaders
 * (`config_from_object`) come back as `opaque`.
 */
export function settingWrites(facts: FileFacts, fw: TaskFramework, setting: string, appCall?: number): LimitSetting[] {
  const app = fw.app;
  const names = app.settings[setting] ?? [];
  const out: LimitSetting[] = [];
  const prefix = `${app.constructor}().`;
  // with `appCall`, only that app's writes (several apps in one file have their own settings)
  const ours = (recv: number | undefined) => appCall === undefined || recv === undefined || recv === appCall;
  for (const c of facts.calls) {
    if (c.qualified === app.constructor) {
      if (appCall !== undefined && c.id !== appCall) continue;
      for (const [k, v] of Object.entries(c.kwargs)) if (spells(names, k)) out.push(limitOf(v, `${k}=${textOf(v)}`, v.loc.line));
      if (c.kwargsOpen) out.push({ state: 'opaque', text: `${c.callee}(**…)`, line: c.loc.line });
      continue;
    }
    if (!c.qualified?.startsWith(prefix) || !ours(c.receiverCall)) continue;
    const method = c.qualified.slice(prefix.length);
    if (app.opaque.some((o) => method.startsWith(o))) {
      const first = c.args[0];
      const ns = c.kwargs.namespace;
      // `config_from_object("proj.configs.light")`: the module, when it is named (not `django.conf:settings`)
      const module = first?.kind === 'string' && /^[\w.]+$/.test(first.value) ? first.value : undefined;
      out.push({ state: 'opaque', text: `${c.callee}(${first ? textOf(first) : ''})`, line: c.loc.line, ...(ns?.kind === 'string' ? { namespace: ns.value } : {}), ...(module ? { module } : {}) });
    } else if (app.update.includes(method)) {
      for (const [k, v] of Object.entries(c.kwargs)) if (spells(names, k)) out.push(limitOf(v, `${c.callee}(${k}=${textOf(v)})`, v.loc.line, c.scope.inBranch));
      if (c.kwargsOpen || c.args.length) out.push({ state: 'opaque', text: `${c.callee}(…)`, line: c.loc.line });
    }
  }
  const attrPrefix = prefix + app.attributes;
  for (const a of facts.assignments) {
    const attr = a.qualified?.startsWith(attrPrefix) && ours(a.receiverCall) ? a.qualified.slice(attrPrefix.length) : undefined;
    const bare = a.scope.functionId === undefined && a.scope.classId === undefined ? a.target : undefined;
    const key = attr ?? bare;
    if (key && spells(names, key)) out.push(limitOf(a.value, `${a.target} = ${textOf(a.value)}`, a.loc.line, a.scope.inBranch));
  }
  return out.sort((x, y) => ('line' in x ? x.line : 0) - ('line' in y ? y.line : 0));
}

/** A setting's value as written, short enough for a message (`60`, `"redis://..."`, `None`). */
export function valueText(v: Value, max = 50, other?: string): string {
  switch (v.kind) {
    case 'string':
      return JSON.stringify(v.value);
    case 'number':
    case 'boolean':
      return String(v.value);
    case 'null':
      return 'None';
    case 'name':
    case 'call':
    case 'other':
      return v.text.length > max ? `${v.text.slice(0, max - 3)}...` : v.text;
    default:
      return other ?? '…';
  }
}
const textOf = (v: Value) => valueText(v);
