// SQLAlchemy engines as the engine checks see them (not a check itself: the leading underscore
// keeps it out of the rule namespace). For each create_engine / create_async_engine call (catalog
// tag `sqlalchemy-engine`): the URL scheme and query string when the URL is written in the file,
// the DBAPI driver that scheme loads (catalog section `sqlalchemy-dialects`), `connect_args`, and
// the pool class. Library facts come from rules/catalog/python-databases.yaml; this file only reads.
import { expandBraces } from '../../catalog/index.js';
import type { CatalogApi, DriverTimeout, SqlDialect, SqlEngineFacts } from '../../catalog/types.js';
import type { CallFact, FileFacts, Value } from '../../languages/types.js';
import type { RuleContext } from '../api.js';
import { isDisabledValue, objectPath } from '../knobs.js';

type ObjectValue = Extract<Value, { kind: 'object' }>;

export interface Engine {
  call: CallFact;
  api: CatalogApi;
  /** the URL scheme (`postgresql+asyncpg`) when the URL is visible; null when it comes from elsewhere */
  scheme: string | null;
  /** the catalog's driver for that scheme; undefined when the scheme is unknown or not catalogued */
  dialect?: SqlDialect;
  /** query-string parameters of a visible URL; null when the URL may carry more than we see */
  query: Map<string, string> | null;
  /** `connect_args`: the dict, 'absent', or 'unknown' (a variable, or `**kwargs` may hold it) */
  connectArgs: ObjectValue | 'absent' | 'unknown';
  /** poolclass: none given, one that pools nothing (NullPool, StaticPool…), another pool, or unreadable */
  pool: 'default' | 'unpooled' | 'pooled' | 'unknown';
}

export type TimeoutState = 'set' | 'missing' | 'disabled' | 'unknown';

function deref(v: Value | undefined): Value | undefined {
  return v && v.kind === 'name' && v.resolved ? v.resolved : v;
}

function engineFacts(ctx: RuleContext): SqlEngineFacts {
  return Object.assign({}, ...ctx.catalog.section('sqlalchemy-engine')) as SqlEngineFacts;
}

export function dialects(ctx: RuleContext): SqlDialect[] {
  return ctx.catalog.section('sqlalchemy-dialects');
}

function parseQuery(q: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of q.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    out.set(dec(part.slice(0, eq)), dec(part.slice(eq + 1)));
  }
  return out;
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+_.-]*):\/\//;
/** interpolated parts that may carry query parameters (`{db}{params}`, `+ query`) */
const QUERYISH_RE = /query|param|option|arg|extra|suffix/i;

