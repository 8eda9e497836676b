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
  /** the knob may also be passed positionally at this index (Python: `urlopen(url, data, 10)`; TS/JS: a plain argument, `useServer(opts, wss, 12_000)`) */
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
  /** names among the receiver constructor's arguments that make the knob moot (`SOCK_DGRAM`: a UDP connect sends nothing, so it cannot block) */
  mootByReceiverArg?: string[];
  /**
   * assignments that set the knob for every call of this library/instance in the file:
   * relative to the library root or the instance, e.g. "defaults.timeout" matches
   * `axios.defaults.timeout = 5000` and `api.defaults.timeout = 5000`.
   */
  setByAssignment?: string[];
  /** calls anywhere in the file that set it process-wide: `socket.setdefaulttimeout(10)` */
  setByCall?: string[];
  /**
   * qualified names whose assignment anywhere in the file sets it process-wide, for an API whose
   * default comes from another library's global instance (NestJS HttpModule: `axios.defaults.timeout`)
   */
  setByGlobalAssignment?: string[];
  /**
   * Keys that carry the knob only inside a larger value: the key counts when its value, where the
   * text is visible (a string, a template), matches this regex. node-postgres `options` is the
   * server's command line: `-c statement_timeout=5000` bounds queries, `-c search_path=app` does not.
   */
  keyMatches?: Record<string, string>;
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
   * The vendor's defaults are a resilience policy someone chose (bounded timeout, bounded retries
   * with backoff, idempotency keys on retries): a call that keeps them needs no breaker finding.
   */
  defaultsArePolicy?: boolean;
  /** `third-party.client`: keyword arguments that, set true on a call through the client, make it build a local handle and send nothing (python-gitlab's `lazy=True`) */
  lazyKwargs?: string[];
  /** `http.router`: keyword arguments holding the path prefix of the routes registered on it (`APIRouter(prefix=…)`) */
  prefixKeys?: string[];
  /** `http.resource`: the calls that mount a resource class on a path, so its handlers are named by it (`api.add_resource(Google, "/auth/google")`) */
  registeredBy?: Array<{ method: string; pathArg: number; classArg?: number; viewKwarg?: string }>;
  /**
   * For wildcard patterns (`*.task`): words one of which a file must contain for the API to be
   * there at all (`celery`, `shared_task`). Lets the engine skip other files without parsing them.
   */
  requires?: string[];
  /** the API is a global (`fetch`, `Promise.race`): files use it without importing anything */
  global?: boolean;
  /**
   * The entry describes a call only when its options object names one of these values under
   * `key` (TypeORM: `type: 'postgres'` is what puts node-postgres underneath). The value found is
   * the finding's `{variant}`. Options without the key, or not visible, do not match.
   */
  variant?: { key: string; values: string[] };
  /**
   * TS/JS: with no options object literal in sight, any argument that is an unresolved variable may
   * be the options (ioredis: `new Redis(url)`, `new Redis(port, host, opts)`, `new Redis(opts)`), so
   * the knobs are unknown rather than missing.
   */
  optionsMayBeAnyArg?: boolean;
  /** free-form labels rules may test (e.g. "server-side", "streaming") */
  tags?: string[];
  note?: string;
}

/**
 * One rules/catalog/*.yaml file, validated against rules/catalog.schema.json on load: `apis` and
 * the typed sections below; any other top-level key is an error.
 */
export type CatalogFile = { description?: string; apis?: CatalogApi[] } & { [K in keyof CatalogSections]?: CatalogSections[K] };

/**
 * Every catalog section besides `apis`, by name: each one a list of entries, each entry typed
 * here and in rules/catalog.schema.json. `language` (where an entry has one) limits it to that
 * language; without it the entry holds for every language. Read with `catalog.section(name)`.
 */
export interface CatalogSections {
  images: ImageInfo[];
  'compose-clients': ComposeClient[];
  'compose-hints': ComposeHints[];
  'sqlalchemy-dialects': SqlDialect[];
  'sqlalchemy-engine': SqlEngineFacts[];
  'task-frameworks': TaskFramework[];
  'middleware-registrars': MiddlewareRegistrar[];
  'cors-settings': CorsSettings[];
  'grpc-clients': GrpcClients[];
  'rate-limiters': RateLimiter[];
  'job-queues': JobQueue[];
  'message-handlers': MessageHandler[];
  'webhook-senders': WebhookSender[];
  'row-creates': RowCreates[];
  'restricted-routes': RestrictedRoutes[];
  'retry-middlewares': RetryMiddlewares[];
  'route-files': RouteFiles[];
  'request-budgets': RequestBudget[];
  'http-request-urls': HttpRequestUrls[];
  'reconnect-ends': ReconnectEnds[];
  'module-imports': ModuleImports[];
  'injected-publishers': InjectedPublishers[];
  'context-modules': ContextModuleEntry[];
  'context-paths': ContextPathEntry[];
  'context-priorities': ContextPriorityEntry[];
  'django-settings': DjangoSettingsKnowledge[];
  'context-packages': ContextPackageEntry[];
  'context-entry-shapes': ContextEntryShape[];
  'context-framework-files': ContextFrameworkFiles[];
  'served-sites': ServedSite[];
  'dev-guards': DevGuard[];
  'entry-points': EntryPointEntry[];
  'webhook-signals': WebhookSignals[];
  'interactive-routes': InteractiveRoute[];
  'background-loops': BackgroundLoops[];
  'process-error-handlers': ProcessErrorHandlers[];
  'swallowed-error-events': SwallowedErrorEvents[];
  'offline-queues': OfflineQueues[];
  'version-defaults': VersionDefault[];
  'per-request-classes': PerRequestClasses[];
  'called-by-name': CalledByName[];
  'process-pipes': ProcessPipes[];
  'local-commands': LocalCommands[];
  'secret-names': SecretWords[];
}

