// ORM configurations that sit on node-postgres (catalog role `orm.config`) and inherit its
// wait-forever connection default: only when the config names a driver the rule options list
// (`type: 'postgres'`), read through the same knob reader as every call rule.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { objectPath, optionsObject, readKnob } from '../knobs.js';

interface Options {
  driverKey?: string;
  drivers?: string[];
}

const check: Check = (ctx) => {
  const o = (ctx.rule.options ?? {}) as Options;
  const drivers = new Set(o.drivers ?? ['postgres', 'cockroachdb']);
  const out: FindingDraft[] = [];
  for (const c of ctx.facts.calls) {
    const api = ctx.catalog.lookupRole(c.qualified, ctx.facts.language, ['orm.config']);
    if (!api?.knobs?.['connect-timeout']) continue;
    const opts = optionsObject(c, api);
    if (!opts || opts === 'open') continue;
    const driver = objectPath(opts, o.driverKey ?? 'type');
    const v = driver && driver !== 'unknown' ? (driver.value.kind === 'name' && driver.value.resolved ? driver.value.resolved : driver.value) : undefined;
    if (!v || v.kind !== 'string' || !drivers.has(v.value)) continue;
    const r = readKnob(c, api, 'connect-timeout', ctx.facts, ctx.catalog);
    if (r.state !== 'missing' && r.state !== 'disabled') continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: r.state === 'disabled' && r.valueLoc ? r.valueLoc : c.loc,
      message: ctx.rule.message,
      data: { callee: c.callee, driver: v.value, keys: api.knobs['connect-timeout'].keys.join(' / '), state: r.state === 'missing' ? 'no' : 'a disabled' },
      where: { scope: c.scope, apiTags: api.tags },
    });
  }
  return out;
};

export default check;
