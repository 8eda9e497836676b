// A wait with no timeout of its own is bounded when every caller waits on it under a deadline:
// lnbits' wallet classes post `pay_invoice` with `timeout=None`, and their one caller runs that
// coroutine as a task it awaits with `asyncio.wait_for(task, timeout=…)`, which cancels it. A rule
// that already accepts an enclosing deadline in the same function (`unless-within: [deadline]`)
// gets the same answer across functions and modules here: the callers are found by the function's
// name, followed at most two calls up. Every caller must be in view (a scan of the whole
// repository), and tests are no callers. Python needs the chain awaited: a blocking call runs on
// through `wait_for`. A task whose decorator sets its own time limit (Celery `soft_time_limit=`,
// `time_limit=`: a signal in the worker child, then a kill) bounds every call it makes, blocking
// or not: openwisp's VPN task with `soft_time_limit=1200` runs `subprocess.check_output` two
// calls down.
import type { Catalog } from '../catalog/index.js';
import { PRIORITY_RANK, type Finding } from '../engine/types.js';
import type { CallFact, FileFacts, FunctionFact } from '../languages/types.js';
import type { LateParser } from './late-parse.js';
import { enclosingRole } from '../engine/matchers/call.js';
import { frameworkOf, optionKeys, valueText } from '../engine/analysis/task-frameworks.js';

/** how many calls up the chain a deadline may be */
const MAX_DEPTH = 2;
/** bounds on one scan's work: distinct function names looked up, and files parsed for them */
const MAX_NAMES = 40;
const MAX_FILES = 400;
/** names too common to find a function's callers by (a `get` is called everywhere, on everything) */
const GENERIC = new Set(['get', 'post', 'put', 'patch', 'delete', 'request', 'fetch', 'send', 'call', 'run', 'execute', 'handle', 'main', 'start', 'stop', 'process', 'update', 'create', 'read', 'write', 'open', 'close', 'connect', 'query', 'list', 'load', 'save', 'init', 'setup']);

type File = { rel: string; kind: 'python' | 'typescript' };

/** the names a project gives its own deadline helper (`withTimeout`, `timeoutAfter`, `with_deadline`) */
const HELPER_NAME = /timeout|deadline/i;

export interface CallerBound {
  /** the deadline that bounds every path, `asyncio.wait_for` at file:line */
  by: string;
}

export class CallerDeadlines {
  private readonly facts = new Map<string, FileFacts | undefined>();
  private readonly texts = new Map<string, string | null>();
  private readonly sites = new Map<string, Array<{ file: string; facts: FileFacts; call: CallFact }>>();
  private readonly helpers = new Map<string, boolean>();
  private parsed = 0;

  constructor(
    private readonly files: File[],
    private readonly parse: LateParser,
    private readonly readText: (rel: string) => string | null,
    private readonly catalog: Catalog,
    private readonly isTest: (rel: string) => boolean,
  ) {}

  private async factsOf(f: File): Promise<FileFacts | undefined> {
    if (!this.facts.has(f.rel)) {
      this.parsed++;
      this.facts.set(f.rel, await this.parse(f));
    }
    return this.facts.get(f.rel);
  }

  private text(rel: string): string | null {
    if (!this.texts.has(rel)) this.texts.set(rel, this.readText(rel));
    return this.texts.get(rel)!;
  }

  /**
   * The scan's non-test files of one language whose text matches, parsed; undefined once the
   * parse budget is spent (the caller then knows nothing), facts undefined for a file that fails.
   */
  private async *filesMatching(re: RegExp, kind: File['kind']): AsyncGenerator<{ rel: string; facts: FileFacts | undefined } | undefined> {
    for (const f of this.files) {
      if (f.kind !== kind || this.isTest(f.rel)) continue;
      const t = this.text(f.rel);
      if (!t || !re.test(t)) continue;
      if (this.parsed >= MAX_FILES && !this.facts.has(f.rel)) {
        yield undefined;
        return;
      }
      yield { rel: f.rel, facts: await this.factsOf(f) };
    }
  }

