// Which call results live only as long as one call of their function (CallFact.lifetime 'call'):
// an agent or client built, used and dropped inside a function. The walk records how each call's
// value is used (dropped, chained, an option of another call, bound to a local) and how each
// such local is referenced; after the walk a value is local when every use keeps it local.
import type { CallFact } from '../types.js';

type Use =
  /** `new X();`, `new X().get()`: nothing keeps it */
  | { k: 'dropped' }
  /** `fetch(u, { agent: new Agent() })`: lives as long as that call's value */
  | { k: 'option'; call: number }
  /** `const agent = new Agent()` in function scope `fn` */
  | { k: 'bound'; name: string; fn: number };

/** A reference to a tracked local: `x.get()` / `x.a` (member), `{ agent: x }` in a call's arguments (option), anything else (plain). */
interface Ref {
  fn: number;
  kind: 'member' | 'option' | 'plain';
  call?: number;
}

export interface ScopeQueries {
  /** the scope whose binding of `name` is visible from `fn` */
  declaringScope(name: string, fn: number): number | undefined;
  /** how many bindings `name` has in scope `fn` itself */
  bindingCount(fn: number, name: string): number;
}

export class Lifetimes {
  private readonly uses = new Map<number, Use>();
  private readonly refs = new Map<string, Ref[]>();
  private readonly memo = new Map<number, boolean>();

  /** the names of bound locals whose references are being recorded */
  readonly tracked = new Set<string>();

  /** the first use recorded for a call wins (the innermost context is recorded first) */
  use(callId: number, u: Use): void {
    if (!this.uses.has(callId)) this.uses.set(callId, u);
  }

  bound(callId: number, name: string, fn: number): void {
    this.use(callId, { k: 'bound', name, fn });
    this.tracked.add(name);
  }

  ref(name: string, r: Ref): void {
    const list = this.refs.get(name);
    if (list) list.push(r);
    else this.refs.set(name, [r]);
  }

  /** Set `lifetime: 'call'` on every call whose value stays in its function. */
  resolve(calls: CallFact[], scopes: ScopeQueries): void {
    for (const id of this.uses.keys()) if (this.local(id, calls, scopes)) calls[id].lifetime = 'call';
  }

  private local(id: number, calls: CallFact[], scopes: ScopeQueries): boolean {
    const memo = this.memo.get(id);
    if (memo !== undefined) return memo;
    this.memo.set(id, false); // cycle guard
    const r = calls[id].scope.functionId !== undefined && this.usesStayLocal(id, calls, scopes);
    this.memo.set(id, r);
    return r;
  }

  private usesStayLocal(id: number, calls: CallFact[], scopes: ScopeQueries): boolean {
    const u = this.uses.get(id);
    if (!u) return false;
    if (u.k === 'dropped') return true;
    if (u.k === 'option') return this.local(u.call, calls, scopes);
    if (scopes.bindingCount(u.fn, u.name) !== 1) return false;
    for (const r of this.refs.get(u.name) ?? []) {
      if (scopes.declaringScope(u.name, r.fn) !== u.fn) continue; // another variable of that name
      if (r.fn !== u.fn || r.kind === 'plain') return false; // captured by a closure, returned, stored, passed on
      if (r.kind === 'option' && (r.call === undefined || !this.local(r.call, calls, scopes))) return false;
    }
    return true;
  }
}
