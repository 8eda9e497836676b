// Syntax helpers of the Python adapter: a file's text and locations, and small readers of
// tree-sitter nodes that know nothing about facts.
import type { Node } from 'web-tree-sitter';
import { LineIndex } from '../line-index.js';
import type { Loc } from '../types.js';

export const MAX_TEXT = 200;

/** A file's text with its locations: 1-based lines and UTF-16 columns (the facts contract). */
export class PySource {
  readonly lines: LineIndex;
  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  slice(node: Node | null | undefined): string {
    return node ? this.text.slice(node.startIndex, node.endIndex) : '';
  }

  nodeLoc(node: Node): Loc {
    return this.loc(node.startIndex, node.endIndex);
  }

  /** tree-sitter indices here are UTF-16 offsets into the JS string: columns are UTF-16 already */
  loc(start: number, end: number): Loc {
    return this.lines.loc(start, end);
  }
}

/** the value side of `a = b = value` */
export function finalRight(node: Node): Node | null {
  let right = node.childForFieldName('right');
  while (right && right.type === 'assignment') right = right.childForFieldName('right');
  return right;
}

/** `X(...)`, `await X(...)`, `(X(...))` -> the call node */
export function unwrapCall(node: Node | null | undefined): Node | null {
  let n = node ?? null;
  while (n && (n.type === 'await' || n.type === 'parenthesized_expression')) n = n.namedChild(0);
  return n?.type === 'call' ? n : null;
}

export function paramNameNode(p: Node): Node | null {
  switch (p.type) {
    case 'identifier':
      return p;
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern': {
      const first = p.namedChild(0);
      if (first?.type === 'identifier') return first;
      return first ? paramNameNode(first) : null;
    }
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name');
    default:
      return null;
  }
}

export function compact(s: string): string {
  return s.includes('\n') ? s.replace(/\s*\n\s*/g, '') : s;
}

export function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}
