// The project model: where each file runs, which services run which code, which process-wide
// defaults apply, and which findings share one root cause. Built once per scan in the main thread
// from per-file signals (computed by the workers and cached with each file's result), the compose
// system model and package metadata. `faultline model` prints it.
import type { RuntimeContext } from '../engine/types.js';

/** Evidence for a context, as the model shows it: "imports fastapi", "package.json bin". */
export interface ContextDecision {
  context: RuntimeContext;
  /** the evidence that decided, first; other evidence seen after it */
  evidence: string[];
}

/**
 * What a worker learns about one file for the model, without the model: computed from the text
 * and (when parsed) the facts, so it is cached with the file's result.
 */
export interface FileSignals {
  /** import specifiers as written (relative ones included), for browser propagation and bindings */
  imports: string[];
  /**
   * modules loaded by a computed name, with `*` for each interpolation: a plugin registry's
   * `importlib.import_module(f"app.providers.{kind}_provider")`, `import(`./jobs/${name}`)`
   * (model/dynamic-imports.ts turns them into the scanned modules they can load)
   */
  dynamicImports?: string[];
  /** TS/JS: the file loads a module by a name its text does not hold (`require(file)`): anything below its folder may be loaded */
  computedLoads?: true;
  /**
   * Python: the single names its import lines bring in (`import db`, `from . import routes`): a
   * module imported that way runs its top-level code in the importer (model/unreferenced.ts)
   */
  importNames?: string[];
  /** the identifiers the file mentions outside its imports (model/unreferenced.ts) */
  digest?: string;
  /** the lines of a Python `if __name__ == "__main__":` block that starts no server */
  mainBlock?: { line: number; end: number };
  /** functions that return or raise at once unless a debug or dev setting is on (a developer tool's view) */
  devOnly?: Array<{ line: number; end: number; guard: string }>;
  /** the functions this file's findings sit in that nothing else in the file mentions */
  homes?: import('./unreferenced.js').FindingHome[];
  /** context evidence found in the file itself */
  marks: Array<{ context: RuntimeContext; strength: 'strong' | 'weak'; why: string }>;
  /** process-wide defaults this file sets (`axios.defaults.timeout = 5000`, `socket.setdefaulttimeout(10)`) */
  defaults?: ProcessDefault[];
  /** findings at a client constructor (line:column) and the calls made through that client in this file */
  clientSites?: Array<{ line: number; column: number; sites: Array<{ line: number; column: number }> }>;
  /** module-level names (client instances, wrapper functions) that hold the finding at line:column */
  causes?: Array<{ name: string; line: number; column: number }>;
  /** calls through names imported from the project's own modules */
  uses?: Array<{ module: string; name: string; line: number; column: number }>;
  /**
   * What the module's importable functions wait on over the network, and their calls into other
   * project modules (src/engine/analysis/network-waits.ts): the model follows a handler's call
   * into this module with it.
   */
  reaches?: Array<{ name: string } & import('../engine/analysis/network-waits.js').FunctionReach>;
  /** an unparsed file whose `reaches` the model read because a handler leads into it (kept with the cached result) */
  reachesRead?: boolean;
  /** an unparsed file whose uses the model read in a second pass (kept with the cached result) */
  usesRead?: boolean;
  /** an unparsed file whose process defaults the model read because a finding depends on them (kept with the cached result) */
  defaultsRead?: boolean;
  /** entry points declared in this file (routes, webhooks, tasks, consumers, schedules, commands) */
  entries?: EntrySignal[];
  /** per finding (line:column): the entries of this file (indices) and the module-level names that reach it */
  reach?: Array<{ line: number; column: number } & Reachers>;
  /** calls through names imported from elsewhere, and what in this file reaches each call */
  links?: Array<LinkTarget & Reachers>;
  /** calls that enqueue work (a task by name, a job on a named queue), and what reaches each call */
  enqueues?: Array<{ target: string; via: 'task' | 'queue'; line: number } & Partial<LinkTarget> & Reachers>;
  /** guardrails written in this file: a knob the library leaves unbounded, set on the call */
  guards?: GuardSignal[];
  /** an unparsed file whose calls and entry points the model read for reach (kept with the cached result) */
  entriesRead?: boolean;
}

export type EntryKind = 'webhook' | 'http' | 'consumer' | 'task' | 'schedule' | 'cli';

/** One entry point as its file declares it. */
export interface EntrySignal {
  kind: EntryKind;
  /** what a user or operator calls it: `POST /webhooks/stripe`, `task send_invoice`, `cron 0 * * * *` */
  label: string;
  line: number;
  /** the function that runs (qualified name, `Class.method`), when it is in this file */
  fn?: string;
  /** the queue or subject a consumer reads (matched with the producers' enqueue calls) */
  queue?: string;
}

