// A state attribute set to a dead value on a failure path (`self.state = "open"`,
// `self.status = Status.FAILED`, `this.state = 'broken'` in an except/catch) that no other code in
// the class ever moves on: no assignment of another value outside the constructor. A breaker that
// opens and never half-opens, a worker marked failed forever. Language-neutral over facts; the
// boolean/None flags (`connected = False`, `client = None`) are FL552's.
import type { Check } from '../api.js';
import type { AssignmentFact, FileFacts, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

/** attribute names that hold a state */
const STATE_ATTR = /^_*(state|status|circuit_?state|breaker_?state|health)$/i;
/** values (string literal or last segment of a name) that mean "dead" */
const DEAD = /(^|\.)(open|opened|failed|failure|dead|broken|error|errored|down|tripped)$/i;
/** methods whose assignments are deliberate shutdowns */
const TERMINAL = /^_*(close|shutdown|stop|dispose|destroy|disconnect|teardown|terminate|aclose|__aexit__|__exit__|__del__)/i;

/** the literal or constant name a state is set to, lower-cased: "open", "failed", "status.failed" */
function stateValue(v: Value): string | undefined {
  if (v.kind === 'string') return v.value.toLowerCase();
  if (v.kind === 'name') return (v.resolved?.kind === 'string' ? v.resolved.value : v.text).toLowerCase();
  return undefined;
}

function methodName(facts: FileFacts, a: AssignmentFact): string | undefined {
  let f = a.scope.functionId === undefined ? undefined : facts.functions[a.scope.functionId];
  while (f && f.classId === undefined && f.parentFunctionId !== undefined) f = facts.functions[f.parentFunctionId];
  return f?.classId !== undefined ? f.name : undefined;
}

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const [stateAttr, dead, terminal] = [STATE_ATTR, DEAD, TERMINAL];
  const ctor = /^(__init__|constructor)$/;
  const out: FindingDraft[] = [];
  const seen = new Set<string>();
  for (const a of facts.assignments) {
    const cls = a.scope.classId;
    if (!a.selfAttr || a.augmented || cls === undefined || !stateAttr.test(a.selfAttr)) continue;
    if (!a.scope.tries.some((t) => t.part === 'handler')) continue;
    const value = stateValue(a.value);
    if (!value || !dead.test(value)) continue;
    const method = methodName(facts, a);
    if (!method || terminal.test(method) || ctor.test(method)) continue;
    const key = `${cls}:${a.selfAttr}`;
    if (seen.has(key)) continue;
    // anything else in the class that moves the state on (half-open, closed, retrying, a reset)
    const movesOn = facts.assignments.some((b) => {
      if (b === a || b.scope.classId !== cls || b.selfAttr !== a.selfAttr || b.augmented) return false;
      const m = methodName(facts, b);
      if (!m || ctor.test(m)) return false;
      const v = stateValue(b.value);
      return v === undefined || !dead.test(v);
    });
    if (movesOn) continue;
    seen.add(key);
    out.push({
      ruleId: ctx.rule.id,
      loc: a.loc,
      message: ctx.rule.message,
      data: { target: a.target, value: a.value.kind === 'string' ? JSON.stringify(a.value.value) : a.value.kind === 'name' ? a.value.text : value, class: facts.classes[cls].name },
      where: { scope: a.scope },
    });
  }
  return out;
};

export default check;