/** A URL written as an f-string, a concatenation or a `%`/`.format` template: its literal parts. */
function readTemplate(text: string): { scheme: string | null; query: Map<string, string> | null } {
  const m = /^[rRuUfFbB]{0,2}(['"]{1,3})/.exec(text);
  if (!m) return { scheme: null, query: null };
  const body = text.slice(m[0].length);
  const scheme = SCHEME_RE.exec(body)?.[1] ?? null;
  if (!scheme) return { scheme: null, query: null };
  // dynamic parts: {expr} of f-strings and .format, `+ name` of concatenations, %s of % templates
  const dynamic = [...body.matchAll(/\{([^{}]*)\}|\+\s*([A-Za-z_][\w.]*)|%[sdr]/g)];
  const q = body.indexOf('?');
  if (q < 0) {
    const last = dynamic[dynamic.length - 1];
    const queryish = last !== undefined && QUERYISH_RE.test(last[1] ?? last[2] ?? '');
    return { scheme, query: queryish ? null : new Map() };
  }
  if (dynamic.some((d) => d.index! > q)) return { scheme, query: null };
  const literal = body.slice(q + 1).replace(/['"]{1,3}$/, '');
  return { scheme, query: parseQuery(literal) };
}

function readUrl(v: Value | undefined, facts: FileFacts, ef: SqlEngineFacts, depth = 0): { scheme: string | null; query: Map<string, string> | null } {
  const val = deref(v);
  if (!val || depth > 2) return { scheme: null, query: null };
  if (val.kind === 'string') {
    const scheme = SCHEME_RE.exec(val.value)?.[1] ?? null;
    const q = val.value.indexOf('?');
    return { scheme, query: scheme ? parseQuery(q < 0 ? '' : val.value.slice(q + 1)) : null };
  }
  if (val.kind === 'other') return readTemplate(val.text);
  if (val.kind !== 'call') return { scheme: null, query: null };
  const c = facts.calls[val.callId];
  const b = c && ef.urlBuilders?.find((u) => expandBraces(u.api).includes(c.qualified ?? ''));
  if (!c || !b) return { scheme: null, query: null };
  if (b.string !== undefined) return readUrl(c.args[b.string], facts, ef, depth + 1);
  const s = deref((b.scheme?.positional !== undefined ? c.args[b.scheme.positional] : undefined) ?? (b.scheme?.keyword ? c.kwargs[b.scheme.keyword] : undefined));
  if (!s || s.kind !== 'string') return { scheme: null, query: null };
  const q = deref(b.query ? c.kwargs[b.query] : undefined);
  if (!q) return { scheme: s.value, query: c.kwargsOpen ? null : new Map() };
  if (q.kind !== 'object' || q.open) return { scheme: s.value, query: null };
  const query = new Map<string, string>();
  for (const [k, pv] of Object.entries(q.props)) {
    const lit = deref(pv);
    query.set(k, lit && (lit.kind === 'string' || lit.kind === 'number' || lit.kind === 'boolean') ? String(lit.value) : '<value>');
  }
  return { scheme: s.value, query };
}

/** `args["k"] = …`, `args |= …`, `args.update(…)`: a dict bound to `name` is filled in out of sight. */
function mutated(name: string, facts: FileFacts): boolean {
  return (
    facts.assignments.some((a) => a.target.startsWith(name + '[') || (a.augmented && a.target === name)) ||
    facts.calls.some((c) => c.callee.startsWith(name + '.'))
  );
}

function readConnectArgs(call: CallFact, facts: FileFacts): Engine['connectArgs'] {
  const raw = call.kwargs['connect_args'];
  if (raw?.kind === 'name' && mutated(raw.text, facts)) return 'unknown';
  const v = deref(raw);
  if (!v) return call.kwargsOpen ? 'unknown' : 'absent';
  if (v.kind === 'object') return v;
  if (v.kind === 'call') {
    // connect_args=dict(connect_timeout=5)
    const c = facts.calls[v.callId];
    if (c?.callee === 'dict' && !c.args.length) return { kind: 'object', props: c.kwargs, open: c.kwargsOpen, loc: v.loc };
  }
  return 'unknown';
}

function readPool(call: CallFact, ef: SqlEngineFacts): Engine['pool'] {
  const v = call.kwargs['poolclass'];
  if (!v) return call.kwargsOpen ? 'unknown' : 'default';
  if (v.kind !== 'name' || !v.qualified) return 'unknown';
  const fromPoolModule = (ef.poolModules ?? []).some((m) => v.qualified === m || v.qualified!.startsWith(m + '.'));
  if (!fromPoolModule) return 'unknown';
  const cls = v.qualified.split('.').pop()!;
  return (ef.unpooled ?? []).includes(cls) ? 'unpooled' : 'pooled';
}

/** Every SQLAlchemy engine construction in the file; none in a schema-migration file (alembic env.py). */
export function engines(ctx: RuleContext): Engine[] {
  const ef = engineFacts(ctx);
  const all = dialects(ctx);
  const out: Engine[] = [];
  const migration = ef.migrationImports ?? [];
  if (ctx.facts.imports.some((i) => migration.includes(i.module.split('.')[0]))) return out;
  for (const call of ctx.facts.calls) {
    const api = ctx.catalog.lookup(call.qualified, 'python').find((a) => a.tags?.includes('sqlalchemy-engine'));
    if (!api) continue;
    const url = readUrl(call.args[0] ?? call.kwargs['url'], ctx.facts, ef);
    out.push({
      call,
      api,
      scheme: url.scheme,
      dialect: url.scheme ? all.find((d) => d.schemes.includes(url.scheme!)) : undefined,
      query: url.query,
      connectArgs: readConnectArgs(call, ctx.facts),
      pool: readPool(call, ef),
    });
  }
  return out;
}

/**
 * A URL we cannot read that is probably SQLite: `connect_args={"check_same_thread": False}` (a
 * pysqlite-only option) or a file that mentions sqlite at all (a `sqlite:///` fallback default).
 */
export function probablyLocal(e: Engine, ctx: RuleContext): boolean {
  if (e.connectArgs !== 'absent' && e.connectArgs !== 'unknown' && 'check_same_thread' in e.connectArgs.props) return true;
  return /sqlite/i.test(ctx.text);
}

/**
 * A URL read from a setting by name (`create_engine(settings.KH_DATABASE)`): the project model
 * drops the finding when a module of the process writes that setting as a SQLite URL (kotaemon's
 * flowsettings.py: `KH_DATABASE = f"sqlite:///{…}"`; model/signals.ts `local-db-url-<NAME>`).
 */
export function settingUrlPending(e: Engine): Record<string, string> {
  const arg = e.call.args[0] ?? e.call.kwargs['url'];
  const name = arg?.kind === 'name' && !arg.resolved ? /(?:^|\.)([A-Z][A-Z0-9_]*)$/.exec(arg.text)?.[1] : undefined;
  return name ? { pendingOn: `settings:local-db-url-${name}`, pendingMiss: 'keep', pendingHit: 'drop' } : {};
}

/** Does this file register a listener that checks connections on checkout (the ping recipe)? */
export function hasLivenessListener(ctx: RuleContext): boolean {
  const events = engineFacts(ctx).livenessEvents ?? [];
  return ctx.facts.calls.some((c) => {
    if (!c.qualified || !/^sqlalchemy\.event\.(listens_for|listen)$/.test(c.qualified)) return false;
    const name = deref(c.args[1]);
    return name?.kind === 'string' && events.includes(name.value);
  });
}

type Judged = 'set' | 'disabled' | 'skip';

function judge(v: Value, key: string, t: DriverTimeout, facts: FileFacts): Judged {
  const pattern = t.contains?.[key];
  const val = deref(v)!;
  const text = val.kind === 'string' ? val.value : val.kind === 'other' ? val.text : undefined;
  if (pattern && text !== undefined && !new RegExp(pattern, 'i').test(text)) return 'skip';
  // a variable or expression is a value that exists: set
  return isDisabledValue(val, t, facts) ? 'disabled' : 'set';
}

/** What the driver will use for this timeout, given connect_args, the URL and the file. */
export function timeoutState(e: Pick<Engine, 'call' | 'connectArgs' | 'query'>, t: DriverTimeout, facts: FileFacts, text: string): TimeoutState {
  let sawUnknown = false;
  let disabled = false;
  for (const key of t.keys) {
    const values: Value[] = [];
    if (typeof e.connectArgs === 'object') {
      const f = objectPath(e.connectArgs, key);
      if (f === 'unknown') sawUnknown = true;
      else if (f) values.push(f.value);
    }
    const q = e.query && !key.includes('.') ? e.query.get(key) : undefined;
    // a query parameter is a string; a numeric disabledBy (0) is matched by its number too
    if (q !== undefined) values.push(/^-?\d+(\.\d+)?$/.test(q) ? { kind: 'number', value: Number(q), loc: e.call.loc } : { kind: 'string', value: q, loc: e.call.loc });
    for (const v of values) {
      const j = judge(v, key, t, facts);
      if (j === 'set') return 'set';
      if (j === 'disabled') disabled = true;
    }
  }
  if (t.setByText?.some((re) => new RegExp(re, 'i').test(text))) return 'set';
  if (disabled) return 'disabled';
  if (sawUnknown || e.connectArgs === 'unknown' || e.query === null) return 'unknown';
  return t.default === 'bounded' ? 'set' : 'missing';
}

/**
 * An engine built for one job and dropped: chained to a one-shot method (`create_engine(url)
 * .raw_connection()`, catalog `oneShotMethods`), or held
 * in a local variable of a function that neither returns it, stores it (`self.x = engine`, a cache
 * dict, `global`), nor binds a session factory to it (`sessionmaker(bind=engine)`). Its pool never
 * keeps a connection idle long enough to go stale.
 */
export function shortLived(e: Engine, ctx: RuleContext): boolean {
  const id = e.call.id;
  const oneShot = engineFacts(ctx).oneShotMethods ?? [];
  const chained = (c: CallFact) => c.receiverCall === id && c.callee.includes('(') && oneShot.includes(c.callee.slice(c.callee.lastIndexOf('.') + 1));
  if (ctx.facts.calls.some(chained)) return true;
  const fnId = e.call.scope.functionId;
  if (fnId === undefined) return false;
  const bound = ctx.facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === id);
  if (!bound || !/^[A-Za-z_]\w*$/.test(bound.target)) return false;
  const fn = ctx.facts.functions[fnId];
  const lines = ctx.text.split(/\r\n|\r|\n/).slice(fn.loc.line - 1, fn.loc.endLine).join('\n');
  const n = bound.target;
  const kept = new RegExp(
    `\\b(?:return|yield)\\s+\\(?${n}\\b|=\\s*${n}\\s*$|\\bglobal\\s+(?:\\w+\\s*,\\s*)*${n}\\b|\\bbind\\s*=\\s*${n}\\b|(?:sessionmaker|Session|scoped_session)\\(\\s*${n}\\b`,
    'm',
  );
  return !kept.test(lines);
}
