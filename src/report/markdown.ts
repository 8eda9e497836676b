// The Markdown audit: executive summary, resilience score per category, failure propagation
// through the compose system, then P0 -> P1 -> P2 findings grouped by rule with the code excerpt,
// what breaks, blast radius, the fix as code, CWE and a verification experiment.
// Pure and deterministic: the same result renders byte-identically (no timestamp unless asked).
import { CATEGORIES, PRIORITIES } from '../engine/types.js';
import type { Category, Finding, Priority, RuleMeta, ScanResult } from '../engine/types.js';
import { cweLink, fixCode } from '../docs/rule-doc.js';
import {
  PRIORITY_MEANING,
  PRIORITY_RANK,
  codeBlock,
  countByPriority,
  displayPath,
  fenceLanguage,
  fileLanguage,
  fixFence,
  fillTemplate,
  fixTitle,
  ruleDocUrl,
  period,
  ruleMap,
  sentences,
  sortFindings,
} from './common.js';
import { blastRadius, serviceOf } from './system.js';

export interface MarkdownOptions {
  /** heading of the report */
  title?: string;
  /** the scan root relative to the repository root, for links */
  pathPrefix?: string;
  /** URL prefix for file links, e.g. `https://github.com/o/r/blob/<sha>/`; default: relative links */
  linkBase?: string;
  /** shown under the title when given (stable output otherwise) */
  timestamp?: string;
  /** extra lines for the scope section, e.g. what a baseline or diff filter hid */
  notes?: string[];
  /** cut the report at a section boundary to stay under this many UTF-8 bytes */
  maxBytes?: number;
  /** how many rules the executive summary describes */
  topRisks?: number;
  /** findings of one rule shown in full (excerpt, blast radius); the rest are listed in one line each */
  detailsPerRule?: number;
}

/** Points a finding costs its category's score. */
export const SCORE_WEIGHTS: Record<Priority, number> = { P0: 25, P1: 10, P2: 3 };

const CATEGORY_LABEL: Record<Category, string> = {
  timeout: 'Timeouts',
  pool: 'Connection pools',
  retry: 'Retries and lost work',
  healthcheck: 'Healthchecks',
  'permanent-failure': 'Recovery from failure',
  idempotency: 'Idempotency',
  durability: 'Durability',
  'circuit-breaker': 'Circuit breakers',
  'resource-limit': 'Resource limits',
  config: 'Production configuration',
};

