// Framework modules that hand out a client with the library's unbounded default when a module
// lists them bare in its imports: NestJS `@Module({ imports: [HttpModule] })` gives HttpService the
// global axios instance (timeout 0) where `HttpModule.register({ timeout })` would build its own.
// The module is referenced, not called, so the `call` matcher cannot see it. Catalog role
// (`roles`) says which referenced names are such modules and what their knob defaults to; rule
// options name the module decorators, the key of their imports list, and assignments anywhere in
// the file that set the default the bare module inherits (`axios.defaults.timeout = …`).
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import type { Value } from '../../languages/types.js';

interface Options {
  decorators: string[];
  importsKey: string;
  roles: string[];
  knob: string;
  unlessAssigned?: string[];
}

const deref = (v: Value | undefined): Value | undefined => (v && v.kind === 'name' && v.resolved ? v.resolved : v);

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const { facts } = ctx;
  if (o.unlessAssigned?.length && facts.assignments.some((a) => a.qualified !== null && o.unlessAssigned!.includes(a.qualified))) return [];
  const out: FindingDraft[] = [];
  for (const c of facts.calls) {
    if (!c.qualified || !o.decorators.includes(c.qualified)) continue;
    const meta = deref(c.args[0]);
    const list = meta?.kind === 'object' ? deref(meta.props[o.importsKey]) : undefined;
    if (list?.kind !== 'array') continue;
    for (const item of list.items) {
      if (item.kind !== 'name' || !item.qualified) continue;
      const api = ctx.catalog.lookupRole(item.qualified, facts.language, o.roles);
      const knob = api?.knobs?.[o.knob];
      if (!api || !knob || knob.default !== 'unbounded') continue;
      out.push({
        ruleId: ctx.rule.id,
        loc: item.loc,
        message: ctx.rule.message,
        data: { name: item.text, api: item.qualified, default: knob.defaultNote ?? 'none' },
        where: { scope: c.scope, apiTags: api.tags },
      });
    }
  }
  return out;
};

export default check;
