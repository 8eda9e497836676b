// FL356: a task that calls a dependency that fails transiently (an HTTP request, a payment API, a
// third-party SDK, a publish) while nothing retries it. taskiq runs a task once: only a retry
// middleware on the broker (catalog `retry-middlewares`) retries it, and only when the task is
// labelled `retry_on_error=True` or the middleware labels every task (`default_retry_label=True`).
// A label on a broker with no middleware does nothing.
//
// The broker built in this file decides here; a broker imported from the project's own code is
// settled by the project model from that module's middlewares (`data.pendingOn`), and the finding
// goes away when the imported name is not such a broker.
import type { Check } from '../api.js';
import type { CallFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { functionAndNested } from '../analysis/facts-query.js';
import { brokerFile } from '../analysis/retry-middlewares.js';
import { truth } from '../analysis/task-frameworks.js';

const FLAKY = ['http.request', 'payment.create', 'third-party.call', 'queue.publish'];

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const out: FindingDraft[] = [];
  for (const e of catalog.entries('retry-middlewares', facts.language)) {
    const local = brokerFile(facts, e);
    const localNames = new Set(local.brokers.map((b) => b.name));
    for (const fn of facts.functions) {
      const deco = fn.decorators.find((d) => catalog.lookupRole(d.qualified, facts.language, ['task.register']));
      if (!deco) continue;
      const root = deco.text.replace(/^@/, '').split(/[.(]/)[0];
      const imp = facts.imports.find((i) => i.local === root && i.name !== undefined);
      if (!localNames.has(root) && !imp) continue;
      const call = deco.callId === undefined ? undefined : facts.calls[deco.callId];
      if (call?.kwargsOpen) continue;
      const label = truth(call?.kwargs[e.taskLabel]);
      if (label === 'unknown') continue;
      const ids = functionAndNested(facts, fn.id);
      const flaky: CallFact | undefined = facts.calls.find(
        (c) => c.scope.functionId !== undefined && ids.has(c.scope.functionId) && catalog.lookupRole(c.qualified, facts.language, FLAKY) !== undefined && !c.callee.startsWith(`${fn.name}.`),
      );
      if (!flaky) continue;
      const data: Record<string, string> = { task: fn.name, callee: flaky.callee, line: String(flaky.loc.line) };
      const labelled = label === 'true';
      if (localNames.has(root)) {
        const broker = local.brokers.find((b) => b.name === root)!;
        if (local.middleware && (labelled || local.byDefault === 'true')) continue;
        if (local.middleware && local.byDefault === 'unknown') continue;
        data.why = !local.middleware
          ? `the broker (\`${broker.text}\`, line ${broker.line}) has no retry middleware, so ${e.framework} runs each task once${labelled ? ` and \`${e.taskLabel}=True\` does nothing` : ''}`
          : `\`${local.middleware.callee}\` (line ${local.middleware.loc.line}) retries only tasks labelled \`${e.taskLabel}=True\`, and this one is not`;
      } else {
        // the broker lives in another module: the model reads its middlewares
        const knob = labelled ? 'retry-middleware' : 'retry-by-default';
        data.why = `its broker is built in another module (\`${imp!.module}\`) that may add no retry middleware`;
        data.delivery = data.why;
        data.pendingOn = `${e.framework}:${knob}`;
        data.pendingKeep = 'disabled';
        data.pendingIf = `${e.framework}:app`;
        data.pendingIfMiss = 'drop';
        data.pendingScope = 'module';
        data.appModule = imp!.module;
        data.appName = imp!.name!;
        data.pendingSay = labelled
          ? `its broker has no retry middleware ({setting}), so \`${e.taskLabel}=True\` does nothing and ${e.framework} runs each task once`
          : `nothing retries it (its broker: {setting}; ${e.framework} retries a task only through a retry middleware, and only a labelled one unless \`${e.defaultLabel}=True\`), and the task has no \`${e.taskLabel}=True\``;
      }
      out.push({
        ruleId: ctx.rule.id,
        loc: fn.nameLoc,
        message: ctx.rule.message,
        data,
        symbol: fn.qualifiedName,
        where: { scope: fn.scope },
      });
    }
  }
  return out;
};

export default check;
