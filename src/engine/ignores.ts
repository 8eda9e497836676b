// Config `per-file-ignores` ({"tests/**": [FL101, timeout]}) and the check that suppression
// comments name real rules. Both run on finished findings, after every cache and worker, so the
// cached per-file results do not depend on them.
import picomatch from 'picomatch';
import type { Finding, RuleMeta } from './types.js';

function ruleMatches(r: Pick<RuleMeta, 'id' | 'name' | 'category'>, key: string): boolean {
  return r.id.toLowerCase() === key.toLowerCase() || r.name === key || r.category === key || key.toUpperCase() === 'ALL';
}

/**
 * A predicate that is true for findings the config turns off in their file. Globs are relative
 * to the scan root; one without a slash matches the file name anywhere (as in Ruff).
 */
export function perFileIgnores(map: Record<string, string[]> | undefined): ((f: Finding) => boolean) | null {
  const entries = Object.entries(map ?? {}).filter(([, keys]) => keys.length);
  if (!entries.length) return null;
  // picomatch's own `basename` option applies to every pattern, slashes or not: split here instead
  const compiled = entries.map(([glob, keys]) => {
    const m = picomatch(glob, { dot: true });
    const test = glob.includes('/') ? m : (file: string) => m(file.slice(file.lastIndexOf('/') + 1));
    return { test, keys };
  });
  return (f) => compiled.some((c) => c.test(f.file) && c.keys.some((k) => ruleMatches({ id: f.ruleId, name: f.ruleName, category: f.category }, k)));
}

/** Where suppression comments name each rule key: key -> locations. */
export type NamedInSuppressions = Map<string, Array<{ file: string; line: number }>>;

export function addSuppressionNames(out: NamedInSuppressions, file: string, named: Array<{ rules: string[]; line: number }>): void {
  for (const s of named) for (const r of s.rules) {
    const list = out.get(r) ?? [];
    list.push({ file, line: s.line });
    out.set(r, list);
  }
}

/** One warning per rule key that no rule has as id or name (a typo silently suppresses nothing). */
export function unknownSuppressionWarnings(named: NamedInSuppressions, rules: readonly RuleMeta[]): string[] {
  const known = new Set(rules.flatMap((r) => [r.id.toLowerCase(), r.name]));
  const out: string[] = [];
  for (const key of [...named.keys()].sort()) {
    if (known.has(key) || known.has(key.toLowerCase())) continue;
    const at = named.get(key)!.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    const more = at.length > 1 ? ` and ${at.length - 1} more` : '';
    out.push(`unknown rule "${key}" in a suppression comment at ${at[0].file}:${at[0].line}${more}; it suppresses nothing (\`faultline rules\` lists the ids)`);
  }
  return out;
}
