// The findings, P0 -> P2, one block per rule: what breaks, one entry per root cause (a group
// collapses into one entry with its locations under <details>), the fix as code for the finding's
// library and language, and how to verify it.
import { PRIORITIES } from '../../engine/types.js';
import type { Priority } from '../../engine/types.js';
import { cweLink } from '../../docs/rule-doc.js';
import { PRIORITY_MEANING, PRIORITY_RANK, fenceLanguage, fileLanguage, fixFence, period, ruleDocUrl } from '../common.js';
import { htmlText, mdCode, mdCodeBlock, mdMessage, mdText } from '../escape.js';
import { compareCauses, riskBuckets, ruleTitle, type Cause, type FindingView, type ReportView, type RiskBucket } from '../view.js';
import { plannedExperiments } from './experiments.js';
import { causeScope, entryNames, fileLink, heading, message, names, plural, variantLabel, whereLabel, type MarkdownOptions } from './shared.js';

/** Strips the indentation shared by all non-blank lines of a snippet. */
export function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

function locationLine(v: FindingView, opts: MarkdownOptions): string {
  const where = whereLabel(v);
  return `${fileLink(v.f, opts)}${v.f.symbol ? ` in ${mdCode(v.f.symbol)}` : ''}${where ? ` · ${where}` : ''}`;
}

function findingBody(v: FindingView): string[] {
  const out = [message(v)];
  if (v.f.snippet?.trim()) out.push('', mdCodeBlock(dedent(v.f.snippet), fenceLanguage(v.f.file)));
  const extra: string[] = [];
  if (v.entries.length) extra.push(`Reached from ${entryNames(v.entries.map((e) => e.label), 4, false, v.entryCount)}.`);
  if (v.reach.length) extra.push(`${v.entries.length ? 'Services hit: ' : 'Reaches '}${names(v.reach)}.`);
  if (v.f.priorityReason) extra.push(`Priority ${v.f.priority}: ${mdMessage(period(v.f.priorityReason))}`);
  if (extra.length) out.push('', extra.join(' '));
  return out;
}

/** One line per finding; the message only where it says more than the first one does. */
function locationList(views: FindingView[], opts: MarkdownOptions, firstShown = true): string {
  const shape = (v: FindingView) => (v.f.symbol ? v.message.split(v.f.symbol).join('\0') : v.message);
  const same = firstShown && views.every((v) => shape(v) === shape(views[0]));
  return views.map((v) => `- ${locationLine(v, opts)}${same ? '' : `: ${message(v)}`}`).join('\n');
}

/** `<details>` whose summary is plain text we wrote (counts, rule ids) made safe anyway. */
function details(summary: string, body: string): string {
  return `<details><summary>${htmlText(summary)}</summary>\n\n${body}\n\n</details>`;
}

function causeEntry(c: Cause, opts: MarkdownOptions): string {
  const [first, ...rest] = c.findings;
  if (!rest.length) return [`**${locationLine(first, opts)}**`, '', ...findingBody(first)].join('\n');
  // the scope of a same-file cause would say its count a second time ("2 places: app.py (2 places)")
  const scope = c.kind === 'same-file' ? fileLink(c, opts) : causeScope(c, opts);
  const head = `**${plural(c.findings.length, 'place')}: ${scope}**${c.groupTitle ? ` — ${mdMessage(period(c.groupTitle))}` : ''}`;
  const out = [head, '', `First: ${locationLine(first, opts)}`, '', ...findingBody(first)];
  out.push('', details(c.findings.length === 2 ? 'Both locations' : `All ${c.findings.length} locations`, locationList(c.findings, opts)));
  return out.join('\n');
}

function fixBlock(b: RiskBucket): string[] {
  const out: string[] = [];
  // one fix per variant (library / context) and per fix as filled in (a healthcheck probes each
  // service's own port), most common first
  const group = (withFill: boolean) => {
    const m = new Map<string, FindingView[]>();
    for (const v of b.findings) {
      const key = `${v.texts?.variants.join('+') ?? ''}\0${withFill ? (v.texts?.fixTitle ?? '') : ''}`;
      m.set(key, [...(m.get(key) ?? []), v]);
    }
    return m;
  };
  // (past four fills the fixes differ only in names: one per variant, filled for the first)
  let byVariant = group(true);
  if (byVariant.size > 4) byVariant = group(false);
  const variants = [...byVariant.entries()].sort((a, c) => c[1].length - a[1].length || (a[0] < c[0] ? -1 : 1));
  for (const [key, vs] of variants) {
    const t = vs[0].texts;
    if (!t) continue;
    const vk = key.split('\0')[0];
    // which findings this fix is for: their library or context when those differ, else the
    // services (or files) it is filled in for
    const whose = () => {
      const syms = [...new Set(vs.map((v) => v.f.symbol ?? v.f.file))];
      return `For ${names(syms, 4)}`;
    };
    const shared = variants.filter(([k]) => k.split('\0')[0] === vk).length > 1;
    const label =
      variants.length > 1 ? ` _${vk && !shared && variantLabel(vk.split('+')) ? `For ${variantLabel(vk.split('+'))}` : whose()} (${plural(vs.length, 'finding')})_:` : '';
    out.push(`**Fix.**${label} ${mdMessage(period(t.fixTitle))}`);
    const langs = [...new Set(vs.map((v) => fileLanguage(v.f.file)).filter((l): l is NonNullable<typeof l> => !!l))].sort();
    for (const lang of langs) {
      const code = t.fixCode(lang);
      if (code) out.push('', mdCodeBlock(code, fixFence(code, lang)));
    }
    out.push('');
  }
  return out;
}