/** How a service fails when it has findings of a category (failure-propagation table). */
const FAILURE_MODE: Record<Category, string> = {
  timeout: 'hangs when a dependency is slow',
  pool: 'runs out of connections under load',
  retry: 'loses work on a transient fault',
  healthcheck: 'looks healthy while broken, or dependants start before it is ready',
  'permanent-failure': 'stays down after a crash or a dependency outage',
  idempotency: 'applies redelivered work twice',
  durability: 'loses data on restart',
  'circuit-breaker': "passes a dependency's failure on to its callers",
  'resource-limit': 'can exhaust the host and take neighbours down',
  config: 'unsafe under failure or attack',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function fileLink(f: Pick<Finding, 'file' | 'line' | 'endLine'>, opts: MarkdownOptions): string {
  const path = displayPath(f.file, opts.pathPrefix);
  const anchor = f.endLine > f.line ? `#L${f.line}-L${f.endLine}` : `#L${f.line}`;
  const href = `${opts.linkBase ?? ''}${path.split('/').map(encodeURIComponent).join('/')}${anchor}`;
  return `[\`${path}:${f.line}\`](${href})`;
}

/** Strips the indentation shared by all non-blank lines of a snippet. */
export function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

interface RuleGroup {
  ruleId: string;
  rule?: RuleMeta;
  priority: Priority;
  findings: Finding[];
}

/** Findings grouped by rule (and priority unless `acrossPriorities`), most urgent and most frequent first. */
function groupByRule(findings: Finding[], rules: Map<string, RuleMeta>, acrossPriorities = false): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const f of findings) {
    const key = acrossPriorities ? f.ruleId : `${f.priority}:${f.ruleId}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ruleId: f.ruleId, rule: rules.get(f.ruleId), priority: f.priority, findings: [] }));
    if (PRIORITY_RANK[f.priority] < PRIORITY_RANK[g.priority]) g.priority = f.priority;
    g.findings.push(f);
  }
  return [...groups.values()].sort(
    (a, b) =>
      PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
      b.findings.length - a.findings.length ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
}

function groupTitle(g: RuleGroup): string {
  return g.rule ? g.rule.title : g.findings[0].ruleName;
}

function whatBreaks(rule: RuleMeta | undefined): string | undefined {
  if (!rule) return undefined;
  return (rule.docs.impact ?? rule.docs.why).trim().replace(/\s*\n\s*/g, ' ');
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

function grade(score: number): string {
  if (score >= 90) return 'sound';
  if (score >= 70) return 'fragile';
  if (score >= 40) return 'at risk';
  return 'critical';
}

function header(result: ScanResult, findings: Finding[], opts: MarkdownOptions): string {
  const langs = Object.entries(result.stats.byLanguage)
    .filter(([, v]) => v.files > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v.files}`);
  const scope = `${plural(result.stats.files, 'file')} scanned${langs.length ? ` (${langs.join(', ')})` : ''}`;
  const lines = [`# ${opts.title ?? 'Resilience audit'}`, ''];
  lines.push(`> faultline ${result.version} · ${scope} · ${plural(findings.length, 'finding')}${opts.timestamp ? ` · ${opts.timestamp}` : ''}`);
  return lines.join('\n');
}

function summary(findings: Finding[], rules: Map<string, RuleMeta>, result: ScanResult, opts: MarkdownOptions): string {
  const counts = countByPriority(findings);
  const out = ['## Executive summary', ''];
  if (!findings.length) {
    out.push('No findings at or above the reporting threshold. Nothing here blocks a release; the score table below shows what was checked.');
    return out.join('\n');
  }
  const parts = PRIORITIES.filter((p) => counts[p]).map((p) => `**${counts[p]} ${p}** (${PRIORITY_MEANING[p]})`);
  out.push(`This audit found ${plural(findings.length, 'resilience hazard')}: ${list(parts)}.`, '');

  const cats = CATEGORIES.filter((c) => findings.some((f) => f.category === c));
  out.push(`| Priority | ${cats.join(' | ')} | Total |`, `|---|${cats.map(() => '---:|').join('')}---:|`);
  for (const p of PRIORITIES) {
    const row = cats.map((c) => String(findings.filter((f) => f.priority === p && f.category === c).length || '·'));
    out.push(`| ${p} | ${row.join(' | ')} | ${counts[p]} |`);
  }
  const totals = cats.map((c) => String(findings.filter((f) => f.category === c).length));
  out.push(`| **All** | ${totals.join(' | ')} | **${findings.length}** |`, '');

  const reach = (g: RuleGroup) => new Set(g.findings.flatMap((f) => blastRadius(f, result.system) ?? [])).size;
  const groups = groupByRule(findings, rules, true)
    .map((g) => ({ g, reach: reach(g) }))
    .sort((a, b) => PRIORITY_RANK[a.g.priority] - PRIORITY_RANK[b.g.priority] || b.reach - a.reach || b.g.findings.length - a.g.findings.length)
    .map(({ g }) => g)
    .slice(0, opts.topRisks ?? 3);
  out.push('### Top risks', '');
  groups.forEach((g, i) => {
    const where = g.findings.slice(0, 3).map((f) => fileLink(f, opts));
    const more = g.findings.length > 3 ? ` and ${g.findings.length - 3} more` : '';
    const radius = [...new Set(g.findings.flatMap((f) => blastRadius(f, result.system) ?? []))].sort();
    const parts = [
      `${i + 1}. **${groupTitle(g)}** (${g.priority}, ${g.ruleId}) in ${plural(g.findings.length, 'place')}: ${where.join(', ')}${more}.`,
    ];
    const breaks = whatBreaks(g.rule);
    if (breaks) parts.push(sentences(breaks, 2));
    if (radius.length) parts.push(`Services affected: ${radius.map((s) => `\`${s}\``).join(', ')}.`);
    if (g.rule) parts.push(`Fix: ${period(fixTitle(g.rule, templateValues(g).values))}`);
    out.push(parts.join(' '), '');
  });
  return out.join('\n').trimEnd();
}

function scoreSection(findings: Finding[], rules: readonly RuleMeta[]): string {
  const scores = categoryScores(findings, rules);
  const out = ['## Resilience score by category', ''];
  out.push('| Category | Score | P0 | P1 | P2 | Rules checked |', '|---|---:|---:|---:|---:|---:|');
  for (const s of scores) {
    out.push(
      `| ${CATEGORY_LABEL[s.category]} (\`${s.category}\`) | **${s.score}** ${grade(s.score)} | ${s.counts.P0} | ${s.counts.P1} | ${s.counts.P2} | ${s.rules} |`,
    );
  }
  out.push(
    '',
    `How it is computed: each category starts at 100 and loses ${SCORE_WEIGHTS.P0} points per P0, ${SCORE_WEIGHTS.P1} per P1 and ${SCORE_WEIGHTS.P2} per P2 finding, never going below 0 (90–100 sound, 70–89 fragile, 40–69 at risk, below 40 critical). A score only covers what the rules can see statically; a category without findings is not proof of resilience.`,
  );
  return out.join('\n');
}

