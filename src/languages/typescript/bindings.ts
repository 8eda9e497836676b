// Bindings of the TypeScript/JavaScript adapter: what each name, `this.x` attribute and call
// callee is bound to, per function scope (imports, `const` / `let` bindings, instances, class
// fields, aliases), and the resolution pass that runs once the whole file has been walked, so
// later bindings (hoisting, methods written before the constructor) are seen too.
import type * as ts from 'typescript';
import type { AssignmentFact, ClassFact, DecoratorFact, Loc, Value } from '../types.js';
import { before, type Regions } from './flow.js';
import { SK, requireModule, unwrapAwait } from './syntax.js';
import type { FileTables, NameValue, Path, ValueReader } from './values.js';

/** the scope key of the file's top level (function scopes are keyed by FunctionFact id) */
export const MODULE_SCOPE = -1;

/** where a binding or name is written: the function scope key and the enclosing class */
export interface Site {
  fn: number;
  cls: number | undefined;
}

export type Binding =
  | { k: 'import'; q: string }
  | { k: 'instance'; callId: number }
  | { k: 'alias'; path: Path; fn: number; cls: number | undefined }
  | { k: 'alt'; options: Binding[] }
  | { k: 'named'; q: string }
  | { k: 'value'; init?: Value; isConst: boolean; nullish: boolean };

interface Resolved {
  q: string | null;
  recv?: number;
}
const UNRESOLVED: Resolved = { q: null };

type ObjectValue = Extract<Value, { kind: 'object' }>;

/** `x.a.b = v` (v null: augmented or `delete`, the key becomes unknown) at scope `fn`, region `region` */
interface PropertyWrite {
  segs: string[];
  value: Value | null;
  fn: number;
  region: number;
  loc: Loc;
}

/** Where a name is used: its scope, straight-line region and location. */
interface Use {
  fn: number;
  region: number;
  loc: Loc;
}

function addBinding(table: Map<number, Map<string, Binding[]>>, key: number, name: string, b: Binding): void {
  let m = table.get(key);
  if (!m) table.set(key, (m = new Map()));
  const list = m.get(name);
  if (list) list.push(b);
  else m.set(name, [b]);
}

/** The binding tables of one file and the resolution pass over its facts. */
export class Bindings {
  private readonly bindings = new Map<number, Map<string, Binding[]>>();
  private readonly classAttrs = new Map<number, Map<string, Binding[]>>();
  private readonly reassigned: Array<{ name: string; fn: number; b: Binding }> = [];
  private readonly callPath: Array<Path | null> = [];
  private readonly callFn: number[] = [];
  private readonly callCls: Array<number | undefined> = [];
  private readonly pendingNames: Array<{ v: NameValue; path: Path; fn: number; cls: number | undefined; region: number }> = [];
  /** property writes by the name of the object written to (`options.timeout = …`) */
  private readonly propWrites = new Map<string, PropertyWrite[]>();
  /** the region each function is defined in */
  private readonly fnRegion: number[] = [];
  private readonly pendingDecorators: Array<{ d: DecoratorFact; path: Path | null; fn: number; cls: number | undefined }> = [];
  private readonly pendingBases: Array<{ c: ClassFact; i: number; path: Path; fn: number }> = [];
  private readonly pendingAssign: Array<{ a: AssignmentFact; path: Path; fn: number; cls: number | undefined }> = [];
  private readonly callMemo: Array<Resolved | undefined> = [];
  private readonly resolving = new Set<number>();

  constructor(
    private readonly tables: FileTables,
    private readonly values: ValueReader,
    private readonly regions: Regions,
  ) {}

  // ---- recording (during the walk) ---------------------------------------------------------

  /** name bindings per function scope (MODULE_SCOPE for the file) */
  bind(scopeKey: number, name: string, b: Binding): void {
    addBinding(this.bindings, scopeKey, name, b);
  }

  /** `this.x` bindings per class */
  bindAttr(cls: number, name: string, b: Binding): void {
    addBinding(this.classAttrs, cls, name, b);
  }

  /** `x = …` without a declaration: binds `x` in the scope that declares it (known after the walk) */
  reassign(name: string, fn: number, b: Binding): void {
    this.reassigned.push({ name, fn, b });
  }

