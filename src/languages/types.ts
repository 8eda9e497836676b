// The facts contract: the ONLY shape that leaves src/languages/. Rules, matchers, checks and
// reporters never see a syntax tree.
//
// Locations are 1-based lines AND 1-based columns, columns counted in UTF-16 code units (SARIF's
// default columnKind). Adapters convert at their boundary (tree-sitter: 0-based rows and byte
// columns; TypeScript: UTF-16 offsets; yaml: string offsets).

export type Language = 'python' | 'typescript' | 'compose';

export interface Loc {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A value as written in source, with as much as the adapter could see statically. */
export type Value =
  | { kind: 'string'; value: string; loc: Loc }
  | { kind: 'number'; value: number; loc: Loc } // Infinity is a number here
  | { kind: 'boolean'; value: boolean; loc: Loc }
  | { kind: 'null'; loc: Loc } // Python None, JS null / undefined
  /** A call expression (also `new X(...)`); `callId` points at its CallFact in the same file. */
  | { kind: 'call'; callId: number; text: string; loc: Loc }
  /**
   * An identifier or attribute path (`settings.TIMEOUT`, `opts`). `qualified` is the import-resolved
   * name when known; `resolved` is the literal/object it is bound to in this file (e.g.
   * `const cfg = { timeout: 0 }` or `TIMEOUT = None`), when the binding is simple and unique.
   */
  | { kind: 'name'; text: string; qualified?: string; resolved?: Value; loc: Loc }
  /**
   * dict / object literal. Keys are literal strings; `open` when it has `**x` / `...x` or computed keys.
   * As the `resolved` value of a name, it includes the property writes that surely ran before the use
   * (`options.timeout = 5` earlier in the function); `unknownKeys` are keys a write may or may not
   * have set (`if (x) options.timeout = 5`): unknown, never missing.
   */
  | { kind: 'object'; props: Record<string, Value>; open: boolean; unknownKeys?: string[]; loc: Loc }
  | { kind: 'array'; items: Value[]; open: boolean; loc: Loc }
  /** A function/lambda/arrow value; `functionId` points at its FunctionFact. */
  | { kind: 'function'; functionId: number; loc: Loc }
  | { kind: 'other'; text: string; loc: Loc };

/** Where a fact sits. Everything is by id into the same FileFacts arrays. */
export interface Scope {
  /** innermost enclosing function (FunctionFact id), undefined at module level */
  functionId?: number;
  /** innermost enclosing class (ClassFact id) */
  classId?: number;
  /** inside an `async def` / async function (innermost function) */
  inAsync: boolean;
  /** inside a for/while loop within the innermost function */
  inLoop: boolean;
  /**
   * inside a branch of an if/elif/else or match within the innermost function (or at module
   * level): the fact may not run. Python only; absent elsewhere.
   */
  inBranch?: boolean;
  /** the expression is directly `await`ed (in Python also: entered by `async with`) */
  awaited: boolean;
  /** TS/JS: the call heads a promise chain that a statement drops (`fetch(u).then(…);`, `void fetch(u)`): nothing waits on it */
  floating?: boolean;
  /** Python: the call is a statement of its own, so its value is dropped (`asyncio.create_task(work())`) */
  statement?: boolean;
  /** enclosing try statements, innermost first, with which part of the try this fact sits in */
  tries: Array<{ tryId: number; part: 'body' | 'handler' | 'else' | 'finally'; handlerIndex?: number }>;
  /** Python `with`/`async with` items around this fact, innermost first (CallFact ids of the context managers) */
  withCalls: number[];
  /** calls whose arguments contain this fact (within the same function), innermost first */
  argOfCalls: number[];
}

export interface CallFact {
  id: number;
  /** callee as written: "requests.get", "self.client.get", "api.post", "fetch" */
  callee: string;
  /**
   * Import-resolved name, or null when unresolved (dynamic, injected, unknown local).
   * Module functions: "requests.get", "axios.get", "pg.Pool". Default import / module call: "axios", "got".
   * Methods on a bound instance: "<ctor qualified>().<method>", e.g. "requests.Session().get",
   * "axios.create().get", "pg.Pool().connect". `node:` prefixes are dropped ("http.request").
   */
  qualified: string | null;
  /** CallFact id of the constructor call that produced the receiver instance, when bound in this file */
  receiverCall?: number;
  /** `new X(...)` in TS/JS */
  isNew: boolean;
  /** positional arguments (Python) / all arguments (TS/JS) */
  args: Value[];
  /** Python keyword arguments (TS/JS: empty; options objects are in args) */
  kwargs: Record<string, Value>;
  /**
   * 'call': the value this call makes lives for one call of its function and is dropped: it is
   * used in place (`new Agent().destroy()`, `with httpx.Client() as c` with c kept local, an option
   * of another such call) or bound to a local of the function that is only used there (methods,
   * members, options of such calls) and never returned, stored, handed to a call as an argument,
   * aliased or captured by a nested function. Undefined: it may outlive the call, or at module level.
   * Python sets it on constructor-like calls only (a capitalised class, a create/connect/from_url…
   * factory); TS/JS on any call.
   */
  lifetime?: 'call';
  /** `*args` / `...spread` among the arguments: positions beyond what we see are unknown */
  argsOpen: boolean;
  /** Python: `f(*cmd, …)` with no positional before the splat: the value spread (`cmd = ["git", "rev-parse"]`) */
  leadingSplat?: Value;
  /**
   * `**kwargs` among the arguments: any keyword may be present. A `**kw` whose dict is visibly built
   * in the same function (`kw = {}`, then `kw["timeout"] = 5`) is not open: its keys are in `kwargs`.
   */
  kwargsOpen: boolean;
  /** Python: keywords such a `**kw` may or may not pass (`if slow: kw["timeout"] = 60`): unknown, never missing */
  unknownKwargs?: string[];
  loc: Loc;
  calleeLoc: Loc;
  scope: Scope;
}

export interface DecoratorFact {
  text: string;
  qualified: string | null;
  /** when the decorator is a call (`@app.task(acks_late=True)`), its CallFact id */
  callId?: number;
  loc: Loc;
}

export interface FunctionFact {
  id: number;
  /** "" for anonymous functions / lambdas / arrows */
  name: string;
  /** "Class.method" for methods, otherwise the name */
  qualifiedName: string;
  classId?: number;
  /** enclosing function for nested functions */
  parentFunctionId?: number;
  isAsync: boolean;
  decorators: DecoratorFact[];
  params: Array<{ name: string; default?: Value; loc: Loc }>;
  /** when the function is passed as an argument (`app.post('/x', async (req,res)=>…)`, `.on('error', …)`) */
  argOfCall?: number;
  /** TS/JS: a member of an object literal (`{ onData() {…} }`, `{ load: async () => … }`): called through the object, by whoever holds it */
  objectMember?: boolean;
  argIndex?: number;
  loc: Loc;
  /** location of the name (or of the `def`/`function` keyword for anonymous functions) */
  nameLoc: Loc;
  scope: Scope;
}

export interface ClassFact {
  id: number;
  name: string;
  /** bases / extends, import-resolved where possible */
  bases: string[];
  loc: Loc;
  nameLoc: Loc;
}

export interface AssignmentFact {
  /** target as written: "x", "self._connected", "this.client", "axios.defaults.timeout" */
  target: string;
  /** import-resolved target when it starts from an import ("axios.defaults.timeout") or bound instance ("axios.create().defaults.timeout") */
  qualified: string | null;
  /** for `self.x` / `this.x` targets: the attribute name */
  selfAttr?: string;
  /** CallFact id of the instance constructor when the target's base is a bound instance */
  receiverCall?: number;
  value: Value;
  /** augmented assignment (`+=`) */
  augmented: boolean;
  /**
   * Which variable a plain-name target (`client = None`) writes, when the source says so: 'declares'
   * for a TS/JS `let`/`const`/`var` declaration; 'global' / 'nonlocal' for a Python assignment in a
   * function that declares the name `global` / `nonlocal`. Undefined otherwise (a TS reassignment
   * of a variable declared elsewhere; in Python, a local of the function, or module level).
   */
  binds?: 'declares' | 'global' | 'nonlocal';
  loc: Loc;
  scope: Scope;
}

/** A `for x in <expr>` / `async for` loop: what it iterates. */
export interface IterationFact {
  /** the iterable as written: `proc.stdout`, `rows`, `iter(f.readline, "")` */
  text: string;
  /** import-resolved, as for an assignment target: `subprocess.Popen().stdout` (null for calls and unresolved names) */
  qualified: string | null;
  /** CallFact id of the constructor when the iterable's base is a bound instance */
  receiverCall?: number;
  async: boolean;
  /** the iterable's location */
  loc: Loc;
  /** the loop statement's scope (the iterable is read where the loop starts) */
  scope: Scope;
}

/** try/except (Python) or try/catch (TS/JS) */
export interface TryFact {
  id: number;
  loc: Loc;
  handlers: HandlerFact[];
  hasFinally: boolean;
  /** the try statement sits inside a for/while loop of its own function (or of module level) */
  inLoop?: boolean;
  /** that loop sits inside another loop of the same function: a `break` in a handler leaves only the inner one */
  nestedLoop?: boolean;
}

export interface HandlerFact {
  loc: Loc;
  /** caught types as written/resolved ("Exception", "requests.RequestException"); [] = bare except / catch-all */
  types: string[];
  /** the handler body is empty or only `pass` / `...` / a comment */
  empty: boolean;
  /** contains `raise` / `throw` (re-raise or raise another) */
  reraises: boolean;
  /**
   * Python: every `raise` in the handler sits under `if <name>:` with this bare name as the whole
   * condition (`if raise_exceptions: raise`): the handler re-raises only when that flag is set
   */
  reraiseIf?: string;
  /** contains `return` */
  returns: boolean;
  /**
   * it has a `raise`/`throw`, `return` or `break`, but none at the top of its body: each sits under an
   * `if`/`switch` (`if signal.aborted: break`, `if attempts > 5: raise`), so some errors fall through
   */
  conditionalExit?: boolean;
  /** contains a `break` that leaves the loop around the try (not one of a loop or switch inside the handler) */
  breaks?: boolean;
  /** qualified (or as-written) callees of calls directly in the handler body */
  callees: string[];
  /** every statement is a log/print/console call (or pass): the failure is swallowed */
  logOnly: boolean;
}

export interface ImportFact {
  /** module as written ("requests", "./client", "node:http" normalised to "http") */
  module: string;
  /** imported name; undefined for `import x` / default / namespace imports */
  name?: string;
  /** local binding */
  local: string;
  loc: Loc;
}

/**
 * A name this module makes importable. TS/JS: `export const api = …` / `export function f` /
 * `export class C` (name = local), `export { a as b }` (name b, local a), `export default x`
 * (name 'default'), re-exports `export { a as b } from './m'` (name b, local a: the name in
 * `from`), `export * from './m'` (name '*'), `export * as ns from './m'` (name ns, local '*');
 * CommonJS `module.exports = x` (name 'default'), `module.exports = { a, b: c }` (a; b with local
 * c), `exports.x = y` / `module.exports.x = y`. Python: the strings of `__all__` when the module
 * defines it (every module-level name is importable anyway: see its assignments and functions).
 */
export interface ExportFact {
  /** exported name; 'default' for a default export (and `module.exports = x`), '*' for `export * from` */
  name: string;
  /** the local binding exported (for a re-export: the name in the `from` module) */
  local?: string;
  /** the module of a re-export, as written (`./client`, `node:` dropped) */
  from?: string;
  /** what is exported when it is not a local name: `export default axios.create(…)`, `exports.get = async () => …` */
  value?: Value;
  loc: Loc;
}

/** a `faultline: ignore[...]` comment */
export interface SuppressionFact {
  line: number;
  /** rule ids or names listed inside the brackets; empty = malformed */
  rules: string[];
  reason: string;
  /** true when the comment is alone on its line (then it covers the next line too) */
  ownLine: boolean;
  loc: Loc;
}

/** Facts from a Python or TS/JS source file. Compose files have their own model (compose/model.ts). */
export interface FileFacts {
  path: string; // relative POSIX path from the scan root
  language: 'python' | 'typescript';
  imports: ImportFact[];
  exports: ExportFact[];
  calls: CallFact[];
  functions: FunctionFact[];
  classes: ClassFact[];
  assignments: AssignmentFact[];
  tries: TryFact[];
  /** what `for` loops iterate (Python; absent when none, and in TS/JS so far) */
  iterations?: IterationFact[];
  suppressions: SuppressionFact[];
  /** the parser recovered from syntax errors (facts may be partial) */
  hasSyntaxErrors: boolean;
  /** line of the first syntax error, when hasSyntaxErrors */
  syntaxErrorLine?: number;
}

/** What a language adapter must provide. Created once per worker; `extract` is synchronous. */
export interface SourceAdapter {
  language: 'python' | 'typescript';
  extract(path: string, text: string): FileFacts;
}

/**
 * Raised by an adapter when a file cannot be turned into facts at all (not for recoverable
 * syntax errors: those produce partial facts with hasSyntaxErrors = true and an `errors` entry).
 */
export class ParseError extends Error {
  constructor(
    message: string,
    public readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * Raised by an adapter whose parser trapped (a WebAssembly RuntimeError such as "memory access out
 * of bounds"). The trap leaves the module's memory corrupt, so every later parse on this thread is
 * suspect: the caller must discard the whole thread, not just this adapter.
 */
export class AdapterCrash extends Error {}
