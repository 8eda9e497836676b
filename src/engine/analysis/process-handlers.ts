// Process-wide error handlers a file installs (catalog `process-error-handlers`): Node
// `process.on('uncaughtException', fn)` keeps the process running after an exception nothing
// caught, `process.on('unhandledRejection', fn)` after a rejection nothing handled. Read by the
// project model (a process-wide fact: src/model/signals.ts processDefaults) and by FL550 for the
// file it checks.
import type { Catalog } from '../../catalog/index.js';
import type { CallFact, FileFacts, FunctionFact, Value } from '../../languages/types.js';
import { functionAndNested } from './facts-query.js';

export type ProcessEvent = 'uncaught-exception' | 'unhandled-rejection';

export interface ProcessHandler {
  event: ProcessEvent;
  /**
   * 'set': the handler keeps the process running (it logs, reports, swallows); 'disabled': it
   * ends the process anyway (an exit call, a rethrow); 'unknown': the handler is not a function
   * written in this file.
   */
  state: 'set' | 'disabled' | 'unknown';
  /** how it was written: "process.on('uncaughtException', …)" */
  text: string;
  line: number;
}

/** The function a handler argument is: written in place, or a function of this file by name. */
function handlerFunction(facts: FileFacts, v: Value | undefined): FunctionFact | undefined {
  if (!v) return undefined;
  if (v.kind === 'function') return facts.functions[v.functionId];
  if (v.kind === 'name' && /^[A-Za-z_$][\w$]*$/.test(v.text)) {
    const named = facts.functions.filter((f) => f.name === v.text && f.classId === undefined);
    return named.length === 1 ? named[0] : undefined;
  }
  return undefined;
}

/** The source of a function, without comments and string contents (for a `throw` in it). */
function bodyText(text: string, loc: FunctionFact['loc']): string | undefined {
  const lines = text.split('\n');
  if (loc.line < 1 || loc.endLine > lines.length) return undefined;
  const part = lines.slice(loc.line - 1, loc.endLine);
  part[part.length - 1] = part[part.length - 1]!.slice(0, loc.endColumn - 1);
  part[0] = part[0]!.slice(loc.column - 1);
  return part.join('\n').replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, '""');
}

/** Does the handler end the process: an exit call (in it or a callback it schedules), or a `throw` (Node exits with code 7)? */
function endsProcess(facts: FileFacts, fn: FunctionFact, exits: Set<string>, text?: string, depth = 0): boolean {
  const inside = functionAndNested(facts, fn.id);
  const calls = facts.calls.filter((c) => c.scope.functionId !== undefined && inside.has(c.scope.functionId));
  if (calls.some((c) => exits.has(c.qualified ?? c.callee))) return true;
  // NodeBB: `process.on('uncaughtException', (err) => { …; shutdown(1); })`, where this file's
  // `shutdown` closes the server and calls process.exit: two hops at most
  if (depth < 2) {
    for (const c of calls) {
      const callee = handlerFunction(facts, { kind: 'name', text: c.callee, loc: c.loc });
      if (callee && callee.id !== fn.id && !inside.has(callee.id) && endsProcess(facts, callee, exits, undefined, depth + 1)) return true;
    }
  }
  const body = text === undefined ? undefined : bodyText(text, fn.loc);
  return body !== undefined && /\bthrow\b/.test(body);
}

function describe(call: CallFact, event?: string): string {
  return event ? `${call.callee}('${event}', …)` : `${call.callee}(…)`;
}

/** The process-wide handlers this file installs, in source order. `text` lets a `throw` in a handler count. */
export function processErrorHandlers(facts: FileFacts, catalog: Catalog, text?: string): ProcessHandler[] {
  const out: ProcessHandler[] = [];
  for (const e of catalog.entries('process-error-handlers', facts.language)) {
    const registrars = new Set(e.registrars);
    const capture = new Set(e.captureCallbacks ?? []);
    const exits = new Set(e.exits ?? []);
    for (const c of facts.calls) {
      const q = c.qualified ?? c.callee;
      let event: ProcessEvent | undefined;
      let handler: Value | undefined;
      let name: string | undefined;
      if (registrars.has(q)) {
        const ev = c.args[0];
        if (ev?.kind !== 'string' || !Object.hasOwn(e.events, ev.value)) continue;
        event = e.events[ev.value];
        name = ev.value;
        handler = c.args[1];
      } else if (capture.has(q)) {
        // `setUncaughtExceptionCaptureCallback(null)` removes it
        if (!c.args[0] || c.args[0].kind === 'null') continue;
        event = 'uncaught-exception';
        handler = c.args[0];
      } else continue;
      const fn = handlerFunction(facts, handler);
      const state = !fn ? 'unknown' : endsProcess(facts, fn, exits, text) ? 'disabled' : 'set';
      out.push({ event, state, text: describe(c, name), line: c.loc.line });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/** A regex for the words that make a file worth parsing for these handlers (the model reads them even when no rule wants the file). */
export function processHandlerWords(catalog: Catalog, language: 'python' | 'typescript'): RegExp | null {
  const words = new Set<string>();
  for (const e of catalog.entries('process-error-handlers', language)) {
    for (const ev of Object.keys(e.events)) words.add(ev);
    for (const c of e.captureCallbacks ?? []) words.add(c.split('.').pop()!);
  }
  return words.size ? new RegExp(`\\b(?:${[...words].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`) : null;
}