/** Where code runs (the project model's contexts; fixed names, as in JSON `context`). */
export type CatalogContext = 'service' | 'browser' | 'cli' | 'build' | 'example' | 'test';
/** A priority, or `off` (not reported) in a context. */
export type ContextCap = 'P0' | 'P1' | 'P2' | 'off';

/** Section `context-modules` (rules/catalog/runtime-contexts.yaml): imports that say where a file runs. */
export interface ContextModuleEntry {
  language: CatalogLanguage;
  context: CatalogContext;
  /** strong evidence beats path conventions; weak decides only when nothing else does */
  strength: 'strong' | 'weak';
  why: string;
  modules: string[];
  /** only when the file also calls one of these (`useState`: React state lives in the browser) */
  calls?: string[];
}

/**
 * Section `context-packages`: what a package manifest's dependencies say about the whole package
 * (a UI framework plus a bundler and no server framework is a browser app; a `bin` with no server
 * framework is a command-line tool). Names are exact or globs (`@vitejs/*`).
 */
export interface ContextPackageEntry {
  /** `python`: only `script-runner` (what runs a Python file in a CI step) */
  ecosystem: 'npm' | 'python';
  /**
   * `server`, `browser-ui`, `bundler`: dependencies that say what a package is. `script-runner`:
   * programs that run the file a package.json script names after them (`ts-node src/seed.ts`).
   * `serving-script`: words of a script's name that start a long-running process (`start:prod`).
   */
  role: 'server' | 'browser-ui' | 'bundler' | 'script-runner' | 'serving-script';
  packages: string[];
}

/**
 * Section `context-entry-shapes`: entry shapes one framework defines (a Django management command's
 * base classes; the calls that make a `__main__` block start a server instead of a one-shot run).
 */
export interface ContextEntryShape {
  language: CatalogLanguage;
  context: CatalogContext;
  why: string;
  /** a module-level class deriving from one of these (dotted prefixes allowed) */
  baseClasses?: string[];
  /** inside `if __name__ == "__main__":`, a call to one of these (`uvicorn.run`, `.run_polling`) */
  mainBlockCalls?: string[];
}

/**
 * Section `context-framework-files`: file names a framework runs itself, in a folder it owns, when
 * the nearest package depends on it (Next.js `app/…/page.tsx` is a Server Component unless it says
 * "use client"). Other modules in that folder take the context of the code that imports them.
 */
/**
 * Section `served-sites`: a repository layout that is one deployed server even when its compose file
 * lives elsewhere (librephotos' Django site): an entry file beside settings that name the app.
 */
/** Section `dev-guards`: settings a function tests first to refuse every caller unless development is on. */
export interface DevGuard {
  language: 'python';
  /** as tested: `settings.DEV`, `DEBUG` */
  settings: string[];
}

export interface ServedSite {
  language: CatalogLanguage;
  why: string;
  /** the entry file's name (`manage.py`); its folder is the site */
  entry: string;
  /** regex the entry file's text matches (`execute_from_command_line`) */
  entryMarks: string;
  /** regex on a path below the site's folder: its settings modules */
  settings: string;
  /** regex (multiline) one settings module's text matches (`WSGI_APPLICATION =`) */
  settingsMarks: string;
}

export interface ContextFrameworkFiles {
  ecosystem: 'npm';
  /** the dependency that makes the convention apply */
  package: string;
  /** folder names the convention holds under (`app`, `src/app`) */
  folders: string[];
  /** file stems the framework loads (`page`, `layout`, `route`) */
  stems: string[];
  context: CatalogContext;
  why: string;
}

/** Section `context-paths`: path conventions, tested in order. */
export interface ContextPathEntry {
  context: CatalogContext;
  why: string;
  globs: string[];
  /** an application folder above the matching folder makes the path application code again */
  unlessUnder?: string[];
  /** the matching folder counts only at the root, in a top-level folder or in a package's own folder */
  nearRoot?: boolean;
  /** strong paths (migrations, management commands) beat framework imports */
  strength?: 'strong' | 'weak';
}

/** Section `context-priorities`: the one table from a rule's base priority to the reported one. */
export interface ContextPriorityEntry {
  context: CatalogContext;
  cap: ContextCap;
  /** per-category caps that differ from `cap` */
  categories?: Record<string, ContextCap>;
  /** per-rule caps (by rule id) that differ from the category's: the narrowest entry wins */
  rules?: Record<string, ContextCap>;
  /** what the hazard does in this context, appended to the message */
  consequence?: string;
  /**
   * categories whose P0 needs a request path: an HTTP route or webhook the model sees reaching
   * the finding. A hang in a task pins a worker, not a user's request; an unknown reach is never P0.
   */
  p0OnRequestPath?: string[];
  /**
   * rules whose finding is lowered to this priority when no HTTP route or webhook reaches it: a
   * child process that hangs in a task holds one worker slot, one in a request holds a user
   */
  offRequestPath?: Record<string, 'P1' | 'P2'>;
}

