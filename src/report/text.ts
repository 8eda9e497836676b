// Terminal output: the summary and top risks first, then the findings grouped by rule, one line
// each, starting with `path:line:col` (like compilers and Ruff, so editors and terminals make it
// clickable). Lines are cut to the terminal width unless `verbose`; findings that share a root cause
// are one line with a count. Ends with errors, a one-line total and a hint to `faultline explain`.
import { PRIORITIES } from '../engine/types.js';
import type { Priority, RuleMeta, ScanResult } from '../engine/types.js';
import { period } from './common.js';
import { buildView, priorityCounts, riskBuckets, ruleTitle, type Cause, type FindingView } from './view.js';

export interface TextOptions {
  color: boolean;
  /** terminal columns: lines longer than this are cut (with …) unless verbose; undefined = no limit */
  width?: number;
  /** full messages, every location of a group */
  verbose?: boolean;
}

const PRIORITY_COLOR: Record<Priority, string> = { P0: '\x1b[1;31m', P1: '\x1b[33m', P2: '\x1b[36m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** Control characters from the scanned repository must not drive the terminal. */
function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '?').replace(/\s*\n\s*/g, ' ');
}

/** Cuts a line to `width` visible characters (ANSI codes do not count). */
export function fit(line: string, width: number | undefined): string {
  if (!width || width < 20) return line;
  // eslint-disable-next-line no-control-regex
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if ([...visible].length <= width) return line;
  let out = '';
  let n = 0;
  // eslint-disable-next-line no-control-regex
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (n >= width - 1) break;
      out += ch;
      n++;
    }
  }
  return `${out}…${line.includes('\x1b[') ? RESET : ''}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function renderText(result: ScanResult, opts: TextOptions, rules: readonly RuleMeta[] = []): string {
  const c = (code: string, s: string) => (opts.color ? code + s + RESET : s);
  const width = opts.verbose ? undefined : opts.width;
  const view = buildView(result, rules);
  const lines: string[] = [];
  const push = (s: string) => lines.push(fit(s, width));
  const n = view.findings.length;
  const counts = priorityCounts(view.findings);
  const total = `${n === 0 ? 'No findings' : `${plural(n, 'finding')} (P0: ${counts.P0}, P1: ${counts.P1}, P2: ${counts.P2})`} in ${plural(result.stats.files, 'file')}${
    result.errors.length ? `, ${plural(result.errors.length, 'error')}` : ''
  }.`;

  if (n) {
    push(c(BOLD, `faultline ${safe(result.version)}: ${total.replace(/\.$/, '')}${view.causes.length !== n ? `; ${plural(view.causes.length, 'root cause')}` : ''}.`));
    push('');
    push(c(BOLD, 'Top risks'));
    riskBuckets(view)
      .slice(0, 3)
      .forEach((b, i) => {
        const v = b.findings[0];
        const reach = b.reach.length ? `, reaches ${b.reach.slice(0, 4).map(safe).join(', ')}${b.reach.length > 4 ? ` and ${b.reach.length - 4} more` : ''}` : '';
        push(
          `  ${i + 1}. ${c(PRIORITY_COLOR[b.priority], b.priority)} ${b.ruleId} ${safe(ruleTitle(b.ruleId, b.rule, v.f.ruleName))} (${plural(b.findings.length, 'finding')}${reach}) ${c(DIM, `${v.f.file}:${v.f.line}`)}`,
        );
      });
    const fix = view.causes.slice(0, 3);
    push('');
    push(c(BOLD, 'Fix first'));
    fix.forEach((cause, i) => {
      const t = cause.findings[0].texts;
      push(`  ${i + 1}. [${cause.effort}] ${safe(t ? period(t.fixTitle) : cause.ruleId)} ${c(DIM, `(${cause.ruleId}, closes ${plural(cause.findings.length, 'finding')}) ${cause.file}:${cause.line}`)}`);
    });
    push('');
  }

  // findings by rule, rules in order of their most urgent finding
  const byRule = new Map<string, FindingView[]>();
  for (const v of view.findings) byRule.set(v.f.ruleId, [...(byRule.get(v.f.ruleId) ?? []), v]);
  for (const [ruleId, views] of byRule) {
    const rc = priorityCounts(views);
    const split = PRIORITIES.filter((p) => rc[p]).map((p) => `${p} ${rc[p]}`).join(', ');
    push(`${c(BOLD, `${ruleId} ${safe(ruleTitle(ruleId, views[0].rule, views[0].f.ruleName))}`)} ${c(DIM, `[${views[0].f.category}] ${split}`)}`);
    const done = new Set<Cause>();
    for (const v of views) {
      const cause = v.cause;
      const grouped = cause.findings.length > 1 && cause.kind !== 'single' && cause.kind !== 'same-file' && cause.kind !== 'compose-file';
      if (grouped && !opts.verbose) {
        if (done.has(cause)) continue;
        done.add(cause);
        push(
          `${c(BOLD, `${v.f.file}:${v.f.line}:${v.f.column}`)}: ${c(PRIORITY_COLOR[v.f.priority], v.f.priority)} ${v.f.ruleId} ${c(DIM, `[${v.f.category}]`)} ${safe(v.message)} ${c(DIM, `(+${cause.findings.length - 1} more: ${safe(cause.groupTitle ?? 'same root cause')})`)}`,
        );
        continue;
      }
      push(`${c(BOLD, `${v.f.file}:${v.f.line}:${v.f.column}`)}: ${c(PRIORITY_COLOR[v.f.priority], v.f.priority)} ${v.f.ruleId} ${c(DIM, `[${v.f.category}]`)} ${safe(v.message)}`);
    }
    push('');
  }
  if (result.errors.length) {
    for (const e of result.errors) push(`${c(BOLD, safe(e.file) + (e.line ? `:${e.line}` : ''))}: ${c(DIM, 'error:')} ${safe(e.message)}`);
    push('');
  }
  lines.push(total);
  if (n) {
    const first = [...byRule.keys()][0];
    lines.push(
      c(DIM, `Why it matters, the fix and how to prove it: faultline explain ${first}. Full report: --markdown FILE.${width ? ' Whole lines: --verbose or --format json.' : ''}`),
    );
  }
  return lines.join('\n') + '\n';
}

