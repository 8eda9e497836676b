// Inline suppressions: `# faultline: ignore[FL101] reason` / `// faultline: ignore[FL101] reason`
// on the finding's line, or alone on the line above it. Rules may be named by id or name.
import type { SuppressionFact } from '../languages/types.js';
import type { RuleMeta } from './types.js';
export { parseSuppressionComment } from '../languages/suppression.js';

export class Suppressions {
  private readonly byLine = new Map<number, SuppressionFact[]>();
  constructor(facts: SuppressionFact[]) {
    for (const s of facts) {
      const lines = s.ownLine ? [s.line, s.line + 1] : [s.line];
      for (const l of lines) {
        const list = this.byLine.get(l) ?? [];
        list.push(s);
        this.byLine.set(l, list);
      }
    }
  }
  covers(rule: RuleMeta, line: number): boolean {
    const list = this.byLine.get(line);
    if (!list) return false;
    return list.some((s) => s.rules.some((r) => r.toLowerCase() === rule.id.toLowerCase() || r === rule.name));
  }
}
