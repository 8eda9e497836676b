// The system view: how a failure in one component reaches users (failure-propagation matrix), the
// dependency paths with their weakest link, and the guardrails the scan saw ("already good").
// Components are compose services (with the code that runs in them) and, for code no compose
// service claims, the top folders of the repository.
import { CATEGORIES, PRIORITY_RANK } from '../../engine/types.js';
import type { Category, Priority, RuleLanguage } from '../../engine/types.js';
import { fileLanguage } from '../common.js';
import { mdCode, mdText } from '../escape.js';
import type { Service } from '../system.js';
import { SCORE_WEIGHTS, priorityCounts, type FindingView, type ReportView } from '../view.js';
import { CATEGORY_LABEL, CONTEXT_LABEL, heading, list, names, plural, type MarkdownOptions } from './shared.js';

/** How a component fails when it has findings of a category. */
export const FAILURE_MODE: Record<Category, string> = {
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

/** The guardrail a category's findings say is missing. */
const GUARDRAIL: Record<Category, string> = {
  timeout: 'timeouts',
  pool: 'bounded pools',
  retry: 'retries that keep work',
  healthcheck: 'readiness probes',
  'permanent-failure': 'recovery after failure',
  idempotency: 'dedup of redelivered work',
  durability: 'durable storage',
  'circuit-breaker': 'circuit breakers',
  'resource-limit': 'resource limits',
  config: 'safe production settings',
};

export interface Component {
  id: string;
  /** Markdown label */
  label: string;
  service?: Service;
  findings: FindingView[];
  /** who is hit when it fails, in words (Markdown) */
  affected: string;
  languages: Set<RuleLanguage>;
}

function topDir(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return '';
  const monorepo = ['apps', 'packages', 'services', 'libs', 'src', 'cmd', 'internal', 'modules', 'plugins'];
  return monorepo.includes(parts[0]) && parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

function serviceKey(s: Service): string {
  return `${s.name}\0${s.file}`;
}

/** Components: each compose service, then code folders no service claims. */
export function components(view: ReportView): Component[] {
  const out = new Map<string, Component>();
  const services = view.system?.services ?? [];
  const dupNames = new Set(services.filter((s, i) => services.findIndex((o) => o.name === s.name) !== i).map((s) => s.name));
  for (const s of [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : 1))) {
    const label = `${mdCode(s.name, true)}${dupNames.has(s.name) ? ` (${mdCode(s.file, true)})` : ''}`;
    const users = s.dependents.filter((d) => d !== s.name);
    const affected = users.length ? `${names(users, 5, true)} ${users.length === 1 ? 'depends' : 'depend'} on it` : 'its own users and callers (nothing in compose depends on it)';
    out.set(serviceKey(s), { id: serviceKey(s), label, service: s, findings: [], affected, languages: new Set(['compose']) });
  }
  for (const v of view.findings) {
    const lang = fileLanguage(v.f.file);
    if (v.services.length) {
      for (const s of v.services) {
        const c = out.get(serviceKey(s));
        if (!c) continue;
        c.findings.push(v);
        if (lang) c.languages.add(lang);
      }
      continue;
    }
    if (lang === 'compose') continue; // a compose finding with no service (top-level keys): shown with its rule
    const dir = topDir(v.f.file);
    const ctx = v.context && v.context !== 'service' ? v.context : undefined;
    const id = `code\0${dir}\0${ctx ?? ''}`;
    let c = out.get(id);
    if (!c) {
      const where = dir ? mdCode(`${dir}/`, true) : 'repository root';
      const affected =
        ctx === 'browser'
          ? 'users of the page (a hung request leaves the UI waiting)'
          : ctx === 'cli' || ctx === 'build'
            ? 'whoever runs it (a developer, a CI job)'
            : ctx === 'test' || ctx === 'example'
              ? 'nobody in production'
              : 'the callers of this code (no compose service runs it, so its reach is unknown)';
      out.set(id, (c = { id, label: `${where}${ctx ? ` (${CONTEXT_LABEL[ctx]})` : ''}`, findings: [], affected, languages: new Set() }));
    }
    c.findings.push(v);
    if (lang) c.languages.add(lang);
  }
  return [...out.values()];
}

function worst(findings: FindingView[]): Priority | undefined {
  let p: Priority | undefined;
  for (const v of findings) if (!p || PRIORITY_RANK[v.f.priority] < PRIORITY_RANK[p]) p = v.f.priority;
  return p;
}

function guardrailsFound(c: Component, view: ReportView): string[] {
  const have: string[] = [];
  const s = c.service;
  if (s) {
    if (s.healthcheck === 'ok') have.push('readiness healthcheck');
    else if (s.healthcheck === 'weak') have.push('healthcheck (weak)');
    else if (s.healthcheck === 'image-default') have.push("image's own healthcheck");
    if (s.restart && s.restart !== 'no') have.push(`restart: ${mdCode(s.restart, true)}`);
  }
  // process-wide defaults (axios.defaults.timeout, socket.setdefaulttimeout) set in this component's code
  const roots = s ? (s.codeRoots ?? []) : [];
  for (const d of view.model?.defaults ?? []) {
    if (d.state !== 'set' || d.internal) continue;
    const inside = s ? roots.some((r) => r === '' || d.file === r || d.file.startsWith(`${r}/`)) : c.findings.some((v) => v.f.file.startsWith(`${d.scope}/`) || d.scope === '');
    if (inside) have.push(`${mdCode(d.text, true)}`);
  }
  return [...new Set(have)];
}

function guardrailsMissing(c: Component): string[] {
  const out: string[] = [];
  const byCat = new Map<Category, FindingView[]>();
  for (const v of c.findings) byCat.set(v.f.category, [...(byCat.get(v.f.category) ?? []), v]);
  for (const cat of CATEGORIES) {
    const fs = byCat.get(cat);
    if (!fs) continue;
    const rules = [...new Set(fs.map((v) => v.f.ruleId))].sort();
    out.push(`${GUARDRAIL[cat]}: ${fs.length} (${rules.map((r) => `[${r}](#${r.toLowerCase()}-${worstOf(fs, r).toLowerCase()})`).join(', ')})`);
  }
  return out;
}

function worstOf(fs: FindingView[], ruleId: string): Priority {
  return worst(fs.filter((v) => v.f.ruleId === ruleId))!;
}

export function propagationSection(view: ReportView): string | undefined {
  const comps = components(view).filter((c) => c.service || c.findings.length);
  if (!comps.length || (!view.system?.services.length && comps.length < 2)) return undefined;
  const out = [heading(3, 'Failure propagation', 'propagation'), ''];
  out.push(
    'How each component fails, who is hit, and which guardrails the scan found or found missing. Code is tied to a compose service through its build context and mounted sources; a finding in code two services share counts in both.',
    '',
    '| Component | Failure mode | Affected when it fails | Guardrails found | Guardrails missing (findings) |',
    '|---|---|---|---|---|',
  );
  const sorted = [...comps].sort((a, b) => {
    const wa = worst(a.findings);
    const wb = worst(b.findings);
    return (wa ? PRIORITY_RANK[wa] : 9) - (wb ? PRIORITY_RANK[wb] : 9) || b.findings.length - a.findings.length || (a.id < b.id ? -1 : 1);
  });
  for (const c of sorted) {
    const cats = CATEGORIES.filter((cat) => c.findings.some((v) => v.f.category === cat));
    const modes = cats.length ? cats.map((cat) => FAILURE_MODE[cat]) : ['no hazard found; fails only as a whole (crash, stop)'];
    const counts = priorityCounts(c.findings);
    const sev = c.findings.length ? ` **${(['P0', 'P1', 'P2'] as const).filter((p) => counts[p]).map((p) => `${counts[p]} ${p}`).join(', ')}**:` : '';
    const have = guardrailsFound(c, view);
    const missing = guardrailsMissing(c);
    if (c.service && (c.service.healthcheck === 'none' || c.service.healthcheck === 'disabled') && !c.findings.some((v) => v.f.category === 'healthcheck'))
      missing.push(c.service.healthcheck === 'none' ? 'healthcheck (none)' : 'healthcheck (disabled)');
    out.push(`| ${c.label} |${sev} ${modes.join('; ')} | ${c.affected} | ${have.join(', ') || 'none found'} | ${missing.join('; ') || '—'} |`);
  }
  return out.join('\n');
}

/** Risk a component carries: its findings' weights. */
function risk(c: Component | undefined): number {
  return c ? c.findings.reduce((s, v) => s + SCORE_WEIGHTS[v.f.priority], 0) : 0;
}

/** Dependency paths from the services nothing depends on down to the ones that depend on nothing. */
export function criticalPaths(view: ReportView, max = 8): string[][] {
  const services = view.system?.services ?? [];
  if (!services.length) return [];
  const byName = new Map<string, Service>();
  for (const s of services) if (!byName.has(s.name)) byName.set(s.name, s);
  const next = (s: Service) => [...new Set([...s.dependsOn, ...s.talksTo])].filter((n) => n !== s.name && byName.has(n)).sort();
  const isTarget = new Set(services.flatMap((s) => next(s)));
  const roots = [...byName.values()].filter((s) => !isTarget.has(s.name) && next(s).length).sort((a, b) => (a.name < b.name ? -1 : 1));
  const paths: string[][] = [];
  const walk = (path: string[]) => {
    if (paths.length >= max * 4) return;
    const here = byName.get(path[path.length - 1])!;
    const nexts = next(here).filter((n) => !path.includes(n));
    if (!nexts.length || path.length >= 6) {
      if (path.length > 1) paths.push(path);
      return;
    }
    for (const n of nexts) walk([...path, n]);
  };
  for (const r of roots) walk([r.name]);
  return paths;
}

export function pathsSection(view: ReportView): string | undefined {
  const services = view.system?.services ?? [];
  if (!services.length) return undefined;
  const comps = components(view);
  const byName = new Map<string, Component>();
  for (const c of comps) if (c.service && !byName.has(c.service.name)) byName.set(c.service.name, c);
  const all = criticalPaths(view, 1000);
  const ranked = all
    .map((p) => ({ p, risk: p.reduce((s, n) => s + risk(byName.get(n)), 0) }))
    .sort((a, b) => b.risk - a.risk || b.p.length - a.p.length || (a.p.join() < b.p.join() ? -1 : 1))
    .slice(0, 8);
  const out = [heading(3, 'Critical paths', 'critical-paths'), ''];
  if (!ranked.length) {
    out.push('No service depends on another in the compose files, so there are no paths to follow; each service fails on its own.');
    return out.join('\n');
  }
  out.push(
    'Dependency chains from the compose files (`depends_on` and the addresses services are configured with), riskiest first. A request that enters at the left needs every service to its right; the weakest link is the service on the path whose findings carry the most risk.',
    '',
    '| Path | Weakest link | Why |',
    '|---|---|---|',
  );
  for (const { p } of ranked) {
    let weakest: Component | undefined;
    for (const n of p) {
      const c = byName.get(n);
      if (c && risk(c) > risk(weakest)) weakest = c;
    }
    const why = weakest
      ? (() => {
          const counts = priorityCounts(weakest.findings);
          const top = worst(weakest.findings)!;
          const cats = CATEGORIES.filter((cat) => weakest!.findings.some((v) => v.f.category === cat && v.f.priority === top));
          return `${(['P0', 'P1', 'P2'] as const).filter((x) => counts[x]).map((x) => `${counts[x]} ${x}`).join(', ')}; no ${list(cats.map((cat) => GUARDRAIL[cat]), 'or')} at ${top}`;
        })()
      : 'no finding on this path';
    out.push(`| ${p.map((n) => mdCode(n, true)).join(' → ')} | ${weakest ? mdCode(weakest.service!.name, true) : '—'} | ${why} |`);
  }
  if (all.length > ranked.length) out.push('', `${plural(all.length - ranked.length, 'more path')} with less risk not shown.`);
  out.push(
    '',
    'Paths through code (a webhook that enqueues work for a worker that writes to the database) need the entry points of the project model; where the scan knows them they show up in each finding as the services it reaches.',
  );
  return out.join('\n');
}

/** What the scan saw that works, so a reader knows what not to touch; and what "no finding" means. */
export function alreadyGood(view: ReportView): string | undefined {
  const out = [heading(3, 'Already good', 'already-good'), ''];
  const lines: string[] = [];
  for (const s of [...(view.system?.services ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const good: string[] = [];
    if (s.healthcheck === 'ok') good.push('a healthcheck that probes readiness');
    else if (s.healthcheck === 'image-default') good.push("the image's own healthcheck");
    if (s.restart && s.restart !== 'no') good.push(`restart policy ${mdCode(s.restart)}`);
    if (good.length) lines.push(`- ${mdCode(s.name)} (${mdCode(s.file)}): ${list(good)}.`);
  }
  for (const d of view.model?.defaults ?? []) {
    if (d.state !== 'set' || d.internal) continue;
    const under = d.scope ? mdCode(`${d.scope}/`) : 'the repository';
    // `does` is our own sentence, with no markup of its own: escaped all the same
    lines.push(`- ${mdCode(d.text)} (${mdCode(`${d.file}:${d.line}`)}) ${d.does ? `${mdText(d.does)} under ${under}` : `bounds every ${mdText(d.library)} call under ${under}`}.`);
  }
  // categories whose rules ran on the languages scanned and found nothing
  const scanned = new Set(
    Object.entries(view.result.stats.byLanguage)
      .filter(([, v]) => v.files > 0)
      .map(([k]) => k),
  );
  const clean: string[] = [];
  for (const cat of CATEGORIES) {
    const applicable = view.ruleList.filter((r) => r.category === cat && r.languages.some((l) => scanned.has(l)));
    if (!applicable.length || view.findings.some((v) => v.f.category === cat)) continue;
    clean.push(`${CATEGORY_LABEL[cat].toLowerCase()} (${plural(applicable.length, 'rule')})`);
  }
  if (clean.length) lines.push(`- No findings for ${list(clean)}. Static rules only see what is written; this is a good sign, not proof.`);
  if (!lines.length) return undefined;
  out.push(
    'Guardrails the scan saw in place. Leave these alone when fixing the rest. (Bounded pools, half-opening breakers and retries with backoff do not produce findings, so they show up here only as categories with none.)',
    '',
    ...lines,
  );
  return out.join('\n');
}

export function systemView(view: ReportView): string | undefined {
  const parts = [propagationSection(view), pathsSection(view), alreadyGood(view)].filter((s): s is string => !!s);
  if (!parts.length) return undefined;
  return [heading(2, 'System view', 'system-view'), '', ...parts.flatMap((p) => [p, ''])].join('\n').trimEnd();
}
