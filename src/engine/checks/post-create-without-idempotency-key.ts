// FL601: a POST handler that creates a row and takes no idempotency key or client token. POST is
// the one method a client may not repeat safely, and clients do repeat it: a mobile app that lost
// the answer, a gateway retrying on a timeout, a user pressing the button again. With no key the
// second request creates a second order. Hygiene (P2): most create endpoints live with it, but
// each one is a duplicate waiting for a flaky network.
//
// Handlers: Python routes and resource methods (catalog roles `http.route`, `http.resource`),
// TS/JS routes (`http.route` registration calls) and route files (catalog `route-files`, the POST
// export). Webhook-like paths are FL600's. Writes and dedup signals are the rule's options.
import type { Check, RuleContext } from '../api.js';
import type { CallFact, FunctionFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { functionAndNested } from '../analysis/facts-query.js';
import { declaredHandlers, httpHandlers, type Handler } from '../analysis/handlers.js';
import { writeCalls, type WriteOptions } from '../analysis/side-effects.js';

interface Options {
  /** paths FL600 judges (webhooks: the sender's retries, not the client's) */
  webhookPattern: string;
  /** any match in the handler's source text: an idempotency key, a client token, or a dedup write */
  keyed: string[];
  python: WriteOptions;
  /** TS/JS: calls that create (regex on the callee as written), and INSERT SQL in a string argument */
  typescript: { create: string; sql: string };
}

function sourceOf(text: string, fn: FunctionFact): string {
  return text.split('\n').slice(fn.loc.line - 1, fn.loc.endLine).join('\n');
}

function postHandlers(ctx: RuleContext): Handler[] {
  const { facts, catalog } = ctx;
  const out = httpHandlers(ctx).filter((h) => /^(POST |HTTP POST handler)/.test(h.kind));
  for (const routeFiles of catalog.entries('route-files', facts.language)) {
    for (const h of declaredHandlers(facts, ctx.file.path, { routeFiles })) if (h.fn.name === 'POST') out.push(h);
  }
  const seen = new Set<number>();
  return out.filter((h) => !seen.has(h.fn.id) && (seen.add(h.fn.id), true));
}

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const { facts } = ctx;
  const webhook = new RegExp(o.webhookPattern, 'i');
  const keyed = o.keyed.map((k) => new RegExp(k, 'i'));
  const tsCreate = new RegExp(o.typescript.create, 'i');
  const tsSql = new RegExp(o.typescript.sql, 'i');
  const creates: (c: CallFact) => boolean =
    facts.language === 'python' ? writeCalls(o.python) : (c) => tsCreate.test(c.callee) || c.args.some((a) => (a.kind === 'string' && tsSql.test(a.value)) || (a.kind === 'other' && tsSql.test(a.text.replace(/^`/, ''))));
  const out: FindingDraft[] = [];
  for (const h of postHandlers(ctx)) {
    if (webhook.test(h.path ?? ctx.file.path)) continue;
    const inside = functionAndNested(facts, h.fn.id);
    const write = facts.calls.find((c) => c.scope.functionId !== undefined && inside.has(c.scope.functionId) && creates(c));
    if (!write) continue;
    if (keyed.some((re) => re.test(sourceOf(ctx.text, h.fn)))) continue;
    // a route file's URL path: `app/api/orders/route.ts` serves /api/orders
    const file = /route handler$/.test(h.kind) ? /(?:^|\/)app(\/.*)?\/route\.\w+$/.exec(ctx.file.path) : null;
    const path = file ? file[1] || '/' : h.path;
    out.push({
      ruleId: ctx.rule.id,
      // Python handlers are named functions; TS/JS ones mostly arrows: point at the write
      loc: facts.language === 'python' ? h.fn.nameLoc : write.loc,
      message: ctx.rule.message,
      // a router's prefix is not visible here: a named handler says which `POST /` it is
      data: { handler: path ? `POST ${path}${h.fn.name && facts.language === 'python' ? ` (\`${h.fn.name}\`)` : ''}` : `\`${h.fn.qualifiedName}\``, callee: write.callee, line: String(write.loc.line) },
      symbol: h.fn.qualifiedName || undefined,
      where: { scope: h.fn.scope },
    });
  }
  return out;
};

export default check;
