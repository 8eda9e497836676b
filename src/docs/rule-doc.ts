// The one rendering of a rule's documentation. `faultline explain`, docs/rules/<name>.md and the
// SARIF `help.markdown` all print ruleHelpMarkdown(rule), so they can never disagree.
import type { RuleMeta, RuleLanguage } from '../engine/types.js';
import { PRIORITY_MEANING, codeBlock, fenceLanguage, fillCode, fillTemplate, firstSentence, fixFence, fixTitle, ruleDocUrl } from '../report/common.js';

const LANGUAGE_LABEL: Record<RuleLanguage, string> = {
  python: 'Python',
  typescript: 'TypeScript / JavaScript',
  compose: 'Docker Compose',
};

export function cweUrl(cwe: string): string {
  return `https://cwe.mitre.org/data/definitions/${cwe.replace(/^CWE-/, '')}.html`;
}

export function cweLink(cwe: string): string {
  return `[${cwe}](${cweUrl(cwe)})`;
}

function paragraph(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

function languageLabel(lang: string): string {
  return LANGUAGE_LABEL[lang as RuleLanguage] ?? lang;
}

/** The entries of a per-language map, in the rule's language order (unknown keys last, sorted). */
function perLanguage<T>(rule: RuleMeta, map: Record<string, T> | undefined): Array<[string, T]> {
  if (!map) return [];
  const order = [...rule.languages, ...Object.keys(map).filter((k) => !rule.languages.includes(k as RuleLanguage)).sort()];
  return order.filter((lang) => map[lang] !== undefined).map((lang) => [lang, map[lang]]);
}

/** The rule's fix as a code change for one language (or the first one written). */
export function fixCode(rule: RuleMeta, lang?: string): [string, string] | undefined {
  const blocks = perLanguage(rule, rule.fix.code).map(([l, c]): [string, string] => [l, fillCode(c)]);
  return blocks.find(([l]) => l === lang) ?? (lang ? undefined : blocks[0]);
}

export function ruleMetaLine(rule: RuleMeta): string {
  const parts = [
    `\`${rule.name}\``,
    `**${rule.priority}** (${PRIORITY_MEANING[rule.priority]})`,
    `category \`${rule.category}\``,
    `confidence ${rule.confidence}`,
    rule.languages.map(languageLabel).join(', '),
  ];
  if (rule.optIn) parts.push(`opt-in (\`--extend-select ${rule.id}\`)`);
  if (rule.docs.cwe?.length) parts.push(rule.docs.cwe.map(cweLink).join(', '));
  return parts.join(' · ');
}

/** Markdown documentation of a rule: why, impact, fix, examples, experiment, limitations, references. */
export function ruleHelpMarkdown(rule: RuleMeta): string {
  const out: string[] = [`# ${rule.id} · ${rule.title}`, '', ruleMetaLine(rule), ''];
  out.push('## Why it matters', '', rule.docs.why.trim(), '');
  const impact = paragraph(rule.docs.impact);
  if (impact) out.push('## What breaks', '', impact, '');
  out.push('## How to fix', '', fixTitle(rule), '');
  for (const [lang, raw] of perLanguage(rule, rule.fix.code)) {
    const code = fillCode(raw);
    out.push(`${languageLabel(lang)}:`, '', codeBlock(code, fixFence(code, lang)), '');
  }
  const examples = perLanguage(rule, rule.docs.examples);
  if (examples.length) {
    out.push('## Examples', '');
    for (const [lang, ex] of examples) {
      out.push(`### ${languageLabel(lang)}`, '', 'Flagged:', '', codeBlock(ex.bad, fenceLanguage(lang)), '');
      out.push('Fixed:', '', codeBlock(ex.good, fenceLanguage(lang)), '');
    }
  }
  if (rule.experiment) {
    out.push('## Verify the fix by experiment', '');
    out.push(`- **Break:** ${fillTemplate(rule.experiment.break)}`);
    out.push(`- **Observe:** ${fillTemplate(rule.experiment.observe)}`);
    out.push(`- **Pass:** ${fillTemplate(rule.experiment.pass)}`, '');
  }
  const limitations = paragraph(rule.docs.limitations);
  if (limitations) out.push('## Limitations', '', limitations, '');
  const refs = [...(rule.docs.references ?? []), ...(rule.docs.cwe ?? []).map(cweUrl)];
  if (refs.length) {
    out.push('## References', '');
    for (const ref of refs) out.push(`- <${ref}>`);
    out.push('');
  }
  out.push(`To accept one occurrence, add the comment \`faultline: ignore[${rule.id}] <reason>\` on its line or alone on the line above.`, '');
  return out.join('\n');
}

/** Plain-text help (SARIF `help.text`, shown where Markdown is not rendered). */
export function ruleHelpText(rule: RuleMeta): string {
  const lines = [`${rule.id} ${rule.title} (${rule.priority}, ${rule.category}).`, '', rule.docs.why.trim(), '', `Fix: ${fixTitle(rule)}`];
  if (rule.experiment) lines.push('', `Verify: break ${fillTemplate(rule.experiment.break)} Pass: ${fillTemplate(rule.experiment.pass)}`);
  lines.push('', `Documentation: ${ruleDocUrl(rule)}`);
  return lines.join('\n');
}

/** One sentence on why the rule matters, for tables and SARIF fullDescription. */
export function ruleSummary(rule: RuleMeta): string {
  return firstSentence(rule.docs.why);
}
