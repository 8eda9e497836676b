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
import { knobValues, objectPath, optionsObject } from '../knobs.js';

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

/** `process.env.CORS_ORIGIN ?? '*'`, `process.env.ORIGINS?.split(',') || true`: the fallback as written */
const ENV_FALLBACK = /^process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*['"]([^'"]+)['"]\s*\])(?:\?\.split\([^)]*\))?\s*(?:\?\?|\|\|)\s*(.+)$/s;

/** a literal written as source text: `'*'`, `"*"`, `true`, `['*']` */
function literalText(text: string, loc: Value['loc']): Value | undefined {
  const t = text.trim();
  const q = /^(['"`])(.*)\1$/.exec(t);
  if (q) return { kind: 'string', value: q[2], loc };
  if (t === 'true' || t === 'True') return { kind: 'boolean', value: true, loc };
  const arr = /^\[\s*(['"])\*\1\s*,?\s*\]$/.exec(t);
  if (arr) return { kind: 'array', items: [{ kind: 'string', value: '*', loc }], open: false, loc };
  return undefined;
}

interface ViaDefault {
  value: Value;
  /** how the default is reached, for the message: "the settings field `cors_origins`" */
  via: string;
}

const check: Check = (ctx) => {
  const lang = ctx.facts.language;
  const facts = ctx.facts;
  const settingsClasses = new Set(
    facts.classes.filter((k) => k.bases.some((b) => ctx.catalog.lookupRole(b, lang, ['settings.class']))).map((k) => k.id),
  );
  const classByName = new Map(facts.classes.map((k) => [k.name, k]));
  /** the one module-level (or unique) assignment of a plain name */
  const assigned = (name: string) => {
    const all = facts.assignments.filter((a) => a.target === name);
    return all.length === 1 ? all[0] : undefined;
  };
  const envFallback = (text: string, loc: Value['loc']): ViaDefault | undefined => {
    const m = ENV_FALLBACK.exec(text.trim());
    const lit = m ? literalText(m[3], loc) : undefined;
    return lit ? { value: lit, via: `\`process.env.${m![1] ?? m![2]}\`'s fallback` } : undefined;
  };
  /**
   * A value that is a default somewhere else in this file: a settings-class field
   * (`settings.cors_origins` with `settings = Settings()`), a property of a config object whose
   * value falls back to a literal (`config.cors.origin`), or an environment read with a fallback
   * (`os.getenv("CORS_ORIGINS", "*").split(",")`, `process.env.CORS_ORIGIN ?? '*'`).
   */
  const viaDefault = (v: Value | undefined, depth = 0): ViaDefault | undefined => {
    if (!v || depth > 3) return undefined;
    if (v.kind === 'other') return lang === 'typescript' ? envFallback(v.text, v.loc) : undefined;
    if (v.kind === 'call') {
      let c = facts.calls[v.callId];
      // `.split(",")` on the read
      if (c && /\.split$/.test(c.callee) && c.receiverCall !== undefined) c = facts.calls[c.receiverCall];
      if (!c) return undefined;
      const api = ctx.catalog.lookupRole(c.qualified, lang, ['env.read']);
      const fb = api?.knobs?.fallback;
      if (!api || !fb) return undefined;
      const name = knobValues(c, api, api.knobs!.variable!).found[0]?.value;
      const given = knobValues(c, api, fb).found[0]?.value;
      return given?.kind === 'string' ? { value: given, via: `the fallback of \`${c.callee}(${name?.kind === 'string' ? JSON.stringify(name.value) : '…'})\`` } : undefined;
    }
    if (v.kind !== 'name' || v.resolved) return undefined;
    const [head, ...path] = v.text.split('.');
    if (!path.length) return undefined;
    const a = assigned(head);
    if (!a) return undefined;
    if (lang === 'python' && a.value.kind === 'call') {
      const klass = classByName.get(facts.calls[a.value.callId]?.callee ?? '');
      if (!klass || !settingsClasses.has(klass.id) || path.length !== 1) return undefined;
      const field = facts.assignments.find((f) => f.scope.classId === klass.id && f.scope.functionId === undefined && f.target === path[0]);
      if (!field) return undefined;
      let value: Value | undefined = field.value;
      if (value.kind === 'call') {
        const fc = facts.calls[value.callId];
        value = /^pydantic(?:_settings)?\.Field$/.test(fc?.qualified ?? '') ? (fc.kwargs.default ?? fc.args[0]) : undefined;
      }
      return value ? { value, via: `the default of settings field \`${klass.name}.${path[0]}\`` } : undefined;
    }
    if (a.value.kind !== 'object') return undefined;
    let cur: Value | undefined = a.value;
    for (const key of path) cur = cur?.kind === 'object' ? cur.props[key] : undefined;
    if (!cur) return undefined;
    if (cur.kind === 'string' || cur.kind === 'boolean' || cur.kind === 'array') return { value: cur, via: `\`${v.text}\`` };
    const inner = viaDefault(cur, depth + 1);
    return inner ? { value: inner.value, via: `${inner.via}, through \`${v.text}\`` } : undefined;
  };
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
    const vias: string[] = [];
    const readDefault = (knob: string): Value | 'unknown' | undefined => {
      const v = read(call, api!, knob, optionsIndex);
      if (v === 'unknown' || !v) return v;
      const d = viaDefault(v);
      if (!d) return v;
      vias.push(d.via);
      return d.value;
    };
    const cred = readDefault('credentials');
    if (!cred || cred === 'unknown' || !isTrue(cred)) continue;
    const origin = readDefault('origin');
    const pattern = read(call, api, 'origin-pattern', optionsIndex);
    if (origin === 'unknown' || pattern === 'unknown') continue;
    const any = anyOrigin(origin, pattern, api);
    if (!any) continue;
    // point at the offending value where it is written (the fix goes there), else at the call
    const loc = any.at?.loc ?? call.loc;
    const how = vias.length ? `${any.how} (${vias.join('; ')})` : any.how;
    out.push({
      ruleId: ctx.rule.id,
      loc,
      message: ctx.rule.message,
      data: { callee: call.callee, how },
      ...(vias.length ? { priority: 'P1' as const, priorityReason: 'reached through a default that the deployment may override' } : {}),
      where: { scope: call.scope },
    });
  }
  for (const settings of ctx.catalog.entries('cors-settings', lang)) {
    // settings modules: both flags assigned True at module level
    const moduleTrue = (names: string[]) =>
      ctx.facts.assignments.find((a) => a.scope.functionId === undefined && a.scope.classId === undefined && names.includes(a.target) && isTrue(deref(a.value)));
    const all = moduleTrue(settings.anyOrigin);
    const cred = moduleTrue(settings.credentials);
    // set in one branch of the module (plane's `else: CORS_ALLOW_ALL_ORIGINS = True` when
    // CORS_ALLOWED_ORIGINS is unset): a fallback the deployment's configuration decides, as a default is
    const branch = all?.scope.inBranch === true;
    if (all && cred)
      out.push({
        ruleId: ctx.rule.id,
        loc: all.loc,
        message: ctx.rule.message,
        data: { callee: `${all.target} + ${cred.target}`, how: `\`${all.target} = True\`${branch ? ' in one branch of the settings' : ''}, which echoes any Origin back` },
        ...(branch ? { priority: 'P1' as const, priorityReason: 'set only in one branch of the settings, which the deployment\'s configuration picks' } : {}),
        where: { scope: all.scope },
      });
  }
  // A settings class whose defaults pair a wildcard origin list with credentials (`cors_origins:
  // list[str] = ["*"]` and `cors_allow_credentials: bool = True`): the middleware that reads them
  // usually sits in another module, so the defaults are reported where they are written.
  const opts = ctx.rule.options as { settingsOrigins?: string; settingsCredentials?: string } | undefined;
  if (lang === 'python' && opts?.settingsOrigins && opts.settingsCredentials) {
    const originRe = new RegExp(opts.settingsOrigins, 'i');
    const credRe = new RegExp(opts.settingsCredentials, 'i');
    const reported = new Set(out.map((d) => `${d.loc.line}:${d.loc.column}`));
    const fieldValue = (v: Value): Value | undefined => {
      if (v.kind !== 'call') return v;
      const fc = facts.calls[v.callId];
      return /^pydantic(?:_settings)?\.Field$/.test(fc?.qualified ?? '') ? (fc.kwargs.default ?? fc.args[0]) : undefined;
    };
    for (const klass of facts.classes) {
      if (!settingsClasses.has(klass.id)) continue;
      const fields = facts.assignments.filter((a) => a.scope.classId === klass.id && a.scope.functionId === undefined);
      const cred = fields.find((f) => credRe.test(f.target) && isTrue(fieldValue(f.value)));
      if (!cred) continue;
      for (const f of fields) {
        if (!originRe.test(f.target)) continue;
        const v = fieldValue(f.value);
        const any = v && anyOrigin(v, undefined, { language: 'python', match: [], role: 'http.cors' } as CatalogApi);
        if (!any?.at || reported.has(`${any.at.loc.line}:${any.at.loc.column}`)) continue;
        out.push({
          ruleId: ctx.rule.id,
          loc: any.at.loc,
          message: ctx.rule.message,
          data: { callee: `${klass.name}.${f.target}`, how: `${any.how} as the default, next to \`${cred.target} = True\`` },
          priority: 'P1',
          priorityReason: 'reached through a default that the deployment may override',
          where: { scope: f.scope },
        });
      }
    }
  }
  return out;
};

export default check;