/** Section `django-settings` (rules/catalog/django-settings.yaml): clients Django builds from settings. */
export interface DjangoSettingsKnowledge {
  /** a file is a settings module when it assigns one of these at module level */
  markers: string[];
  /** ... or when its path matches one of these globs */
  settingsPaths: string[];
  /** what signs with the secret key (`SECRET_KEY`): installed apps and middleware, by dotted path or prefix */
  signing?: { setting: string; apps: string[]; middleware: string[] };
  /** `suggest`: the OPTIONS entries to add, spelled the way this backend reads them */
  caches: Array<{ backends: string[]; library: string; client?: string; keys: string[]; otherSpelling: string[]; otherSpellingNote: string; suggest: string }>;
  /** `pooledBy`: OPTIONS keys that put a pool in front of the connect, which bounds a request's wait itself */
  databases: Array<{ engines: string[]; library: string; keys: string[]; suggest: string; pooledBy?: string[] }>;
  email: { hostSetting: string; backendSetting: string; smtpBackends: string[]; timeoutSetting: string; suggest: string };
  /** settings the whole process reads, carried across settings modules by the project model */
  processSettings: string[];
}

export type CatalogSectionName = keyof CatalogSections;

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

/** Catalog section `images` (compose-images.yaml): one entry per image family. */
export interface ImageInfo {
  service: string;
  match: string[];
  kind: string;
  stateful?: boolean | 'when-queue' | 'when-jetstream';
  versionPatterns?: string[];
  data?: DataLayout[];
  legacyMount?: string;
  legacyFrom?: number;
  dataPathEnv?: string;
  dataPathAfterArg?: string;
  needsHostname?: boolean;
  /** redis family: whether the append-only file is on without flags (official images: no; bitnami: yes) */
  aofByDefault?: boolean;
  /** an environment variable that fixes the node name instead of `hostname:` */
  nodeNameEnv?: string;
  probe?: string;
  strongProbes?: string[];
  protocol?: 'http' | 'tcp';
  port?: number;
  monitorPort?: number;
  urlSchemes?: string[];
  builtinHealthcheck?: boolean;
  /** opens its backend connections on demand and retries them (a connection pooler): needs no readiness gate on its backends */
  retriesBackends?: boolean;
  slowStart?: boolean;
  /** slowStart images: seconds the first start usually takes, when well under the rule's default budget */
  startSeconds?: number;
  note?: string;
}

export interface DataLayout {
  from?: number;
  below?: number;
  /** where the server writes its data */
  path: string;
  /** the image's own VOLUME (a mount above it does not capture the data) */
  volume?: string;
  /** the mount point to suggest */
  mount: string;
}

/** Catalog section `compose-clients`: which code (top-level modules) talks to which image `service`. */
export interface ComposeClient {
  language: CatalogLanguage;
  modules: string[];
  services: string[];
  /** the module uses redis as a queue/broker */
  queue?: boolean;
  /** the client reconnects until the server answers and queues commands meanwhile (by default) */
  reconnects?: boolean;
  /** it does so only once an 'error' listener is attached (node-redis): in a file that attaches one */
  reconnectsWithErrorListener?: boolean;
  /**
   * regex on a service's name or command: a service running this program (a Celery worker or
   * beat) retries its own start-up connection to `services` until they answer, whatever other
   * clients its code holds (those connect on first use)
   */
  retriesAtStart?: string;
}

/** Catalog section `compose-hints`: regexes (case-insensitive) the compose checks read intent with. */
export interface ComposeHints {
  jetstreamImports?: string[];
  jetstreamModules?: string[];
  jetstreamCalls?: string[];
  jetstreamCommands?: string[];
  oneShotCommands?: string[];
  oneShotNames?: string[];
  /** a command that only keeps the container alive for `docker compose exec`: a tool container */
  idleCommands?: string[];
  /** `NAME=value` environment entries that mark a developer stack (`NODE_ENV=development`) */
  devEnvironment?: string[];
  /** commands that start a long-running server: a one-shot step chained before one (`alembic upgrade head && uvicorn …`) does not make the service one-shot */
  serverCommands?: string[];
  /** a command that starts a queue worker: it takes jobs from a broker and listens on no port */
  workerCommands?: string[];
  /** commands (entrypoint + command, or the Dockerfile a service is built from) that run a development server (`uvicorn --reload`, `npm run dev`) */
  devCommands?: string[];
  /** commands that run the project's test suite (`make test`, `pytest`, `npm test`): a stack whose application services all do is a test harness */
  testCommands?: string[];
  waitTools?: string[];
  /** waits that ask one kind of dependency (`manage.py wait_for_db`, an `until pg_isready` loop): a line matching `pattern` covers dependencies of those `services` only */
  waitToolsFor?: Array<{ pattern: string; services: string[] }>;
  /** the opening comment of a compose file says it is not for production: a developer stack */
  devHeaders?: string[];
  /** the README beside a compose file (in a folder of its own) says the folder is for local development */
  devReadmes?: string[];
  /** environment names of a database or broker image's password: written as a literal, the file is a quick-start stack */
  quickstartPasswords?: string[];
  /** regexes over a compose file's text: a comment saying to change a setting for production marks a quick-start stack */
  quickstartComments?: string[];
  /** regexes over an image tag: an application image at an unreleased development tag marks a quick-start stack */
  quickstartTags?: string[];
  queueEnvNames?: string[];
  /** images (globs, as in `images.match`) that only developer stacks run: a file that runs one is a dev stack */
  devToolImages?: string[];
  /** the HTTP probe to suggest for an application service by its runtime; `{url}` is the health URL */
  runtimeProbes?: Array<{ runtime: 'python' | 'typescript' | 'any'; probe: string }>;
}

