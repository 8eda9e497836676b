// FL125: the timeouts a handler's awaits carry add up to more than its caller waits. Each call
// has a timeout someone chose, so FL124 is satisfied, yet a GitHub webhook awaiting two calls of
// 30 s each can take a minute while GitHub gives up after 10 s (catalog section
// `request-budgets`: the caller by route path or handler name, else the proxy in front of any
// handler).
//
// Summed: the explicit, literal timeouts of the network waits each awaited call reaches — the call
// itself, a function of this file (src/engine/analysis/network-waits.ts), or a function imported
// from another project module (drafted `pending: budget`; the project model adds that module's
// waits, src/model/reach.ts, and keeps the finding only when the total still exceeds the budget).
// Calls already inside a deadline wrapper are bounded by it and not counted; so is a handler run
// under request timeout middleware.
import type { Check } from '../api.js';
import type { CallFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { httpHandlers, declaredHandlers, methodOf, routeFileDeadline } from '../analysis/handlers.js';
import { deadlineBounded, functionReaches, insideDeadline, moduleTargets, networkWait, type ModuleTarget } from '../analysis/network-waits.js';

const REQUEST_DEADLINE = ['deadline.request'];

export function secondsText(s: number): string {
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

const check: Check = (ctx) => {
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const budgets = catalog.entries('request-budgets', lang);
  if (!budgets.length) return [];
  const handlers = [...httpHandlers(ctx)];
  const routeFiles = catalog.entries('route-files', lang);
  // a route file's own execution limit (Next.js `maxDuration`) caps its handlers whatever they await
  if (routeFileDeadline(facts, ctx.file.path, routeFiles) === undefined) for (const rf of routeFiles) handlers.push(...declaredHandlers(facts, ctx.file.path, { routeFiles: rf }));
  if (!handlers.length) return [];
  if (facts.calls.some((c) => catalog.lookupRole(c.qualified, lang, REQUEST_DEADLINE))) return [];
  const reaches = functionReaches(facts, catalog);
  const topLevel = new Map(facts.functions.filter((f) => f.name && f.parentFunctionId === undefined && f.classId === undefined).map((f) => [f.name, f]));
  const out: FindingDraft[] = [];
  const seen = new Set<number>();
  for (const h of handlers) {
    if (seen.has(h.fn.id)) continue;
    seen.add(h.fn.id);
    // a webhook sender's budget holds only for the method it delivers with (Slack POSTs; a GET
    // `/slack/callback` is a browser's sign-in redirect)
    const method = methodOf(h.kind);
    const budget =
      budgets.find((b) => b.match && new RegExp(b.match, 'i').test(`${h.kind} ${h.fn.name}`) && (!b.methods || !method || b.methods.includes(method))) ??
      budgets.find((b) => !b.match);
    if (!budget) continue;
    const parts: string[] = [];
    let total = 0;
    const via: ModuleTarget[][] = [];
    for (const c of facts.calls) {
      if (!c.scope.awaited || !inside(c, h.fn.id) || insideDeadline(c, facts, catalog)) continue;
      const direct = networkWait(c, facts, catalog);
      if (direct) {
        if (direct.limit === 'explicit' && direct.seconds !== undefined) add(c.callee, direct.seconds, direct.line);
        continue;
      }
      // a project function handed a deadline or a timeout of the caller's is bounded by it
      if (deadlineBounded(c, facts, catalog)) continue;
      const local = /^\w+$/.test(c.callee) ? topLevel.get(c.callee) : undefined;
      if (local) {
        for (const w of reaches.get(local.id)?.waits ?? []) if (w.limit === 'explicit' && w.seconds !== undefined) add(`${c.callee} → ${w.callee}`, w.seconds, w.line);
        continue;
      }
      const t = moduleTargets(c, facts);
      if (t) via.push(t);
    }
    const what = h.fn.name && !h.kind.includes(h.fn.name) ? `${h.kind} \`${h.fn.qualifiedName}\`` : h.kind;
    const data: Record<string, string> = {
      handler: what,
      budget: secondsText(budget.seconds),
      caller: budget.caller,
      why: budget.why,
      total: secondsText(total),
      parts: parts.join(' + '),
      seconds: String(total),
      budgetSeconds: String(budget.seconds),
      // the proxy's default holds only where a stack of the scan runs that proxy (the model checks)
      ...(budget.proxyImages?.length ? { needsImage: JSON.stringify(budget.proxyImages) } : {}),
    };
    const loc = h.fn.nameLoc;
    // a named sender's limit is documented; the proxy's is only its default
    const lower = budget.match ? {} : { priority: 'P2' as const, priorityReason: `${budget.caller}: its default, the actual setting is not visible` };
    if (via.length) {
      // the model adds what the imported functions wait for, fills {total} and {parts}, then decides
      const { total: _t, parts: _p, ...rest } = data;
      void _t;
      void _p;
      const pending = { ...rest, pending: 'budget', via: JSON.stringify(via), localParts: JSON.stringify(parts) };
      out.push({ ruleId: ctx.rule.id, loc, message: ctx.rule.message, data: pending, symbol: h.fn.qualifiedName, where: { scope: h.fn.scope }, ...lower });
    } else if (total > budget.seconds) {
      out.push({ ruleId: ctx.rule.id, loc, message: ctx.rule.message, data, symbol: h.fn.qualifiedName, where: { scope: h.fn.scope }, ...lower });
    }

    function add(label: string, s: number, line: number): void {
      total += s;
      parts.push(`\`${label}\` ${secondsText(s)} (line ${line})`);
    }
  }
  return out;

  function inside(c: CallFact, fnId: number): boolean {
    for (let f = c.scope.functionId; f !== undefined; f = facts.functions[f]?.parentFunctionId) if (f === fnId) return true;
    return false;
  }
};

export default check;
