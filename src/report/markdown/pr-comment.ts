// The short form for a pull-request comment: the first screen of the audit (summary, top risks,
// fix first), one row per rule and one line per P0/P1 root cause while room is left, always under
// 60,000 characters (GitHub refuses comments over 65,536), with a link to the full report.
import { PRIORITIES } from '../../engine/types.js';
import type { RuleMeta, ScanResult } from '../../engine/types.js';
import { mdHref, mdText } from '../escape.js';
import { buildView, priorityCounts, ruleTitle, type ReportView } from '../view.js';
import { causeChange, causeScope, fileLink, plural, type MarkdownOptions } from './shared.js';
import { changeCount, executiveSummary, fixFirst, fixFirstRows, header } from './summary.js';

/** What a PR comment may hold, with room to spare under GitHub's 65,536 characters. */
export const COMMENT_LIMIT = 60_000;

/** Links into the full report: absolute when its address is known, plain text otherwise. */
function relink(md: string, reportUrl: string | undefined): string {
  if (reportUrl) return md.replace(/\]\(#([a-z0-9-]+)\)/g, (_m, id: string) => `](${mdHref(reportUrl)}#${id})`);
  return md.replace(/ ?\[(?:Details|→)\]\(#[a-z0-9-]+\)/g, '').replace(/\[([^\]]*)\]\(#[a-z0-9-]+\)/g, '$1');
}

function ruleTable(view: ReportView, opts: MarkdownOptions): string[] {
  const rows = new Map<string, { p: Record<string, number>; first: ReportView['findings'][number] }>();
  for (const v of view.findings) {
    let r = rows.get(v.f.ruleId);
    if (!r) rows.set(v.f.ruleId, (r = { p: { P0: 0, P1: 0, P2: 0 }, first: v }));
    r.p[v.f.priority]++;
  }
  const lines = ['| Rule | P0 | P1 | P2 | First location |', '|---|---:|---:|---:|---|'];
  const sorted = [...rows.entries()].sort((a, b) => b[1].p.P0 - a[1].p.P0 || b[1].p.P1 - a[1].p.P1 || b[1].p.P2 - a[1].p.P2 || (a[0] < b[0] ? -1 : 1));
  for (const [id, r] of sorted) {
    lines.push(`| ${id} ${mdText(ruleTitle(id, r.first.rule, r.first.f.ruleName)).replace(/\|/g, '\\|')} | ${r.p.P0} | ${r.p.P1} | ${r.p.P2} | ${fileLink(r.first.f, opts, true)} |`);
  }
  return lines;
}

export function renderMarkdownSummary(result: ScanResult, rules: readonly RuleMeta[], opts: MarkdownOptions = {}): string {
  const view = buildView(result, rules);
  const limit = COMMENT_LIMIT;
  const full = opts.reportUrl ? `**Full report:** [${mdText(opts.reportUrl.replace(/^https?:\/\//, ''))}](${mdHref(opts.reportUrl)})` : '**Full report:** the Markdown audit (`faultline scan --markdown audit.md`; in GitHub Actions, the job summary).';
  const required = [header(view, { ...opts, title: opts.title ?? 'Resilience audit (summary)' }), '', full, '', relink(executiveSummary(view, { ...opts, summaryForm: true }), opts.reportUrl)];
  // this form lists only the P0/P1 root causes the table left out, while room is left
  const fix = fixFirst(view, { ...opts, fixFirst: opts.fixFirst ?? 5 }, (others) => {
    const urgent = others.filter((c) => c.priority !== 'P2').length;
    const where = opts.reportUrl ? 'the full report' : 'the full Markdown audit';
    return `${where[0].toUpperCase()}${where.slice(1)} has the other ${plural(changeCount(others), 'change')}${urgent ? ` (${urgent} P0 or P1 root causes among them, listed under "P0 and P1 root causes" below while room is left)` : ''}.`;
  });
  const listed = new Set(fixFirstRows(view, opts.fixFirst ?? 5).flat());
  if (fix) required.push('', relink(fix, opts.reportUrl));
  const optional: string[] = [];
  if (view.findings.length) {
    optional.push('', '## Findings by rule', '', ...ruleTable(view, opts));
    const urgent = view.causes.filter((c) => c.priority !== 'P2' && !listed.has(c));
    if (urgent.length) {
      optional.push('', '## P0 and P1 root causes', '');
      for (const c of urgent) {
        const counts = priorityCounts(c.findings);
        const n = PRIORITIES.filter((p) => counts[p]).map((p) => `${counts[p]} ${p}`).join(', ');
        optional.push(`- **${c.priority} ${c.ruleId}** ${causeScope(c, opts)}: ${causeChange(c)} (${n})`);
      }
    }
  }
  let out = required.join('\n');
  const tail = (left: number) => `\n\n> Summary form: ${plural(left, 'line')} of the full report left out to stay under ${COMMENT_LIMIT.toLocaleString('en-US')} characters.\n`;
  let i = 0;
  for (; i < optional.length; i++) {
    const next = `${out}\n${optional[i]}`;
    if (next.length + tail(optional.length - i).length > limit) break;
    out = next;
  }
  if (i < optional.length) out += tail(optional.length - i);
  else out += '\n';
  if (out.length > limit) {
    // the first screen alone is too long (very long paths): cut at a line boundary
    const note = '\n\n> Summary truncated to fit a pull-request comment.\n';
    out = out.slice(0, limit - note.length);
    out = out.slice(0, Math.max(0, out.lastIndexOf('\n'))) + note;
  }
  return out;
}
