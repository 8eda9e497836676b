// Enqueue/publish inside a try whose handler swallows the failure: the handler neither rethrows,
// nor returns, nor calls anything but loggers (no retry, no outbox, no moveToFailed, no error
// response). Language-neutral over facts (Python `except` summaries have the same shape).
// A handler that only logs and returns a success value (`return True`, `{"status": "queued"}`),
// or that falls through to such a return or a 2xx answer after the try (rule option `success`),
// swallows too, and then the caller is told it worked: P0 even when the failure is logged.
//
// A call is a publish when the catalog gives its qualified name the role `queue.publish`, or,
// for clients injected from elsewhere (qualified null), when a method list and receiver pattern
// of the catalog section `injected-publishers` match the callee as written (`this.queue.add`,
// `producer.send`).
import { catchesAnything } from '../analysis/facts-query.js';
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

  const o = ctx.rule.options as unknown as { success: string[]; intent?: string[] };
  const success = o.success.map((p) => new RegExp(p));
  const intent = (o.intent ?? []).map((p) => new RegExp(p.replace(/^\(\?i\)/, ''), /^\(\?i\)/.test(p) ? 'i' : ''));
  const lines = ctx.text.split('\n');
  const textOf = (from: number, to: number) => lines.slice(from - 1, to).join('\n');
  // a handler that returns has told its caller something, unless what it returns says "done"
  const handlerSuccess = (h: HandlerFact): { line: number; text: string } | undefined => {
    if (!h.returns) return undefined;
    for (let l = h.loc.line; l <= h.loc.endLine; l++) {
      const ret = /\breturn\b[^\n;]*/.exec(lines[l - 1] ?? '')?.[0];
      if (ret) return success.some((re) => re.test(ret)) ? { line: l, text: ret.trim() } : undefined;
    }
    return undefined;
  };
  const swallows = (h: HandlerFact): boolean => !h.reraises && (!h.returns || handlerSuccess(h) !== undefined) && h.callees.every(isLoggingCall);
  /** after the try, the function reports success: a `return True`, `{"status": "queued"}`, a 2xx answer */
  const laterSuccess = (call: CallFact, tryEnd: number): { line: number; text: string } | undefined => {
    const fn = call.scope.functionId === undefined ? undefined : ctx.facts.functions[call.scope.functionId];
    if (!fn) return undefined;
    for (let l = tryEnd + 1; l <= fn.loc.endLine; l++) {
      const t = lines[l - 1] ?? '';
      if (success.some((re) => re.test(t))) return { line: l, text: t.trim().replace(/;$/, '') };
    }
    return undefined;
  };

  /**
   * The handler keeps the failure for later (`ok = False`, `error = exc`) and the function returns
   * or raises it after the try: the caller is told.
   */
  const toldLater = (tryId: number, index: number, call: CallFact, tryEnd: number): boolean => {
    const names = ctx.facts.assignments
      .filter((a) => a.scope.tries.some((x) => x.tryId === tryId && x.part === 'handler' && (x.handlerIndex === undefined || x.handlerIndex === index)))
      .map((a) => a.target)
      .filter((n) => /^[A-Za-z_$][\w$.]*$/.test(n));
    if (!names.length) return false;
    const fn = call.scope.functionId === undefined ? undefined : ctx.facts.functions[call.scope.functionId];
    if (!fn) return false;
    const after = textOf(tryEnd + 1, fn.loc.endLine);
    return names.some((n) => new RegExp(`\\b(return|raise|throw)\\b[^\\n]*(?<![\\w$.])${n.replace(/[.$]/g, '\\$&')}(?![\\w$])`).test(after) || new RegExp(`\\bif\\s*\\(?\\s*(not\\s+|!)?${n.replace(/[.$]/g, '\\$&')}\\b[^\\n]*\\n?[^\\n]*\\b(raise|throw|return)\\b`).test(after));
  };

  const out: FindingDraft[] = [];
  for (const call of ctx.facts.calls) {
    const t = call.scope.tries[0];
    if (!t || t.part !== 'body') continue;
    if (!isPublish(call)) continue;
    const tr = ctx.facts.tries[t.tryId];
    if (!tr || !tr.handlers.length) continue; // try/finally: the error propagates
    const h = tr.handlers.find(catchesAnything);
    if (!h || !swallows(h)) continue;
    if (toldLater(t.tryId, tr.handlers.indexOf(h), call, tr.loc.endLine)) continue;
    // the function says the loss is planned for (best-effort, a sweep re-drives it)
    const fn = call.scope.functionId !== undefined ? ctx.facts.functions[call.scope.functionId] : undefined;
    if (intent.length && intent.some((re) => re.test(textOf(fn?.loc.line ?? tr.loc.line, h.loc.endLine)))) continue;
    const said = handlerSuccess(h);
    const later = said ? undefined : laterSuccess(call, tr.loc.endLine);
    const reports = said ?? later;
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: call.loc,
      message: ctx.rule.message,
      data: {
        callee: call.callee,
        // what the call goes to (an ioredis publisher, a BullMQ queue): the report picks that backend's texts
        ...(call.qualified ? { api: call.qualified } : {}),
        how: h.empty ? 'an empty handler' : h.callees.some((c) => c === 'print') ? 'a handler that only prints' : 'a handler that only logs',
        handlerLine: String(h.loc.line),
        after: reports
          ? `, and the function then reports success (\`${reports.text.length > 60 ? `${reports.text.slice(0, 57)}...` : reports.text}\`, line ${reports.line}), so the caller believes it was queued and never retries`
          : ': the caller carries on as if the work was queued',
      },
      where: { scope: call.scope },
    };
    if (!h.empty && !reports) {
      d.priority = 'P1';
      d.priorityReason = 'the failure is logged, so it can at least be found afterwards';
    }
    out.push(d);
  }
  return out;
};

export default check;
