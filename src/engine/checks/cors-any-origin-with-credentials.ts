// CORS middleware that allows credentials for any origin: `origin: '*'` (browsers then refuse
// every credentialed request, and the usual "fix" is to reflect the origin) or an origin that
// reflects whatever the request sends (`origin: true`). Calls with catalog role `http.cors`, or a
// registration that names the middleware as its first argument (`app.register(cors, { … })`,
// `app.add_middleware(CORSMiddleware, …)`, `Middleware(CORSMiddleware, …)`: catalog section
// `middleware-registrars`). Python: keyword arguments under the catalog's knob keys
// (`allow_origins`, `allow_credentials`), and settings modules that switch both flags on
// (django-cors-headers: catalog section `cors-settings`).
import type { Check } from '../api.js';
import type { CallFact, Value } from '../../languages/types.js';
import type { CatalogApi } from '../../catalog/types.js';
import type { FindingDraft } from '../types.js';
import { objectPath, optionsObject } from '../knobs.js';

const deref = (v: Value | undefined): Value | undefined => (v && v.kind === 'name' && v.resolved ? v.resolved : v);

function read(call: CallFact, api: CatalogApi, knob: string, optionsIndex: number | undefined): Value | 'unknown' | undefined {
  const keys = api.knobs?.[knob]?.keys;
  if (!keys) return undefined;
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

const isTrue = (v: Value | undefined): boolean => v?.kind === 'boolean' && v.value;
/** a regular expression that accepts every origin */
const MATCH_ALL = /^\^?(\.\*|\.\+)\$?$/;

/** How an origin setting lets every site in, or undefined when it does not. */
function anyOrigin(origin: Value | undefined, pattern: Value | undefined, api: CatalogApi): { how: string; at?: Value } | undefined {
  if (pattern?.kind === 'string' && MATCH_ALL.test(pattern.value)) return { how: `an origin pattern \`${pattern.value}\` that matches every site`, at: pattern };
  if (!origin) return api.knobs?.origin?.default === 'unbounded' ? { how: `no origin list (the default is \`${api.knobs.origin.defaultNote ?? '*'}\`)` } : undefined;
  if (origin.kind === 'string' && origin.value === '*') return { how: "origin `'*'`", at: origin };
  if (origin.kind === 'boolean' && origin.value) return { how: 'origin `true`, which reflects any Origin header back', at: origin };
  if (origin.kind === 'array' && origin.items.some((i) => i.kind === 'string' && i.value === '*'))
    return { how: "an origin list containing '*'", at: origin };
  return undefined;
}

const check: Check = (ctx) => {
  const lang = ctx.facts.language;
  const registrars = ctx.catalog.entries('middleware-registrars', lang);
  const isRegistrar = (call: CallFact) =>
    registrars.some(
      (r) =>
        (call.qualified !== null && (r.calls ?? []).includes(call.qualified)) ||
        (r.methods ?? []).some((m) => call.callee === m || call.callee.endsWith(`.${m}`)),
    );
  const out: FindingDraft[] = [];
  for (const call of ctx.facts.calls) {
    let api = ctx.catalog.lookupRole(call.qualified, lang, ['http.cors']);
    let optionsIndex: number | undefined;
    if (!api && isRegistrar(call)) {
      const plugin = call.args[0];
      if (plugin?.kind === 'name') api = ctx.catalog.lookupRole(plugin.qualified ?? plugin.text, lang, ['http.cors']);
      if (api) optionsIndex = 1;
    }
    if (!api) continue;
    const cred = read(call, api, 'credentials', optionsIndex);
    if (!cred || cred === 'unknown' || !isTrue(cred)) continue;
    const origin = read(call, api, 'origin', optionsIndex);
    const pattern = read(call, api, 'origin-pattern', optionsIndex);
    if (origin === 'unknown' || pattern === 'unknown') continue;
    const any = anyOrigin(origin, pattern, api);
    if (!any) continue;
    // point at the offending value where it is written (the fix goes there), else at the call
    const loc = any.at?.loc ?? call.loc;
    out.push({ ruleId: ctx.rule.id, loc, message: ctx.rule.message, data: { callee: call.callee, how: any.how }, where: { scope: call.scope } });
  }
  for (const settings of ctx.catalog.entries('cors-settings', lang)) {
    // settings modules: both flags assigned True at module level
    const moduleTrue = (names: string[]) =>
      ctx.facts.assignments.find((a) => a.scope.functionId === undefined && a.scope.classId === undefined && names.includes(a.target) && isTrue(deref(a.value)));
    const all = moduleTrue(settings.anyOrigin);
    const cred = moduleTrue(settings.credentials);
    if (all && cred)
      out.push({ ruleId: ctx.rule.id, loc: all.loc, message: ctx.rule.message, data: { callee: `${all.target} + ${cred.target}`, how: `\`${all.target} = True\`, which echoes any Origin back` }, where: { scope: all.scope } });
  }
  return out;
};

export default check;