function verifyBlock(b: RiskBucket, planned: Map<string, number>): string[] {
  const v = b.findings[0];
  const e = v.texts?.experiment;
  if (!e) return [];
  const n = planned.get(`exp-${b.anchor}`);
  if (n !== undefined) return [`**Verify by experiment:** [experiment ${n}](#exp-${b.anchor}) in the plan above.`, ''];
  return [
    '**Verify by experiment.**',
    '',
    `- Break: ${mdMessage(period(e.break))}`,
    `- Observe: ${mdMessage(period(e.observe))}`,
    `- Pass: ${mdMessage(period(e.pass))}`,
    `- Roll back: ${mdMessage(period(e.rollback))}`,
    '',
  ];
}

/** One block per rule and priority; a block is the unit the size limit cuts at. */
export function findingSections(view: ReportView, opts: MarkdownOptions): string[] {
  const blocks: string[] = [];
  if (!view.findings.length) return blocks;
  const planned = new Map(plannedExperiments(view).map((p, i) => [p.anchor, i + 1]));
  // a rule is explained once per variant (Redis, browser code, …): later blocks point back
  const explained = new Map<string, Priority>();
  const buckets = riskBuckets(view);
  blocks.push(
    [
      heading(2, 'Findings', 'findings'),
      '',
      'Every finding, most urgent first, one block per rule. Findings that share a root cause (a shared client, one compose file, sibling files) are one entry with their locations folded under it.',
    ].join('\n'),
  );
  for (const p of PRIORITIES) {
    // the order of the top risks: entry points reached, services hit, then how many places
    const inP = buckets.filter((b) => b.priority === p);
    if (!inP.length) continue;
    const n = inP.reduce((s, b) => s + b.findings.length, 0);
    blocks.push(heading(3, `${p}: ${PRIORITY_MEANING[p]} (${n})`, p.toLowerCase()));
    for (const b of inP) blocks.push(ruleBlock(b, view, opts, explained, planned));
  }
  return blocks;
}

function ruleBlock(b: RiskBucket, view: ReportView, opts: MarkdownOptions, explained: Map<string, Priority>, planned: Map<string, number>): string {
  const title = ruleTitle(b.ruleId, b.rule, b.findings[0].f.ruleName);
  const out = [heading(4, `${b.ruleId} · ${mdText(title)} (${b.findings.length})`, b.anchor), ''];
  const variantKey = `${b.ruleId}|${b.findings[0].texts?.variants.join('+') ?? ''}`;
  const earlier = explained.get(variantKey);
  const impact = b.findings[0].texts?.impact;
  if (earlier) out.push(`What breaks, the fix and how to verify it: as for [${b.ruleId} under ${earlier}](#${b.ruleId.toLowerCase()}-${earlier.toLowerCase()}) above.`, '');
  else if (impact) out.push(`**What breaks.** ${mdMessage(impact)}`, '');
  const causes = [...b.causes].sort(compareCauses);
  const shown = causes.slice(0, opts.detailsPerRule ?? 10);
  const folded = causes.slice(shown.length);
  for (const c of shown) out.push(causeEntry(c, opts), '');
  if (folded.length) {
    const views = folded.flatMap((c) => c.findings);
    out.push(details(`${plural(views.length, 'more finding')} of ${b.ruleId} at ${b.priority}`, locationList(views, opts, false)), '');
  }
  if (!earlier) {
    out.push(...fixBlock(b), ...verifyBlock(b, planned));
    if (b.rule) {
      const refs = [...(b.rule.docs.cwe ?? []).map(cweLink), `[rule documentation](${ruleDocUrl(b.rule)})`, `\`faultline explain ${b.ruleId}\``];
      out.push(`References: ${refs.join(' · ')}`);
    }
    explained.set(variantKey, b.priority);
  }
  return out.join('\n').trimEnd();
}

export { PRIORITY_RANK };
