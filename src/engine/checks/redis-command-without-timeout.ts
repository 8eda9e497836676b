// The `call` matcher's knob test, with one more way out: the same options object carries a
// setting that makes the knob irrelevant (rule options `unless`: key + literal value). Used for
// ioredis command timeouts, which BullMQ connections must not have (they are recognisable by
// `maxRetriesPerRequest: null`, which BullMQ requires).
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { objectPath, optionsObject, readKnob } from '../knobs.js';
import { withinRole } from '../matchers/call.js';

interface Options {
  roles: string[];
  knob: string;
  states?: Array<'missing' | 'disabled'>;
  unless?: Array<{ key: string; equals: string | number | boolean | null }>;
  unlessWithin?: string[];
}

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const states = new Set(o.states ?? ['missing', 'disabled']);
  const out: FindingDraft[] = [];
  for (const c of ctx.facts.calls) {
    const api = ctx.catalog.lookupRole(c.qualified, ctx.facts.language, o.roles);
    const knob = api?.knobs?.[o.knob];
    if (!api || !knob) continue;
    if (o.unlessWithin && withinRole(c, ctx, o.unlessWithin)) continue;
    const opts = optionsObject(c, api);
    if (opts === 'open') continue;
    // a lone variable may be the options object (or a URL): unknown
    if (!opts && c.args.some((a) => a.kind === 'name' && !a.resolved)) continue;
    if (opts && o.unless?.some((u) => {
      const f = objectPath(opts, u.key);
      if (!f || f === 'unknown') return f === 'unknown';
      const v = f.value;
      return u.equals === null ? v.kind === 'null' : 'value' in v && v.value === u.equals;
    })) continue;
    const r = readKnob(c, api, o.knob, ctx.facts, ctx.catalog);
    if (r.source === 'receiver' || (r.state !== 'missing' && r.state !== 'disabled') || !states.has(r.state)) continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: r.state === 'disabled' && r.valueLoc ? r.valueLoc : c.loc,
      message: ctx.rule.message,
      data: { callee: c.callee, key: r.key, keys: knob.keys.join(' / '), state: r.state === 'missing' ? 'no' : 'a disabled', default: knob.defaultNote ?? '' },
      where: { scope: c.scope, apiTags: api.tags },
    });
  }
  return out;
};

export default check;
