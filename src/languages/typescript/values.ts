// Values of the TypeScript/JavaScript adapter: an expression -> Value (literals, objects, arrays,
// calls, functions, names) and -> Path (a static access path such as `axios.get`, `this.client`,
// `<call #3>.get`). Names are resolved later by the bindings pass; this module only records them.
import type * as ts from 'typescript';
import type { CallFact, FunctionFact, Loc, Value } from '../types.js';
import { SK, propName, unwrap, type SourceText } from './syntax.js';

const MAX_ITEMS = 64;

/** A dotted access path: `axios.get`, `this.client.query`, `<call #3>.get`. */
export interface Path {
  root: { k: 'id'; name: string } | { k: 'this' } | { k: 'call'; callId: number };
  segs: string[];
  text: string;
}

export type NameValue = Extract<Value, { kind: 'name' }>;

/** The walk's tables that values and bindings read: facts by id and the node -> id maps. */
export interface FileTables {
  readonly calls: CallFact[];
  readonly functions: FunctionFact[];
  readonly callIds: Map<ts.Node, number>;
  readonly fnIds: Map<ts.Node, number>;
}

export class ValueReader {
  constructor(
    private readonly src: SourceText,
    private readonly tables: FileTables,
    /** a name value was built from `path` at the walk's current position: resolve it later */
    private readonly onName: (v: NameValue, path: Path) => void,
  ) {}

  /** A static access path for an expression, or null when dynamic. Call roots must be visited already. */
  pathOf(e: ts.Expression): Path | null {
    e = unwrap(e);
    switch (e.kind) {
      case SK.Identifier: {
        const name = (e as ts.Identifier).text;
        return { root: { k: 'id', name }, segs: [], text: name };
      }
      case SK.ThisKeyword:
        return { root: { k: 'this' }, segs: [], text: 'this' };
      case SK.PropertyAccessExpression: {
        const pa = e as ts.PropertyAccessExpression;
        const base = this.pathOf(pa.expression);
        if (!base) return null;
        const name = pa.name.text;
        base.segs.push(name);
        base.text += '.' + name;
        return base;
      }
      case SK.ElementAccessExpression: {
        const ea = e as ts.ElementAccessExpression;
        const arg = ea.argumentExpression;
        if (arg.kind !== SK.StringLiteral && arg.kind !== SK.NoSubstitutionTemplateLiteral) return null;
        const base = this.pathOf(ea.expression);
        if (!base) return null;
        const name = (arg as ts.StringLiteral).text;
        base.segs.push(name);
        base.text += '.' + name;
        return base;
      }
      case SK.AwaitExpression:
        return this.pathOf((e as ts.AwaitExpression).expression);
      case SK.CallExpression:
      case SK.NewExpression: {
        const id = this.tables.callIds.get(e);
        if (id === undefined) return null;
        return { root: { k: 'call', callId: id }, segs: [], text: this.tables.calls[id].callee + '()' };
      }
      default:
        return null;
    }
  }

  value(e: ts.Expression): Value {
    e = unwrap(e);
    const loc = this.src.loc(e);
    switch (e.kind) {
      case SK.StringLiteral:
      case SK.NoSubstitutionTemplateLiteral:
        return { kind: 'string', value: (e as ts.StringLiteral).text, loc };
      case SK.NumericLiteral:
        return { kind: 'number', value: Number((e as ts.NumericLiteral).text), loc };
      case SK.TrueKeyword:
        return { kind: 'boolean', value: true, loc };
      case SK.FalseKeyword:
        return { kind: 'boolean', value: false, loc };
      case SK.NullKeyword:
      case SK.VoidExpression:
        return { kind: 'null', loc };
      case SK.PrefixUnaryExpression: {
        const p = e as ts.PrefixUnaryExpression;
        const inner = unwrap(p.operand);
        if (inner.kind === SK.NumericLiteral || (inner.kind === SK.Identifier && (inner as ts.Identifier).text === 'Infinity')) {
          const n = inner.kind === SK.NumericLiteral ? Number((inner as ts.NumericLiteral).text) : Infinity;
          if (p.operator === SK.MinusToken) return { kind: 'number', value: -n, loc };
          if (p.operator === SK.PlusToken) return { kind: 'number', value: n, loc };
        }
        return { kind: 'other', text: this.src.slice(e), loc };
      }
      case SK.Identifier: {
        const name = (e as ts.Identifier).text;
        if (name === 'undefined') return { kind: 'null', loc };
        if (name === 'Infinity') return { kind: 'number', value: Infinity, loc };
        return this.nameValue(e, loc);
      }
      case SK.PropertyAccessExpression:
      case SK.ElementAccessExpression: {
        const t = (e as ts.PropertyAccessExpression).expression;
        if (
          e.kind === SK.PropertyAccessExpression &&
          t.kind === SK.Identifier &&
          (t as ts.Identifier).text === 'Number' &&
          (e as ts.PropertyAccessExpression).name.text === 'POSITIVE_INFINITY'
        ) {
          return { kind: 'number', value: Infinity, loc };
        }
        return this.nameValue(e, loc);
      }
      case SK.ThisKeyword:
        return this.nameValue(e, loc);
      case SK.CallExpression:
      case SK.NewExpression: {
        const id = this.tables.callIds.get(e);
        if (id === undefined) return { kind: 'other', text: this.src.slice(e), loc };
        return { kind: 'call', callId: id, text: this.src.slice(e), loc };
      }
      case SK.ObjectLiteralExpression:
        return this.objectValue(e as ts.ObjectLiteralExpression, loc);
      case SK.ArrayLiteralExpression: {
        const items: Value[] = [];
        let open = false;
        for (const el of (e as ts.ArrayLiteralExpression).elements) {
          // data tables (thousands of literals) are not options: keep the head, mark the rest unseen
          if (items.length >= MAX_ITEMS) {
            open = true;
            break;
          }
          if (el.kind === SK.SpreadElement) open = true;
          else if (el.kind !== SK.OmittedExpression) items.push(this.value(el));
        }
        return { kind: 'array', items, open, loc };
      }
      case SK.ArrowFunction:
      case SK.FunctionExpression: {
        const id = this.tables.fnIds.get(e);
        if (id !== undefined) return { kind: 'function', functionId: id, loc };
        return { kind: 'other', text: this.src.slice(e), loc };
      }
      case SK.AwaitExpression:
        return this.value((e as ts.AwaitExpression).expression);
      default:
        return { kind: 'other', text: this.src.slice(e), loc };
    }
  }

