// The Markdown audit, in the order a reader needs it: the first screen (executive summary with the
// top risks, what to fix first), the system view (failure propagation, critical paths, what is
// already good), the failure-experiment plan, every finding (P0 -> P2, grouped by rule and root
// cause), the scores, unreadable files and scope. The parts live in ./markdown/.
// Pure and deterministic: the same result renders byte-identically (no timestamp unless asked).
import type { RuleMeta, ScanResult } from '../engine/types.js';
import { displayPath } from './common.js';
import { mdCode, mdMessage } from './escape.js';
import { experimentsSection } from './markdown/experiments.js';
import { findingSections } from './markdown/findings.js';
import { heading, plural, type MarkdownOptions } from './markdown/shared.js';
import { executiveSummary, fixFirst, header, rulesRun, scoreSection, toc, type TocEntry } from './markdown/summary.js';
import { systemView } from './markdown/system.js';
import { buildView, type ReportView } from './view.js';

export type { MarkdownOptions } from './markdown/shared.js';
export { categoryScores, type CategoryScore } from './markdown/summary.js';
export { dedent } from './markdown/findings.js';
export { renderMarkdownSummary, COMMENT_LIMIT } from './markdown/pr-comment.js';
export { SCORE_WEIGHTS } from './view.js';

function errorsSection(view: ReportView, opts: MarkdownOptions): string | undefined {
  const errors = view.result.errors;
  if (!errors.length) return undefined;
  const out = [heading(2, 'Files not analysed', 'errors'), '', 'These files could not be read or parsed; findings in them are unknown.', ''];
  for (const e of [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    out.push(`- ${mdCode(`${displayPath(e.file, opts.pathPrefix)}${e.line ? `:${e.line}` : ''}`)}: ${mdMessage(e.message.trim())}`);
  }
  return out.join('\n');
}

function scopeSection(view: ReportView, opts: MarkdownOptions): string {
  const { result } = view;
  const out = [heading(2, 'Scope', 'scope'), ''];
  out.push(`- ${plural(rulesRun(view).length, 'rule')} checked (those for the languages scanned, as the score table counts them); ${plural(result.stats.files, 'file')} analysed.`);
  const skipped = Object.entries(result.stats.skipped)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (skipped.length) out.push(`- Skipped: ${skipped.map(([why, n]) => `${mdMessage(why)} (${n})`).join(', ')}.`);
  for (const note of opts.notes ?? []) out.push(`- ${mdMessage(note)}`);
  if (!view.model) out.push('- Where code runs (service, browser, CLI, build, test) and shared root causes come from the project model; this scan had none, so findings are ranked by rule priority and compose services only.');
  out.push('- Static analysis sees code and configuration, not traffic: verify each fix with the experiment given.');
  return out.join('\n');
}

/** Cuts Markdown at the last section boundary (`\n## `, `\n### `, `\n#### `, or an anchor before one) that keeps it under `maxBytes`, with a note. */
export function truncateMarkdown(md: string, maxBytes: number, note = 'Report truncated to fit; see the full Markdown, JSON or SARIF report.'): string {
  if (Buffer.byteLength(md, 'utf8') <= maxBytes) return md;
  const tail = `\n\n> **${note}**\n`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(tail, 'utf8'));
  let cut = Buffer.from(md, 'utf8').subarray(0, budget).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  const boundary = Math.max(cut.lastIndexOf('\n## '), cut.lastIndexOf('\n### '), cut.lastIndexOf('\n#### '), cut.lastIndexOf('\n<a id="'));
  if (boundary > 0) {
    cut = cut.slice(0, boundary);
    // a heading's anchor sits on the line above it: cut before the anchor too
    cut = cut.replace(/\n<a id="[^"]*"><\/a>$/, '');
  } else cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  // never leave a <details> open
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  if (open > 0) cut += '\n\n</details>'.repeat(open);
  return cut.trimEnd() + tail;
}

export function renderMarkdown(result: ScanResult, rules: readonly RuleMeta[], opts: MarkdownOptions = {}): string {
  const view = buildView(result, rules);
  const parts: Array<{ toc?: TocEntry; md: string | undefined }> = [
    { md: executiveSummary(view, opts), toc: { id: 'summary', title: 'Summary' } },
    { md: fixFirst(view, opts), toc: { id: 'fix-first', title: 'Fix first' } },
    { md: systemView(view, opts), toc: { id: 'system-view', title: 'System view' } },
    { md: experimentsSection(view, opts), toc: { id: 'experiments', title: 'Failure experiments' } },
    { md: findingSections(view, opts).join('\n\n') || undefined, toc: { id: 'findings', title: 'Findings' } },
    { md: scoreSection(view), toc: { id: 'scores', title: 'Scores' } },
    { md: errorsSection(view, opts), toc: { id: 'errors', title: 'Files not analysed' } },
    { md: scopeSection(view, opts), toc: { id: 'scope', title: 'Scope' } },
  ];
  const present = parts.filter((p) => !!p.md);
  // the top risks open the summary: a reader looks for them first
  const entries = present.flatMap((p) => (p.toc ? [p.toc, ...(p.toc.id === 'summary' && p.md!.includes('<a id="top-risks"></a>') ? [{ id: 'top-risks', title: 'Top risks' }] : [])] : []));
  const md = [header(view, opts), toc(entries), ...present.map((p) => p.md!)].join('\n\n') + '\n';
  if (!opts.maxBytes) return md;
  const cut = truncateMarkdown(md, opts.maxBytes, 'Report truncated to fit the size limit.');
  if (cut === md) return md;
  const omitted = view.findings.filter((v) => !cut.includes(`${displayPath(v.f.file, opts.pathPrefix)}:${v.f.line}\``)).length;
  return cut.replace(
    /> \*\*Report truncated to fit the size limit\.\*\*\n$/,
    `> **Report truncated to fit the size limit: ${plural(omitted, 'finding')} not shown here; see the full Markdown, JSON or SARIF report.**\n`,
  );
}