function propagationSection(findings: Finding[], rules: Map<string, RuleMeta>, result: ScanResult): string | undefined {
  const services = result.system?.services;
  if (!services?.length) return undefined;
  const out = ['## Failure propagation', ''];
  out.push(
    'How a failure in each compose service spreads, with the guardrails found and the ones missing (from the findings in that service and its build context).',
    '',
    '| Component | Failure mode | Blast radius | Current guardrail | Missing guardrail |',
    '|---|---|---|---|---|',
  );
  const byService = new Map<(typeof services)[number], Finding[]>();
  for (const f of findings) {
    const svc = serviceOf(f, result.system);
    if (!svc) continue;
    const list = byService.get(svc);
    if (list) list.push(f);
    else byService.set(svc, [f]);
  }
  for (const svc of [...services].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const own = byService.get(svc) ?? [];
    const cats = CATEGORIES.filter((c) => own.some((f) => f.category === c));
    const modes = cats.length ? cats.map((c) => FAILURE_MODE[c]) : ['crashes or stops'];
    const radius = svc.dependents.length ? svc.dependents.map((d) => `\`${d}\``).join(', ') : 'nothing depends on it';
    const have: string[] = [];
    if (svc.healthcheck === 'ok') have.push('healthcheck');
    else if (svc.healthcheck === 'weak') have.push('weak healthcheck');
    else if (svc.healthcheck === 'image-default') have.push("image's healthcheck");
    if (svc.restart && svc.restart !== 'no') have.push(`restart: ${svc.restart}`);
    const missing = [...new Set(own.map((f) => `${f.ruleId} ${rules.get(f.ruleId)?.title ?? f.ruleName}`))].sort();
    if (svc.healthcheck === 'none' || svc.healthcheck === 'disabled') {
      if (!own.some((f) => f.category === 'healthcheck')) missing.push(svc.healthcheck === 'none' ? 'healthcheck' : 'healthcheck (disabled)');
    }
    if (!svc.restart || svc.restart === 'no') {
      if (!own.some((f) => f.category === 'permanent-failure')) missing.push('restart policy');
    }
    out.push(
      `| \`${cell(svc.name)}\` | ${cell(modes.join('; '))} | ${radius} | ${cell(have.join(', ') || 'none found')} | ${cell(missing.join('; ') || '—')} |`,
    );
  }
  return out.join('\n');
}