  /** Every call of a function named `name` in the scan's non-test files of one language (undefined: too many to read). */
  private async callsOf(name: string, lang: File['kind'], method: boolean): Promise<Array<{ file: string; facts: FileFacts; call: CallFact }> | undefined> {
    const key = `${lang}\0${name}\0${method}`;
    const have = this.sites.get(key);
    if (have) return have;
    if (this.sites.size >= MAX_NAMES) return undefined;
    // (or imported under another name: WebODM's `from app.raster_utils import export_raster as
    // export_raster_sync`, called by its task of the same name)
    const word = new RegExp(`\\b${name.replace(/[$]/g, '\\$')}\\s*\\(|\\b${name.replace(/[$]/g, '\\$')}\\s+as\\s`);
    const out: Array<{ file: string; facts: FileFacts; call: CallFact }> = [];
    for await (const hit of this.filesMatching(word, lang)) {
      if (!hit?.facts) return undefined; // over the parse budget, or a caller we cannot read: unknown
      const { rel, facts } = hit;
      for (const c of facts.calls) if ((lastName(c.callee) === name || aliasOf(c, name, method)) && callsKind(c, name, method) && !defines(facts, c)) out.push({ file: rel, facts, call: c });
    }
    this.sites.set(key, out);
    return out;
  }

  /** The deadline every caller of the call at `line` in `file` waits under, when there is one. */
  async boundOf(finding: Finding, kind: File['kind']): Promise<CallerBound | undefined> {
    const facts = await this.factsOf({ rel: finding.file, kind });
    if (!facts) return undefined;
    const fn = innermost(facts, finding.line);
    if (!fn) return undefined;
    let blocking = false;
    if (kind === 'python') {
      // the wait itself must be awaited: `wait_for` cancels at an await, a blocking call runs on
      // (only a task's time limit, a signal, stops it)
      const call = facts.calls.filter((c) => c.scope.functionId === fn.id && c.loc.line <= finding.line && finding.line <= c.loc.endLine).pop();
      if (!call) return undefined;
      if (!call.scope.awaited) {
        if (fn.isAsync) return undefined;
        blocking = true;
      }
    }
    return this.functionBound(finding.file, facts, fn, kind, 0, blocking);
  }

  /** `blocking`: a Python chain of plain calls, which only a task time limit interrupts. */
  private async functionBound(file: string, facts: FileFacts, fn: FunctionFact, kind: File['kind'], depth: number, blocking: boolean): Promise<CallerBound | undefined> {
    const limit = taskLimit(facts, fn, this.catalog);
    if (limit) return { by: `${limit} of task \`${fn.name}\`` };
    // a callback handed to a deadline (`withTimeout(() => completeRunUsage(run), 5000)`): what it
    // awaits runs under that deadline
    const outer = fn.argOfCall !== undefined ? facts.calls[fn.argOfCall] : undefined;
    if (outer && !blocking && (await this.isDeadline(outer, facts, kind))) return { by: `\`${shown(outer)}\` at ${file}:${outer.loc.line}` };
    if (!fn.name || fn.name.startsWith('__') || GENERIC.has(fn.name) || fn.name.length < 4) return undefined;
    if (kind === 'python' && !fn.isAsync) blocking = true;
    const sites = await this.callsOf(fn.name, kind, fn.classId !== undefined);
    if (!sites?.length) return undefined;
    let by: CallerBound | undefined;
    for (const s of sites) {
      const b = (blocking ? undefined : await this.siteBound(s.file, s.facts, s.call, kind)) ?? (depth < MAX_DEPTH ? await this.viaCaller(s.file, s.facts, s.call, kind, depth, blocking) : undefined);
      if (!b) return undefined;
      by ??= b;
    }
    return by;
  }

  private async viaCaller(file: string, facts: FileFacts, call: CallFact, kind: File['kind'], depth: number, blocking: boolean): Promise<CallerBound | undefined> {
    if (call.scope.functionId === undefined) return undefined;
    if (kind === 'python' && !blocking && !call.scope.awaited && !call.scope.argOfCalls.length) return undefined;
    const caller = facts.functions[call.scope.functionId];
    return caller ? this.functionBound(file, facts, caller, kind, depth + 1, blocking) : undefined;
  }

