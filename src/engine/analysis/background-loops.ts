// Periodic loops and how they are started (catalog section `background-loops`): a function whose
// loop waits between rounds (`await asyncio.sleep(30)`, `time.sleep`, `await sleep(5000)`), and
// whether the file runs it in the background (a task, a thread, a call nobody awaits). Read by
// FL554 and FL555.
import type { RuleContext } from '../api.js';
import type { CallFact, FunctionFact, Value } from '../../languages/types.js';
import type { BackgroundLoops } from '../../catalog/types.js';

export interface PeriodicLoop {
  fn: FunctionFact;
  /** calls in the loop (directly in the function, not in nested ones), the sleep included */
  loopCalls: CallFact[];
  sleep: CallFact;
}

const last = (callee: string) => callee.slice(callee.lastIndexOf('.') + 1);

export function loopKnowledge(ctx: RuleContext): BackgroundLoops {
  const entries = ctx.catalog.entries('background-loops', ctx.facts.language);
  const all = <K extends keyof BackgroundLoops>(k: K) => entries.flatMap((e) => (e[k] as string[] | undefined) ?? []);
  return {
    language: ctx.facts.language,
    sleeps: all('sleeps'),
    sleepNames: all('sleepNames'),
    spawners: all('spawners'),
    spawnerMethods: all('spawnerMethods'),
    targetKwargs: all('targetKwargs'),
    stopExceptions: all('stopExceptions'),
    watchMethods: all('watchMethods'),
    cannotRaise: all('cannotRaise'),
    cannotRaiseWith: entries.flatMap((e) => e.cannotRaiseWith ?? []),
    endedMethods: all('endedMethods'),
    suppressors: all('suppressors'),
    flagReaders: entries.map((e) => e.flagReaders).filter((x): x is string => !!x).join('|') || undefined,
  };
}

/** A call that reads a clock, a flag or a length (catalog `cannotRaise`): by qualified name, or by its last name segment. */
const flagReaderRes = new WeakMap<BackgroundLoops, RegExp | null>();
export function cannotRaise(k: BackgroundLoops, c: CallFact): boolean {
  const names = k.cannotRaise ?? [];
  if ((c.qualified !== null && names.includes(c.qualified)) || names.includes(last(c.callee)) || names.includes(c.callee)) return true;
  let re = flagReaderRes.get(k);
  if (re === undefined) flagReaderRes.set(k, (re = k.flagReaders ? new RegExp(k.flagReaders) : null));
  return !!re && !c.args.length && !c.argsOpen && re.test(last(c.callee));
}

export function isSleep(k: BackgroundLoops, c: CallFact): boolean {
  if (c.qualified && k.sleeps!.includes(c.qualified)) return true;
  if (c.isNew && c.callee === 'Promise') return true; // `await new Promise((r) => setTimeout(r, ms))`
  return k.sleepNames!.includes(last(c.callee)); // a local helper (`await sleep(ms)`), resolved or not
}

/** functions whose loop sleeps between rounds */
export function periodicLoops(ctx: RuleContext, k: BackgroundLoops): PeriodicLoop[] {
  const out: PeriodicLoop[] = [];
  let lines: string[] | undefined;
  for (const fn of ctx.facts.functions) {
    const loopCalls = ctx.facts.calls.filter((c) => c.scope.functionId === fn.id && c.scope.inLoop);
    // a pause inside a counted loop (`for attempt in range(3)`, `for (let i = 1; i <= 3; i++)`) is a
    // retry's backoff, not a round of a loop that runs for good: onyx's per-chunk indexer, agenta's sweep
    const sleep = loopCalls.find((c) => isSleep(k, c) && !countedLoop((lines ??= ctx.text.split('\n')), c.loc.line, fn.loc.line));
    if (sleep) out.push({ fn, loopCalls, sleep });
  }
  return out;
}

