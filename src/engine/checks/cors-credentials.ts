// CORS middleware that allows credentials for any origin: `origin: '*'` (browsers then refuse
// every credentialed request, and the usual "fix" is to reflect the origin) or an origin that
// reflects whatever the request sends (`origin: true`). Calls with catalog role `http.cors`, or a
// framework's plugin registration (`app.register(cors, { … })`). Python: keyword arguments under
// the same knob names (`allow_origins`, `allow_credentials`).
import type { Check } from '../api.js';
import type { CallFact, Value } from '../../languages/types.js';
import type { CatalogApi } from '../../catalog/types.js';
import type { FindingDraft } from '../types.js';
import { objectPath, optionsObject } from '../knobs.js';

const deref = (v: Value | undefined): Value | undefined => (v && v.kind === 'name' && v.resolved ? v.resolved : v);

function read(call: CallFact, api: CatalogApi, knob: string, optionsIndex: number | undefined): Value | 'unknown' | undefined {
  const keys = api.knobs?.[knob]?.keys ?? [knob];
  if (api.language === 'python') {
    for (const k of keys) if (call.kwargs[k]) return deref(call.kwargs[k]);
    return call.kwargsOpen ? 'unknown' : undefined;
  }
  const obj = optionsIndex === undefined ? optionsObject(call, api) : deref(call.args[optionsIndex]);
  if (obj === 'open' || (obj && obj.kind !== 'object')) return 'unknown';
  if (!obj) return undefined;
  for (const k of keys) {
    const f = objectPath(obj, k);
    if (f === 'unknown') return 'unknown';
    if (f) return deref(f.value);
  }
  return undefined;
}

const check: Check = (ctx) => {
  const lang = ctx.facts.language;
  const out: FindingDraft[] = [];
  for (const call of ctx.facts.calls) {
    let api = ctx.catalog.lookupRole(call.qualified, lang, ['http.cors']);
    let optionsIndex: number | undefined;
    if (!api && /(^|\.)(register|use)$/.test(call.callee)) {
      const plugin = call.args[0];
      if (plugin?.kind === 'name') api = ctx.catalog.lookupRole(plugin.qualified ?? plugin.text, lang, ['http.cors']);
      if (api) optionsIndex = 1;
    }
    if (!api) continue;
    const cred = read(call, api, 'credentials', optionsIndex);
    if (!cred || cred === 'unknown' || cred.kind !== 'boolean' || !cred.value) continue;
    const origin = read(call, api, 'origin', optionsIndex);
    if (origin === 'unknown') continue;
    let how: string | undefined;
    let loc = call.loc;
    if (!origin) how = 'no `origin` (the default is `*`)';
    else if (origin.kind === 'string' && origin.value === '*') (how = "`origin: '*'`"), (loc = origin.loc);
    else if (origin.kind === 'boolean' && origin.value) (how = '`origin: true`, which reflects any Origin header back'), (loc = origin.loc);
    else if (origin.kind === 'array' && origin.items.some((i) => i.kind === 'string' && i.value === '*')) (how = "an origin list containing '*'"), (loc = origin.loc);
    if (!how) continue;
    out.push({ ruleId: ctx.rule.id, loc, message: ctx.rule.message, data: { callee: call.callee, how }, where: { scope: call.scope } });
  }
  return out;
};

export default check;
