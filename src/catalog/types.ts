// The library catalog: rules/catalog/*.yaml. Library knowledge (which API does what, how each
// library spells its knobs, what its defaults are) lives here and nowhere else.

export type CatalogLanguage = 'python' | 'typescript';

/** A literal that can appear in a catalog: `null` stands for Python None and JS null/undefined. */
export type CatalogLiteral = string | number | boolean | null;

export interface Knob {
  /**
   * How the library spells this knob. Python: keyword names. TS/JS: property paths inside the
   * options object, dotted for nesting ("timeout.request", "socket.connectTimeout").
   */
  keys: string[];
  /** the knob may also be passed positionally at this index (Python: `urlopen(url, data, 10)`) */
  positional?: number;
  /** what the library does when the knob is absent */
  default: 'unbounded' | 'bounded';
  /** human text for reports: "none (waits forever)", "5 s" */
  defaultNote?: string;
  /** literal values that mean "no limit" (null = None/null/undefined; Infinity allowed as a number) */
  disabledBy?: CatalogLiteral[];
  /**
   * Per-spelling "no limit" values, for knobs whose spellings disable differently (SQLAlchemy:
   * `pool_size=0` and `max_overflow=-1` both lift the cap, `max_overflow=0` does not). A key listed
   * here uses these values instead of `disabledBy`, and such a value disables the whole knob even
   * when another spelling is set (`pool_size=0` wins over `max_overflow=10`).
   */
  disabledByKey?: Record<string, CatalogLiteral[]>;
  /**
   * Keys that bound the whole call by themselves (undici's per-request `signal`): when one of them
   * is present with a live value, a `disabledByKey` value no longer disables the knob (the request
   * still ends when the signal fires).
   */
  boundedBy?: string[];
  /**
   * A call-valued knob whose call disables it: e.g. `timeout=httpx.Timeout(None)` or
   * `aiohttp.ClientTimeout()` with no total. Names of constructor APIs whose first argument (or
   * listed keywords) decide. Kept small on purpose.
   */
  disabledByCall?: Array<{ api: string; when: 'first-arg-null' | 'all-args-null' }>;
  /** absent on the call -> use the state of the receiver's constructor call (client-level default) */
  inherit?: 'receiver';
  /** method calls on the same instance that may set the knob out of our sight -> unknown */
  setOnInstance?: string[];
  /**
   * assignments that set the knob for every call of this library/instance in the file:
   * relative to the library root or the instance, e.g. "defaults.timeout" matches
   * `axios.defaults.timeout = 5000` and `api.defaults.timeout = 5000`.
   */
  setByAssignment?: string[];
  /** calls anywhere in the file that set it process-wide: `socket.setdefaulttimeout(10)` */
  setByCall?: string[];
}

export interface CatalogApi {
  language: CatalogLanguage;
  /**
   * Qualified names (see CallFact.qualified). `{a,b}` alternation is expanded at load time,
   * `*` matches exactly one dotted segment, a leading `*.` matches any prefix (team wrappers).
   */
  match: string[];
  /** role the rules speak in: http.request, http.client, db.pool, deadline, … */
  role: string;
  /**
   * TS/JS: which argument holds the options object: an index, or -1 for "the last argument when
   * it is an object". Python always uses keyword arguments (plus Knob.positional).
   */
  optionsArg?: number;
  knobs?: Record<string, Knob>;
  /**
   * For wildcard patterns (`*.task`): words one of which a file must contain for the API to be
   * there at all (`celery`, `shared_task`). Lets the engine skip other files without parsing them.
   */
  requires?: string[];
  /** the API is a global (`fetch`, `Promise.race`): files use it without importing anything */
  global?: boolean;
  /** free-form labels rules may test (e.g. "server-side", "streaming") */
  tags?: string[];
  note?: string;
}

export interface CatalogFile {
  /** what this file covers, for humans */
  description?: string;
  apis?: CatalogApi[];
  /** other sections are owned by the pack that reads them (e.g. compose `images:`) */
  [section: string]: unknown;
}

/**
 * Catalog section `sqlalchemy-dialects` (rules/catalog/python-databases.yaml): which DBAPI driver a
 * SQLAlchemy URL scheme loads and how that driver spells its timeouts. Read by the engine checks.
 */
export interface SqlDialect {
  driver: string;
  /** URL schemes, the part before `://` (`postgresql+asyncpg`) */
  schemes: string[];
  /** an in-process database (SQLite): nothing to time out, go stale or fail over */
  local?: boolean;
  timeouts?: Partial<Record<'connect' | 'statement', DriverTimeout>>;
}

/**
 * One timeout of a DBAPI driver, as passed through `connect_args` or the URL query string: a knob
 * whose `keys` are connect_args keys (dotted = nested dict) and, undotted, URL query parameters.
 */
export interface DriverTimeout extends Pick<Knob, 'keys' | 'default' | 'defaultNote' | 'disabledBy'> {
  /** per key: its string value counts only when it matches this regex (`options` and statement_timeout) */
  contains?: Record<string, string>;
  /** regexes (case-insensitive): a file whose text matches sets the timeout out of sight */
  setByText?: string[];
  /** the `connect_args` entry that sets it, for reports: `"connect_timeout": 5` */
  fix?: string;
}

/** Catalog section `sqlalchemy-engine`: pool classes and URL builders the engine checks understand. */
export interface SqlEngineFacts {
  /** pool classes (by class name) that keep no pooled connection worth a liveness check */
  unpooled?: string[];
  /** modules those class names must be imported from */
  poolModules?: string[];
  /** calls whose result is a readable URL: scheme and query from arguments, or one string argument */
  urlBuilders?: Array<{
    api: string;
    scheme?: { positional?: number; keyword?: string };
    query?: string;
    string?: number;
  }>;
  /** `event.listens_for(engine, "<name>")` names that check connections on checkout */
  livenessEvents?: string[];
  /** modules whose import marks a schema-migration file (alembic): its engines are not checked */
  migrationImports?: string[];
  /** methods that, chained on the engine constructor, use the engine once and drop it */
  oneShotMethods?: string[];
}
