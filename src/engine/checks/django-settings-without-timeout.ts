// FL160: a Django settings module whose cache, database or mail client gets no timeout. The
// backends, engines and option spellings are catalog knowledge (section `django-settings`); this
// check walks the settings' dict literals. A setting it cannot see (built by a call, read from
// the environment as a whole) is unknown and not reported.
import type { Check } from '../api.js';
import type { AssignmentFact, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';


type Obj = Extract<Value, { kind: 'object' }>;

const deref = (v: Value | undefined): Value | undefined => (v?.kind === 'name' && v.resolved ? v.resolved : v);
const asObject = (v: Value | undefined): Obj | undefined => {
  const d = deref(v);
  return d?.kind === 'object' ? d : undefined;
};
const asString = (v: Value | undefined): string | undefined => {
  const d = deref(v);
  return d?.kind === 'string' ? d.value : undefined;
};

/** Module-level settings of this file, last assignment wins (as Python reads them). */
function settings(assignments: AssignmentFact[]): Map<string, AssignmentFact> {
  const out = new Map<string, AssignmentFact>();
  for (const a of assignments) if (a.scope.functionId === undefined && a.scope.classId === undefined && /^[A-Z][A-Z0-9_]*$/.test(a.target)) out.set(a.target, a);
  return out;
}

const check: Check = (ctx) => {
  const k = ctx.catalog.section('django-settings')[0];
  if (!k) return [];
  const set = settings(ctx.facts.assignments);
  if (!k.markers.some((m) => set.has(m))) return [];
  const out: FindingDraft[] = [];
  const push = (loc: Value['loc'], data: Record<string, string>, priority?: 'P2') =>
    out.push({ ruleId: ctx.rule.id, loc, message: ctx.rule.message, data, ...(priority ? { priority, priorityReason: 'a slow connect ends when the OS gives up on TCP (about 2 minutes)' } : {}) });

  /** the OPTIONS of each alias of a CACHES / DATABASES dict whose backend the catalog knows, unless read from elsewhere */
  function aliases<K extends { keys: string[] }>(setting: string, keyOf: string, known: (v: string) => K | undefined) {
    const out: Array<{ alias: string; known: K; at: Value['loc']; opts?: NonNullable<ReturnType<typeof asObject>> }> = [];
    for (const [alias, raw] of Object.entries(asObject(set.get(setting)?.value)?.props ?? {})) {
      const cfg = asObject(raw);
      const keyV = cfg?.props[keyOf];
      const name = asString(keyV);
      const hit = name ? known(name) : undefined;
      if (!cfg || !hit || cfg.open) continue;
      const options = cfg.props.OPTIONS;
      const opts = asObject(options);
      if (options && (!opts || opts.open)) continue; // options from elsewhere: unknown
      if (hit.keys.some((key) => opts?.props[key])) continue;
      out.push({ alias, known: hit, at: keyV!.loc, ...(opts ? { opts } : {}) });
    }
    return out;
  }

  for (const { alias, known, at, opts } of aliases('CACHES', 'BACKEND', (b) => k.caches.find((c) => c.backends.includes(b)))) {
    const wrong = known.otherSpelling.find((key) => opts?.props[key]);
    push(wrong ? opts!.props[wrong].loc : at, {
      api: 'django.settings',
      // the client library and knob, for a default the project gets elsewhere (redis-py 8.0+ required in pyproject.toml)
      ...(known.client ? { defaultLibrary: known.client, knob: 'query-timeout', state: 'no' } : {}),
      suggest: known.suggest,
      what: wrong
        ? `Django cache \`${alias}\` (${known.library}) sets \`${wrong}\`, which this backend does not read as the socket timeout (${known.otherSpellingNote})`
        : `Django cache \`${alias}\` (${known.library}) sets no \`${known.keys[0]}\` in OPTIONS`,
      consequence: 'a Redis that stops answering hangs every request that reads or writes the cache (redis-py before 8.0 has no socket timeout).',
    });
  }

  for (const { alias, known, at, opts } of aliases('DATABASES', 'ENGINE', (e) => k.databases.find((d) => d.engines.includes(e)))) {
    // a pool opens the connections in its own workers and bounds the request's wait for one
    if (known.pooledBy?.some((key) => opts?.props[key] && !(opts.props[key].kind === 'boolean' && opts.props[key].value === false))) continue;
    push(at, {
      api: 'django.settings',
      suggest: known.suggest,
      what: `Django database \`${alias}\` (${known.library}) sets no \`${known.keys[0]}\` in OPTIONS`,
      consequence: 'a database host that drops packets holds every new connection, and the request that opens it, until the operating system gives up.',
    }, 'P2');
  }

  const e = k.email;
  const host = set.get(e.hostSetting);
  const backendA = set.get(e.backendSetting);
  const backend = backendA ? asString(backendA.value) : e.smtpBackends[0];
  const hostValue = host && deref(host.value);
  const hostSet = host && hostValue?.kind !== 'null' && !(hostValue?.kind === 'string' && hostValue.value === '');
  // no host in the settings, but the SMTP backend chosen by name: the host comes at send time
  // (plane's `get_connection(host=…, port=…)` from the instance configuration it stores), and
  // every connection still takes EMAIL_TIMEOUT's None
  const chosen = !hostSet && backendA !== undefined;
  if ((hostSet || chosen) && backend && e.smtpBackends.includes(backend) && !set.has(e.timeoutSetting)) {
    const at = hostSet ? host! : backendA!;
    push(at.loc, {
      api: 'django.settings',
      knob: e.timeoutSetting,
      state: 'no',
      suggest: e.suggest,
      what: hostSet
        ? `\`${e.hostSetting}\` configures SMTP but \`${e.timeoutSetting}\` is not set (default None)`
        : `\`${e.backendSetting}\` selects SMTP but \`${e.timeoutSetting}\` is not set (default None)`,
      consequence: 'a mail server that accepts the connection and then stalls hangs the view or task that sends the mail (password resets, notifications) for as long as it stalls.',
    });
  }
  return out;
};

export default check;
