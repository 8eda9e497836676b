// Bindings of the Python adapter: what each name is bound to per scope (module, function, class
// body, `self.<attr>` of a class), recorded by the visitor in source order, and the resolution of
// identifiers, attribute chains and chained calls to import-qualified names and bound instances.
import type { Node } from 'web-tree-sitter';
import type { RawFacts } from './visitor.js';
import { unwrapCall, type PySource } from './syntax.js';

/** What a name is bound to in one scope (module, function or class body, or `self.<attr>` of a class). */
export type Binding =
  | { kind: 'import'; qualified: string; pos: number }
  | { kind: 'call'; nodeId: number; pos: number }
  | { kind: 'none'; pos: number }
  /** `def name` / `class name`: a module-local function or class, kept as written */
  | { kind: 'def'; pos: number }
  /** anything else; `node`: the value assigned, when it is a plain `name = value` */
  | { kind: 'other'; pos: number; node?: Node };

export type Resolution =
  | { kind: 'import'; qualified: string }
  | { kind: 'instance'; callIdx: number }
  | { kind: 'local' }
  | { kind: 'unknown' }
  | { kind: 'unbound' };

export interface Qualified {
  qualified: string | null;
  receiverCall?: number;
}

export class Bindings {
  private readonly packageParts: string[];
  /** key "<scope>|<name>" -> bindings in source order; scope: m, f<id>, k<id> (class body), s<id> (self attrs) */
  private readonly bindings = new Map<string, Binding[]>();
  /** scope key -> the scope its names fall back to */
  readonly parentScope = new Map<string, string>();
  /** function scope key -> its parameter names */
  readonly params = new Map<string, Set<string>>();
  /** plain-name assignments anywhere in the file: for Value.resolved */
  readonly nameAssignments = new Map<string, { count: number; value: Node }>();
  private readonly qualifiedMemo = new Map<number, Qualified | null>();

  constructor(
    private readonly src: PySource,
    private readonly raw: RawFacts,
    path: string,
  ) {
    this.packageParts = packageOf(path);
  }

  // ---------------------------------------------------------------- recording (pass 1)

  bind(scopeKey: string, name: string, binding: Binding): void {
    const key = `${scopeKey}|${name}`;
    const list = this.bindings.get(key);
    if (list) list.push(binding);
    else this.bindings.set(key, [binding]);
  }

  /** `name = value` anywhere in the file (a name assigned once has a resolvable value) */
  noteNameAssignment(name: string, value: Node): void {
    const seen = this.nameAssignments.get(name);
    if (seen) seen.count++;
    else this.nameAssignments.set(name, { count: 1, value });
  }

  /** `.c` in pkg/a/b.py -> pkg.a.c; `..` -> pkg; absolute modules unchanged */
  resolveModule(module: string): string {
    if (!module.startsWith('.')) return module;
    let dots = 0;
    while (module[dots] === '.') dots++;
    const rest = module.slice(dots);
    const pkg = this.packageParts.slice(0, Math.max(0, this.packageParts.length - (dots - 1)));
    return [...pkg, ...(rest ? [rest] : [])].join('.');
  }

  // ---------------------------------------------------------------- resolution (pass 2)

  /** the bindings of `name` in scope `scopeKey` itself (not its parents), in source order */
  bindingsIn(scopeKey: string, name: string): readonly Binding[] {
    return this.bindings.get(`${scopeKey}|${name}`) ?? [];
  }

  /** `key` is `scope` or nested inside it */
  within(key: string, scope: string): boolean {
    for (let k: string | undefined = key; k; k = this.parentScope.get(k)) if (k === scope) return true;
    return false;
  }

  /** import/binding-resolved callee of raw call i (memoised; chained and bound receivers recurse) */
  qualifiedOf(i: number): Qualified | null {
    if (this.qualifiedMemo.has(i)) return this.qualifiedMemo.get(i) ?? null;
    this.qualifiedMemo.set(i, null); // cycle guard
    const raw = this.raw.rawCalls[i];
    const fn = raw.fn;
    const result = fn ? this.resolveExpression(fn, raw.scopeKey, raw.start, raw.scope.classId) : null;
    this.qualifiedMemo.set(i, result);
    return result;
  }