/**
 * Catalog section `task-frameworks` (python-queues.yaml): how a task framework's decorators are
 * told apart from other `task.register` APIs, its task options, and where its app settings live.
 */
export interface TaskFramework {
  language: CatalogLanguage;
  /** the framework's name; a catalog API tagged with it belongs to it */
  framework: string;
  /** regexes (case-insensitive) on a `task.register` decorator's qualified name */
  decorators: {
    /** another framework's: never this one's, whatever else the name says */
    notOurs: string;
    /** this framework's by name */
    ours: string;
    /** a bare `@<app>.task`: this framework's when the file imports one of `imports` and none of `rivalImports`, and the name does not match `bareNot` */
    bare: string;
    bareNot: string;
    imports: string[];
    rivalImports: string[];
  };
  /** by default a task is acked before it runs: redelivered only with late acks, re-run only with retries */
  acksEarly?: boolean;
  /** task options (decorator keywords) by the setting they stand for: acks-late, reject-on-worker-lost, auto-retry, retry-limits */
  taskOptions: Record<string, string[]>;
  /** the call, as written inside a task, that re-runs it (`self.retry`) */
  retryCall?: string;
  /** regexes on a callee that reads a task's return value (`AsyncResult$`): a caller that reads its `error` key sees a returned failure */
  resultReaders?: string[];
  /** keys of a returned dict that report a failure to that reader (`error`) */
  resultErrorKeys?: string[];
  /** the app: where its settings can be read in the file that builds it */
  app: {
    /** the constructor: settings as keyword arguments */
    constructor: string;
    /** methods on the app whose keyword arguments set settings */
    update: string[];
    /** methods (prefixes) that load settings from elsewhere: every setting is then unknown */
    opaque: string[];
    /** `app.<attributes><setting> = …` sets one; so does a module-level `<setting> = …` */
    attributes: string;
    /** setting names (lower or upper case) by the setting they stand for */
    settings: Record<string, string[]>;
    /** settings that, written in any module of the process, configure it (the model carries them across files) */
    processSettings?: string[];
    /**
     * seconds the broker waits for a late acknowledgement before it delivers the message again,
     * unless `transport-options` are written (kombu's Redis and SQS visibility_timeout)
     */
    redeliverAfterSeconds?: number;
    /**
     * worker pools that run tasks where the time limits cannot reach them: `names` are the
     * setting's spellings (`worker_pool`), `ignoreTimeLimits` the pool values (Celery's `threads`)
     */
    pools?: { names: string[]; ignoreTimeLimits: string[]; /** the worker command's flags that pick the pool (`-P`, `--pool`) */ cli?: string[] };
  };
}

/** Catalog section `middleware-registrars`: calls that take the middleware as their first argument. */
export interface MiddlewareRegistrar {
  language: CatalogLanguage;
  /** method names on an app (`use`, `add_middleware`) */
  methods?: string[];
  /** qualified calls (`starlette.middleware.Middleware`) */
  calls?: string[];
}

/** Catalog section `cors-settings`: module-level settings that allow every origin / credentials. */
export interface CorsSettings {
  language: CatalogLanguage;
  anyOrigin: string[];
  credentials: string[];
}

/** Catalog section `rate-limiters`: a limiter constructor and how its storage is chosen. */
export interface RateLimiter {
  language: CatalogLanguage;
  /** qualified constructor names (`slowapi.Limiter`, `express-rate-limit`) */
  calls: string[];
  /** TS/JS: the options argument */
  optionsArg?: number;
  /** option names that choose the storage (`storage_uri`, `store`) */
  storageKeys: string[];
  /** literal values that mean process memory (`memory://`) */
  memoryValues?: string[];
  /** constructors of in-process stores (`express-rate-limit.MemoryStore`) */
  memoryStores?: string[];
  /** with no storage option the counters live in the process's memory */
  defaultMemory: boolean;
  /** environment variables the library reads its storage from (`RATELIMIT_STORAGE_URL`) */
  envSettings?: string[];
}