  /** a call at scope `fn` / class `cls`, before its callee path is known */
  noteCall(id: number, fn: number, cls: number | undefined): void {
    this.callFn[id] = fn;
    this.callCls[id] = cls;
    this.callPath[id] = null;
  }

  setCallPath(id: number, path: Path | null): void {
    this.callPath[id] = path;
  }

  noteName(v: NameValue, path: Path, at: Site, region: number): void {
    this.pendingNames.push({ v, path, fn: at.fn, cls: at.cls, region });
  }

  notePropertyWrite(name: string, segs: string[], value: Value | null, fn: number, region: number, loc: Loc): void {
    const w: PropertyWrite = { segs, value, fn, region, loc };
    const list = this.propWrites.get(name);
    if (list) list.push(w);
    else this.propWrites.set(name, [w]);
  }

  noteFunction(id: number, region: number): void {
    this.fnRegion[id] = region;
  }

  noteDecorator(d: DecoratorFact, path: Path | null, fn: number, cls: number | undefined): void {
    this.pendingDecorators.push({ d, path, fn, cls });
  }

  noteBase(c: ClassFact, i: number, path: Path, fn: number): void {
    this.pendingBases.push({ c, i, path, fn });
  }

  noteAssignment(a: AssignmentFact, path: Path, fn: number, cls: number | undefined): void {
    this.pendingAssign.push({ a, path, fn, cls });
  }

