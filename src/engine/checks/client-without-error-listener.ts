// A client whose 'error' event crashes the process (catalog tag `emits-error-crash`: pg Pool and
// Client, node-redis, ws, amqplib connections) is bound in this file and no 'error' listener is
// attached to it here. Language-neutral over facts; Python has no such event model, so it simply
// finds nothing there.
//
// Unknown is silent: an instance that is never bound (returned from a factory, passed straight
// into another call) may get its listener elsewhere. A bound instance that is exported or handed
// to another call is reported one step lower (the listener may live in another module).
//
// A process-wide 'uncaughtException' handler that keeps the process running (catalog
// `process-error-handlers`) changes the consequence: nothing crashes, the throw is swallowed. What
// the client does then is catalog `swallowed-error-events`: a pg Pool has already dropped the
// broken connection and recovers (no finding); node-redis, ws and amqplib skip the reconnect or
// 'close' that came after their `emit('error')`, and a pg Client is finished (P1: the client
// stays broken in a live process). A handler in this file is read here; one in another file of
// the process (the server's startup command, for a library package it loads) is the project
// model's to apply (`data.pendingOn`).
import type { Check, RuleContext } from '../api.js';
import type { AssignmentFact, CallFact, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { processErrorHandlers } from '../analysis/process-handlers.js';

const CRASH = 'the first idle-connection error (database restart, network blip) is thrown as an uncaught exception and kills the process.';
const THROWN = 'the first idle-connection error (database restart, network blip) is thrown as an uncaught exception';

/** The consequence when `{setting}` installs a handler the scan cannot read. */
const maybe = `${THROWN}; {setting} may swallow it process-wide (its handler is not written where the scan can read it) or let the process exit.`;

/** The consequence once `{setting}` (a process-wide handler) swallows the throw, for a client that stays broken. */
function swallowed(says: string | undefined): string {
  return `${THROWN}; {setting} swallows it process-wide, so the process stays up, but ${says ?? "the client is left in whatever state its emit('error') reached"}.`;
}

const LISTEN = /\(\)\.(?:on|once|addListener|prependListener|prependOnceListener|addEventListener)$/;

/** An inline handler that only logs and throws (`(err) => { throw err; }`): it hands the error straight back to the emitter. */
function rethrows(ctx: RuleContext, v: Value | undefined): boolean {
  if (v?.kind !== 'function') return false;
  const fn = ctx.facts.functions[v.functionId];
  if (!fn) return false;
  const lines = ctx.text.split('\n');
  const text = [lines[fn.loc.line - 1]?.slice(fn.loc.column - 1), ...lines.slice(fn.loc.line, fn.loc.endLine)].join('\n');
  // `{ throw err; }`, or a log line first: `{ logger.error(err); throw err; }`
  return /^(?:async\s+)?(?:function\b[^{]*|\(?[\w$\s,:]*\)?\s*(?::\s*[\w$<>]+\s*)?=>\s*)\{\s*(?:(?:console|logger|this\.logger|log)\.\w+\([^;{}]*\);?\s*)*throw\b/.test(text);
}

/**
 * `ctors`: every constructor call bound to the same name (`this.client = new Client()` in two
 * methods). A listener is a call (`x.on('error', …)`) or a handler property (`ws.onerror = fn`;
 * `= null` removes it). A listener that only rethrows is none: the throw escapes the emitter as an
 * uncaught exception all the same (its line is returned, to say so).
 */
function errorListener(ctx: RuleContext, ctors: Set<number>, binding: AssignmentFact): 'listens' | 'none' | { rethrowsAt: number } {
  // `let cxn; if (…) cxn = createCluster(…) else cxn = createClient(…); cxn.on('error', …)`: a name
  // bound in several branches resolves to no single constructor, so a listener on the same local
  // name in the same function counts for each of them
  const sameLocal = (c: CallFact): boolean =>
    c.receiverCall === undefined && !binding.selfAttr && c.scope.functionId === binding.scope.functionId && c.callee.startsWith(binding.target + '.');
  for (const a of ctx.facts.assignments) {
    if (a.receiverCall === undefined || !ctors.has(a.receiverCall) || a.augmented || !a.qualified?.endsWith('().onerror')) continue;
    if (a.value.kind !== 'null') return 'listens';
  }
  let rethrowsAt: number | undefined;
  for (const c of ctx.facts.calls) {
    const listens = c.receiverCall !== undefined ? ctors.has(c.receiverCall) && !!c.qualified && LISTEN.test(c.qualified) : sameLocal(c) && LISTEN.test(c.callee.slice(binding.target.length).replace(/^\./, '().'));
    if (!listens) continue;
    const ev = c.args[0];
    if (!ev) continue;
    if (ev.kind !== 'string') return 'listens'; // event name we cannot read: unknown, assume handled
    if (ev.value !== 'error') continue;
    if (rethrows(ctx, c.args[1])) rethrowsAt ??= c.loc.line;
    else return 'listens';
  }
  return rethrowsAt === undefined ? 'none' : { rethrowsAt };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Is the binding visible outside this file or handed to other code? */
function leaves(ctx: RuleContext, a: AssignmentFact): string | undefined {
  if (a.selfAttr) return undefined;
  const n = escapeRe(a.target);
  const exported = new RegExp(
    `export\\s+(?:const|let|var)\\s+${n}\\b|export\\s+default\\s+${n}\\b|export\\s*\\{[^}]*\\b${n}\\b|module\\.exports\\b[^;]*\\b${n}\\b|exports\\.\\w+\\s*=\\s*${n}\\b`,
  );
  if (exported.test(ctx.text)) return 'exported: a listener may be attached in another module';
  for (const c of ctx.facts.calls) {
    if (c.args.some((v) => v.kind === 'name' && v.text === a.target)) return 'passed to other code, which may attach the listener';
  }
  return undefined;
}

const check: Check = (ctx) => {
  const out: FindingDraft[] = [];
  const lang = ctx.facts.language;
  const handlers = processErrorHandlers(ctx.facts, ctx.catalog, ctx.text).filter((h) => h.event === 'uncaught-exception');
  const here = handlers.find((h) => h.state === 'set') ?? handlers.find((h) => h.state === 'unknown');
  for (const call of ctx.facts.calls) {
    if (!call.qualified) continue;
    const api = ctx.catalog.lookup(call.qualified, lang).find((a) => a.tags?.includes('emits-error-crash'));
    if (!api) continue;
    const binding = ctx.facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === call.id && !a.augmented);
    if (!binding) continue; // never bound here: it is configured somewhere we cannot see
    const sameName = new Set<number>([call.id]);
    for (const a of ctx.facts.assignments) {
      if (a.value.kind === 'call' && a.target === binding.target && a.scope.classId === binding.scope.classId) sameName.add(a.value.callId);
    }
    const listener = errorListener(ctx, sameName, binding);
    if (listener === 'listens') continue;
    const listens = listener === 'none' ? "has no 'error' listener" : `has an 'error' listener that only rethrows (line ${listener.rethrowsAt}), which is the same as none`;
    const after = ctx.catalog.entries('swallowed-error-events', lang).find((e) => e.apis.includes(call.qualified!));
    // a handler here keeps the process up, and this client recovers from the swallowed throw
    if (here?.state === 'set' && after?.recovers) continue;
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      loc: call.loc,
      message: ctx.rule.message,
      data: { callee: call.callee, api: call.qualified, name: binding.target, listens, consequence: CRASH },
      where: { scope: call.scope, apiTags: api.tags },
    };
    // a file that attaches a (rethrowing) listener handles this client's errors itself
    const reason = listener === 'none' ? leaves(ctx, binding) : undefined;
    if (reason) {
      d.priority = 'P1';
      d.priorityReason = reason;
    }
    if (here?.state === 'set') {
      const setting = `\`${here.text}\` (line ${here.line})`;
      d.data!.consequence = swallowed(after?.says).replace('{setting}', setting);
      d.priority = 'P1';
      d.priorityReason = `${setting} keeps the process running after an uncaught exception, but the client does not recover from the swallowed throw`;
    } else if (here) {
      d.data!.consequence = maybe.replace('{setting}', `\`${here.text}\` (line ${here.line})`);
      d.priority = 'P1';
      d.priorityReason = `\`${here.text}\` may keep the process running; its handler is not visible`;
    } else {
      // a handler in another file of the process: the project model settles it
      Object.assign(d.data!, {
        pendingOn: 'process:uncaught-exception',
        pendingMiss: 'keep',
        pendingSlot: 'consequence',
        pendingUnknownPriority: 'P1',
        pendingUnknownSay: maybe,
        ...(after?.recovers
          ? { pendingHit: 'drop' }
          : {
              pendingSay: swallowed(after?.says),
              pendingHitPriority: 'P1',
              pendingReason: '{setting} keeps the process running after an uncaught exception, but the client does not recover from the swallowed throw',
            }),
      });
    }
    // opened, used and ended in one function (a migration's `CREATE DATABASE`, then `end()` in
    // `finally`): it never sits idle, so only a connection lost while its queries run reaches the
    // missing listener
    // the methods that finish with this client (catalog `swallowed-error-events` closers)
    const closers = new Set(after?.closers ?? []);
    const closer = closers.size && !binding.selfAttr && binding.scope.functionId !== undefined && !reason
      ? ctx.facts.calls.find((c) => c.receiverCall !== undefined && sameName.has(c.receiverCall) && closers.has(c.qualified?.split('.').pop() ?? '') && c.scope.functionId === binding.scope.functionId)
      : undefined;
    if (closer) {
      // a handler that keeps the process up swallows that throw, and the function ends the client
      // anyway: nothing stays broken (tianji's pingWarehouse, with init.ts's handler)
      if (here?.state === 'set') continue;
      // pg emits 'error' for a connection lost while a query runs too (beside rejecting the query)
      d.data!.consequence = "it never sits idle, but a connection lost while its queries run (a database restart mid-migration) is also emitted as 'error', which with no listener is an uncaught exception that kills the process.";
      for (const k of Object.keys(d.data!)) if (k.startsWith('pending')) delete d.data![k];
      // the same for a handler in another file of the process: the project model settles it
      if (!here) Object.assign(d.data!, { pendingOn: 'process:uncaught-exception', pendingMiss: 'keep', pendingHit: 'drop', pendingSlot: 'consequence', pendingUnknownPriority: 'P2', pendingUnknownSay: d.data!.consequence });
      d.priority = 'P2';
      d.priorityReason = `a short-lived client: ${binding.target}.${closer.callee.split('.').pop()}() on line ${closer.loc.line} ends it in the function that opens it, so it never sits idle`;
    } else if (closers.size && binding.selfAttr && !reason && d.priority === undefined) {
      // a class that ends its client in the `finally` of the method that queries it (anything-llm's
      // SQL connectors: built in the constructor, `this._client.end()` after each query): the
      // connection lives for one query, and only one lost while that query runs reaches the
      // missing listener
      const ends = ctx.facts.calls.find(
        (c) => c.callee === `${binding.target}.${c.callee.split('.').pop()}` && closers.has(c.callee.split('.').pop() ?? '') && c.scope.classId === binding.scope.classId && c.scope.tries.some((t) => t.part === 'finally'),
      );
      if (ends) {
        d.priority = 'P1';
        d.priorityReason = `the class ends its client after each use (${ends.callee}() in a finally, line ${ends.loc.line}): only a connection lost while a query runs reaches the missing listener`;
      }
    }
    out.push(d);
  }
  return out;
};

export default check;