/** Catalog section `grpc-clients`: service clients built from a loaded package definition. */
export interface GrpcClients {
  language: CatalogLanguage;
  /** qualified prefixes a client constructor starts with (`grpc.loadPackageDefinition()` + `.pkg.Service`) */
  roots: string[];
  /** qualified names that are client constructors themselves (`@grpc/grpc-js.Client`, `…makeGenericClientConstructor()`) */
  constructors?: string[];
  /** methods whose first N arguments describe the request (`makeUnaryRequest(path, serialize, deserialize, message, …)`) */
  requestArgs?: Record<string, number>;
  /** client methods that are not RPCs */
  clientMethods: string[];
  /** regex (case-insensitive) on method names that look like streaming RPCs */
  streamingNames: string;
  /** the constructor argument holding client options, and its keys that install interceptors */
  clientOptionsArg: number;
  interceptorKeys: string[];
  /** the per-call options key that bounds the call */
  deadlineKey: string;
  /** regex on the qualified name of a call that builds call metadata (carries no deadline) */
  metadata: string;
}

/** Catalog section `job-queues`: enqueue calls of job queues and where their retry policy is read. */
export interface JobQueue {
  language: CatalogLanguage;
  /** the enqueue method, qualified (`bullmq.Queue().add`) */
  add: string;
  /** the job options argument: after a name (first argument a string, or three arguments), or without one */
  jobOptions: { named: number; unnamed: number };
  /** the queue constructor's options argument, or `afterString` when the argument there is a string (a Redis URL) */
  queueOptions: { arg: number; afterString: number };
  /** the queue options key holding every job's defaults */
  defaultsKey: string;
  attemptsKey: string;
  backoffKey: string;
  /** the job options key that makes a job repeat on a schedule (a failed run waits for the next) */
  repeatKey?: string;
  /** the library default for attempts, for messages */
  attemptsDefault: string;
  /**
   * the job method a producer waits on the result with (BullMQ `job.waitUntilFinished`): in a
   * project that calls it, a job is a remote call whose failure returns to the caller waiting on
   * it, and a retry the library ran by itself would repeat its side effects
   */
  awaitResult?: string;
}

/** Catalog section `message-handlers`: calls that register a function run once per job or message. */
export interface MessageHandler {
  language: CatalogLanguage;
  /** the registering call, qualified */
  api: string;
  kind: 'job-processor' | 'message-consumer';
  /** the handler is this argument (`last` = the last one) */
  arg?: number | 'last';
  /** or this property of the call's options object */
  prop?: string;
  /** what runs the handler again with no retry option (a sentence for the message) */
  redelivery?: string;
  /** the `job-queues` entry (its `add`) whose jobs carry attempts that re-run this handler */
  retries?: string;
  /** an option that stops `redelivery` (amqplib `noAck: true`, BullMQ `maxStalledCount: 0`): the option at argument `optionsArg`, key `key`, value `equals` */
  atMostOnce?: { optionsArg: number; key: string; equals: boolean | number };
}

/**
 * Catalog section `retry-middlewares` (python-queues.yaml): a task framework whose tasks are
 * retried only by a middleware on the broker, and only when labelled (or labelled by default).
 */
export interface RetryMiddlewares {
  language: CatalogLanguage;
  framework: string;
  /** regex on a broker constructor's qualified name (up to the first call) */
  broker: string;
  /** regex: brokers that do not run in production */
  notBroker?: string;
  /** qualified constructors of the retry middlewares */
  middlewares: string[];
  /** the middleware keyword that retries every task, labelled or not */
  defaultLabel: string;
  /** the task label (decorator keyword) that asks for retries */
  taskLabel: string;
}

/** Catalog section `webhook-senders` (http-servers.yaml): who sends a webhook, by its route path, and whether it retries. */
export interface WebhookSender {
  /** display name (Stripe) */
  sender: string;
  /** regex (case-insensitive) on the route path or the route file's path */
  path: string;
  /** it sends a delivery again on its own when it got no 2xx in time */
  retries: boolean;
  /** when it delivers again, in a sentence */
  redelivery: string;
}

/**
 * Catalog section `row-creates` (python-databases.yaml, js-databases.yaml): how one language's ORMs
 * and SQL create a row, and the spellings that make a create happen at most once: an upsert, a
 * create that skips duplicates, a lookup of the same model first, a unique constraint.
 */
export interface RowCreates {
  language: CatalogLanguage;
  /** method names (last callee segment) that insert a row */
  methods: string[];
  /** regex (case-insensitive) the receiver (the callee before the method) must match; absent: any receiver */
  receiver?: string;
  /** regex (case-insensitive) on the receiver: objects whose create is not a row (`Object.create`, `axios.create`) */
  notReceiver?: string;
  /** regex (case-insensitive): INSERT SQL in a string argument */
  sql: string;
  /** regex on the method (last callee segment): writes that create at most once */
  upserts: string;
  /** keyword or option names that make a create skip or merge a duplicate */
  upsertKeys: string[];
  /** regex (case-insensitive): SQL that skips or merges a duplicate */
  conflictSql: string;
  /** how a handler reads rows of one model before it creates one */
  lookups: {
    /** methods on the model (or its manager / query) that read rows */
    methods: string[];
    /** attributes after the model name that start a query (`Model.query…`, `Model.objects…`) */
    via?: string[];
    /** calls that take the model as their first argument (`session.query(Model)`, `select(Model)`) */
    modelArg?: string[];
    /** regex with one group, the table: SELECT SQL in a string argument */
    sql?: string;
  };
  /** how a model class in the same file declares a unique constraint */
  unique: {
    calls: string[];
    keys: string[];
    attributes?: string[];
    /** keywords / options that make the server fill the column (a unique default stops no retry) */
    generated?: string[];
  };
  /** regex: the exception or error code a unique constraint raises, in an except / catch clause */
  uniqueErrors: string;
}

