// Helpers shared by the Markdown, SARIF and GitHub reporters. Pure: no fs, no env, no clock.
import { PRIORITIES, PRIORITY_RANK, compareFindings } from '../engine/types.js';
import type { Finding, Priority, RuleMeta, RuleLanguage } from '../engine/types.js';

/** Where the generated rule pages live; SARIF `helpUri`, Markdown links and the README point here. */
export const DOCS_BASE_URL = 'https://github.com/faultline-dev/faultline/blob/main/docs/rules/';
export const TOOL_NAME = 'faultline';
export const TOOL_URL = 'https://github.com/faultline-dev/faultline';

export function ruleDocUrl(rule: Pick<RuleMeta, 'name'>, base = DOCS_BASE_URL): string {
  return `${base}${rule.name}.md`;
}

export { PRIORITY_RANK };

export const PRIORITY_MEANING: Record<Priority, string> = {
  P0: 'outage, hang or data loss on a single common fault',
  P1: 'degrades or cascades under stress',
  P2: 'hygiene that makes recovery slower or blind',
};

/** Accepts `p1`, `P1`; returns undefined for anything else. */
export function parsePriority(value: string | undefined): Priority | undefined {
  if (!value) return undefined;
  const up = value.trim().toUpperCase();
  return (PRIORITIES as readonly string[]).includes(up) ? (up as Priority) : undefined;
}

/** Findings at `min` or more urgent (P0 is the most urgent). */
export function atLeast(findings: Finding[], min: Priority | undefined): Finding[] {
  if (!min) return findings;
  return findings.filter((f) => PRIORITY_RANK[f.priority] <= PRIORITY_RANK[min]);
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** P0 first, then path, line, column, rule: the one order every report uses. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function countByPriority(findings: readonly Finding[]): Record<Priority, number> {
  const counts: Record<Priority, number> = { P0: 0, P1: 0, P2: 0 };
  for (const f of findings) counts[f.priority]++;
  return counts;
}

export function ruleMap(rules: readonly RuleMeta[]): Map<string, RuleMeta> {
  return new Map(rules.map((r) => [r.id, r]));
}

export function sortRules(rules: readonly RuleMeta[]): RuleMeta[] {
  return [...rules].sort((a, b) => cmp(a.id, b.id));
}

/** Language of a scanned file, from its name (compose files are YAML). */
export function fileLanguage(file: string): RuleLanguage | undefined {
  if (/\.(py|pyi)$/i.test(file)) return 'python';
  if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i.test(file)) return 'typescript';
  if (/\.ya?ml$/i.test(file)) return 'compose';
  return undefined;
}

/** Code-fence info string for a file or a rule language. */
export function fenceLanguage(fileOrLang: string): string {
  const lang = fileLanguage(fileOrLang) ?? fileOrLang;
  if (lang === 'python') return 'python';
  if (lang === 'compose' || lang === 'yaml') return 'yaml';
  if (lang === 'typescript') return /\.(js|jsx|mjs|cjs)$/i.test(fileOrLang) ? 'javascript' : 'typescript';
  // a start-up script a compose rule points into (FL785)
  if (/\.(sh|bash)$|(^|\/)[\w.-]*entrypoint[\w.-]*$/i.test(fileOrLang)) return 'sh';
  return '';
}

/**
 * Rule texts (fix titles, experiments) may name per-finding values as `{placeholder}`. Fills in
 * the values given; the others read as `<placeholder>`.
 */
export function fillTemplate(text: string, values: Record<string, string> = {}): string {
  return text.trim().replace(/(?<!\{)\{([A-Za-z_][\w-]*)\}(?!\})/g, (_, k: string) => values[k] ?? `<${k}>`);
}

/**
 * A fix snippet for one finding: `{service|api}` is the finding's value (its service, image,
 * mount, dependency, probe) or, with none, the example's own word. Other braces (`${VAR}`, an
 * f-string, a JS object) are code and stay as written.
 */
export function fillCode(code: string, values: Record<string, string> = {}): string {
  // the example may hold one level of braces itself (`{written|JWT_SECRET: ${JWT_SECRET:-x}}`)
  return code.replace(/\{([A-Za-z_][\w-]*)\|((?:[^{}\n]|\{[^{}\n]*\})*)\}/g, (_m, k: string, fallback: string) => {
    const v = values[k];
    return v !== undefined && v !== '' && !/[\n`]/.test(v) ? v : fallback;
  });
}

export function fixTitle(rule: Pick<RuleMeta, 'fix'>, values?: Record<string, string>): string {
  return fillTemplate(rule.fix.title, values);
}

/** Fence info for a fix snippet: `diff` when it is written as a diff (`-`/`+` lines), else the language's. */
export function fixFence(code: string, lang: string): string {
  return /^\+(\s|$)/m.test(code) ? 'diff' : fenceLanguage(lang);
}

/** A fenced code block whose fence is longer than any backtick run inside the code. */
export function codeBlock(code: string, info = ''): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${code.replace(/\s+$/, '')}\n${fence}`;
}

/** Path as shown to users and to GitHub: POSIX, with the optional repository prefix. */
export function displayPath(file: string, pathPrefix = ''): string {
  const prefix = pathPrefix.replace(/\\/g, '/').replace(/^\.\/?/, '').replace(/\/?$/, pathPrefix ? '/' : '');
  return (prefix === '/' ? '' : prefix) + file.replace(/\\/g, '/').replace(/^\.\//, '');
}

/** The first `n` sentences of a text, whitespace flattened ("e.g. x" and "i.e. y" do not end one). */
export function sentences(text: string, n: number): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  let count = 0;
  for (const m of flat.matchAll(/[.!?](?=\s|$)/g)) {
    const before = flat.slice(0, m.index + 1);
    if (/\b(e\.g|i\.e|etc|vs|cf|approx)\.$/i.test(before)) continue;
    if (++count === n) return before;
  }
  return flat;
}

/** The text ending with a full stop (unless it already ends a sentence). */
export function period(text: string): string {
  const t = text.trim();
  return /[.!?:]$/.test(t) ? t : `${t}.`;
}

/** The first sentence of a text, for one-line summaries. */
export function firstSentence(text: string): string {
  return sentences(text, 1);
}

