// Small questions about one file's facts that several checks ask.
import type { CallFact, FileFacts, HandlerFact, Value } from '../../languages/types.js';

/** The function `root` and every function nested in it (closures, callbacks, inner defs). */
export function functionAndNested(facts: FileFacts, root: number): Set<number> {
  const ids = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const f of facts.functions) {
      if (f.parentFunctionId !== undefined && ids.has(f.parentFunctionId) && !ids.has(f.id)) {
        ids.add(f.id);
        grew = true;
      }
    }
  }
  return ids;
}

/** Every value inside `v` (object properties, array items), `v` included. */
function* valuesIn(v: Value): Generator<Value> {
  yield v;
  if (v.kind === 'object') for (const p of Object.values(v.props)) yield* valuesIn(p);
  else if (v.kind === 'array') for (const i of v.items) yield* valuesIn(i);
}

/**
 * Where the instance a call makes goes, in this file: the calls it is handed to as an argument
 * (written in place, or through the one name it is bound to: `const connection = new Redis(…)`
 * then `new Worker(q, fn, { connection })`), and the method calls made through it.
 */
export function instanceUses(facts: FileFacts, callId: number): { handedTo: CallFact[]; methods: CallFact[] } {
  const names = new Set(
    facts.assignments.filter((a) => a.value.kind === 'call' && a.value.callId === callId && /^[A-Za-z_$][\w$]*$/.test(a.target)).map((a) => a.target),
  );
  // a name bound more than once may be something else at the use
  for (const a of facts.assignments) if (names.has(a.target) && !(a.value.kind === 'call' && a.value.callId === callId)) names.delete(a.target);
  const handedTo: CallFact[] = [];
  const methods: CallFact[] = [];
  for (const c of facts.calls) {
    if (c.receiverCall === callId) methods.push(c);
    if (c.id === callId) continue;
    const here = c.args.some((a) => {
      for (const v of valuesIn(a)) {
        if (v.kind === 'call' && v.callId === callId) return true;
        if (v.kind === 'name' && names.has(v.text)) return true;
      }
      return false;
    });
    if (here) handedTo.push(c);
  }
  return { handedTo, methods };
}

/**
 * A handler that catches whatever the body raises: a bare `except:` / `catch`, or the broad base
 * classes (Python `Exception` / `BaseException`, JS `Error`), by their last name segment.
 */
export function catchesAnything(h: HandlerFact): boolean {
  return h.types.length === 0 || h.types.some((t) => /^(?:Exception|BaseException|Error)$/.test(t.split('.').pop() ?? ''));
}