/** What in one file reaches a place: its entry points (indices into `entries`) and module-level names (functions, classes, clients) that other files can import. */
export interface Reachers {
  entries?: number[];
  names?: string[];
}

/** A name defined in another module: Python as the qualified dotted name, TS/JS as the specifier and imported name. */
export interface LinkTarget {
  /** Python: `app.views.IssueView.as_view` (the model finds the longest prefix that is a project module) */
  q?: string;
  /** TS/JS: the import specifier as written and the name imported (`default`, or a namespace member) */
  module?: string;
  name?: string;
  /** a member of the name: the method called on a class or instance (`get`), `*` for every method (a class view in a route table) */
  member?: string;
}

export interface GuardSignal {
  kind: 'timeout' | 'pool' | 'retry' | 'breaker';
  /** the API and the knob set on it: `httpx.Client timeout` */
  text: string;
  line: number;
  /** calls in the file that set it, when more than one */
  count?: number;
}

/** An entry point of the system, as the model resolved it. */
export interface ModelEntryPoint {
  /** stable within one model: `file:line:kind:label` */
  id: string;
  kind: EntryKind;
  label: string;
  file: string;
  line: number;
  fn?: string;
  queue?: string;
  /** compose services whose code roots hold the file (deepest root wins) */
  services: string[];
}

/** What reaches a finding: an entry point and how many module hops away it is (0 = the same file). */
export interface EntryReach {
  kind: EntryKind;
  label: string;
  file: string;
  line: number;
  hops: number;
}

/** A path through code: an entry point that enqueues work another entry point (a task, a job processor) runs. */
export interface CodeFlow {
  from: string;
  to: string;
  /** the enqueue call */
  file: string;
  line: number;
}

/** Guardrails seen in code, by kind and the component's code root. */
export interface ModelGuard extends GuardSignal {
  file: string;
  /** how many calls set it (the first is at `line`) */
  count: number;
}

/** A setting written once that bounds later calls of one library in the same process. */
export interface ProcessDefault {
  /** the library root the setting applies to ("axios", "socket", "undici") */
  library: string;
  /** the knob it sets ("timeout") */
  knob: string;
  /** how it was written: "axios.defaults.timeout = 5000" */
  text: string;
  /** 'disabled' when the value is one that means no limit (0, None) */
  state: 'set' | 'disabled' | 'unknown';
  /**
   * What a 'set' default does, for reports ("makes every Celery task ack after it ran"); absent:
   * it bounds the library's calls (a timeout). `internal`: a fact the model uses to settle findings
   * (which module holds a framework's app; a worker pool that ignores time limits, a hazard), not a guardrail to show.
   */
  does?: string;
  internal?: boolean;
  /**
   * The setting belongs to the process object itself (`process.on('uncaughtException', …)`), not
   * to one copy of a library: it also holds in the workspace packages the process loads.
   */
  global?: boolean;
  file?: string;
  line: number;
}

export interface ModelService {
  name: string;
  file: string;
  /** directories whose code runs in it */
  codeRoots: string[];
  kind: 'long-running' | 'one-shot' | 'dev';
  command?: string;
  /** what its start script runs last (`celery --app=config flower` behind `/opt/bin/prod-flower.sh`) */
  starts?: string;
}

export interface ProjectModel {
  /** per scanned source file */
  files: Record<string, ContextDecision>;
  /** per compose file: stack, dev override or devcontainer, example set */
  composeFiles: Record<string, ContextDecision & { kind: 'stack' | 'dev' | 'devcontainer' | 'example' }>;
  services: ModelService[];
  /** process-wide defaults and the directory tree (process) they apply to */
  defaults: Array<ProcessDefault & { file: string; scope: string }>;
  /** root causes that several findings share */
  groups: ModelGroup[];
  /** routes, webhooks, consumers, tasks, schedules and commands, by file and line */
  entryPoints: ModelEntryPoint[];
  /** entry points that enqueue work for other entry points (webhook -> task) */
  flows: CodeFlow[];
  /** timeouts, pool bounds, retries with backoff and half-opening breakers set in code */
  guards: ModelGuard[];
  /** functions nothing in the repository mentions, and how many findings in them were left out */
  unreferenced: Array<{ file: string; line: number; name: string; findings: number }>;
  /** findings left out because every caller waits on them under a deadline (`asyncio.wait_for` two calls up) */
  callerBounded?: Array<{ file: string; line: number; ruleId: string; by: string }>;
}

export interface ModelGroup {
  id: string;
  ruleId: string;
  kind: 'shared-client' | 'library-default' | 'sibling-files' | 'compose-variants' | 'compose-file' | 'rule-flood';
  /** what the findings share, in words */
  title: string;
  /** the location of the cause (the client, the first file, the template) */
  file: string;
  line: number;
  /** how many findings (and, for a shared client, call sites) the group holds */
  count: number;
}