  /** How a name bound to `e` at `at` resolves later. `e` has been visited. */
  bindingFor(e: ts.Expression | undefined, isConst: boolean, at: Site, v?: Value): Binding {
    if (!e) return { k: 'value', isConst, nullish: true };
    const u = unwrapAwait(e);
    const mod = requireModule(u);
    if (mod !== undefined) return { k: 'import', q: mod };
    switch (u.kind) {
      case SK.CallExpression:
      case SK.NewExpression: {
        const id = this.tables.callIds.get(u);
        if (id !== undefined) return { k: 'instance', callId: id };
        break;
      }
      case SK.PropertyAccessExpression: {
        // require('x').y
        const pa = u as ts.PropertyAccessExpression;
        const m = requireModule(unwrapAwait(pa.expression));
        if (m !== undefined) return { k: 'import', q: pa.name.text === 'default' ? m : m + '.' + pa.name.text };
        const path = this.values.pathOf(u);
        if (path) return { k: 'alias', path, fn: at.fn, cls: at.cls };
        break;
      }
      case SK.Identifier:
      case SK.ElementAccessExpression: {
        const name = u.kind === SK.Identifier ? (u as ts.Identifier).text : '';
        if (name === 'undefined') return { k: 'value', isConst, nullish: true };
        const path = this.values.pathOf(u);
        if (path) return { k: 'alias', path, fn: at.fn, cls: at.cls };
        break;
      }
      case SK.BinaryExpression: {
        const b = u as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op === SK.QuestionQuestionToken || op === SK.BarBarToken) {
          return { k: 'alt', options: [this.bindingFor(b.left, isConst, at), this.bindingFor(b.right, isConst, at)] };
        }
        break;
      }
      case SK.NullKeyword:
      case SK.VoidExpression:
        return { k: 'value', isConst, nullish: true, init: v };
    }
    const init = v ?? this.values.value(u);
    return { k: 'value', isConst, nullish: false, init };
  }

  // ---- resolution (after the walk) ---------------------------------------------------------

  private parentScope(key: number): number | undefined {
    if (key === MODULE_SCOPE) return undefined;
    return this.tables.functions[key].parentFunctionId ?? MODULE_SCOPE;
  }

  /** the binding list visible for `name` from scope `key`, or undefined when unbound (a global) */
  private lookup(name: string, key: number): Binding[] | undefined {
    const k = this.declaringScope(name, key);
    return k === undefined ? undefined : this.bindings.get(k)?.get(name);
  }

  /** how many bindings `name` has in scope `key` itself */
  bindingCount(key: number, name: string): number {
    return this.bindings.get(key)?.get(name)?.length ?? 0;
  }

  /** the scope whose binding of `name` is visible from scope `key`; undefined for a global */
  declaringScope(name: string, key: number): number | undefined {
    for (let k: number | undefined = key; k !== undefined; k = this.parentScope(k)) {
      if (this.bindings.get(k)?.has(name)) return k;
    }
    return undefined;
  }

  private resolveBindings(list: Binding[], depth: number): Resolved {
    let out: Resolved | undefined;
    let seen = 0;
    for (const b of list) {
      if (b.k === 'value' && b.nullish) continue; // `let x = null` / `x;` before the real binding
      seen++;
      const r = this.resolveBinding(b, depth);
      if (r.q === null) return UNRESOLVED;
      if (out && out.q !== r.q) return UNRESOLVED;
      out ??= r;
    }
    return seen ? (out ?? UNRESOLVED) : UNRESOLVED;
  }

  private resolveBinding(b: Binding, depth: number): Resolved {
    switch (b.k) {
      case 'import':
      case 'named':
        return { q: b.q };
      case 'instance': {
        const r = this.resolveCall(b.callId);
        return r.q === null ? UNRESOLVED : { q: r.q + '()', recv: b.callId };
      }
      case 'alias':
        return this.resolvePath(b.path, b.fn, b.cls, depth + 1);
      case 'alt':
        // `opts.fetch ?? fetch`, `client || new Redis()`: the fallback is the implementation we can see
        for (let i = b.options.length - 1; i >= 0; i--) {
          const o = b.options[i];
          const r = this.resolveBinding(o, depth + 1);
          if (r.q !== null) return r;
        }
        return UNRESOLVED;
      default:
        return UNRESOLVED;
    }
  }

  private resolvePath(path: Path, fn: number, cls: number | undefined, depth = 0): Resolved {
    if (depth > 8) return UNRESOLVED;
    const root = path.root;
    let base: Resolved;
    let rest = path.segs;
    if (root.k === 'id') {
      const list = this.lookup(root.name, fn);
      if (!list) return { q: path.text }; // unbound global: stays as written
      base = this.resolveBindings(list, depth);
    } else if (root.k === 'this') {
      if (cls === undefined || rest.length === 0) return UNRESOLVED;
      const list = this.classAttrs.get(cls)?.get(rest[0]);
      if (!list) return UNRESOLVED;
      base = this.resolveBindings(list, depth);
      rest = rest.slice(1);
    } else {
      const r = this.resolveCall(root.callId);
      base = r.q === null ? UNRESOLVED : { q: r.q + '()', recv: root.callId };
    }
    if (base.q === null) return UNRESOLVED;
    return rest.length ? { q: base.q + '.' + rest.join('.'), recv: base.recv } : base;
  }

  private resolveCall(id: number): Resolved {
    const memo = this.callMemo[id];
    if (memo) return memo;
    if (this.resolving.has(id)) return UNRESOLVED;
    this.resolving.add(id);
    const path = this.callPath[id];
    const r = path ? this.resolvePath(path, this.callFn[id], this.callCls[id]) : UNRESOLVED;
    this.resolving.delete(id);
    this.callMemo[id] = r;
    return r;
  }

  /**
   * `const x = <literal/object>` bound once: the value, following property segments into objects.
   * An object gets the property writes (`x.timeout = 5`, `x["retry"] = …`) that surely ran before
   * `use`: earlier in straight-line code of the same function, or before the nested function that
   * holds the use was defined. A write that may or may not have run makes its key unknown.
   */
  private constValue(path: Path, use: Use): Value | undefined {
    if (path.root.k !== 'id') return undefined;
    const name = path.root.name;
    const scope = this.declaringScope(name, use.fn);
    const list = scope === undefined ? undefined : this.bindings.get(scope)?.get(name);
    if (!list || list.length !== 1) return undefined;
    const b = list[0];
    if (b.k !== 'value' || !b.isConst || !b.init) return undefined;
    let v: Value | undefined = b.init;
    const writes = this.propWrites.get(name);
    if (writes && v.kind === 'object') v = this.withWrites(v, writes.filter((w) => this.declaringScope(name, w.fn) === scope), use);
    for (const s of path.segs) {
      if (!v || v.kind !== 'object') return undefined;
      v = v.props[s];
    }
    return v && v.kind !== 'name' && v.kind !== 'other' ? v : undefined;
  }

  private withWrites(init: ObjectValue, writes: PropertyWrite[], use: Use): ObjectValue {
    let out: ObjectValue | undefined;
    for (const w of writes) {
      const effect = this.writeEffect(w, use);
      if (effect === 'none') continue;
      out ??= { ...init, props: { ...init.props } };
      if (effect === 'set' && w.value) setPath(out, w.segs, w.value);
      else unknownKey(out, w.segs[0]);
    }
    return out ?? init;
  }

  /** Did write `w` surely happen before `use` ('set'), maybe ('unknown'), or not ('none')? */
  private writeEffect(w: PropertyWrite, use: Use): 'set' | 'unknown' | 'none' {
    let u = use;
    let lifted = false;
    while (u.fn !== w.fn) {
      if (u.fn === MODULE_SCOPE) return 'unknown'; // written in a function that does not hold the use
      const f = this.tables.functions[u.fn];
      u = { fn: f.parentFunctionId ?? MODULE_SCOPE, region: this.fnRegion[u.fn], loc: f.loc };
      lifted = true;
    }
    if (before(w.loc, u.loc)) return this.regions.encloses(w.region, u.region) ? 'set' : 'unknown';
    // later in the function: it runs first only on a later loop iteration, or before a callback runs
    return lifted || this.regions.sharedLoop(w.region, u.region) ? 'unknown' : 'none';
  }

  /** Resolve every recorded call, name, decorator, base class and assignment target in place. */
  resolveAll(): void {
    for (const r of this.reassigned) {
      let key: number | undefined = r.fn;
      for (; key !== undefined; key = this.parentScope(key)) if (this.bindings.get(key)?.has(r.name)) break;
      if (key !== undefined) this.bind(key, r.name, r.b);
    }
    for (const c of this.tables.calls) {
      const r = this.resolveCall(c.id);
      c.qualified = r.q;
      if (r.recv !== undefined) c.receiverCall = r.recv;
    }
    for (const p of this.pendingNames) {
      const r = this.resolvePath(p.path, p.fn, p.cls);
      if (r.q !== null && r.q !== p.v.text) p.v.qualified = r.q;
      else if (r.q !== null && p.path.root.k === 'id' && this.lookup(p.path.root.name, p.fn)) p.v.qualified = r.q;
      const cv = this.constValue(p.path, { fn: p.fn, region: p.region, loc: p.v.loc });
      if (cv) p.v.resolved = cv;
    }
    for (const p of this.pendingDecorators) {
      if (p.path) p.d.qualified = this.resolvePath(p.path, p.fn, p.cls).q;
    }
    for (const p of this.pendingBases) {
      const r = this.resolvePath(p.path, p.fn, undefined);
      if (r.q !== null) p.c.bases[p.i] = r.q;
    }
    for (const p of this.pendingAssign) {
      const segs = p.path.segs;
      const root = p.path.root;
      if (root.k === 'this' && segs.length === 1) continue; // `this.x = …` itself: selfAttr says it
      const baseSegs = segs.slice(0, -1);
      const rootText = root.k === 'id' ? root.name : root.k === 'this' ? 'this' : this.tables.calls[root.callId].callee + '()';
      const basePath: Path = { root, segs: baseSegs, text: baseSegs.length ? rootText + '.' + baseSegs.join('.') : rootText };
      const r = this.resolvePath(basePath, p.fn, p.cls);
      if (r.q === null) continue;
      p.a.qualified = r.q + '.' + segs[segs.length - 1];
      if (r.recv !== undefined) p.a.receiverCall = r.recv;
    }
  }
}


/** `obj.a.b = v` on a copy: nested object literals are copied on the way down */
function setPath(obj: ObjectValue, segs: string[], v: Value): void {
  let cur = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const next = cur.props[segs[i]];
    if (!next || next.kind !== 'object') return unknownKey(obj, segs[0]);
    const copy: ObjectValue = { ...next, props: { ...next.props } };
    cur.props[segs[i]] = copy;
    cur = copy;
  }
  const key = segs[segs.length - 1];
  cur.props[key] = v;
  if (cur.unknownKeys?.includes(key)) cur.unknownKeys = cur.unknownKeys.filter((k) => k !== key);
}

/** a key that may or may not have been set: unknown, not missing */
function unknownKey(obj: ObjectValue, key: string): void {
  delete obj.props[key];
  if (!obj.unknownKeys?.includes(key)) obj.unknownKeys = [...(obj.unknownKeys ?? []), key];
}