  /**
   * A catalog deadline, or a function of the project's own that is one: named for a timeout or
   * deadline (`withTimeout`, `with_deadline`), and whose body races or bounds its work with a
   * catalog deadline (lunary's `withTimeout`: `Promise.race([asyncFn(), setTimeout(ms)…])`).
   */
  private async isDeadline(c: CallFact | undefined, facts: FileFacts, kind: File['kind']): Promise<boolean> {
    if (!c) return false;
    if (this.catalog.lookupRole(c.qualified, facts.language, ['deadline'])) return true;
    const name = lastName(c.callee);
    if (!HELPER_NAME.test(name) || c.callee.includes('.')) return false;
    const key = `${kind}\0${name}`;
    if (!this.helpers.has(key)) this.helpers.set(key, await this.helperIsDeadline(name, kind));
    return this.helpers.get(key)!;
  }

  private async helperIsDeadline(name: string, kind: File['kind']): Promise<boolean> {
    const def = kind === 'python' ? new RegExp(`\\bdef\\s+${name}\\s*\\(`) : new RegExp(`\\bfunction\\s+${name}\\b|\\b${name}\\s*=\\s*(?:async\\s*)?(?:\\(|function\\b)`);
    for await (const hit of this.filesMatching(def, kind)) {
      if (!hit) return false;
      const { facts } = hit;
      const fn = facts?.functions.find((x) => x.name === name && x.classId === undefined);
      if (!facts || !fn) continue;
      const inside = (id: number | undefined): boolean => id !== undefined && (id === fn.id || inside(facts.functions[id]?.parentFunctionId));
      return facts.calls.some((x) => inside(x.scope.functionId) && !!this.catalog.lookupRole(x.qualified, facts.language, ['deadline']));
    }
    return false;
  }

  /** This call sits under a deadline: inside one's arguments or `with` block, or run as a task a deadline awaits. */
  private async siteBound(file: string, facts: FileFacts, call: CallFact, kind: File['kind']): Promise<CallerBound | undefined> {
    const deadline = (c: CallFact | undefined) => !!c && !!this.catalog.lookupRole(c.qualified, facts.language, ['deadline']);
    const at = (c: CallFact) => ({ by: `\`${shown(c)}\` at ${file}:${c.loc.line}` });
    // the same test as a rule's `unless-within: [deadline]`, in the caller's file
    const around = enclosingRole(call, { facts, catalog: this.catalog }, ['deadline']);
    if (around) return at(around);
    // or inside the arguments of the project's own deadline helper (`withTimeout(countTokens(run), 5000)`)
    if (kind === 'typescript' || call.scope.awaited || call.scope.argOfCalls.length)
      for (const id of call.scope.argOfCalls) if (await this.isDeadline(facts.calls[id], facts, kind)) return at(facts.calls[id]);
    // `task = create_task(work())` … `await asyncio.wait_for(task, timeout=…)`
    // the calls that start a task (catalog `background-loops` spawners: `asyncio.create_task`, a
    // wrapper's `create_task` method); a deadline awaiting what one returned bounds the coroutine
    const starter = call.scope.argOfCalls.length ? facts.calls[call.scope.argOfCalls[0]] : undefined;
    const spawns = this.catalog.entries('background-loops', facts.language);
    const starts = (c: CallFact) => spawns.some((e) => (c.qualified !== null && e.spawners?.includes(c.qualified)) || e.spawnerMethods?.includes(lastName(c.callee)));
    if (!starter || !starts(starter)) return undefined;
    const bound = facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === starter.id && /^[A-Za-z_]\w*$/.test(a.target));
    if (!bound) return undefined;
    const waits = facts.calls.find(
      (c) => c.scope.functionId === starter.scope.functionId && deadline(c) && [...c.args, ...Object.values(c.kwargs)].some((v) => v.kind === 'name' && v.text === bound.target),
    );
    return waits ? at(waits) : undefined;
  }
}

/**
 * A method is called on an instance (`funding_source.pay_invoice(…)`, `self.settle(…)`), a function
 * by its name or through its module: lnbits' module function `pay_invoice` is not its wallets'
 * method of the same name.
 */
