// `# faultline: ignore[FL480] reason` comments in a compose file.
import { parseSuppressionComment } from '../suppression.js';
import type { SuppressionFact } from '../types.js';

/** index of the `#` starting a YAML comment on this line (outside quotes), or -1 */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:\-[{,]/.test(line[i - 1])) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return i;
  }
  return -1;
}

export function composeSuppressions(text: string): SuppressionFact[] {
  if (!text.includes('faultline')) return [];
  const out: SuppressionFact[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const at = commentStart(line);
    if (at < 0) return;
    const comment = line.slice(at + 1);
    const s = parseSuppressionComment(comment);
    if (!s) return;
    out.push({
      line: i + 1,
      rules: s.rules,
      reason: s.reason,
      ownLine: line.slice(0, at).trim() === '',
      loc: { line: i + 1, column: at + 1, endLine: i + 1, endColumn: line.length + 1 },
    });
  });
  return out;
}
