// Values of the Python adapter: an expression node -> Value (literals, dicts, lists, calls,
// lambdas, names with their import-qualified name and, for a name assigned once, its literal).
import type { Node } from 'web-tree-sitter';
import type { Loc, Value } from '../types.js';
import type { Bindings } from './bindings.js';
import { encloses, regionOf, sharedLoop } from './flow.js';
import { clip, compact, unwrapCall, type PySource } from './syntax.js';
import type { RawFacts } from './visitor.js';

const LITERAL_KINDS = new Set(['string', 'number', 'boolean', 'null', 'object', 'array']);
/** dict methods that leave it as it is */
const READ_ONLY_METHODS = new Set(['get', 'copy', 'items', 'keys', 'values']);

export class ValueReader {
  constructor(
    private readonly src: PySource,
    private readonly raw: RawFacts,
    private readonly bindings: Bindings,
  ) {}

  /** `resolving`: building the literal a name is bound to; its own names are not followed again */
  value(node: Node, scopeKey: string, resolving = false): Value {
    const loc = this.src.nodeLoc(node);
    switch (node.type) {
      case 'none':
        return { kind: 'null', loc };
      case 'true':
        return { kind: 'boolean', value: true, loc };
      case 'false':
        return { kind: 'boolean', value: false, loc };
      case 'integer':
      case 'float': {
        const n = parseNumber(this.src.slice(node));
        return n === undefined ? { kind: 'other', text: this.src.slice(node), loc } : { kind: 'number', value: n, loc };
      }
      case 'unary_operator': {
        const arg = node.childForFieldName('argument');
        const op = node.childForFieldName('operator');
        const inner = arg ? this.value(arg, scopeKey, resolving) : undefined;
        if (inner?.kind === 'number' && op) {
          const sign = this.src.slice(op);
          if (sign === '-') return { kind: 'number', value: -inner.value, loc };
          if (sign === '+') return { kind: 'number', value: inner.value, loc };
        }
        return { kind: 'other', text: clip(this.src.slice(node)), loc };
      }
      case 'string':
      case 'concatenated_string': {
        const s = node.type === 'string' ? stringLiteral(this.src.slice(node)) : this.stringValue(node);
        return s === undefined ? { kind: 'other', text: clip(this.src.slice(node)), loc } : { kind: 'string', value: s, loc };
      }
      case 'await': {
        // `await X(...)`: the value is what the call produces (bindings treat it the same way)
        const call = unwrapCall(node);
        if (call) return this.value(call, scopeKey, resolving);
        return { kind: 'other', text: clip(compact(this.src.slice(node))), loc };
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.filter((c) => c.type !== 'comment');
        return inner.length === 1 ? this.value(inner[0], scopeKey, resolving) : { kind: 'other', text: clip(this.src.slice(node)), loc };
      }
      case 'call': {
        const idx = this.raw.callIdxByNode.get(node.id);
        if (idx !== undefined) return { kind: 'call', callId: idx, text: clip(compact(this.src.slice(node))), loc };
        return { kind: 'other', text: clip(this.src.slice(node)), loc };
      }
      case 'identifier':
      case 'attribute':
        return this.nameValue(node, scopeKey, loc, resolving);
      case 'dictionary': {
        const props: Record<string, Value> = {};
        let open = false;
        for (const pair of node.namedChildren) {
          if (pair.type === 'comment') continue;
          if (pair.type !== 'pair') {
            open = true;
            continue;
          }
          const k = pair.childForFieldName('key');
          const v = pair.childForFieldName('value');
          const key = k && (k.type === 'string' || k.type === 'concatenated_string') ? this.stringValue(k) : undefined;
          if (key === undefined || !v) open = true;
          else props[key] = this.value(v, scopeKey, resolving);
        }
        return { kind: 'object', props, open, loc };
      }
      case 'list':
      case 'tuple':
      case 'set': {
        const items: Value[] = [];
        let open = false;
        for (const item of node.namedChildren) {
          if (item.type === 'comment') continue;
          if (item.type === 'list_splat' || item.type === 'dictionary_splat') open = true;
          else items.push(this.value(item, scopeKey, resolving));
        }
        return { kind: 'array', items, open, loc };
      }
      case 'lambda': {
        const id = this.raw.functionIdxByNode.get(node.id);
        if (id !== undefined) return { kind: 'function', functionId: id, loc };
        return { kind: 'other', text: clip(this.src.slice(node)), loc };
      }
      default:
        return { kind: 'other', text: clip(compact(this.src.slice(node))), loc };
    }
  }

  private nameValue(node: Node, scopeKey: string, loc: Loc, resolving: boolean): Value {
    const text = compact(this.src.slice(node));
    const value: Value = { kind: 'name', text, loc };
    let base: Node | null = node;
    const segments: string[] = [];
    while (base?.type === 'attribute') {
      segments.unshift(this.src.slice(base.childForFieldName('attribute')));
      base = base.childForFieldName('object');
    }
    if (base?.type === 'identifier') {
      const r = this.bindings.resolveName(this.src.slice(base), scopeKey, node.startIndex);
      if (r.kind === 'import') value.qualified = [r.qualified, ...segments].join('.');
    }
    if (node.type === 'identifier' && !resolving) {
      const a = this.bindings.nameAssignments.get(text);
      if (a && a.count === 1 && a.value.id !== node.id) {
        const resolved = this.value(a.value, 'm', true);
        if (LITERAL_KINDS.has(resolved.kind)) value.resolved = resolved;
      }
    }
    return value;
  }

