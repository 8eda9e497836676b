// Offset -> 1-based line/column conversion over a precomputed line-start table, shared by the
// language adapters. Offsets are UTF-16 (JS string indices: TypeScript positions, tree-sitter
// indices over the JS string), so columns come out in UTF-16 code units as the facts contract
// wants. Line breaks are \n, \r\n, lone \r, U+2028 and U+2029, as the TypeScript scanner counts
// them. (Compose locations come from the yaml parser's own LineCounter, filled while it lexes.)
import type { Loc } from './types.js';

export class LineIndex {
  private readonly starts: number[];
  private lastLine = 0;

  constructor(text: string) {
    const starts = [0];
    if (text.indexOf('\r') < 0 && text.indexOf('\u2028') < 0 && text.indexOf('\u2029') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        } else if (c === 0x2028 || c === 0x2029) starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** 0-based line index of an offset */
  lineOf(pos: number): number {
    const s = this.starts;
    // facts arrive roughly in source order: try the last answer and its successor first
    const last = this.lastLine;
    if (s[last] <= pos && (last + 1 >= s.length || pos < s[last + 1])) return last;
    if (last + 2 < s.length + 1 && s[last + 1] <= pos && (last + 2 >= s.length || pos < s[last + 2])) {
      return (this.lastLine = last + 1);
    }
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return (this.lastLine = lo);
  }

  loc(start: number, end: number): Loc {
    const l1 = this.lineOf(start);
    const c1 = start - this.starts[l1];
    const l2 = this.lineOf(end);
    return { line: l1 + 1, column: c1 + 1, endLine: l2 + 1, endColumn: end - this.starts[l2] + 1 };
  }

  lineStart(line0: number): number {
    return this.starts[line0];
  }
}
