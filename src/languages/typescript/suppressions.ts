// `// faultline: ignore[FL101, other-rule] reason` and `/* faultline: ignore[FL101] reason */`.
// Called only when the file text contains "faultline:". A hit counts only when it sits in a
// comment on its line (a `//` or `/*` before it outside quotes, or a `*` continuation line).
import type { SuppressionFact } from '../types.js';

const MARK = /faultline:\s*ignore(?:\[([^\]\r\n]*)\])?([^\r\n]*)/g;

/** Offset of the comment opener before `at` on the line starting at `lineStart`, or -1. */
function commentStart(text: string, lineStart: number, at: number): number {
  let quote = 0;
  for (let i = lineStart; i < at; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === 92 /* \ */) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 34 || c === 39 || c === 96) quote = c;
    else if (c === 47 /* / */ && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) return i;
  }
  if (quote) return -1;
  // continuation line of a block comment: optional spaces, then `*`
  const m = /^[ \t]*\*/.exec(text.slice(lineStart, at));
  return m ? lineStart + m[0].length - 1 : -1;
}

export function scanSuppressions(text: string): SuppressionFact[] {
  const out: SuppressionFact[] = [];
  MARK.lastIndex = 0;
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (let m = MARK.exec(text); m; m = MARK.exec(text)) {
    for (; scanned < m.index; scanned++) {
      const c = text.charCodeAt(scanned);
      if (c === 10 || (c === 13 && text.charCodeAt(scanned + 1) !== 10)) {
        line++;
        lineStart = scanned + 1;
      }
    }
    const cs = commentStart(text, lineStart, m.index);
    if (cs < 0) continue;
    const rules = m[1] === undefined ? [] : m[1].split(',').map((r) => r.trim()).filter(Boolean);
    let tail = m[2];
    const close = tail.indexOf('*/');
    if (close >= 0) tail = tail.slice(0, close);
    const reason = tail.trim().replace(/^[-:—–]+\s*/, '').trim();
    const end = close >= 0 ? m.index + m[0].length - (m[2].length - close) + 2 : m.index + m[0].length;
    out.push({
      line,
      rules,
      reason,
      ownLine: text.slice(lineStart, cs).trim() === '',
      loc: { line, column: cs - lineStart + 1, endLine: line, endColumn: end - lineStart + 1 },
    });
  }
  return out;
}
