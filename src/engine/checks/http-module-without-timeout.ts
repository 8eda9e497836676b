// Framework modules that hand out a client with the library's unbounded default when a module
// lists them bare in its imports: NestJS `@Module({ imports: [HttpModule] })` gives HttpService the
// global axios instance (timeout 0) where `HttpModule.register({ timeout })` would build its own.
// The module is referenced, not called, so the `call` matcher cannot see it. From the catalog:
// the module decorators and the key of their imports list (section `module-imports`), which
// referenced names are such modules (rule option `roles`) and what their knob (`knob`) defaults
// to, and assignments anywhere in the file that set the default the bare module inherits (the
// knob's `setByGlobalAssignment`: `axios.defaults.timeout = …`).
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import type { Value } from '../../languages/types.js';

interface Options {
  roles: string[];
  knob: string;
}

const deref = (v: Value | undefined): Value | undefined => (v && v.kind === 'name' && v.resolved ? v.resolved : v);

const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const { facts } = ctx;
  const decorators = ctx.catalog.entries('module-imports', facts.language);
  const assigned = (targets: string[] | undefined) => !!targets?.length && facts.assignments.some((a) => a.qualified !== null && targets.includes(a.qualified));
  const out: FindingDraft[] = [];
  for (const c of facts.calls) {
    const deco = c.qualified ? decorators.find((d) => d.decorator === c.qualified) : undefined;
    if (!deco) continue;
    const meta = deref(c.args[0]);
    const list = meta?.kind === 'object' ? deref(meta.props[deco.importsKey]) : undefined;
    if (list?.kind !== 'array') continue;
    for (const item of list.items) {
      if (item.kind !== 'name' || !item.qualified) continue;
      const api = ctx.catalog.lookupRole(item.qualified, facts.language, o.roles);
      const knob = api?.knobs?.[o.knob];
      if (!api || !knob || knob.default !== 'unbounded' || assigned(knob.setByGlobalAssignment)) continue;
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
