// Enqueue/publish inside a try whose handler swallows the failure: the handler neither rethrows,
// nor returns, nor calls anything but loggers (no retry, no outbox, no moveToFailed, no error
// response). Language-neutral over facts (Python `except` summaries have the same shape).
//
// A call is a publish when the catalog gives its qualified name the role `queue.publish`, or,
// for clients injected from elsewhere (qualified null), when a method list and receiver pattern
// of the catalog section `injected-publishers` match the callee as written (`this.queue.add`,
// `producer.send`).
import type { Check } from '../api.js';
import { isLoggingCall } from '../../languages/logging.js';
import type { CallFact, HandlerFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

const check: Check = (ctx) => {
  const injected = ctx.catalog.entries('injected-publishers', ctx.facts.language).map((p) => ({ methods: new Set(p.methods), receiver: new RegExp(p.receiver, 'i') }));
  const lang = ctx.facts.language;

  const isPublish = (c: CallFact): boolean => {
    if (c.qualified && ctx.catalog.lookupRole(c.qualified, lang, ['queue.publish'])) return true;
    if (c.qualified && c.qualified.includes('().')) return false; // a known instance of something else
    const dot = c.callee.lastIndexOf('.');
    if (dot < 0) return false;
    const method = c.callee.slice(dot + 1);
    const receiver = c.callee.slice(0, dot).split('.').pop() ?? '';
    return injected.some((p) => p.methods.has(method) && p.receiver.test(receiver));
  };

  const swallows = (h: HandlerFact): boolean => !h.reraises && !h.returns && h.callees.every(isLoggingCall);

  const out: FindingDraft[] = [];
  for (const call of ctx.facts.calls) {
    const t = call.scope.tries[0];
    if (!t || t.part !== 'body') continue;
    if (!isPublish(call)) continue;
    const tr = ctx.facts.tries[t.tryId];
    if (!tr || !tr.handlers.length) continue; // try/finally: the error propagates
    const h = tr.handlers.find((x) => x.types.length === 0 || x.types.some((ty) => /^(Exception|BaseException|Error)$/.test(ty.split('.').pop() ?? '')));
    if (!h || !swallows(h)) continue;
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: call.loc,
      message: ctx.rule.message,
      data: { callee: call.callee, how: h.empty ? 'an empty handler' : 'a handler that only logs', handlerLine: String(h.loc.line) },
      where: { scope: call.scope },
    };
    if (!h.empty) {
      d.priority = 'P1';
      d.priorityReason = 'the failure is logged, so it can at least be found afterwards';
    }
    out.push(d);
  }
  return out;
};

export default check;
