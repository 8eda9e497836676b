// A health check, connection monitor or auto-reconnect that exists in the file but is off unless
// someone turns it on: the switch (rule option `flagNames`, a name like `enable_health_check`,
// `healthCheckEnabled`, `auto_reconnect`) defaults to off (False / false / 0 / "false") as a
// default parameter (also destructured: `{ autoReconnect = false } = options`), a constant, an
// attribute set in the constructor, a property of a config object, or the default of an
// environment variable (`os.getenv("HEALTH_CHECK_ENABLED", "false")`: reported one step lower,
// a deployment may set it). Only files that define what the switch would run count: a function
// named like a monitor (rule option `monitorNames`) that loops with a sleep (catalog section
// `background-loops`), or that the file calls or hands to another call (a timer, a task).
import type { Check } from '../api.js';
import type { Loc, Scope, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { loopKnowledge, periodicLoops } from '../analysis/background-loops.js';

interface Options {
  flagNames: string;
  monitorNames: string;
  envReaders: string[];
}

const OFF_STRINGS = new Set(['false', '0', 'no', 'off', 'n', 'disabled', '']);

function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/^_+/, '');
}

function offValue(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'boolean' && !v.value) return 'false';
  if (v.kind === 'number' && v.value === 0) return '0';
  if (v.kind === 'string' && OFF_STRINGS.has(v.value.trim().toLowerCase())) return JSON.stringify(v.value);
  if (v.kind === 'name' && v.resolved) return offValue(v.resolved);
  return undefined;
}

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const opts = ctx.rule.options as unknown as Options;
  const flag = new RegExp(opts.flagNames, 'i');
  const monitorName = new RegExp(opts.monitorNames, 'i');
  const k = loopKnowledge(ctx);
  const looping = new Set(periodicLoops(ctx, k).map((l) => l.fn.id));
  const last = (callee: string) => callee.slice(callee.lastIndexOf('.') + 1);
  // used: called, or handed to a call (a timer, a task, an executor)
  const used = (name: string) =>
    facts.calls.some((c) => last(c.callee) === name || c.args.some((a) => a.kind === 'name' && last(a.text) === name));
  const monitors = facts.functions.filter((f) => f.name && monitorName.test(f.name) && (looping.has(f.id) || used(f.name)));
  if (!monitors.length) return [];
  /** the monitor the switch most likely starts: the most words in common, then a loop */
  const monitorFor = (flagName: string) => {
    const w = new Set(words(flagName).split('_'));
    const score = (f: (typeof monitors)[number]) => words(f.name).split('_').filter((x) => w.has(x)).length * 2 + (looping.has(f.id) ? 1 : 0);
    return [...monitors].sort((a, b) => score(b) - score(a) || a.id - b.id)[0];
  };
  const out: FindingDraft[] = [];
  const seen = new Set<string>();
  const report = (name: string, value: string, loc: Loc, scope: Scope | undefined, form: string, env = false) => {
    const key = `${loc.line}:${loc.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc,
      message: ctx.rule.message,
      data: { name, value, form, monitor: monitorFor(name).name },
      where: scope ? { scope } : undefined,
    };
    if (env) {
      d.priority = 'P2';
      d.priorityReason = 'the default of an environment variable: a deployment may turn it on';
    }
    out.push(d);
  };
  const isFlag = (name: string) => flag.test(words(name));
  for (const fn of facts.functions) {
    for (const p of fn.params) {
      const v = offValue(p.default);
      if (v && isFlag(p.name)) report(p.name, v, p.default!.loc, fn.scope, 'default parameter');
    }
  }
  const visit = (o: Extract<Value, { kind: 'object' }>, scope: Scope, parent?: string) => {
    for (const [key, v] of Object.entries(o.props)) {
      const name = /^(enabled?|on|active)$/i.test(key) && parent ? `${parent}.${key}` : key;
      const flagName = /^(enabled?|on|active)$/i.test(key) && parent ? `${parent}_enabled` : key;
      const off = offValue(v);
      if (off && isFlag(flagName)) report(name, off, v.loc, scope, 'configuration default');
      else if (v.kind === 'object') visit(v, scope, key);
    }
  };
  const nameOf = (a: (typeof facts.assignments)[number]) => a.selfAttr ?? a.target.slice(a.target.lastIndexOf('.') + 1);
  // a name the file itself sets to true somewhere (`reconnecting = true` in onDisconnect) is state
  // the code keeps, not a switch left off: NodeBB's socket client
  const flippedOn = new Set(facts.assignments.filter((a) => !a.augmented && a.value.kind === 'boolean' && a.value.value).map(nameOf));
  for (const a of facts.assignments) {
    if (a.augmented) continue;
    const name = nameOf(a);
    const off = offValue(a.value);
    if (off && a.value.kind !== 'name' && isFlag(name) && !flippedOn.has(name)) report(name, off, a.value.loc, a.scope, a.selfAttr ? 'attribute default' : 'constant');
    if (a.value.kind === 'object') visit(a.value, a.scope);
  }
  for (const c of facts.calls) {
    if (c.qualified && opts.envReaders.includes(c.qualified)) {
      const [env, dflt] = c.args;
      const off = offValue(dflt ?? c.kwargs['default']);
      if (env?.kind === 'string' && off && isFlag(env.value)) report(env.value, off, (dflt ?? c.kwargs['default'])!.loc, c.scope, 'environment default', true);
      continue;
    }
    if (ctx.catalog.lookupRole(c.qualified, facts.language, ['reconnecting.client', 'http.agent', 'http.client'])) continue;
    for (const arg of c.args) if (arg.kind === 'object') visit(arg, c.scope);
  }
  return out;
};

export default check;
