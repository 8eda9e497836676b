// A background loop (health check, monitor, reconnect supervisor, poller: a loop that sleeps
// between rounds, catalog section `background-loops`) that ends at its first error:
// - a handler inside the loop returns or breaks out of it (or, in Python, re-raises: the task or
//   thread dies), unless it only catches cancellation / interpreter exit;
// - Python: the work in the loop is not inside any try that keeps the loop going, so the first
//   exception kills the task or thread, and asyncio only logs it when the task is collected.
// Only loops the file starts in the background (a task, a thread, a call nobody awaits) or whose
// function is named like a monitor (rule option `monitorNames`) count; a loop that something else
// in the file calls from a loop (a supervisor) or whose task has a done-callback is restarted.
import { catchesAnything } from '../analysis/facts-query.js';
import type { Check } from '../api.js';
import type { CallFact, HandlerFact, TryFact } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { isLoggingCall } from '../../languages/logging.js';
import { backgroundStart, cannotRaiseHere, isSleep, loopKnowledge, periodicLoops, supervised } from '../analysis/background-loops.js';

/** a statement that raises on purpose, in a body that calls nothing */
const RAISES = /\b(raise|throw|assert)\b/;
/** returns an expression that reads something (`self.shutdown or not settings.running`), not a constant */
const READS_STATE = /\breturn\s+(?!(?:None|True|False|null|undefined|true|false|\d[\d.]*|(['"]).*?\1)\s*;?\s*$)\S/m;

interface Options {
  monitorNames: string;
}

const check: Check = (ctx) => {
  const facts = ctx.facts;
  const opts = ctx.rule.options as unknown as Options;
  const monitorName = new RegExp(opts.monitorNames, 'i');
  const k = loopKnowledge(ctx);
  const py = facts.language === 'python';
  const watched = facts.calls.some((c) => k.watchMethods!.includes(c.callee.slice(c.callee.lastIndexOf('.') + 1)));
  const stopsOnPurpose = (h: HandlerFact) => h.types.length > 0 && h.types.every((t) => k.stopExceptions!.some((s) => t === s || t.endsWith(`.${s}`)));
  /**
   * `if raise_exceptions: raise` where `raise_exceptions` is a parameter of the loop's function or
   * one around it that defaults to True: by default the handler re-raises at the first error
   */
  const onByDefault = (h: HandlerFact, fnId: number): boolean => {
    if (!h.reraiseIf) return false;
    for (let f: (typeof facts.functions)[number] | undefined = facts.functions[fnId]; f; f = f.parentFunctionId === undefined ? undefined : facts.functions[f.parentFunctionId]) {
      const p = f.params.find((x) => x.name === h.reraiseIf);
      if (p) return p.default?.kind === 'boolean' && p.default.value;
    }
    return false;
  };
  // an exit under a condition (`if signal.aborted: break`, `if attempts > 5: raise`, a flag that
  // is off by default) lets the ordinary error fall through to the next round
  const exits = (h: HandlerFact, fnId: number) =>
    !stopsOnPurpose(h) && (h.returns || !!h.breaks || (py && h.reraises)) && (!h.conditionalExit || onByDefault(h, fnId));
  // a function of this file whose every call sits in a try that catches anything cannot raise
  // into the loop that calls it (private-gpt's scraper pool `_kill`)
  const lines = ctx.text.split('\n');
  // the body after its first line, docstrings and comments left out (a docstring may say "raise")
  const bodyText = (f: (typeof facts.functions)[number]) =>
    lines.slice(f.loc.line, f.loc.endLine).join('\n').replace(/("""|''')[\s\S]*?\1/g, '').replace(/(#|\/\/).*$/gm, '');
  const swallowMemo = new Map<string, boolean>();
  const swallows = (name: string): boolean => {
    let v = swallowMemo.get(name);
    if (v === undefined) {
      const fns = facts.functions.filter((f) => f.name === name);
      v =
        fns.length > 0 &&
        fns.every((f) => {
          const own = facts.calls.filter((c) => c.scope.functionId === f.id);
          // its work in a try that catches anything; what the handler itself does (a log line) aside
          const inCatchAll = (c: CallFact, part: 'body' | 'handler') => c.scope.tries.some((t) => t.part === part && facts.tries[t.tryId]?.handlers.some((h) => catchesAnything(h) && !h.reraises));
          const work = own.filter((c) => !inCatchAll(c, 'handler') && !isLoggingCall(c.qualified ?? c.callee));
          // one that calls nothing and raises nothing only reads state (lnbits' NWC
          // `_is_shutting_down(): return self.shutdown or not settings.lnbits_running`)
          // (a stub that returns a constant or nothing stands for work it does not show)
          if (!own.length) return !f.isAsync && !RAISES.test(bodyText(f)) && READS_STATE.test(bodyText(f));
          return work.length > 0 && work.every((c) => inCatchAll(c, 'body'));
        });
      swallowMemo.set(name, v);
    }
    return v;
  };
  // a `break` in the handler of a try inside an inner loop leaves that loop only, and the round
  // goes on (chainlit's file watcher: `async for changes in awatch(…): for change in changes: … break`)
  const handlersOf = (tf: TryFact): HandlerFact[] => (tf.nestedLoop ? tf.handlers.map((h) => (h.breaks ? { ...h, breaks: false } : h)) : tf.handlers);
  const out: FindingDraft[] = [];
  for (const loop of periodicLoops(ctx, k)) {
    const { fn } = loop;
    const started = backgroundStart(ctx, k, fn);
    if (!started && !monitorName.test(fn.name)) continue;
    // named like a monitor but called in line here (`await monitor()`, `asyncio.run(monitor())`):
    // its error reaches the caller, it does not vanish
    if (!started && facts.calls.some((c) => c.callee.slice(c.callee.lastIndexOf('.') + 1) === fn.name)) continue;
    if (supervised(ctx, fn, k) || watched) continue;
    // the tries of this loop: the ones around its calls that sit inside the loop
    const loopTries = new Map<number, HandlerFact[]>();
    for (const c of loop.loopCalls) {
      for (const t of c.scope.tries) {
        const tf = facts.tries[t.tryId];
        if (tf?.inLoop) loopTries.set(tf.id, handlersOf(tf));
      }
    }
    // a try around the sleep alone: leaving the loop when the sleep is aborted is the way to stop it;
    // and one whose body cannot raise what it catches (OpenHands' `try: asyncio.get_running_loop();
    // logger.exception(...) except RuntimeError: return` inside a handler): that exit is never taken
    for (const id of [...loopTries.keys()]) {
      const body = loop.loopCalls.filter((c) => c.scope.tries.some((t) => t.tryId === id && t.part === 'body'));
      if (body.length && body.every((c) => isSleep(k, c))) loopTries.delete(id);
      else if (body.length && body.every((c) => isLoggingCall(c.qualified ?? c.callee) || cannotRaiseHere(ctx, k, c, swallows))) loopTries.delete(id);
    }
    let how: string | undefined;
    let loc = loop.sleep.loc;
    // agenta's job heartbeat: `except LeaseLost: raise` beside an `except Exception:` that keeps
    // the loop going re-raises the one condition the loop exists to report (its caller waits on
    // the task and fails the job); only an exit for any error is the hazard
    const chosen = (h: HandlerFact, all: HandlerFact[]) => py && h.reraises && !h.returns && !h.breaks && !catchesAnything(h) && all.some((o) => o !== h && catchesAnything(o) && !exits(o, fn.id));
    for (const [, handlers] of [...loopTries].sort((a, b) => a[0] - b[0])) {
      const h = handlers.find((x) => exits(x, fn.id) && !chosen(x, handlers));
      if (!h) continue;
      how = `its \`${py ? 'except' : 'catch'}\` ${h.breaks ? 'breaks out of the loop' : h.returns ? 'returns' : 're-raises'} on the first error`;
      loc = h.loc;
      break;
    }
    if (!how && py) {
      const keepsGoing = (c: CallFact) =>
        c.scope.tries.some((t) => t.part === 'body' && facts.tries[t.tryId]?.inLoop && handlersOf(facts.tries[t.tryId]).some((h) => !exits(h, fn.id)));
      // the bookkeeping of a handler that already kept the loop going (`str(exc)`, a metrics
      // counter, a log line) is not the loop's work: readers judged every such call as wrong
      const inHandler = (c: CallFact) => c.scope.tries.some((t) => t.part === 'handler' && facts.tries[t.tryId]?.inLoop && !exits(handlersOf(facts.tries[t.tryId])[t.handlerIndex ?? 0] ?? handlersOf(facts.tries[t.tryId])[0], fn.id));
      // `with suppress(Error):` swallows what its body raises
      const suppressed = (c: CallFact) => c.scope.withCalls.some((id) => (k.suppressors ?? []).includes(facts.calls[id]?.qualified ?? ''));
      // the loop is one step of a try around it whose catch-all handler recovers with a call of its
      // own (tracecat's cancel watcher: `while not await broker.interrupt_turn(…)` inside a try whose
      // `except Exception:` logs and calls `broker.cancel_turn()`): the error is handled, not lost
      const recovered = (c: CallFact) =>
        c.scope.tries.some(
          (t) =>
            t.part === 'body' &&
            !facts.tries[t.tryId]?.inLoop &&
            facts.tries[t.tryId]?.handlers.some((h) => catchesAnything(h) && !h.reraises) &&
            facts.calls.some((o) => o.scope.functionId === fn.id && o.scope.tries.some((u) => u.tryId === t.tryId && u.part === 'handler') && !isLoggingCall(o.qualified ?? o.callee)),
        );
      // the iterable of the outermost loop (`async for changes in awatch(…)`) is read in its header: no
      // try in the body could catch what it raises, and when it fails the loop has nothing to run
      const header = (c: CallFact) =>
        (facts.iterations ?? []).some((it) => it.scope.functionId === fn.id && !it.scope.inLoop && c.loc.line === it.loc.line && c.loc.column >= it.loc.column && c.loc.endLine <= it.loc.endLine);
      const unguarded = loop.loopCalls.find(
        (c) =>
          !header(c) &&
          !isSleep(k, c) && !isLoggingCall(c.qualified ?? c.callee) && !cannotRaiseHere(ctx, k, c, swallows) && !suppressed(c) && !keepsGoing(c) && !inHandler(c) && !recovered(c) && !c.scope.argOfCalls.length,
      );
      if (unguarded) {
        const where = loopTries.size ? `\`${unguarded.callee}()\` sits outside the loop's \`try\`, so its first exception` : `nothing in the loop catches an exception, so the first one from \`${unguarded.callee}()\``;
        how = `${where} ends it (asyncio logs it only when the dead task is collected; a thread prints it and stops)`;
        loc = unguarded.loc;
      }
    }
    if (!how) continue;
    out.push({
      ruleId: ctx.rule.id,
      loc,
      message: ctx.rule.message,
      data: { function: fn.name || 'this loop', how, started: started ? ` (${started})` : '' },
      symbol: fn.qualifiedName || undefined,
      where: { scope: fn.scope },
    });
  }
  return out;
};

export default check;
