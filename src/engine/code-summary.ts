// What the compose analysis needs to know about one source file (CodeFileSummary): the
// top-level modules it imports (which clients it opens: postgres, redis, nats, ...), the names
// it imports and the calls it makes (enough to tell a JetStream broker from core NATS).
// The engine builds one per parsed source file, whether or not any code rule wanted the file.
import type { Catalog } from '../catalog/index.js';
import { fileImports } from '../languages/imports.js';
import type { CallFact, FileFacts, Value } from '../languages/types.js';
import type { CodeFileSummary } from './compose.js';

/** Import-resolved callees worth keeping: the compose pack only looks for JetStream use. */
const KEEP_CALL = /jetstream|key_value|object_store/i;

export function codeSummary(facts: FileFacts, catalog?: Catalog): CodeFileSummary {
  const imports = fileImports(facts.imports, facts.language);
  const calls = new Set<string>();
  for (const c of facts.calls) if (c.qualified && KEEP_CALL.test(c.qualified)) calls.add(c.qualified);
  const limiters = catalog ? memoryLimiters(facts, catalog) : [];
  // an emitter's 'error' listener: node-redis reconnects by itself only once one is attached
  const listensForErrors = facts.calls.some((c) => /\.(on|once|addListener)$/.test(c.callee) && c.args[0]?.kind === 'string' && c.args[0].value === 'error');
  return {
    path: facts.path,
    language: facts.language,
    modules: [...imports.packages].sort(),
    imports: [...imports.names].sort(),
    calls: [...calls].sort(),
    ...(listensForErrors ? { listensForErrors } : {}),
    ...(limiters.length ? { limiters } : {}),
  };
}

/**
 * Rate limiters built here whose counters surely live in this process's memory (catalog section
 * `rate-limiters`): no storage option where the library defaults to memory, a `memory://` URI, or
 * an in-process store written out. Storage we cannot read (a variable, `**kwargs`) is unknown and
 * left out. The compose analysis decides whether the process runs more than once.
 */
export function memoryLimiters(facts: FileFacts, catalog: Catalog): NonNullable<CodeFileSummary['limiters']> {
  const entries = catalog.entries('rate-limiters', facts.language);
  if (!entries.length) return [];
  const out: NonNullable<CodeFileSummary['limiters']> = [];
  const deref = (v: Value | undefined) => (v?.kind === 'name' && v.resolved ? v.resolved : v);
  for (const c of facts.calls) {
    if (!c.qualified) continue;
    const e = entries.find((x) => x.calls.includes(c.qualified!));
    if (!e) continue;
    let storage: Value | undefined;
    let open: boolean;
    if (facts.language === 'python') {
      storage = e.storageKeys.map((k) => c.kwargs[k]).find(Boolean);
      open = !storage && c.kwargsOpen;
    } else {
      const opts = deref(c.args[e.optionsArg ?? 0]);
      if (opts && opts.kind !== 'object') continue; // options built elsewhere: unknown
      storage = opts ? e.storageKeys.map((k) => opts.props[k]).find(Boolean) : undefined;
      open = !storage && (c.argsOpen || (opts?.kind === 'object' && (opts.open || e.storageKeys.some((k) => opts.unknownKeys?.includes(k)))));
    }
    if (open) continue;
    storage = deref(storage);
    const memory = !storage
      ? e.defaultMemory
      : (storage.kind === 'string' && (e.memoryValues ?? []).includes(storage.value)) ||
        (storage.kind === 'call' && (e.memoryStores ?? []).includes(facts.calls[storage.callId]?.qualified ?? ''));
    if (!memory) continue;
    out.push({ callee: c.callee, api: c.qualified, ...locOf(c), storage: storage ? 'memory' : 'default' });
  }
  return out;
}

const locOf = (c: CallFact) => ({ line: c.loc.line, column: c.loc.column, endLine: c.loc.endLine, endColumn: c.loc.endColumn });

/** a route path that names a health or readiness probe */
const HEALTH_PATH = /(^|\/)(health|healthz|healthcheck|health-check|ready|readyz|readiness|livez|liveness|ping)(\/|$)/i;

/**
 * The GET routes of a file that look like health probes, as paths (`GET /api/healthcheck` ->
 * `/api/healthcheck`; a router-relative `GET healthcheck` -> `/healthcheck`): what a suggested
 * compose healthcheck should call instead of a guessed `/health`.
 */
export function healthRoutesOf(r: { signals?: { entries?: Array<{ kind: string; label: string }> } }): { healthRoutes?: string[] } {
  const out = new Set<string>();
  for (const e of r.signals?.entries ?? []) {
    if (e.kind !== 'http') continue;
    // a route for every verb too: Django's `path("v1/health/", include("health_check.urls"))` is `HTTP /v1/health/ (include)`
    const m = /^(?:GET|ALL|ANY|HTTP)\s+(\S+)(?:\s+\([\w.]+\))?$/i.exec(e.label.trim());
    if (!m || /[{}:<>*[\]]/.test(m[1])) continue;
    const path = m[1].startsWith('/') ? m[1] : `/${m[1]}`;
    if (HEALTH_PATH.test(path)) out.add(path);
  }
  return out.size ? { healthRoutes: [...out].sort() } : {};
}
