// Which call results live only as long as one call of their function (CallFact.lifetime 'call'):
// a session, client or pool built, used and dropped inside a function. Read off the tree's parent
// links: how the call's value is used (dropped, chained, a keyword of another such call, a `with`
// item, bound to a local) and, for a local, every reference to it in the function.
import type { Node } from 'web-tree-sitter';
import type { CallFact } from '../types.js';
import type { Bindings } from './bindings.js';
import type { PySource } from './syntax.js';
import type { RawFacts } from './visitor.js';

const NESTED = new Set(['function_definition', 'lambda', 'class_definition']);
/** `requests.Session`, `httpx.AsyncClient`, `create_engine`, `redis.from_url`, `asyncpg.create_pool`, `psycopg.connect` */
const CONSTRUCTOR_LIKE = /(?:^|\.)(?:[A-Z]\w*|\w*(?:create|connect|from_url|pool|client|session|engine|agent)\w*)$/;

export class Lifetimes {
  private readonly memo = new Map<number, boolean>();

  constructor(
    private readonly src: PySource,
    private readonly raw: RawFacts,
    private readonly bindings: Bindings,
  ) {}

  /**
   * Set `lifetime: 'call'` on the constructor-like calls (inside functions) whose value stays in the
   * function. Only those are looked at: a session, client, pool or engine is made by a class or a
   * create/connect/from_url factory, and following every local of every function costs ~15 % of
   * the adapter's time. (Other calls are still followed as the holders of such a value.)
   */
  resolve(calls: CallFact[]): void {
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      if (c.scope.functionId !== undefined && CONSTRUCTOR_LIKE.test(c.callee) && this.local(i)) c.lifetime = 'call';
    }
  }

  private local(i: number): boolean {
    const memo = this.memo.get(i);
    if (memo !== undefined) return memo;
    this.memo.set(i, false); // cycle guard
    const r = this.valueStaysLocal(i);
    this.memo.set(i, r);
    return r;
  }

  private valueStaysLocal(i: number): boolean {
    const raw = this.raw.rawCalls[i];
    if (!raw.scopeKey.startsWith('f')) return false;
    let n: Node = raw.node;
    let p = n.parent;
    while (p && (p.type === 'await' || p.type === 'parenthesized_expression')) {
      n = p;
      p = p.parent;
    }
    if (!p) return false;
    switch (p.type) {
      case 'expression_statement':
        return true;
      case 'attribute': // `requests.Session().get(…)`: used once
        return p.childForFieldName('object')?.id === n.id;
      case 'keyword_argument':
        return p.childForFieldName('value')?.id === n.id && this.optionOfLocal(p);
      case 'with_item': // `with httpx.Client():`
        return true;
      case 'as_pattern': {
        if (p.parent?.type !== 'with_item') return false;
        const target = p.childForFieldName('alias')?.namedChild(0);
        return target?.type === 'identifier' && this.localName(this.src.slice(target), raw.scopeKey, raw.node, target);
      }
      case 'assignment': {
        const left = p.childForFieldName('left');
        return p.childForFieldName('right')?.id === n.id && left?.type === 'identifier' && this.localName(this.src.slice(left), raw.scopeKey, raw.node, left);
      }
      default:
        return false;
    }
  }

  /** `f(key=value)`: value lives as long as f's result */
  private optionOfLocal(kw: Node): boolean {
    const call = kw.parent?.type === 'argument_list' ? kw.parent.parent : null;
    const idx = call ? this.raw.callIdxByNode.get(call.id) : undefined;
    return idx !== undefined && this.local(idx);
  }

  /** `name`, bound once in `scopeKey` to `call`, is only used there as a receiver, member, `with` item or keyword of a local call */
  private localName(name: string, scopeKey: string, call: Node, declared: Node): boolean {
    if (this.bindings.params.get(scopeKey)?.has(name)) return false;
    const list = this.bindings.bindingsIn(scopeKey, name);
    const b = list[0];
    if (list.length !== 1 || b.kind !== 'call' || b.nodeId !== call.id) return false;
    const fn = this.raw.rawFunctions[Number(scopeKey.slice(1))].node;
    for (const ref of this.references(name, fn)) {
      if (ref.id === declared.id) continue;
      const p = ref.parent;
      if (!p) return false;
      if (p.type === 'attribute' && p.childForFieldName('attribute')?.id === ref.id) continue; // `obj.name`: not a reference
      if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === ref.id) continue; // `f(name=…)`
      if (this.insideNested(ref, fn)) return false; // a closure may outlive the call
      if (p.type === 'attribute') continue; // `name.get(…)`, `name.headers`
      if (p.type === 'with_item') continue; // `with name:`
      if (p.type === 'keyword_argument' && this.optionOfLocal(p)) continue;
      return false; // returned, stored, passed on, aliased, declared global …
    }
    return true;
  }

  private insideNested(node: Node, fn: Node): boolean {
    for (let p = node.parent; p && p.id !== fn.id; p = p.parent) if (NESTED.has(p.type)) return true;
    return false;
  }

  /** the identifier nodes spelled `name` in `fn`: found in its text, then looked up (strings and comments drop out) */
  private references(name: string, fn: Node): Node[] {
    const out: Node[] = [];
    const base = fn.startIndex;
    const body = this.src.text.slice(base, fn.endIndex);
    for (const m of body.matchAll(new RegExp(`(?<![\\w.])${name}\\b`, 'g'))) {
      const at = base + m.index;
      const node = fn.descendantForIndex(at, at + name.length);
      if (node?.type === 'identifier' && node.startIndex === at) out.push(node);
    }
    return out;
  }
}