  private nameValue(e: ts.Expression, loc: Loc): Value {
    const path = this.pathOf(e);
    if (!path) return { kind: 'other', text: this.src.slice(e), loc };
    const v: NameValue = { kind: 'name', text: path.text, loc };
    this.onName(v, path);
    return v;
  }

  private objectValue(o: ts.ObjectLiteralExpression, loc: Loc): Value {
    const props: Record<string, Value> = {};
    const unknown: string[] = [];
    let open = false;
    for (const p of o.properties) {
      switch (p.kind) {
        case SK.PropertyAssignment: {
          const key = propName(p.name);
          if (key === undefined) open = true;
          else props[key] = this.value(p.initializer);
          break;
        }
        case SK.ShorthandPropertyAssignment: {
          props[p.name.text] = this.value(p.name);
          break;
        }
        case SK.MethodDeclaration: {
          const key = propName(p.name);
          const id = this.tables.fnIds.get(p);
          if (key === undefined) open = true;
          else if (id !== undefined) props[key] = { kind: 'function', functionId: id, loc: this.src.loc(p) };
          break;
        }
        case SK.SpreadAssignment: {
          // `...{ a: 1 }`, `...(cond && { password })`, `...(c ? { a } : {})`: the keys are in
          // sight, only whether a conditional one is set is not (kutt's ioredis options)
          const spread = this.spreadKeys(p.expression);
          if (!spread) open = true;
          else {
            Object.assign(props, spread.sure);
            for (const k of spread.maybe) if (!(k in props) && !unknown.includes(k)) unknown.push(k);
          }
          break;
        }
        default: {
          const key = propName(p.name);
          if (key === undefined) open = true;
          else props[key] = { kind: 'other', text: this.src.slice(p), loc: this.src.loc(p) };
        }
      }
    }
    return unknown.length ? { kind: 'object', props, open, unknownKeys: unknown.filter((k) => !(k in props)), loc } : { kind: 'object', props, open, loc };
  }

  /** The keys a spread adds: surely (an object literal) or maybe (one side of `&&`/`?:`); null when not in sight. */
  private spreadKeys(e: ts.Expression, depth = 0): { sure: Record<string, Value>; maybe: string[] } | null {
    e = unwrap(e);
    if (depth > 4) return null;
    if (e.kind === SK.ObjectLiteralExpression) {
      const v = this.value(e);
      if (v.kind !== 'object' || v.open) return null;
      return { sure: v.props, maybe: v.unknownKeys ?? [] };
    }
    const side = (x: ts.Expression): string[] | null => {
      const u = unwrap(x);
      // `cond && {…}` is false or the object; `x ?? {}` / `''` / `null` / `undefined` spread nothing
      if (u.kind === SK.NullKeyword || u.kind === SK.FalseKeyword || u.kind === SK.StringLiteral || (u.kind === SK.Identifier && (u as ts.Identifier).text === 'undefined')) return [];
      const r = this.spreadKeys(u, depth + 1);
      return r ? [...Object.keys(r.sure), ...r.maybe] : null;
    };
    if (e.kind === SK.BinaryExpression) {
      const b = e as ts.BinaryExpression;
      if (b.operatorToken.kind !== SK.AmpersandAmpersandToken) return null;
      const keys = side(b.right);
      return keys ? { sure: {}, maybe: keys } : null;
    }
    if (e.kind === SK.ConditionalExpression) {
      const c = e as ts.ConditionalExpression;
      const [a, b] = [side(c.whenTrue), side(c.whenFalse)];
      return a && b ? { sure: {}, maybe: [...new Set([...a, ...b])] } : null;
    }
    return null;
  }
}