  /**
   * The keywords `**name` passes at `call`, when `name` is a dict literal bound once in this
   * function (not a parameter) before the call in straight-line code, with the `name["key"] = …`
   * writes that surely ran before the call merged in; a key a write may or may not have set is
   * `unknown`. Undefined (open) when anything else could change the dict: `name.update(…)` and
   * other mutating methods, `name` handed to a call, a write with a computed key, `del`, `|=`, a
   * write from a nested function.
   */
  splatKeywords(splat: Node, call: Node, scopeKey: string): { props: Record<string, Value>; unknown: string[] } | undefined {
    const target = splat.namedChildren.find((c) => c.type !== 'comment');
    if (target?.type !== 'identifier' || !scopeKey.startsWith('f')) return undefined;
    const name = this.src.slice(target);
    if (this.bindings.params.get(scopeKey)?.has(name)) return undefined;
    const list = this.bindings.bindingsIn(scopeKey, name);
    const b = list[0];
    if (list.length !== 1 || b.kind !== 'other' || b.node?.type !== 'dictionary' || b.pos >= call.startIndex) return undefined;
    if (!encloses(regionOf(b.node), call)) return undefined;
    const dict = this.value(b.node, scopeKey);
    if (dict.kind !== 'object' || dict.open) return undefined;
    const fn = this.raw.rawFunctions[Number(scopeKey.slice(1))];
    if (new RegExp(`\\bdel\\s+${name}\\s*\\[`).test(this.src.slice(fn.node))) return undefined;
    for (const rc of this.raw.rawCalls) {
      if (!this.bindings.within(rc.scopeKey, scopeKey)) continue;
      if (rc.fn?.type === 'attribute' && rc.fn.childForFieldName('object')?.type === 'identifier') {
        const obj = this.src.slice(rc.fn.childForFieldName('object'));
        if (obj === name && !READ_ONLY_METHODS.has(this.src.slice(rc.fn.childForFieldName('attribute')))) return undefined;
      }
      for (const a of rc.args?.namedChildren ?? []) {
        const v = a.type === 'keyword_argument' ? a.childForFieldName('value') : a;
        if (v?.type === 'identifier' && this.src.slice(v) === name) return undefined;
      }
    }
    const props: Record<string, Value> = { ...dict.props };
    const unknown = new Set<string>();
    for (const w of this.raw.rawAssignments) {
      const left = w.left;
      if (!left || !this.bindings.within(w.scopeKey, scopeKey)) continue;
      if (left.type === 'identifier' && w.augmented && this.src.slice(left) === name) return undefined;
      if (left.type !== 'subscript') continue;
      const obj = left.childForFieldName('value');
      if (obj?.type !== 'identifier' || this.src.slice(obj) !== name) continue;
      const keyNode = left.childForFieldName('subscript');
      const key = keyNode && (keyNode.type === 'string' || keyNode.type === 'concatenated_string') ? this.stringValue(keyNode) : undefined;
      if (key === undefined || w.scopeKey !== scopeKey) return undefined;
      let effect: 'set' | 'unknown' | 'none';
      if (w.start < call.startIndex) effect = !w.augmented && w.right && encloses(regionOf(w.node), call) ? 'set' : 'unknown';
      else effect = sharedLoop(w.node, call) ? 'unknown' : 'none';
      if (effect === 'set') {
        props[key] = this.value(w.right!, scopeKey);
        unknown.delete(key);
      } else if (effect === 'unknown') {
        delete props[key];
        unknown.add(key);
      }
    }
    return { props, unknown: [...unknown] };
  }

  stringValue(node: Node): string | undefined {
    if (node.type === 'string') return stringLiteral(this.src.slice(node));
    if (node.type === 'concatenated_string') {
      let out = '';
      for (const part of node.namedChildren) {
        if (part.type === 'comment') continue;
        const s = this.stringValue(part);
        if (s === undefined) return undefined;
        out += s;
      }
      return out;
    }
    let out = '';
    for (const part of node.namedChildren) {
      const t = part.type;
      if (t === 'interpolation') return undefined;
      if (t === 'string_content' || t === 'escape_sequence') out += this.src.slice(part);
    }
    return out;
  }
}

function parseNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '').toLowerCase();
  if (t.endsWith('j')) return undefined;
  if (/^0[0-7]+$/.test(t)) return undefined; // py2 octal
  const n = Number(t.endsWith('l') ? t.slice(0, -1) : t);
  return Number.isNaN(n) ? undefined : n;
}

/** the value of one string literal from its source text; undefined for f-strings with fields */
function stringLiteral(src: string): string | undefined {
  let i = 0;
  while (i < src.length && /[a-zA-Z]/.test(src[i])) i++;
  const prefix = src.slice(0, i).toLowerCase();
  const q = src[i];
  if (q !== '"' && q !== "'") return undefined;
  const triple = src.startsWith(q.repeat(3), i);
  const open = triple ? 3 : 1;
  const body = src.slice(i + open, Math.max(i + open, src.length - open));
  if (prefix.includes('f') && /\{(?!\{)/.test(body.replace(/\{\{/g, ''))) return undefined;
  return body;
}
