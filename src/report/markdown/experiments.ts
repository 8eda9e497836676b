// Failure experiments as a plan: for each top risk, a hypothesis, an injection that runs on the
// reader's own stack (their compose service names filled in), what to watch, what the fix should
// make happen, and how to roll the injection back.
import type { Category } from '../../engine/types.js';
import { period, sentences } from '../common.js';
import { mdCode, mdMessage } from '../escape.js';
import { FAMILY_LABEL } from '../library.js';
import { riskBuckets, ruleTitle, type FindingView, type ReportView } from '../view.js';
import { fileLink, heading, names, plural, type MarkdownOptions } from './shared.js';

/** The fault an experiment injects into a dependency, per category, for the hypothesis sentence. */
const FAULT: Record<Category, string> = {
  timeout: 'stops answering (accepts the connection, never replies)',
  pool: 'slows down until every connection is busy',
  retry: 'is down for a minute',
  healthcheck: 'hangs or starts slowly',
  'permanent-failure': 'restarts',
  idempotency: 'delivers the same message twice',
  durability: 'restarts or is recreated',
  'circuit-breaker': 'fails or stalls',
  'resource-limit': 'uses all the memory or CPU it can get',
  config: 'meets the case the setting is for (a missing secret, a foreign origin)',
};

/** The fault when the finding is about a compose service itself. */
const SERVICE_FAULT: Partial<Record<Category, string>> = {
  'permanent-failure': 'is killed',
  healthcheck: 'hangs or starts slowly',
  durability: 'is recreated',
  'resource-limit': 'uses all the memory or CPU it can get',
};

/** "When <what> <fault>": the part of the stack the injection hits. */
function faultClause(v: FindingView): string {
  const c = v.f.category;
  const compose = /\.ya?ml$/i.test(v.f.file);
  if (compose && v.values.dependency && c === 'healthcheck') return `${mdCode(v.values.dependency)} starts slowly`;
  if (compose && SERVICE_FAULT[c]) return `${v.values.service ? mdCode(v.values.service) : 'the service'} ${SERVICE_FAULT[c]}`;
  if (c === 'idempotency') return 'the broker delivers the same message twice';
  if (c === 'config') return `the service ${FAULT.config}`;
  const backend = v.backendKnown ? v.values.backend : undefined;
  let what = 'the dependency';
  if (backend) what = `${mdCode(backend)}${v.family && v.family !== 'http' ? ` (${FAMILY_LABEL[v.family]})` : ''}`;
  else if (v.family && v.family !== 'http') what = `the ${FAMILY_LABEL[v.family]} server`;
  else if (v.context === 'browser') what = 'the API the page calls';
  return `${what} ${FAULT[c]}`;
}

/** The steady state the fix should keep, per category ({who} is the component under test). */
const HOLDS: Record<Category, string> = {
  timeout: '{who} {keeps|keep} serving: the calls fail after their timeout instead of hanging',
  pool: '{who} {sheds|shed} the excess load instead of queueing or opening connections without end',
  retry: 'no work that was accepted is lost',
  healthcheck: 'Docker marks it unhealthy and its dependants wait for it instead of failing',
  'permanent-failure': '{who} {recovers|recover} on {its|their} own, without a restart by hand',
  idempotency: 'the side effect happens once',
  durability: 'no stored data or queued work is lost',
  'circuit-breaker': 'callers fail fast while it is down and recover when it does',
  'resource-limit': 'only that service is hit; its neighbours keep running',
  config: 'the service refuses the unsafe case',
};

function who(v: FindingView): string {
  if (/\.ya?ml$/i.test(v.f.file)) return 'it';
  if (v.services.length) return names(v.services.map((s) => s.name), 3);
  if (v.context === 'browser') return 'the page';
  if (v.context === 'cli' || v.context === 'build') return 'the command';
  return 'the service';
}

/** The steady state with its verb agreeing with the component: "`api` recovers", "`api`, `worker` and 5 more recover". */
export function holds(v: FindingView): string {
  const plural = !/\.ya?ml$/i.test(v.f.file) && v.services.length > 1;
  return HOLDS[v.f.category].replace('{who}', who(v)).replace(/\{(\w+)\|(\w+)\}/g, (_, one: string, many: string) => (plural ? many : one));
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

export interface PlannedExperiment {
  anchor: string;
  v: FindingView;
  others: number;
}

/** One experiment per top risk that has one, representative finding first (the one reaching most services). */
export function plannedExperiments(view: ReportView, max = 5): PlannedExperiment[] {
  const out: PlannedExperiment[] = [];
  const rulesDone = new Set<string>();
  for (const b of riskBuckets(view)) {
    if (out.length >= max) break;
    if (!b.rule?.experiment || rulesDone.has(b.ruleId)) continue;
    // hygiene (P2) earns an experiment only while the plan is short
    if (b.priority === 'P2' && out.length >= 3) break;
    rulesDone.add(b.ruleId);
    const v = [...b.findings].sort((a, c) => c.reach.length - a.reach.length)[0];
    out.push({ anchor: `exp-${b.anchor}`, v, others: b.findings.length - 1 });
  }
  return out;
}

export function experimentsSection(view: ReportView, opts: MarkdownOptions): string | undefined {
  const planned = plannedExperiments(view);
  if (!planned.length) return undefined;
  const out = [heading(2, 'Failure experiments', 'experiments'), ''];
  out.push(
    'A plan to prove each top fix by breaking something on purpose. Run it on a staging copy of your stack (on another host or VM, where its published ports are free), never first in production: check the steady state (normal traffic, errors and latency as usual), inject, watch, roll back. Run it once before the fix to see the failure, once after to see it contained.',
  );
  if (planned.some((p) => !p.v.backendKnown && p.v.values.backend && p.v.texts?.experiment?.break.includes(p.v.values.backend)))
    out.push(
      '',
      'Commands name services as your compose files do; where the scan could not tell which service a client talks to, they use the usual name (`redis`, `postgres`): put yours in its place.',
    );
  out.push('');
  planned.forEach((p, i) => {
    const { v } = p;
    const e = v.texts!.experiment!;
    const title = ruleTitle(v.f.ruleId, v.rule, v.f.ruleName);
    out.push(heading(3, `${i + 1}. ${mdMessage(title)} (${v.f.priority}, ${v.f.ruleId})`, p.anchor), '');
    const today = v.texts?.impact ? mdMessage(sentences(v.texts.impact, 1)) : undefined;
    out.push(
      `- **Hypothesis.** ${e.hypothesis ? mdMessage(period(e.hypothesis)) : `When ${faultClause(v)}, ${holds(v)}.`}`,
    );
    if (today) out.push(`- **Today** (before the fix): ${today}`);
    out.push(
      `- **Inject.** ${mdMessage(period(e.break))}`,
      `- **Watch.** ${mdMessage(period(e.observe))}`,
      `- **Expected after the fix.** ${mdMessage(period(e.pass))}`,
      `- **Roll back.** ${mdMessage(period(e.rollback))}`,
      `- **Proves the fix for** ${fileLink(v.f, opts)}${p.others ? ` and the ${plural(p.others, 'other finding')} of this rule at ${v.f.priority}` : ''} ([details](#${v.f.ruleId.toLowerCase()}-${v.f.priority.toLowerCase()})).`,
      '',
    );
  });
  return out.join('\n').trimEnd();
}
