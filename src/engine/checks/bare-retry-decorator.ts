// A retry decorator used bare (`@retry`, `@tenacity.retry`) takes every library default. When the
// catalog says those defaults are unbounded (tenacity: stop never, wait none), the decorated
// function is retried forever, back to back. The call form (`@retry(...)`) is a call and is left
// to FL351/FL352 through the `call` matcher.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const out: FindingDraft[] = [];
  for (const fn of facts.functions) {
    for (const d of fn.decorators) {
      if (d.callId !== undefined) continue;
      const api = catalog.lookupRole(d.qualified, facts.language, ['retry.policy']);
      if (!api) continue;
      const limit = api.knobs?.['max-attempts'];
      const wait = api.knobs?.['backoff'];
      const forever = limit?.default === 'unbounded';
      const noWait = wait?.default === 'unbounded';
      if (!forever && !noWait) continue;
      const what = [forever ? `no stop (${limit?.defaultNote ?? 'unbounded'})` : '', noWait ? `no wait (${wait?.defaultNote ?? 'none'})` : '']
        .filter(Boolean)
        .join(' and ');
      out.push({
        ruleId: ctx.rule.id,
        loc: d.loc,
        message: ctx.rule.message,
        data: { decorator: d.text, function: fn.name, what },
        symbol: fn.qualifiedName,
        where: { scope: fn.scope },
      });
    }
  }
  return out;
};

export default check;