function findingBlock(f: Finding, result: ScanResult, opts: MarkdownOptions): string {
  const where = f.symbol ? ` in \`${f.symbol}\`` : '';
  const out = [`#### ${fileLink(f, opts)}${where}`, '', f.message.trim().replace(/\.?$/, '.')];
  if (f.snippet?.trim()) out.push('', codeBlock(dedent(f.snippet), fenceLanguage(f.file)));
  const radius = blastRadius(f, result.system);
  const extra: string[] = [];
  if (radius?.length) extra.push(`Blast radius: ${radius.map((s) => `\`${s}\``).join(', ')}.`);
  if (f.priorityReason) extra.push(`Priority ${f.priority}: ${f.priorityReason.trim().replace(/\.?$/, '.')}`);
  if (extra.length) out.push('', extra.join(' '));
  return out.join('\n');
}

/**
 * Values for `{placeholder}`s in a group's rule texts: the service of a compose group. When the
 * group spans several services the texts are written for the first, and `others` names the rest.
 */
function templateValues(g: RuleGroup): { values: Record<string, string>; others: string[] } {
  const compose = g.findings.every((f) => fileLanguage(f.file) === 'compose');
  const services = [...new Set(g.findings.map((f) => f.symbol).filter((c): c is string => !!c))].sort();
  if (!compose || !services.length) return { values: {}, others: [] };
  return { values: { service: services[0] }, others: services.slice(1) };
}

function ruleGuidance(g: RuleGroup): string {
  const rule = g.rule;
  if (!rule) return '';
  const { values, others } = templateValues(g);
  const out: string[] = [];
  out.push(`**Fix.** ${period(fixTitle(rule, values))}`);
  const langs = [...new Set(g.findings.map((f) => fileLanguage(f.file)).filter((l): l is NonNullable<typeof l> => !!l))].sort();
  for (const lang of langs) {
    const code = fixCode(rule, lang);
    if (code) out.push('', codeBlock(code[1], fixFence(code[1], code[0])));
  }
  if (rule.experiment) {
    out.push(
      '',
      '**Verify by experiment.**',
      '',
      `- Break: ${fillTemplate(rule.experiment.break, values)}`,
      `- Observe: ${fillTemplate(rule.experiment.observe, values)}`,
      `- Pass: ${fillTemplate(rule.experiment.pass, values)}`,
    );
    const templated = [rule.fix.title, rule.experiment.break, rule.experiment.observe, rule.experiment.pass].some((t) => t.includes('{service}'));
    if (templated && others.length) out.push('', `Shown for \`${values.service}\`; repeat for ${others.map((o) => `\`${o}\``).join(', ')}.`);
  }
  const refs = [...(rule.docs.cwe ?? []).map(cweLink), `[rule documentation](${ruleDocUrl(rule)})`];
  out.push('', `References: ${refs.join(' · ')}`);
  return out.join('\n');
}

/** One block per rule group; a block is the unit the size limit cuts at. */
function findingSections(findings: Finding[], rules: Map<string, RuleMeta>, result: ScanResult, opts: MarkdownOptions): string[] {
  const blocks: string[] = [];
  const explained = new Map<string, Priority>();
  for (const p of PRIORITIES) {
    const inP = findings.filter((f) => f.priority === p);
    if (!inP.length) continue;
    blocks.push(`## ${p}: ${PRIORITY_MEANING[p]} (${inP.length})`);
    for (const g of groupByRule(inP, rules)) {
      const head = [`### ${g.ruleId} · ${groupTitle(g)} (${g.findings.length})`];
      const earlier = explained.get(g.ruleId);
      const breaks = whatBreaks(g.rule);
      if (earlier) head.push('', `What breaks, the fix and how to verify it: as for ${g.ruleId} under ${earlier} above.`);
      else if (breaks) head.push('', `**What breaks.** ${breaks}`);
      const detailed = g.findings.slice(0, opts.detailsPerRule ?? 10);
      const listed = g.findings.slice(detailed.length);
      const parts = [head.join('\n'), ...detailed.map((f) => findingBlock(f, result, opts))];
      if (listed.length) {
        const lines = listed.map((f) => `- ${fileLink(f, opts)}${f.symbol ? ` in \`${f.symbol}\`` : ''}: ${period(f.message)}`);
        parts.push([`${plural(listed.length, 'more place')}:`, '', ...lines].join('\n'));
      }
      const guidance = earlier ? '' : ruleGuidance(g);
      if (guidance) parts.push(guidance);
      if (g.rule) explained.set(g.ruleId, p);
      blocks.push(parts.join('\n\n'));
    }
  }
  return blocks;
}

function errorsSection(result: ScanResult, opts: MarkdownOptions): string | undefined {
  if (!result.errors.length) return undefined;
  const out = ['## Files not analysed', '', 'These files could not be read or parsed; findings in them are unknown.', ''];
  for (const e of [...result.errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    out.push(`- \`${displayPath(e.file, opts.pathPrefix)}${e.line ? `:${e.line}` : ''}\`: ${e.message.trim()}`);
  }
  return out.join('\n');
}

