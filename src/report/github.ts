// GitHub Actions workflow commands (`::error file=…::message`). GitHub keeps only 10 annotations
// per level per step and drops the rest silently, so this prints P0 first, caps each level and
// ends with one notice that says how many more exist and where to find them.
import type { Finding, Priority, RuleMeta, ScanResult } from '../engine/types.js';
import { displayPath, fixTitle, ruleMap, sortFindings } from './common.js';

export interface GithubOptions {
  /** annotations kept per level (error / warning / notice); GitHub shows 10 */
  maxPerLevel?: number;
  /** the scan root relative to the repository root */
  pathPrefix?: string;
  /** findings on these files/lines are printed first (changed lines of a pull request) */
  preferred?: (f: Finding) => boolean;
}

export const ANNOTATION_LIMIT = 10;
const COMMAND: Record<Priority, 'error' | 'warning' | 'notice'> = { P0: 'error', P1: 'warning', P2: 'notice' };

/**
 * Escaping of actions/toolkit `command.ts`, plus every other control character (ESC, NUL, DEL,
 * C1, line/paragraph separators) as `%XX`: the runner decodes only %25 %0D %0A (%3A %2C in
 * properties), so they show as text and cannot restyle the log or smuggle a second command.
 */
export function escapeData(s: string): string {
  return s
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => {
      const n = c.charCodeAt(0);
      return n > 0xff ? `%u${n.toString(16).toUpperCase()}` : `%${n.toString(16).toUpperCase().padStart(2, '0')}`;
    });
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(f: Finding, rule: RuleMeta | undefined, opts: GithubOptions): string {
  const props: Array<[string, string | number]> = [
    ['file', displayPath(f.file, opts.pathPrefix)],
    ['line', f.line],
    ['endLine', Math.max(f.endLine, f.line)],
  ];
  if (f.endLine <= f.line) props.push(['col', f.column], ['endColumn', Math.max(f.endColumn, f.column)]);
  props.push(['title', `${f.ruleId} ${rule?.title ?? f.ruleName} (${f.priority})`]);
  const body = rule ? `${f.message.trim()}\nFix: ${fixTitle(rule)}` : f.message.trim();
  const propText = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${COMMAND[f.priority]} ${propText}::${escapeData(body)}`;
}

export function renderGithub(result: ScanResult, rules: readonly RuleMeta[], opts: GithubOptions = {}): string {
  const max = opts.maxPerLevel ?? ANNOTATION_LIMIT;
  const byId = ruleMap(rules);
  const sorted = sortFindings(result.findings);
  const ordered = opts.preferred
    ? [...sorted.filter((f) => opts.preferred!(f)), ...sorted.filter((f) => !opts.preferred!(f))]
    : sorted;
  const used: Record<string, number> = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  let hidden = 0;
  for (const f of ordered) {
    const level = COMMAND[f.priority];
    if (used[level] >= max) {
      hidden++;
      continue;
    }
    used[level]++;
    lines.push(annotation(f, byId.get(f.ruleId), opts));
  }
  let hiddenErrors = 0;
  for (const e of result.errors) {
    if (used.warning >= max) {
      hiddenErrors++;
      continue;
    }
    used.warning++;
    const loc = `file=${escapeProperty(displayPath(e.file, opts.pathPrefix))}${e.line ? `,line=${e.line}` : ''}`;
    lines.push(`::warning ${loc},title=${escapeProperty('faultline could not analyse this file')}::${escapeData(e.message)}`);
  }
  if (hidden > 0 || hiddenErrors > 0) {
    if (used.notice >= max) {
      // the closing notice needs a slot: give up the last notice annotation
      lines.splice(lines.map((l) => l.startsWith('::notice ')).lastIndexOf(true), 1);
      hidden++;
    }
    const what = [
      hidden ? `${hidden} more finding${hidden === 1 ? '' : 's'}` : '',
      hiddenErrors ? `${hiddenErrors} more unreadable file${hiddenErrors === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    lines.push(
      `::notice title=faultline::${escapeData(`${what.join(' and ')} not annotated (GitHub shows at most ${max} annotations per level per step). See the job summary, the Markdown report or code scanning.`)}`,
    );
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