/**
 * Catalog section `restricted-routes` (http-servers.yaml): guards that keep a route to a few
 * trusted callers (administrators) or to development, where no client retries it on its own.
 */
export interface RestrictedRoutes {
  language: CatalogLanguage;
  /** who can call such a route, in words */
  who: string;
  /** regex on a handler decorator as written, without `@` */
  decorators?: string;
  /** regex on an argument of the route registration before the handler, as written */
  middleware?: string;
  /** class attributes that gate every method of a resource class: name -> regex on the value as written */
  classAttributes?: Record<string, string>;
}

/** Catalog section `route-files`: HTTP handlers declared by file convention (Next.js, Remix). */
/** Catalog section `request-budgets` (rules/catalog/deadlines.yaml): how long the caller of an HTTP handler waits. */
export interface RequestBudget {
  /** who waits, in words */
  caller: string;
  seconds: number;
  /** regex (case-insensitive) on the handler's route path or function name; absent: every HTTP handler */
  match?: string;
  /** HTTP methods the caller uses (a webhook sender POSTs); absent: any */
  methods?: string[];
  /**
   * images of the proxy whose default this is (globs on the image name): the budget holds only when
   * a compose service of the scan runs one (Caddy and Traefik v2 set no response timeout)
   */
  proxyImages?: string[];
  /** what happens when the handler answers later */
  why: string;
}

export interface RouteFiles {
  language: CatalogLanguage;
  /** regex (case-insensitive) on the relative path */
  path: string;
  /** exported function names that handle requests */
  exports: string[];
  /** an exported constant that sets the route's maximum execution time in seconds (Next.js `maxDuration`) */
  deadlineExport?: string;
}

/** Catalog section `http-request-urls`: where a request's URL (or a client's base URL) is written. */
export interface HttpRequestUrls {
  language?: CatalogLanguage;
  /** keyword / property names holding a URL */
  urlKeys?: string[];
  /** generic client constructor keys that may install retries out of sight (transports, adapters) */
  retryingKeys?: string[];
  /** regex on the qualified name of calls whose first argument is the method and second the URL */
  methodFirst?: string;
}

/** Catalog section `reconnect-ends`: how code notices that a reconnecting client gave up, or ends it. */
export interface ReconnectEnds {
  language?: CatalogLanguage;
  /** methods on the client that report the end (`nc.closed()`) */
  methods?: string[];
  /** event names (first argument of a method on the client) that report it */
  events?: string[];
  /** keyword arguments of the constructor that hand it to the caller (`closed_cb=`) */
  kwargs?: string[];
  /** methods that end a client on purpose */
  closeMethods?: string[];
}

/**
 * Catalog section `background-loops` (rules/catalog/background-loops.yaml): how code waits between
 * the rounds of a periodic loop and how it runs one in the background, where an exception ends it
 * without a sound. Read by FL554 and FL555.
 */
export interface BackgroundLoops {
  language: CatalogLanguage;
  /** calls that wait between rounds, qualified (`asyncio.sleep`, `timers/promises.setTimeout`) */
  sleeps?: string[];
  /** local helpers that do the same, by the callee's last name segment (`await sleep(5000)`) */
  sleepNames?: string[];
  /** calls that run a function (or the coroutine of one) in the background, qualified */
  spawners?: string[];
  /** methods that do the same on any receiver (`loop.create_task`, `executor.submit`) */
  spawnerMethods?: string[];
  /** the keyword argument of a spawner that holds the function (`threading.Thread(target=…)`) */
  targetKwargs?: string[];
  /** exceptions that stop a loop on purpose: a handler catching only these may end it */
  stopExceptions?: string[];
  /** calls that watch a background task's end (`task.add_done_callback`): it may be restarted */
  watchMethods?: string[];
  /** calls that do not raise in practice (a clock, a flag, a length): qualified, or a method or builtin name */
  cannotRaise?: string[];
  /** a regex on the name of a call with no arguments that reads a flag (`should_continue()`, `is_running()`): it does not raise */
  flagReaders?: string;
  /** calls that do not raise with this keyword argument (`asyncio.gather(..., return_exceptions=True)`) */
  cannotRaiseWith?: Array<{ call: string; keyword: string; value: boolean }>;
  /** methods that ask whether a task or thread has ended (`task.done()`, `thread.is_alive()`): one the starter checks before starting it again is supervised */
  endedMethods?: string[];
  /** context managers that swallow what their body raises, qualified (`contextlib.suppress`) */
  suppressors?: string[];
}

/**
 * Catalog section `process-pipes` (rules/catalog/python-system.yaml): a child process's output
 * streams, the reads that take one to its end and the calls that end the child. A stream read to
 * the end has been closed by the child, which is exiting; a killed child is dead: a `wait()` after
 * either returns promptly (FL120 `unless-exiting`).
 */