function scopeSection(result: ScanResult, rules: readonly RuleMeta[], opts: MarkdownOptions): string {
  const out = ['## Scope', ''];
  out.push(`- ${plural(rules.length, 'rule')} checked; ${plural(result.stats.files, 'file')} analysed.`);
  const skipped = Object.entries(result.stats.skipped)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (skipped.length) out.push(`- Skipped: ${skipped.map(([why, n]) => `${why} (${n})`).join(', ')}.`);
  for (const note of opts.notes ?? []) out.push(`- ${note}`);
  out.push('- Static analysis sees code and configuration, not traffic: verify each fix with the experiment given.');
  return out.join('\n');
}

/** Cuts Markdown at the last section boundary (`\n## `, `\n### `, `\n#### `) that keeps it under `maxBytes`, with a note. */
export function truncateMarkdown(md: string, maxBytes: number, note = 'Report truncated to fit; see the full Markdown, JSON or SARIF report.'): string {
  if (Buffer.byteLength(md, 'utf8') <= maxBytes) return md;
  const tail = `\n\n> **${note}**\n`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(tail, 'utf8'));
  let cut = Buffer.from(md, 'utf8').subarray(0, budget).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  const boundary = Math.max(cut.lastIndexOf('\n## '), cut.lastIndexOf('\n### '), cut.lastIndexOf('\n#### '));
  if (boundary > 0) cut = cut.slice(0, boundary);
  else cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  return cut.trimEnd() + tail;
}

export function renderMarkdown(result: ScanResult, rules: readonly RuleMeta[], opts: MarkdownOptions = {}): string {
  const findings = sortFindings(result.findings);
  const byId = ruleMap(rules);
  const sections = [
    header(result, findings, opts),
    summary(findings, byId, result, opts),
    scoreSection(findings, rules),
    propagationSection(findings, byId, result),
    ...findingSections(findings, byId, result, opts),
    errorsSection(result, opts),
    scopeSection(result, rules, opts),
  ].filter((s): s is string => !!s);
  const md = sections.join('\n\n') + '\n';
  if (!opts.maxBytes) return md;
  const omitted = (kept: string) => findings.length - (kept.match(/^(#### |- \[`)/gm)?.length ?? 0);
  const cut = truncateMarkdown(md, opts.maxBytes, 'Report truncated to fit the size limit.');
  if (cut === md) return md;
  return cut.replace(/> \*\*Report truncated to fit the size limit\.\*\*\n$/, `> **Report truncated to fit the size limit: ${plural(omitted(cut), 'finding')} not shown here; see the full Markdown, JSON or SARIF report.**\n`);
}

