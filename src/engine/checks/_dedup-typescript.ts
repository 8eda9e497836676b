// At-least-once handlers that create or charge without a dedup key. Handlers are found from the
// rule options (data, not code):
//   workers    constructor/method qualified names whose function argument is a job processor
//              (`bullmq.Worker` arg 1, `bull().process` last arg)
//   consumers  calls whose object argument holds the per-message callback (kafkajs
//              `consumer().run({ eachMessage })`) or whose function argument is it (amqplib consume)
//   routes     `<router>.post(path, …, handler)` with a path matching `routePattern`
//   routeFiles a file path pattern + exported function names (Next.js `app/**/route.ts` POST)
// Side effects: calls matching `charge` (payments: P0) or `create` (records, mail: P1) patterns.
// Dedup signals anywhere in the handler: an idempotency key property, a dedup/upsert call, an SQL
// conflict clause, or — for workers — a deterministic `jobId` on the adds in the same file.
import type { RuleContext } from '../api.js';
import type { CallFact, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { functionAndNested } from '../facts-query.js';
import { declaredHandlers, type HandlerOptions } from '../handlers.js';

export interface TypeScriptDedupOptions extends HandlerOptions {
  charge?: string;
  create?: string;
  dedupCalls?: string;
  dedupKeys?: string;
  dedupSql?: string;
}


function* values(v: Value): Generator<{ key?: string; v: Value }> {
  yield { v };
  if (v.kind === 'object') for (const [k, x] of Object.entries(v.props)) for (const y of values(x)) yield { key: y.key ?? k, v: y.v };
  if (v.kind === 'array') for (const x of v.items) yield* values(x);
  if (v.kind === 'name' && v.resolved) yield* values(v.resolved);
}

function hasKey(v: Value, re: RegExp): boolean {
  for (const x of values(v)) {
    if (x.v.kind === 'object' && Object.keys(x.v.props).some((k) => re.test(k))) return true;
  }
  return false;
}

/** The typescript half of FL600 (side-effect-dedup.ts): `o` is the rule's `typescript:` options block. */
export function typescriptHandlerFindings(ctx: RuleContext, o: TypeScriptDedupOptions): FindingDraft[] {
  const facts = ctx.facts;
  const charge = new RegExp(o.charge ?? '(^|\\.)(charges|paymentIntents|refunds|transfers|payouts|subscriptions|invoices)\\.create$', 'i');
  const create = new RegExp(o.create ?? '(\\.(create|createMany|insert|insertOne|insertMany)$|(^|\\.)(sendMail|sendEmail)$)', 'i');
  const dedupCalls = new RegExp(o.dedupCalls ?? '(^|\\.)(upsert|findOrCreate|findUnique|findFirst|findOne|findOneBy|exists|setnx|setNX|createOrUpdate|insertOrIgnore|onConflictDoNothing|onConflict|ignore)$', 'i');
  const dedupKeys = new RegExp(o.dedupKeys ?? '^(idempotencyKey|idempotency_key|Idempotency-Key|idempotency-key|skipDuplicates|NX|nx|jobId|dedupKey|deduplicationId|MessageDeduplicationId)$');
  const dedupSql = new RegExp(o.dedupSql ?? 'ON CONFLICT|ON DUPLICATE KEY|INSERT OR IGNORE|WHERE NOT EXISTS|\\bNX\\b', 'i');

  const handlers = declaredHandlers(facts, ctx.file.path, o);
  if (!handlers.length) return [];

  // producers in this file that dedupe with a deterministic job id guard the workers here
  const jobIdOnAdds = facts.calls.some((c) => /\(\)\.(add|addBulk)$/.test(c.qualified ?? '') && c.args.some((a) => hasKey(a, /^jobId$/)));

  const out: FindingDraft[] = [];
  for (const h of handlers) {
    const inside = functionAndNested(facts, h.fn.id);
    const calls = facts.calls.filter((c) => c.scope.functionId !== undefined && inside.has(c.scope.functionId));
    const name = (c: CallFact) => c.qualified ?? c.callee;
    const effects = calls.filter((c) => charge.test(name(c)) || charge.test(c.callee) || create.test(c.callee));
    if (!effects.length) continue;
    if (h.kind === 'job processor' && jobIdOnAdds) continue;
    const guarded =
      calls.some((c) => dedupCalls.test(c.callee)) ||
      calls.some((c) => c.args.some((a) => hasKey(a, dedupKeys) || [...values(a)].some((x) => (x.v.kind === 'string' && dedupSql.test(x.v.value)) || (x.v.kind === 'other' && dedupSql.test(x.v.text))))) ||
      facts.assignments.some((a) => a.scope.functionId !== undefined && inside.has(a.scope.functionId) && hasKey(a.value, dedupKeys));
    if (guarded) continue;
    const money = effects.find((c) => charge.test(name(c)) || charge.test(c.callee));
    const first = money ?? effects[0];
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: first.loc,
      message: ctx.rule.message,
      data: {
        subject: `This ${h.kind}`,
        effect: money ? 'charges money' : 'creates a record or sends a message',
        callee: first.callee,
        at: '',
        delivery: 'the broker or sender delivers at least once, so a timeout or crash delivers it again',
      },
      where: { scope: first.scope },
    };
    if (!money) {
      d.priority = 'P1';
      d.priorityReason = 'creates a duplicate record or message, no money moves';
    }
    out.push(d);
  }
  return out;
}
