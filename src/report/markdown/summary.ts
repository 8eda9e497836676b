// The first screen: header, contents, executive summary with the top risks, the "fix first" plan,
// and the score per category. Every number here is counted from the same findings the report lists.
import { CATEGORIES, PRIORITIES } from '../../engine/types.js';
import type { Category, Finding, Priority, RuleMeta } from '../../engine/types.js';
import { PRIORITY_MEANING, countByPriority, fileLanguage, period, sentences } from '../common.js';
import { mdCode, mdMessage, mdText } from '../escape.js';
import { SCORE_WEIGHTS, priorityCounts, riskBuckets, ruleTitle, type Cause, type ReportView } from '../view.js';
import { CATEGORY_LABEL, CONTEXT_LABEL, causeChange, causeScope, entryNames, fileLink, heading, list, names, plural, variantLabel, type MarkdownOptions } from './shared.js';

export function header(view: ReportView, opts: MarkdownOptions): string {
  const { result } = view;
  // the TS/JS adapter reads both: the model's file list says which the repository holds
  const files = Object.keys((result as { model?: { files?: Record<string, unknown> } }).model?.files ?? {});
  const js = files.filter((f) => /\.(js|jsx|mjs|cjs)$/i.test(f)).length;
  const ts = files.filter((f) => /\.(ts|tsx|mts|cts)$/i.test(f)).length;
  const langs = Object.entries(result.stats.byLanguage)
    .filter(([, v]) => v.files > 0)
    .flatMap(([k, v]): Array<[string, number]> =>
      k === 'typescript' && js + ts === v.files ? ([['javascript', js], ['typescript', ts]] as Array<[string, number]>).filter(([, n]) => n > 0) : [[k === 'typescript' ? 'typescript/javascript' : k, v.files]],
    )
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`);
  const scope = `${plural(result.stats.files, 'file')} scanned${langs.length ? ` (${langs.join(', ')})` : ''}`;
  const c = priorityCounts(view.findings);
  const counts = view.findings.length ? ` (${PRIORITIES.map((p) => `${p} ${c[p]}`).join(' · ')})` : '';
  const lines = [`# ${mdText(opts.title ?? 'Resilience audit')}`, ''];
  lines.push(`> faultline ${mdText(result.version)} · ${scope} · ${plural(view.findings.length, 'finding')}${counts}${opts.timestamp ? ` · ${mdText(opts.timestamp)}` : ''}`);
  return lines.join('\n');
}

export interface TocEntry {
  id: string;
  title: string;
}