export interface ProcessPipes {
  language: CatalogLanguage;
  /** the instance attributes that are the child's output pipes (`stdout`) */
  streams: string[];
  /** methods that read a stream to its end (`read`, `readlines`); iterating the stream does too */
  drains: string[];
  /** methods that return only once the child has exited (`wait`, `communicate`): a later one returns at once */
  waits?: string[];
  /** methods that end the child for certain (`kill`) */
  kills?: string[];
}

/**
 * Catalog section `local-commands` (rules/catalog/python-system.yaml): children that cannot hang
 * on a network, a mount or a prompt (FL120 `unless-local-command`).
 */
export interface LocalCommands {
  language: CatalogLanguage;
  /** executables, by base name, that only read local kernel or process state and exit */
  commands: string[];
  /** executables that are local only with one of these first arguments (`git rev-parse`) */
  subcommands?: Record<string, string[]>;
  /** text filters that read only their standard input: a local command piped into them stays local */
  filters?: string[];
  /** executables that turn local files into local files and read no terminal (`gdal_translate`, `exiftool`) */
  fileTools?: string[];
  /** lone arguments that make any tool print and exit (`--version`) */
  probes: string[];
  /** interpreters whose `-m <module> …` runs that module as a command (`python -m pip freeze` is `pip freeze`) */
  interpreters?: string[];
}

/** Catalog section `module-imports`: framework modules declared by a decorator's list of imports. */
export interface ModuleImports {
  language: CatalogLanguage;
  /** the decorator call, qualified (`@nestjs/common.Module`) */
  decorator: string;
  /** the key of its first argument that lists imported modules */
  importsKey: string;
}

/** Catalog section `injected-publishers`: publish calls on a client injected from elsewhere, by name. */
export interface InjectedPublishers {
  language?: CatalogLanguage;
  /** method names (last segment of the callee as written) */
  methods: string[];
  /** regex (case-insensitive) on the receiver's last segment */
  receiver: string;
}

/**
 * Catalog section `entry-points` (rules/catalog/entry-points.yaml): how a library registers an
 * entry point the roles `http.route`, `task.register` and section `message-handlers` do not cover
 * (route tables, subscribers, schedules, commands), and where its label is written. Read by the
 * project model (src/model/entries.ts).
 */
export interface EntryPointEntry {
  language: CatalogLanguage;
  kind: 'http' | 'webhook' | 'task' | 'consumer' | 'schedule' | 'cli';
  /** the registering call, qualified (braces expand) */
  api?: string;
  /** regex on a decorator's qualified name: the decorated function is the entry */
  decorator?: string;
  /** imports that make a file worth reading for this entry (decorator entries; api and base entries gate on their own module) */
  modules?: string[];
  /** the api's root is a global the runtime provides (`Parse` in Parse Server cloud code), not an import */
  global?: boolean;
  /** the word before the label (`cloud function signPdf`); `method`: the registering call's method (`afterSave contracts_Document`) */
  verb?: string;
  /** a class base (qualified, braces expand): its method `method` is the entry */
  base?: string;
  method?: string;
  /** the argument (index) or keyword / option property (name) holding the label */
  label?: number | string;
  /** the argument or keyword / option property holding the handler; without it the calling function is the entry */
  handler?: number | string;
  /** the argument naming a view defined in another module (route tables) */
  target?: number;
  /** qualified class decorator whose first argument prefixes the label (NestJS @Controller) */
  prefix?: string;
  /** module-level dict names (or attribute tails) whose entries are schedules (Celery beat) */
  settings?: string[];
  /** the key of a schedule entry naming its task */
  taskKey?: string;
}

/**
 * Catalog section `interactive-routes`: routes one user's browser is redirected to (an OAuth
 * callback), whose calls run once per sign-in and must not be replayed.
 */
export interface InteractiveRoute {
  /** regex (case-insensitive) on the route's path or function name */
  pattern: string;
  /** the methods it is reached with */
  methods: string[];
  why: string;
}

/** Catalog section `webhook-signals`: what makes an HTTP route a webhook. */
export interface WebhookSignals {
  /** regex (case-insensitive) on a route's path or function name */
  pattern: string;
  /** qualified calls that verify a sender's signature */
  verifyCalls?: string[];
}

/**
 * Section `process-error-handlers`: handlers that keep the whole process running after an
 * uncaught exception or an unhandled rejection (Node `process.on('uncaughtException', fn)`).
 * The project model carries them to every file of the process (FL550 reads them).
 */
export interface ProcessErrorHandlers {
  language: CatalogLanguage;
  /** qualified calls whose first argument names the event and whose second is the handler */
  registrars: string[];
  /** event name -> the process fact it records */
  events: Record<string, 'uncaught-exception' | 'unhandled-rejection'>;
  /** qualified calls whose first argument is a handler for every uncaught exception */
  captureCallbacks?: string[];
  /** qualified calls that end the process: a handler that makes one does not keep it running */
  exits?: string[];
}

/**
 * Section `swallowed-error-events`: what a client whose 'error' event is thrown (tag
 * `emits-error-crash`) does when a process-wide handler swallows the throw: the library code
 * after its `emit('error')` (a reconnect, a 'close' event) does not run.
 */
