// ORM configurations that sit on node-postgres (catalog role `orm.config`) and inherit its
// wait-forever connection default: only when the config names a driver the rule options list
// (`type: 'postgres'`), read through the same knob reader as every call rule.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import type { Value } from '../../languages/types.js';
import { objectPath, optionsObject, readKnob } from '../knobs.js';

export interface DriverOptions {
  driverKey?: string;
  drivers?: string[];
}

/** The literal driver name (`type: 'postgres'`) of an ORM options object when the rule lists it. */
export function ormDriver(opts: Extract<Value, { kind: 'object' }>, o: DriverOptions): string | undefined {
  const driver = objectPath(opts, o.driverKey ?? 'type');
  const v = driver && driver !== 'unknown' ? (driver.value.kind === 'name' && driver.value.resolved ? driver.value.resolved : driver.value) : undefined;
  if (!v || v.kind !== 'string' || !(o.drivers ?? ['postgres', 'cockroachdb']).includes(v.value)) return undefined;
  return v.value;
}

const check: Check = (ctx) => {
  const o = (ctx.rule.options ?? {}) as DriverOptions;
  const out: FindingDraft[] = [];
  for (const c of ctx.facts.calls) {
    const api = ctx.catalog.lookupRole(c.qualified, ctx.facts.language, ['orm.config']);
    if (!api?.knobs?.['connect-timeout']) continue;
    const opts = optionsObject(c, api);
    if (!opts || opts === 'open') continue;
    const driver = ormDriver(opts, o);
    if (!driver) continue;
    const r = readKnob(c, api, 'connect-timeout', ctx.facts, ctx.catalog);
    if (r.state !== 'missing' && r.state !== 'disabled') continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: r.state === 'disabled' && r.valueLoc ? r.valueLoc : c.loc,
      message: ctx.rule.message,
      data: { callee: c.callee, driver, keys: api.knobs['connect-timeout'].keys.join(' / '), state: r.state === 'missing' ? 'no' : 'a disabled' },
      where: { scope: c.scope, apiTags: api.tags },
    });
  }
  return out;
};

export default check;