export function toc(entries: TocEntry[]): string {
  return `**Contents:** ${entries.map((e) => `[${e.title}](#${e.id})`).join(' · ')}`;
}

/** "**4 P0** (outage…), **5 P1** (…)": the counts sentence. */
function countSentence(counts: Record<Priority, number>): string {
  const parts = PRIORITIES.filter((p) => counts[p]).map((p) => `**${counts[p]} ${p}** (${PRIORITY_MEANING[p]})`);
  return list(parts);
}

export function executiveSummary(view: ReportView, opts: MarkdownOptions): string {
  const findings = view.findings;
  const out = [heading(2, 'Executive summary', 'summary'), ''];
  if (!findings.length) {
    out.push('No findings at or above the reporting threshold. Nothing here blocks a release; the score table below shows what was checked.');
    return out.join('\n');
  }
  const counts = priorityCounts(findings);
  // root causes at one place to edit are one change, as the fix-first table counts them
  const changes = changeCount(view.causes);
  const causes =
    changes === findings.length
      ? 'Each is its own change.'
      : `They come down to ${plural(changes, 'change')} (findings that share a cause, such as one client or one compose file, are fixed together).`;
  out.push(`This audit found ${plural(findings.length, 'resilience hazard')}: ${countSentence(counts)}. ${causes}`);
  // where the findings run: service code matters more than a build script
  // (compose findings are about the stack's configuration, not code: counted apart)
  const ctx = new Map<string, number>();
  let config = 0;
  for (const v of findings) {
    if (fileLanguage(v.f.file) === 'compose') config++;
    else if (v.context) ctx.set(v.context, (ctx.get(v.context) ?? 0) + 1);
  }
  if (ctx.size) {
    const parts = [...ctx.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${n} in ${CONTEXT_LABEL[k as keyof typeof CONTEXT_LABEL]}`);
    if (config) parts.push(`${config} in compose configuration`);
    out.push('', `Where the code runs: ${list(parts)}. Priorities already account for it (a browser or script finding ranks lower than the same hazard in a service).`);
  }
  // which compose files were read as try-it-out stacks, so a reader knows why their hardening ranks low
  const quick = [...new Set(findings.filter((v) => fileLanguage(v.f.file) === 'compose' && /quick-start compose file/.test(v.f.priorityReason ?? '')).map((v) => v.f.file))].sort();
  if (quick.length)
    out.push('', `Read as quick-start stacks (a database password written in the file, an application image at a development tag, or comments saying to change settings for production): ${list(quick.map((f) => mdCode(f)))}. Their missing restart policies, healthchecks and start order are P2, the operator's hardening step; data durability keeps its priority.`);
  const bySvc = new Map<string, Finding[]>();
  for (const v of findings) for (const s of v.services) bySvc.set(s.name, [...(bySvc.get(s.name) ?? []), v.f]);
  if (bySvc.size) {
    const worst = [...bySvc.entries()]
      .map(([name, fs]) => ({ name, counts: countByPriority(fs), n: fs.length }))
      .sort((a, b) => b.counts.P0 - a.counts.P0 || b.counts.P1 - a.counts.P1 || b.n - a.n || (a.name < b.name ? -1 : 1))
      .slice(0, 3)
      .map((s) => `${names([s.name])} (${PRIORITIES.filter((p) => s.counts[p]).map((p) => `${s.counts[p]} ${p}`).join(', ')})`);
    out.push('', `Most exposed services: ${list(worst)}.`);
  }
  out.push('', priorityTable(findings.map((v) => v.f)));
  out.push('', heading(3, 'Top risks', 'top-risks'), '');
  out.push('Ranked by priority, then by how many entry points (routes, webhooks, consumers, tasks, schedules) and services a failure reaches, then by how many places have it.', '');
  const buckets = riskBuckets(view).slice(0, opts.topRisks ?? 5);
  buckets.forEach((b, i) => {
    const n = b.findings.length;
    const first = b.findings.slice(0, 2).map((v) => fileLink(v.f, opts));
    const more = n > first.length ? ` and ${n - first.length} more` : '';
    const lead = b.findings[0];
    const parts = [
      `${i + 1}. **${mdText(ruleTitle(b.ruleId, b.rule, lead.f.ruleName))}** — ${b.priority} · ${b.ruleId} · ${plural(n, 'finding')}${
        b.causes.length !== n ? ` from ${plural(b.causes.length, 'root cause')}` : ''
      }: ${first.join(', ')}${more}.`,
    ];
    const impact = lead.texts?.impact;
    if (impact) parts.push(mdMessage(sentences(impact, 1)));
    if (b.entries.length) parts.push(`Reached from ${entryNames(b.entries, 4)}.`);
    else if (b.exposure) parts.push(`While it is down, the ${plural(b.exposure, 'entry point')} of the code it runs fail with it.`);
    if (b.reach.length) parts.push(`${b.entries.length ? 'Services hit: ' : 'Reaches '}${names(b.reach)}.`);
    parts.push(`[Details](#${b.anchor})`);
    out.push(parts.join(' '), '');
  });
  const others = riskBuckets(view).length - buckets.length;
  // a link: the summary form points it at the full report's findings (or drops it with no report URL)
  if (others > 0) out.push(`${plural(others, 'more rule/priority pair')} ${opts.summaryForm ? 'in the [findings](#findings) of the full report' : 'below, in the [findings](#findings)'}.`);
  return out.join('\n').trimEnd();
}

function priorityTable(findings: Finding[]): string {
  const cats = CATEGORIES.filter((c) => findings.some((f) => f.category === c));
  const counts = countByPriority(findings);
  const out = [`| Priority | ${cats.join(' | ')} | Total |`, `|---|${cats.map(() => '---:|').join('')}---:|`];
  for (const p of PRIORITIES) {
    const row = cats.map((c) => String(findings.filter((f) => f.priority === p && f.category === c).length || '·'));
    out.push(`| ${p} | ${row.join(' | ')} | ${counts[p]} |`);
  }
  const totals = cats.map((c) => String(findings.filter((f) => f.category === c).length));
  out.push(`| **All** | ${totals.join(' | ')} | **${findings.length}** |`);
  return out.join('\n');
}

/**
 * The changes that remove the most risk, most urgent first: one row per place to edit, so root
 * causes of several rules at one spot (a pool built without an error listener, a connect timeout
 * and a statement timeout) are one change.
 */
export function fixFirstRows(view: ReportView, max = 7): Cause[][] {
  const rows: Cause[][] = [];
  const at = new Map<string, Cause[]>();
  for (const c of view.causes) {
    const key = `${c.file}:${c.line}`;
    const row = at.get(key);
    if (row) row.push(c);
    else if (rows.length < max) {
      const r = [c];
      rows.push(r);
      at.set(key, r);
    }
  }
  return rows;
}

/**
 * `rest`: what to say of the changes left out of the table (the full report lists them with their
 * findings below; the summary form only its P0/P1 root causes).
 */
export function fixFirst(view: ReportView, opts: MarkdownOptions, rest: (others: Cause[]) => string | undefined = restBelow): string | undefined {
  if (!view.causes.length) return undefined;
  const rows = fixFirstRows(view, opts.fixFirst ?? 7);
  const chosen = rows.flat();
  const out = [heading(2, 'Fix first', 'fix-first'), ''];
  out.push(
    'The changes that remove the most risk, most urgent first. One change can close several findings (a shared client, one compose file). Effort: **S** under an hour in one place, **M** a few hours or several places, **L** a design change.',
    '',
    '| # | Change | Where | Effort | Closes |',
    '|---:|---|---|:---:|---|',
  );
  rows.forEach((row, i) => {
    const c = row[0];
    const counts = priorityCounts(row.flatMap((x) => x.findings));
    const closes = PRIORITIES.filter((p) => counts[p]).map((p) => `${counts[p]} ${p}`).join(', ');
    const label = c.findings[0].texts?.variants.length ? variantLabel(c.findings[0].texts!.variants) : '';
    const variant = label ? ` _(${label})_` : '';
    // one root cause split by priority (a process-wide setting covers a P1 and a P2 call alike):
    // the change is said once, with a link to each part
    const said = new Map<string, string[]>();
    for (const x of row) {
      const text = cellText(causeChange(x));
      said.set(text, [...(said.get(text) ?? []), `[→](#${x.ruleId.toLowerCase()}-${x.priority.toLowerCase()})`]);
    }
    const change = [...said].map(([text, links], i) => `${text}${i === 0 ? variant : ''} ${links.join(' ')}`).join('; in the same place: ');
    const effort = row.map((x) => x.effort).sort((a, b) => 'SML'.indexOf(b) - 'SML'.indexOf(a))[0];
    const ids = [...new Set(row.map((x) => x.ruleId))].join(', ');
    // (the parts of one split cause are counted together where the change is made)
    const whole = row.length > 1 && row.every((x) => x.ruleId === c.ruleId && x.groupTitle === c.groupTitle && x.kind === c.kind && x.file === c.file && x.line === c.line) ? { ...c, findings: row.flatMap((x) => x.findings) } : c;
    out.push(`| ${i + 1} | ${change} | ${cellText(causeScope(whole, opts))} | ${effort} | ${closes} (${ids}) |`);
  });
  const closed = chosen.reduce((s, c) => s + c.findings.length, 0);
  const all = priorityCounts(view.findings);
  const got = priorityCounts(chosen.flatMap((c) => c.findings));
  const p0 = !all.P0 ? '' : got.P0 === all.P0 ? ` (${all.P0 === 1 ? 'the P0' : `all ${all.P0} P0s`} among them)` : ` (${got.P0} of the ${all.P0} P0s)`;
  out.push('', `${rows.length === 1 ? 'This change closes' : `These ${rows.length} changes close`} ${closed} of ${plural(view.findings.length, 'finding')}${p0}.`);
  const others = view.causes.filter((c) => !chosen.includes(c));
  const note = others.length ? rest(others) : undefined;
  if (note) out.push(note);
  return out.join('\n');
}

/** How many changes the causes left out make: one per place to edit. */
export function changeCount(causes: readonly Cause[]): number {
  return new Set(causes.map((c) => `${c.file}:${c.line}`)).size;
}

function restBelow(others: Cause[]): string {
  const n = changeCount(others);
  return `The other ${plural(n, 'change')} ${n === 1 ? 'is' : 'are'} listed with ${n === 1 ? 'its findings' : 'their findings'} below.`;
}

/** Markdown that is already safe, made fit for a table cell. */
function cellText(md: string): string {
  return md.replace(/\s+/g, ' ').replace(/(?<!\\)\|/g, '\\|').trim();
}

export interface CategoryScore {
  category: Category;
  score: number;
  counts: Record<Priority, number>;
  rules: number;
}

/** 100 minus 25 per P0, 10 per P1 and 3 per P2 finding, never below 0; for every category that has rules or findings. */
export function categoryScores(findings: readonly Finding[], rules: readonly RuleMeta[]): CategoryScore[] {
  const out: CategoryScore[] = [];
  for (const category of CATEGORIES) {
    const inCat = findings.filter((f) => f.category === category);
    const ruleCount = rules.filter((r) => r.category === category).length;
    if (!inCat.length && !ruleCount) continue;
    const counts = countByPriority(inCat);
    const penalty = PRIORITIES.reduce((sum, p) => sum + counts[p] * SCORE_WEIGHTS[p], 0);
    out.push({ category, score: Math.max(0, 100 - penalty), counts, rules: ruleCount });
  }
  return out;
}

/** The label of a score; an open P1 keeps a category out of "sound", an open P0 out of "fragile" too. */
function grade(score: number, counts: Record<'P0' | 'P1' | 'P2', number>): string {
  if (score >= 90 && !counts.P0 && !counts.P1) return 'sound';
  if (score >= 70 && !counts.P0) return 'fragile';
  if (score >= 40) return 'at risk';
  return 'critical';
}

/** The rules that ran: those of the languages the scan read (the score table and Scope count these). */
export function rulesRun(view: ReportView): ReportView['ruleList'] {
  const scanned = new Set(Object.entries(view.result.stats.byLanguage).filter(([, v]) => v.files > 0).map(([k]) => k));
  const ran = view.ruleList.filter((r) => r.languages.some((l) => scanned.has(l)));
  return ran.length ? ran : view.ruleList;
}

export function scoreSection(view: ReportView): string {
  const scores = categoryScores(view.findings.map((v) => v.f), rulesRun(view));
  const out = [heading(2, 'Resilience score by category', 'scores'), ''];
  out.push('| Category | Score | P0 | P1 | P2 | Rules checked |', '|---|---:|---:|---:|---:|---:|');
  for (const s of scores) {
    out.push(
      // nothing found is not "sound": the rules see only what is written
      `| ${CATEGORY_LABEL[s.category]} (\`${s.category}\`) | **${s.score}** ${s.counts.P0 + s.counts.P1 + s.counts.P2 ? grade(s.score, s.counts) : 'no findings'} | ${s.counts.P0} | ${s.counts.P1} | ${s.counts.P2} | ${s.rules} |`,
    );
  }
  out.push(
    '',
    `How it is computed: each category starts at 100 and loses ${SCORE_WEIGHTS.P0} points per P0, ${SCORE_WEIGHTS.P1} per P1 and ${SCORE_WEIGHTS.P2} per P2 finding, never going below 0 (90–100 sound, 70–89 fragile, 40–69 at risk, below 40 critical; a category with an open P1 is at best fragile, one with a P0 at best at risk). A score only covers what the rules can see statically, so a category without findings says "no findings", not "sound"; rules checked counts the rules for the languages scanned.`,
  );
  return out.join('\n');
}

export { period };