  /** identifier / attribute chain / chained call -> qualified name (and receiver ctor) */
  resolveExpression(
    node: Node,
    scopeKey: string,
    pos: number,
    classId: number | undefined,
  ): Qualified | null {
    const segments: string[] = [];
    let base: Node | null = node;
    while (base && base.type === 'attribute') {
      segments.push(this.src.slice(base.childForFieldName('attribute')));
      base = base.childForFieldName('object');
    }
    segments.reverse();
    if (!base) return null;
    const baseCall = unwrapCall(base);
    if (baseCall && base.type !== 'identifier') {
      const idx = this.raw.callIdxByNode.get(baseCall.id);
      if (idx === undefined || segments.length === 0) return null;
      const inner = this.qualifiedOf(idx);
      if (!inner?.qualified) return null;
      return { qualified: `${inner.qualified}().${segments.join('.')}`, receiverCall: idx };
    }
    if (base.type !== 'identifier') return null;
    const name = this.src.slice(base);
    if (name === 'self' && classId !== undefined) {
      if (segments.length < 2) return null;
      const idx = this.selfBinding(classId, segments[0]);
      if (idx === undefined) return null;
      const ctor = this.qualifiedOf(idx);
      if (!ctor?.qualified) return null;
      return { qualified: `${ctor.qualified}().${segments.slice(1).join('.')}`, receiverCall: idx };
    }
    const r = this.resolveName(name, scopeKey, pos);
    switch (r.kind) {
      case 'import':
        return { qualified: [r.qualified, ...segments].join('.') };
      case 'instance': {
        const ctor = this.qualifiedOf(r.callIdx);
        if (!ctor?.qualified) return null;
        const tail = segments.length > 0 ? `.${segments.join('.')}` : '';
        return { qualified: `${ctor.qualified}()${tail}`, receiverCall: r.callIdx };
      }
      case 'local':
        // a function or class defined in this file: `send_email.kiq`, `Service.create`
        return { qualified: [name, ...segments].join('.') };
      case 'unbound':
        // builtins and module-level functions stay as written; attribute chains on names we
        // never saw bound (loop variables, except aliases, star imports) are unknown
        return segments.length === 0 ? { qualified: name } : null;
      default:
        return null;
    }
  }

  resolveName(name: string, scopeKey: string, pos: number): Resolution {
    for (let key: string | undefined = scopeKey; key; key = this.parentScope.get(key)) {
      if (this.params.get(key)?.has(name)) return { kind: 'unknown' };
      const list = this.bindings.get(`${key}|${name}`);
      if (list) {
        let b = pick(list, pos);
        // `try: import redis.asyncio as redis` / `except ImportError: redis = None`: the None marks
        // the library as absent; a call through the name only runs when it is the import
        if (b.kind === 'none') b = importBefore(list, b) ?? b;
        if (b.kind === 'import') return { kind: 'import', qualified: b.qualified };
        if (b.kind === 'def') return { kind: 'local' };
        if (b.kind === 'call') {
          const idx = this.raw.callIdxByNode.get(b.nodeId);
          return idx === undefined ? { kind: 'unknown' } : { kind: 'instance', callIdx: idx };
        }
        return { kind: 'unknown' };
      }
      if (key === 'm') break;
    }
    return { kind: 'unbound' };
  }

  /** `self.<attr>` bound to one constructor (in any method, or as a class attribute); None resets ignored */
  private selfBinding(classId: number, attr: string): number | undefined {
    const list = [...(this.bindings.get(`s${classId}|${attr}`) ?? []), ...(this.bindings.get(`k${classId}|${attr}`) ?? [])];
    let found: number | undefined;
    let foundQualified: string | null | undefined;
    for (const b of list) {
      if (b.kind === 'none') continue;
      if (b.kind !== 'call') return undefined;
      const idx = this.raw.callIdxByNode.get(b.nodeId);
      if (idx === undefined) return undefined;
      const q = this.qualifiedOf(idx)?.qualified ?? null;
      if (found === undefined) {
        found = idx;
        foundQualified = q;
      } else if (q !== foundQualified) return undefined;
    }
    return found;
  }
}

/** package parts of a module path: pkg/a/b.py -> [pkg, a]; pkg/a/__init__.py -> [pkg, a] */
export function packageOf(path: string): string[] {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p && p !== '.');
  parts.pop();
  return parts;
}

export function pick(list: Binding[], pos: number): Binding {
  let chosen: Binding | undefined;
  for (const b of list) if (b.pos < pos) chosen = b;
  return chosen ?? list[list.length - 1];
}

/** the import bound to the name last before `none` (its optional-dependency fallback), if any */
function importBefore(list: Binding[], none: Binding): Binding | undefined {
  let found: Binding | undefined;
  for (const b of list) {
    if (b === none) break;
    found = b.kind === 'import' ? b : b.kind === 'none' ? found : undefined;
  }
  return found;
}

export function bindingOf(right: Node | null, pos: number): Binding {
  if (!right) return { kind: 'other', pos };
  if (right.type === 'none') return { kind: 'none', pos };
  const call = unwrapCall(right);
  return call ? { kind: 'call', nodeId: call.id, pos } : { kind: 'other', pos, node: right };
}