export interface SwallowedErrorEvents {
  language: CatalogLanguage;
  /** qualified constructor names, as in the apis entry */
  apis: string[];
  /** the client is whole again after the swallowed throw */
  recovers: boolean;
  /** what the client does after the throw, for the finding */
  says: string;
  /** methods that finish with the instance: called in the function that opens it, the client never sits idle */
  closers?: string[];
}

/** An option and the literal values that give it a meaning (`maxRetriesPerRequest: null`). */
export interface OptionValues {
  key: string;
  values: CatalogLiteral[];
}

/**
 * Section `offline-queues`: clients whose commands wait for the reconnect during an outage
 * instead of failing (ioredis' offline queue), so an outage reaches the code waiting on them only
 * when the client gives the command up (FL552 reads it).
 */
export interface OfflineQueues {
  language: CatalogLanguage;
  /** qualified constructor names (and base classes a project class may extend) */
  clients: string[];
  /** which argument holds the options object; -1 = the last argument when it is an object */
  optionsArg?: number;
  /** the option value with which a queued command waits however long the outage lasts */
  waitsForever: OptionValues;
  /** the option value with which a command fails at once while disconnected */
  failsAtOnce?: OptionValues;
  /** why an outage does not reach code waiting on such a client, for reports */
  says?: string;
  /**
   * producers that take such a client as their connection (`producerOption`) and whose calls a
   * request makes: they should fail fast in an outage, not wait it out (FL161)
   */
  producers?: string[];
  producerOption?: string;
}

/**
 * Section `version-defaults`: a default a library gained in a release, that a project gets by
 * requiring at least that version in its manifest (redis-py 8.0: `socket_timeout` 5 s). The model
 * writes it as a process-wide default of the package that requires it.
 */
export interface VersionDefault {
  language: CatalogLanguage;
  /** the distribution name in the manifest (`redis`) */
  package: string;
  /** the first release with the default (`8.0`): the manifest's lower bound must be at least this */
  from: string;
  /** the library root and knob the default settles, as findings name them (`redis`, `query-timeout`) */
  library: string;
  knob: string;
  /** the default, for reports (`socket_timeout 5 s`) */
  value: string;
}

/**
 * Section `called-by-name`: function names a framework or tool calls by convention, never through
 * a mention in the project's own code (a module's `main`, a Next.js route's `GET`, an Alembic
 * migration's `upgrade`, a lifecycle hook). The project model never calls such a function unused.
 */
export interface CalledByName {
  language: CatalogLanguage;
  names: string[];
  /** module file stems a framework or runner loads by convention (`settings`, `urls`, alembic's `env`) */
  modules?: string[];
  /** TS/JS: folders whose modules a framework or runner loads by path (`pages`, `routes`, `jobs`) */
  folders?: string[];
}

/**
 * Section `per-request-classes`: framework base classes whose instances live for one request or
 * one client connection (a streaming response, a request handler). A project subclass that marks
 * itself disconnected when its client goes away records the end of that one exchange: the next
 * request gets a new instance (FL552 reads it).
 */
export interface PerRequestClasses {
  language: CatalogLanguage;
  /** qualified base class names, as the adapters resolve `class X(StreamingResponse)` */
  bases: string[];
  /** what an instance is, for reports and model notes */
  says?: string;
}

/**
 * Catalog section `secret-names` (rules/catalog/secret-names.yaml): the words that say what a
 * configuration variable holds, read by src/engine/analysis/secret-names.ts for FL051 and FL052.
 */
export interface SecretWords {
  /** the name's last word must be one of these (JWT_SECRET, DB_PASSWORD, API_KEY, jwtSecret) */
  secretWords: string[];
  /** and none of its words one of these (JWT_PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY) */
  notSecretWords: string[];
  /** a name ending in KEY is a record's key name, not a secret, when the word before is one of these (LDAP_EMAIL_KEY) */
  recordKeyWords: string[];
  /** a word that makes the secret one this service signs or verifies with (JWT_SECRET, SESSION_SECRET) */
  signingWords: string[];
  /** signing words that name a key for data at rest (ENCRYPTION, FERNET): using one takes the stored data too */
  encryptionWords?: string[];
  /** words that make a SALT public by design: a hashing salt (API_KEY_HASH_SALT), a key-derivation one (BACKUP_ENCRYPTION_SALT) */
  publicSaltWords?: string[];
  /** words that name the application itself: APP_SECRET_KEY, DJANGO_SECRET_KEY, AUTH_SECRET are signing secrets */
  appWords: string[];
  /** a last word that makes the secret a password */
  passwordWords: string[];
  /**
   * words that make a password this service's login to an outside server (EMAIL_HOST_PASSWORD,
   * SMTP_PASSWORD): a literal fallback is rejected by that server, it lets nobody in
   */
  outboundWords?: string[];
  /** words that make a fallback a placeholder (`your-api-key-here`, `sk_nothing`, `changeme-in-tests`) */
  placeholderWords: string[];
  /**
   * prefixes of keys a provider issues to be shipped to browsers (PostHog `phc_`, Stripe `pk_live_`,
   * Mapbox `pk.`): such a fallback is public by design, whatever the variable is called
   */
  publicPrefixes?: string[];
}
