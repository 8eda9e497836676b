// A circuit-breaker class that is only a stand-in: its call method (`call`, `execute`, `fire`,
// `__call__`…) calls the wrapped function and nothing else: no try around it, no call to another
// method of the class, and no code outside the constructor that ever changes the instance. Such a
// breaker never counts a failure and never opens, so every caller that "goes through the breaker"
// keeps hammering a failing dependency. The usual shape is the fallback for a missing library
// (`try: from pybreaker import CircuitBreaker / except ImportError: class CircuitBreaker: ...`),
// which runs only where the library is not installed: reported one step lower.
// Class and method names are the rule options (name heuristics).
import type { Check } from '../api.js';
import type { FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

interface Options {
  classPattern: string;
  callMethods: string[];
}

const IMPORT_ERRORS = /(^|\.)(ImportError|ModuleNotFoundError)$/;
const CTOR = /^(__init__|constructor)$/;
const PARAM_NAME = /^\*{0,2}(\.\.\.)?/;

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const opts = ctx.rule.options as unknown as Options;
  const classPattern = new RegExp(opts.classPattern, 'i');
  const callMethods = new Set(opts.callMethods);
  const out: FindingDraft[] = [];
  /** `id` is `f` or a function nested in it */
  const inside = (f: FunctionFact, id: number | undefined): boolean => {
    for (let g = id === undefined ? undefined : facts.functions[id]; g; g = g.parentFunctionId === undefined ? undefined : facts.functions[g.parentFunctionId]) {
      if (g.id === f.id) return true;
    }
    return false;
  };
  for (const cls of facts.classes) {
    if (!classPattern.test(cls.name)) continue;
    // a subclass may get its behaviour from the base: only classes that stand alone
    if (cls.bases.some((b) => !/^(object|ABC|abc\.ABC|Generic(\[.*\])?|typing\.Generic.*)$/.test(b))) continue;
    const methods = facts.functions.filter((f) => f.classId === cls.id && f.parentFunctionId === undefined);
    const method = methods.find((m) => callMethods.has(m.name) && !m.decorators.some((d) => /abstract/.test(d.text)));
    if (!method) continue;
    const params = new Set(method.params.map((p) => p.name.replace(PARAM_NAME, '')).filter((n) => n !== 'self' && n !== 'cls'));
    const calls = facts.calls.filter((c) => inside(method, c.scope.functionId));
    const callsThrough = calls.some((c) => params.has(c.callee));
    if (!callsThrough) continue;
    // anything a real breaker does around the call
    if (calls.some((c) => /^(self|this)\./.test(c.callee))) continue;
    if (calls.some((c) => c.scope.tries.some((t) => !method.scope.tries.some((m) => m.tryId === t.tryId)))) continue;
    const changesState = facts.assignments.some((a) => {
      if (!a.selfAttr || a.scope.classId !== cls.id) return false;
      const m = methods.find((x) => inside(x, a.scope.functionId));
      return !!m && !CTOR.test(m.name);
    });
    if (changesState) continue;
    const fallback = method.scope.tries
      .filter((t) => t.part === 'handler')
      .map((t) => facts.tries[t.tryId]?.handlers[t.handlerIndex ?? 0])
      .find((h) => h && h.types.length > 0 && h.types.every((ty) => IMPORT_ERRORS.test(ty)));
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: cls.nameLoc,
      message: ctx.rule.message,
      data: {
        class: cls.name,
        method: method.name,
        when: fallback ? ' It is the fallback for a missing library, so this holds wherever that library is not installed.' : '',
      },
      symbol: cls.name,
      where: { scope: method.scope },
    };
    if (fallback) {
      d.priority = 'P2';
      d.priorityReason = 'defined only when the breaker library fails to import';
    }
    out.push(d);
  }
  return out;
};

export default check;
