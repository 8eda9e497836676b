// A client whose 'error' event crashes the process (catalog tag `emits-error-crash`: pg Pool and
// Client, node-redis, ws, amqplib connections) is bound in this file and no 'error' listener is
// attached to it here. Language-neutral over facts; Python has no such event model, so it simply
// finds nothing there.
//
// Unknown is silent: an instance that is never bound (returned from a factory, passed straight
// into another call) may get its listener elsewhere. A bound instance that is exported or handed
// to another call is reported one step lower (the listener may live in another module).
import type { Check, RuleContext } from '../api.js';
import type { AssignmentFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

const LISTEN = /\(\)\.(?:on|once|addListener|prependListener|prependOnceListener|addEventListener)$/;

/**
 * `ctors`: every constructor call bound to the same name (`this.client = new Client()` in two
 * methods). A listener is a call (`x.on('error', …)`) or a handler property (`ws.onerror = fn`;
 * `= null` removes it).
 */
function hasErrorListener(ctx: RuleContext, ctors: Set<number>): boolean {
  for (const a of ctx.facts.assignments) {
    if (a.receiverCall === undefined || !ctors.has(a.receiverCall) || a.augmented || !a.qualified?.endsWith('().onerror')) continue;
    if (a.value.kind !== 'null') return true;
  }
  for (const c of ctx.facts.calls) {
    if (c.receiverCall === undefined || !ctors.has(c.receiverCall) || !c.qualified || !LISTEN.test(c.qualified)) continue;
    const ev = c.args[0];
    if (!ev) continue;
    if (ev.kind === 'string' && ev.value === 'error') return true;
    if (ev.kind !== 'string') return true; // event name we cannot read: unknown, assume handled
  }
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Is the binding visible outside this file or handed to other code? */
function leaves(ctx: RuleContext, a: AssignmentFact): string | undefined {
  if (a.selfAttr) return undefined;
  const n = escapeRe(a.target);
  const exported = new RegExp(
    `export\\s+(?:const|let|var)\\s+${n}\\b|export\\s+default\\s+${n}\\b|export\\s*\\{[^}]*\\b${n}\\b|module\\.exports\\b[^;]*\\b${n}\\b|exports\\.\\w+\\s*=\\s*${n}\\b`,
  );
  if (exported.test(ctx.text)) return 'exported: a listener may be attached in another module';
  for (const c of ctx.facts.calls) {
    if (c.args.some((v) => v.kind === 'name' && v.text === a.target)) return 'passed to other code, which may attach the listener';
  }
  return undefined;
}

const check: Check = (ctx) => {
  const out: FindingDraft[] = [];
  const lang = ctx.facts.language;
  for (const call of ctx.facts.calls) {
    if (!call.qualified) continue;
    const api = ctx.catalog.lookup(call.qualified, lang).find((a) => a.tags?.includes('emits-error-crash'));
    if (!api) continue;
    const binding = ctx.facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === call.id && !a.augmented);
    if (!binding) continue; // never bound here: it is configured somewhere we cannot see
    const sameName = new Set<number>([call.id]);
    for (const a of ctx.facts.assignments) {
      if (a.value.kind === 'call' && a.target === binding.target && a.scope.classId === binding.scope.classId) sameName.add(a.value.callId);
    }
    if (hasErrorListener(ctx, sameName)) continue;
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: call.loc,
      message: ctx.rule.message,
      // knob/state/defaultLibrary: a process-wide 'uncaughtException' handler in another file of
      // the process keeps it alive, and the project model then drops the finding
      data: { callee: call.callee, api: call.qualified, name: binding.target, knob: 'uncaughtException', state: 'no', defaultLibrary: 'process' },
      where: { scope: call.scope, apiTags: api.tags },
    };
    const reason = leaves(ctx, binding);
    if (reason) {
      d.priority = 'P1';
      d.priorityReason = reason;
    }
    out.push(d);
  }
  return out;
};

export default check;
