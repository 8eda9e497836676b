// Values of the Python adapter: an expression node -> Value (literals, dicts, lists, calls,
// lambdas, names with their import-qualified name and, for a name assigned once, its literal).
import type { Node } from 'web-tree-sitter';
import type { Loc, Value } from '../types.js';
import type { Bindings } from './bindings.js';
import { clip, compact, unwrapCall, type PySource } from './syntax.js';
import type { RawFacts } from './visitor.js';

const LITERAL_KINDS = new Set(['string', 'number', 'boolean', 'null', 'object', 'array']);

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
