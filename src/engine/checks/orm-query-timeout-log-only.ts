// ORM configurations (catalog role `orm.config`) that set a slow-query threshold which only logs
// (TypeORM `maxQueryExecutionTime`) and nothing that aborts a query: the setting reads like a
// timeout and is not one. Rule options name the catalog knobs: `logOnly` (the threshold that only
// logs) and `knob` (what does bound queries); the entry's `variant` (a driver on node-postgres)
// decides which configs count.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { objectPath, optionsObject, readKnob, variantOf } from '../knobs.js';

interface Options {
  logOnly: string;
  knob: string;
}

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const out: FindingDraft[] = [];
  for (const c of ctx.facts.calls) {
    const api = ctx.catalog.lookupRole(c.qualified, ctx.facts.language, ['orm.config']);
    const knob = api?.knobs?.[o.knob];
    const logOnly = api?.knobs?.[o.logOnly];
    if (!api || !knob || !logOnly) continue;
    const opts = optionsObject(c, api);
    if (!opts || opts === 'open') continue;
    const threshold = logOnly.keys.map((k) => objectPath(opts, k)).find((f) => f !== undefined);
    if (!threshold || threshold === 'unknown') continue;
    const t = threshold.value.kind === 'name' && threshold.value.resolved ? threshold.value.resolved : threshold.value;
    // no threshold (null / 0) means no slow-query logging either: nothing that looks like a timeout
    if (t.kind === 'null' || (t.kind === 'number' && !(t.value > 0))) continue;
    const driver = variantOf(c, api);
    if (!driver) continue;
    const r = readKnob(c, api, o.knob, ctx.facts, ctx.catalog);
    if (r.state !== 'missing' && r.state !== 'disabled') continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: threshold.value.loc,
      message: ctx.rule.message,
      data: { callee: c.callee, variant: driver, key: threshold.key, keys: knob.keys.join(' / ') },
      where: { scope: c.scope, apiTags: api.tags },
    });
  }
  return out;
};

export default check;