function callsKind(c: CallFact, name: string, method: boolean): boolean {
  if (!method && aliasOf(c, name, method)) return true;
  if (method) return c.callee.includes('.') && (c.qualified === null || c.qualified.includes('().') || /^(self|cls|this|super\(\))\./.test(c.callee));
  return c.callee === name || (c.qualified !== null && c.qualified.endsWith(`.${name}`) && !c.qualified.includes('().'));
}

/** a plain call of a module function imported under another name (`export_raster_sync(…)` for `…raster_utils.export_raster`) */
function aliasOf(c: CallFact, name: string, method: boolean): boolean {
  return !method && !c.callee.includes('.') && c.callee !== name && c.qualified !== null && c.qualified.endsWith(`.${name}`) && !c.qualified.includes('(');
}

/** a call as the reader wrote it when it is the project's own (`./timeout.withTimeout` reads `withTimeout`) */
const shown = (c: CallFact) => (c.qualified && !c.qualified.startsWith('.') ? c.qualified : c.callee);

function lastName(callee: string): string {
  // `Vpn().rotate_keys`, `get_client(cfg).send`: the argument lists of the calls on the way go
  let plain = callee;
  for (let i = 0; i < 8 && plain.includes('('); i++) plain = plain.replace(/\([^()]*\)/g, '');
  plain = plain.replace(/\(.*$/s, '');
  return plain.slice(plain.lastIndexOf('.') + 1);
}

/** `super().pay_invoice(…)` in an override is the same operation, not a caller that bounds it; a def is no call */
function defines(facts: FileFacts, c: CallFact): boolean {
  return /^super\(\)\./.test(c.callee) && c.scope.functionId !== undefined && facts.functions[c.scope.functionId]?.name === lastName(c.callee);
}

/**
 * The time limit a task's own decorator sets (catalog `task-frameworks` taskOptions `time-limit`:
 * Celery `soft_time_limit=1200`), as written; none when it is absent or `None`.
 */
function taskLimit(facts: FileFacts, fn: FunctionFact, catalog: Catalog): string | undefined {
  for (const d of fn.decorators) {
    const fw = frameworkOf(facts, catalog, d.qualified);
    const call = fw && d.callId !== undefined ? facts.calls[d.callId] : undefined;
    if (!fw || !call) continue;
    for (const k of optionKeys(fw, 'time-limit')) {
      const v = call.kwargs[k];
      const lit = v?.kind === 'name' && v.resolved ? v.resolved : v;
      if (v && lit && lit.kind !== 'null') return `\`${k}=${valueText(v, 30)}\``;
    }
  }
  return undefined;
}

/** The innermost function around a line. */
function innermost(facts: FileFacts, line: number): FunctionFact | undefined {
  let best: FunctionFact | undefined;
  for (const f of facts.functions) if (f.loc.line <= line && line <= f.loc.endLine && (!best || f.loc.line >= best.loc.line)) best = f;
  return best;
}

/**
 * The findings of rules that accept an enclosing deadline (`eligible`), in service code,
 * whose every caller bounds them: taken out, and listed with the deadline that bounds each.
 */
export async function callerBoundFindings(
  findings: Finding[],
  opts: { files: File[]; contextOf: (rel: string) => string | undefined; eligible: ReadonlySet<string>; parse: LateParser; readText: (rel: string) => string | null; catalog: Catalog; isTest: (rel: string) => boolean },
): Promise<Map<Finding, CallerBound>> {
  const out = new Map<Finding, CallerBound>();
  const kindOf = new Map(opts.files.map((f) => [f.rel, f.kind]));
  // the loud ones first: the lookups are bounded (MAX_NAMES), and a P2 should not spend them
  const todo = findings
    .filter((f) => opts.eligible.has(f.ruleId) && kindOf.has(f.file) && opts.contextOf(f.file) === 'service')
    .sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]);
  if (!todo.length) return out;
  const finder = new CallerDeadlines(opts.files, opts.parse, opts.readText, opts.catalog, opts.isTest);
  for (const f of todo) {
    const b = await finder.boundOf(f, kindOf.get(f.file)!);
    if (b) out.set(f, b);
  }
  return out;
}