const PY_LOOP = /^\s*(?:async\s+)?(?:for|while)\b/;
const TS_LOOP = /^\s*(?:\}\s*)?(?:for|while|do)\b/;
/** `for x in range(…)`, `for (let i = 0; i < n; i++)`: a loop that ends after a number of rounds */
const COUNTED = /^\s*(?:async\s+)?for\s+\w+\s+in\s+range\s*\(|^\s*for\s*\(\s*(?:let|var)\s+[\w$]+\s*=\s*[^;]+;\s*[\w$]+\s*[<>]=?\s*[^;]+;/;

/**
 * Is the innermost loop around line `at` a counted one? Read from the indentation: the first line
 * above it, indented less, that opens a loop (up to the function's own line).
 */
function countedLoop(lines: string[], at: number, fnLine: number): boolean {
  const indent = (s: string) => s.length - s.trimStart().length;
  let level = indent(lines[at - 1] ?? '');
  for (let i = at - 2; i >= fnLine - 1 && i >= 0; i--) {
    const line = lines[i] ?? '';
    if (!line.trim() || indent(line) >= level) continue;
    level = indent(line);
    if (PY_LOOP.test(line) || TS_LOOP.test(line)) return COUNTED.test(line);
  }
  return false;
}

const refersTo = (v: Value | undefined, name: string, calls: CallFact[]): boolean =>
  !!v && ((v.kind === 'name' && last(v.text) === name) || (v.kind === 'call' && last(calls[v.callId]?.callee ?? '') === name));

/** how the file starts `fn` in the background, or undefined */
export function backgroundStart(ctx: RuleContext, k: BackgroundLoops, fn: FunctionFact): string | undefined {
  if (!fn.name) return undefined;
  const calls = ctx.facts.calls;
  for (const c of calls) {
    const spawner = (c.qualified && k.spawners!.includes(c.qualified)) || k.spawnerMethods!.includes(last(c.callee));
    if (!spawner) continue;
    const handed = c.args.some((a) => refersTo(a, fn.name, calls)) || k.targetKwargs!.some((kw) => refersTo(c.kwargs[kw], fn.name, calls));
    if (handed) return `started with \`${c.callee}\``;
  }
  if (ctx.facts.language === 'typescript') {
    // a promise kept in a name (`const ready = sweep(); … await ready`) is waited on later: agenta's relay sweep
    const held = (c: CallFact) =>
      ctx.facts.assignments.some(
        (a) => a.value.kind === 'call' && a.value.callId === c.id && !a.selfAttr && /^[\w$]+$/.test(a.target) && new RegExp(`\\b(?:await|return)\\s+${a.target.replace(/\$/g, '\\$')}\\b`).test(ctx.text),
      );
    const fireAndForget = calls.find((c) => last(c.callee) === fn.name && !c.scope.awaited && c.scope.functionId !== fn.id && !c.scope.argOfCalls.length && !held(c));
    if (fireAndForget) return 'started without being awaited';
  }
  return undefined;
}

/**
 * Something runs `fn` again when it ends: a call of it sits in a loop of another function, or the
 * task it runs in is kept in a name that the starting function checks and restarts
 * (`if self._reaper is None or self._reaper.done(): self._reaper = asyncio.create_task(self._reap_idle())`).
 */
export function supervised(ctx: RuleContext, fn: FunctionFact, k?: BackgroundLoops): boolean {
  const calls = ctx.facts.calls;
  if (calls.some((c) => last(c.callee) === fn.name && c.scope.inLoop && c.scope.functionId !== fn.id)) return true;
  if (!k || !fn.name) return false;
  for (const a of ctx.facts.assignments) {
    if (a.value.kind !== 'call') continue;
    const c = calls[a.value.callId];
    const spawner = c && ((c.qualified && k.spawners!.includes(c.qualified)) || k.spawnerMethods!.includes(last(c.callee)));
    if (!spawner || !(c.args.some((x) => refersTo(x, fn.name, calls)) || k.targetKwargs!.some((kw) => refersTo(c.kwargs[kw], fn.name, calls)))) continue;
    // the same function asks whether that task (or thread) has ended before it starts it again
    const ends = (k.endedMethods ?? []).map((m) => `${a.target}.${m}`);
    if (calls.some((x) => ends.includes(x.callee) && x.scope.functionId === a.scope.functionId)) return true;
  }
  return false;
}

/**
 * A call that cannot raise: a catalog name (a clock, a flag, a length), a call with the keyword
 * that turns its errors into results (`asyncio.gather(..., return_exceptions=True)`), or a
 * function of this file whose every call sits in a try that catches anything (letta's `_kill`).
 */
export function cannotRaiseHere(ctx: RuleContext, k: BackgroundLoops, c: CallFact, swallows: (fnName: string) => boolean): boolean {
  if (cannotRaise(k, c)) return true;
  for (const w of k.cannotRaiseWith ?? []) {
    if (c.qualified !== w.call) continue;
    const v = c.kwargs[w.keyword];
    if (v?.kind === 'boolean' && v.value === w.value) return true;
  }
  const name = last(c.callee);
  if (!/^(self|this)\.[\w$]+$/.test(c.callee) && !/^[\w$]+$/.test(c.callee)) return false;
  // calling a coroutine function of this file without awaiting it only makes the coroutine
  // (private-gpt's `[self._process_stream(cid) for cid in ids]`, gathered next)
  if (ctx.facts.language === 'python' && !c.scope.awaited && ctx.facts.functions.some((f) => f.name === name && f.isAsync)) return true;
  return swallows(name);
}
