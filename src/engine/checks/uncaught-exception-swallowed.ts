// A process-wide `process.on('uncaughtException', fn)` (or the capture callback) whose handler,
// written in this file, neither exits nor rethrows: the process runs on after an exception that
// unwound the stack at an unknown point (catalog `process-error-handlers`, read by
// src/engine/analysis/process-handlers.ts, the same reading the project model uses).
import type { Check } from '../api.js';
import { processErrorHandlers } from '../analysis/process-handlers.js';
import type { FindingDraft } from '../types.js';

const check: Check = (ctx) => {
  const out: FindingDraft[] = [];
  const handlers = processErrorHandlers(ctx.facts, ctx.catalog, ctx.text);
  // a log-only unhandledRejection handler beside it does the same for rejected promises (briefer's
  // index.ts: both, four lines apart; its reader asked why only one was named)
  const rejection = handlers.find((h) => h.event !== 'uncaught-exception' && h.state === 'set');
  const also = rejection ? ` \`${rejection.text}\` (line ${rejection.line}) does the same for rejected promises.` : '';
  for (const h of handlers) {
    if (h.event !== 'uncaught-exception' || h.state !== 'set') continue;
    // the registering call, for its position (handlers are read per call, one per line)
    const call = ctx.facts.calls.find((c) => c.loc.line === h.line && /(^|\.)(on|once|addListener|prependListener|prependOnceListener|setUncaughtExceptionCaptureCallback)$/.test(c.callee));
    if (!call) continue;
    // every listener runs: one elsewhere in the process that exits or rethrows ends the process
    // after this one logs (wekan's server/00processErrors.js exits; uptimeWatch.js only logs), and
    // the project model drops the finding when it sees one
    if (handlers.some((x) => x.event === 'uncaught-exception' && x.state === 'disabled')) continue;
    out.push({ ruleId: ctx.rule.id, loc: call.loc, message: ctx.rule.message, data: { handler: h.text, also, pendingOn: 'process:uncaught-exception', pendingMiss: 'keep', pendingDropIf: 'disabled' }, where: { scope: call.scope } });
  }
  return out;
};

export default check;
