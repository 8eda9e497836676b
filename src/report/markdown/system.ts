// The system view: how a failure in one component reaches users (failure-propagation matrix), the
// dependency paths with their weakest link, and the guardrails the scan saw ("already good").
// Components are compose services (with the code that runs in them) and, for code no compose
// service claims, the top folders of the repository.
import { CATEGORIES, PRIORITY_RANK } from '../../engine/types.js';
import type { ModelEntryPoint } from '../../model/types.js';
import type { Category, Priority, RuleLanguage } from '../../engine/types.js';
import { fileLanguage } from '../common.js';
import { familyIn } from '../library.js';
import { mdCode, mdText } from '../escape.js';
import type { Service } from '../system.js';
import { SCORE_WEIGHTS, priorityCounts, ruleTitle, type FindingView, type ReportView } from '../view.js';
import { ENTRY_RANK, SCHEDULER_CMD, WORKER_CMD } from '../../model/reach.js';
import { entryLabels } from '../view.js';
import { CATEGORY_LABEL, CONTEXT_LABEL, entryNames, fileLink, heading, list, names, plural, type MarkdownOptions } from './shared.js';

/** How a component fails when it has findings of a category. */
export const FAILURE_MODE: Record<Category, string> = {
  timeout: 'hangs when a dependency is slow',
  pool: 'runs out of connections under load',
  retry: 'loses work on a transient fault',
  healthcheck: 'looks healthy while broken, or dependants start before it is ready',
  'permanent-failure': 'stays down after a crash or a dependency outage',
  idempotency: 'applies redelivered work twice',
  durability: 'can lose data when it restarts or its container is recreated',
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
  /** the service, or the first of its variants (the same service name in several compose files) */
  service?: Service;
  /** every compose definition of this logical service */
  variants: Service[];
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

/** One logical service per name: `api` in docker-compose.yml, docker-compose-local.yml and deployments/…/docker-compose.yml is one row. */
function serviceKey(s: Service): string {
  return `svc\0${s.name}`;
}

/** "`api`", or "`api` (3 compose variants: `a.yml`, `b.yml`, …)". */
function variantsLabel(name: string, files: string[], inTable: boolean): string {
  if (files.length < 2) return mdCode(name, inTable);
  const shown = files.slice(0, 3).map((f) => mdCode(f, inTable));
  if (files.length > 3) shown.push(`${files.length - 3} more`);
  return `${mdCode(name, inTable)} (${files.length} compose variants: ${shown.join(', ')})`;
}

/** The entry points reaching a component's findings, or run by its code, as user flows (Markdown). */
function entryFlows(findings: FindingView[], variants: Service[], view: ReportView, inTable: boolean): string | undefined {
  const reached = entryLabels(findings);
  if (reached.length) {
    // a finding reached from more entry points than it lists: say "more", without a count the scan does not have
    const truncated = findings.some((v) => v.entryCount > v.entries.length);
    return `users of ${entryNames(reached, 4, inTable)}${truncated ? ' and other entry points' : ''}`;
  }
  const names = new Set(variants.map((s) => s.name));
  const run = (view.model?.entryPoints ?? []).filter((e) => e.services.some((s) => names.has(s)));
  if (!run.length) return undefined;
  const ranked = [...run].sort((a, b) => ENTRY_RANK[a.kind] - ENTRY_RANK[b.kind] || (a.label < b.label ? -1 : 1));
  return `users of ${entryNames([...new Set(ranked.map((e) => e.label))], 3, inTable)} (entry points it runs)`;
}

/** Components: each logical compose service (its variants folded), then code folders no service claims. */
export function components(view: ReportView): Component[] {
  const out = new Map<string, Component>();
  const services = view.system?.services ?? [];
  const sorted = [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const s of sorted) {
    const c = out.get(serviceKey(s));
    if (c) c.variants.push(s);
    else out.set(serviceKey(s), { id: serviceKey(s), label: '', service: s, variants: [s], findings: [], affected: '', languages: new Set(['compose']) });
  }
  for (const v of view.findings) {
    const lang = fileLanguage(v.f.file);
    if (v.services.length) {
      const seen = new Set<Component>();
      for (const s of v.services) {
        const c = out.get(serviceKey(s));
        if (!c || seen.has(c)) continue;
        seen.add(c);
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
      out.set(id, (c = { id, label: `${where}${ctx ? ` (${CONTEXT_LABEL[ctx]})` : ''}`, variants: [], findings: [], affected: '', languages: new Set() }));
    }
    c.findings.push(v);
    if (lang) c.languages.add(lang);
  }
  for (const c of out.values()) {
    const flows = entryFlows(c.findings, c.variants, view, true);
    if (c.service) {
      c.label = variantsLabel(c.service.name, [...new Set(c.variants.map((s) => s.file))], true);
      const users = [...new Set(c.variants.flatMap((s) => s.dependents))].filter((d) => d !== c.service!.name).sort();
      const deps = users.length ? `${names(users, 5, true)} ${users.length === 1 ? 'depends' : 'depend'} on it` : '';
      c.affected = [flows, deps].filter(Boolean).join('; ') || 'its own users and callers (nothing in compose depends on it)';
      continue;
    }
    const ctx = c.findings[0]?.context && c.findings[0].context !== 'service' ? c.findings[0].context : undefined;
    c.affected =
      ctx === 'browser'
        ? 'users of the page (a hung request leaves the UI waiting)'
        : ctx === 'cli' || ctx === 'build'
          ? 'whoever runs it (a developer, a CI job)'
          : ctx === 'test' || ctx === 'example'
            ? 'nobody in production'
            : (flows ?? 'the callers of this code (no compose service runs it, so its reach is unknown)');
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
  const n = c.variants.length;
  const inAll = (test: (x: Service) => boolean) => c.variants.filter(test).length;
  const some = (k: number) => (n > 1 && k < n ? ` in ${k} of ${n} variants` : '');
  if (s) {
    const ok = inAll((x) => x.healthcheck === 'ok');
    const weak = inAll((x) => x.healthcheck === 'weak');
    const img = inAll((x) => x.healthcheck === 'image-default');
    if (ok) have.push(`readiness healthcheck${some(ok)}`);
    else if (weak) have.push(`healthcheck (weak)${some(weak)}`);
    else if (img) have.push(`image's own healthcheck${some(img)}`);
    const policies = [...new Set(c.variants.map((x) => x.restart).filter((r): r is string => !!r && r !== 'no'))].sort();
    // what each one guards against: a restart policy brings back a process that exited, not one
    // that hangs (compose restarts nothing on "unhealthy")
    const hangs = c.findings.some((v) => v.f.category === 'timeout' || v.f.category === 'pool');
    if (policies.length) have.push(`restart: ${policies.map((p) => mdCode(p, true)).join(' / ')}${some(inAll((x) => !!x.restart && x.restart !== 'no'))}${hangs ? ' (after a crash, not a hang)' : ''}`);
  }
  for (const g of codeGuards(c, view)) have.push(g);
  // process-wide defaults (axios.defaults.timeout, socket.setdefaulttimeout) set in this component's code
  const roots = c.variants.flatMap((x) => x.codeRoots ?? []);
  for (const d of view.model?.defaults ?? []) {
    // a process-wide `uncaughtException` handler that keeps the process running is no guardrail:
    // it hides a crash the restart policy would have cleaned up
    if (d.state !== 'set' || d.internal || d.library === 'process') continue;
    const inside = s ? roots.some((r) => r === '' || d.file === r || d.file.startsWith(`${r}/`)) : c.findings.some((v) => v.f.file.startsWith(`${d.scope}/`) || d.scope === '');
    if (inside) have.push(`${mdCode(d.text, true)}`);
  }
  return [...new Set(have)];
}

const GUARD_WORDS: Record<'timeout' | 'pool' | 'retry' | 'breaker', [string, string]> = {
  timeout: ['timeout set', 'timeouts set'],
  pool: ['bounded pool', 'bounded pools'],
  retry: ['retry with backoff', 'retries with backoff'],
  breaker: ['breaker that half-opens', 'breakers that half-open'],
};

/** The code a component runs: its services' code roots, else the folders of its findings. */
function inComponent(file: string, c: Component): boolean {
  const roots = c.variants.flatMap((x) => x.codeRoots ?? []);
  if (c.service) return roots.some((r) => r === '' || file === r || file.startsWith(`${r}/`));
  return c.findings.some((v) => topDir(v.f.file) === topDir(file));
}

/** Guardrails set in the component's code, one phrase per kind: "timeouts set on 4 calls (`httpx.Client timeout`, …)". */
/** Guardrails in service code: a browser tab's AbortController or a test's timeout guards no service. */
function serviceGuards(view: ReportView) {
  return (view.model?.guards ?? []).filter((g) => (view.model?.files[g.file]?.context ?? 'service') === 'service');
}

function codeGuards(c: Component, view: ReportView, inTable = true): string[] {
  const out: string[] = [];
  const guards = serviceGuards(view).filter((g) => inComponent(g.file, c));
  for (const kind of ['timeout', 'pool', 'retry', 'breaker'] as const) {
    const gs = guards.filter((g) => g.kind === kind);
    if (!gs.length) continue;
    const calls = gs.reduce((s, g) => s + g.count, 0);
    const apis = [...new Set(gs.map((g) => g.text))].sort();
    const words = GUARD_WORDS[kind][calls === 1 ? 0 : 1];
    out.push(`${words} on ${plural(calls, 'call')} (${apis.slice(0, 2).map((a) => mdCode(a, inTable)).join(', ')}${apis.length > 2 ? `, ${apis.length - 2} more` : ''})`);
  }
  return out;
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
  const all = components(view).filter((c) => c.service || c.findings.length);
  // a developer, test or example stack's service with nothing found is no part of the running
  // system: one line names them instead of a row each (keep's 40 e2e and provider-demo services)
  const quiet = all.filter((c) => !c.findings.length && c.variants.length && c.variants.every((s) => s.dev || s.oneShot));
  const comps = all.filter((c) => !quiet.includes(c));
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
    // a category whose findings all come from rules that name their own failure mode says that
    // instead (FL781: the database does not start, which loses no data)
    const modeOf = (cat: Category) => {
      const own = [...new Set(c.findings.filter((v) => v.f.category === cat).map((v) => v.rule?.failureMode))];
      return own.length && own.every((m) => m !== undefined) ? own.join('; ') : FAILURE_MODE[cat];
    };
    const modes = cats.length ? cats.map(modeOf) : ['no hazard found; fails only as a whole (crash, stop)'];
    const counts = priorityCounts(c.findings);
    const sev = c.findings.length ? ` **${(['P0', 'P1', 'P2'] as const).filter((p) => counts[p]).map((p) => `${counts[p]} ${p}`).join(', ')}**:` : '';
    const have = guardrailsFound(c, view);
    const missing = guardrailsMissing(c);
    // a service with no healthcheck and no healthcheck finding is one nothing waits on (FL480's
    // premise: plain compose acts on no "unhealthy"); listing it as a gap contradicted a
    // healthcheck score of 100 in the same report
    out.push(`| ${c.label} |${sev} ${modes.join('; ')} | ${c.affected} | ${have.join(', ') || 'none found'} | ${missing.join('; ') || '—'} |`);
  }
  if (quiet.length) {
    const left = [...new Set(quiet.map((c) => c.service!.name))].sort();
    out.push('', `Left out: ${plural(left.length, 'service')} of developer, test or one-shot stacks with no hazard found (${names(left, 8)}).`);
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
  // a request path: the addresses a service is configured with, and what it waits for at start,
  // except where `depends_on` only orders start-up: a worker or scheduler waiting on another
  // application service (beat on its worker, the worker on the backend), or anything waiting on
  // a one-shot job (migrations)
  const backing = (t: Service) => {
    const family = familyIn(t.image) ?? familyIn(t.name);
    return family !== undefined && family !== 'http';
  };
  const background = (s: Service) => !!s.command && (WORKER_CMD.test(s.command) || SCHEDULER_CMD.test(s.command));
  // a service only developer stacks declare carries no user's request (inbox-zero's Google and
  // Microsoft API emulators on the dev stack's redis), unless nothing else is declared at all
  const devOnly = new Set([...byName.keys()].filter((n) => services.filter((s) => s.name === n).every((s) => s.dev)));
  if (devOnly.size === byName.size) devOnly.clear();
  const next = (s: Service) =>
    [...new Set([...s.talksTo, ...s.dependsOn.filter((n) => byName.has(n) && (!background(s) || backing(byName.get(n)!)))])]
      .filter((n) => n !== s.name && byName.has(n) && !byName.get(n)!.oneShot && !devOnly.has(n))
      .sort();
  const isTarget = new Set(services.flatMap((s) => next(s)));
  const entry = (s: Service) => !s.oneShot && !devOnly.has(s.name) && next(s).length > 0;
  let roots = [...byName.values()].filter((s) => entry(s) && !isTarget.has(s.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  // every caller is called back (GrowthBook: the app calls its proxy, the proxy calls the app):
  // no service is only an entry, so each service that calls another starts a path
  if (!roots.length) roots = [...byName.values()].filter(entry).sort((a, b) => (a.name < b.name ? -1 : 1));
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

export function pathsSection(view: ReportView, opts: MarkdownOptions = {}): string | undefined {
  const services = view.system?.services ?? [];
  const code = codePaths(view, opts);
  if (!services.length && !code) return undefined;
  const out = [heading(3, 'Critical paths', 'critical-paths'), ''];
  if (services.length) out.push(...composePaths(view));
  if (code) out.push(...(services.length ? [''] : []), ...code);
  return out.join('\n');
}

function composePaths(view: ReportView): string[] {
  const comps = components(view);
  const byName = new Map<string, Component>();
  for (const c of comps) if (c.service && !byName.has(c.service.name)) byName.set(c.service.name, c);
  const all = criticalPaths(view, 1000);
  const ranked = all
    .map((p) => ({ p, risk: p.reduce((s, n) => s + risk(byName.get(n)), 0) }))
    .sort((a, b) => b.risk - a.risk || b.p.length - a.p.length || (a.p.join() < b.p.join() ? -1 : 1))
    .slice(0, 8);
  const out: string[] = [];
  if (!ranked.length) {
    out.push('No service depends on another in the compose files, so there are no paths to follow; each service fails on its own.');
    return out;
  }
  out.push(
    'Request chains from the compose files, riskiest first: the addresses each service is configured with, and the services it waits for at start (a worker or scheduler waiting on another application service, or anything waiting on a one-shot job, only orders start-up and is left out). A service defined in several compose files counts once. A request that enters at the left needs every service to its right; the weakest link is the service on the path whose findings carry the most risk.',
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
  return out;
}

interface CodePath {
  steps: ModelEntryPoint[];
  findings: FindingView[];
  risk: number;
}

/** What a path's findings wait on: their backends (a compose service or the usual one for the library), else "an external API". */
function pathTargets(findings: FindingView[]): string[] {
  const out = new Set<string>();
  let external = false;
  for (const v of findings) {
    if (v.values.backend) out.add(mdCode(v.values.backend, true));
    else if (v.f.category === 'timeout' || v.f.category === 'circuit-breaker') external = true;
  }
  return [...[...out].sort(), ...(external ? ['an external API'] : [])];
}

/** The worst finding on a path: most urgent, then the rule with the most findings there, then place. */
function weakestOf(findings: FindingView[]): FindingView {
  return [...findings].sort(
    (a, b) =>
      PRIORITY_RANK[a.f.priority] - PRIORITY_RANK[b.f.priority] ||
      findings.filter((v) => v.f.ruleId === b.f.ruleId).length - findings.filter((v) => v.f.ruleId === a.f.ruleId).length ||
      (a.f.file < b.f.file ? -1 : a.f.file > b.f.file ? 1 : a.f.line - b.f.line),
  )[0];
}

/**
 * Paths through code: an entry point (a webhook, a route), the task or job it enqueues, and what
 * their code waits on, with the weakest link on each. Built from the project model's entry points
 * and enqueue links and the findings each entry point reaches.
 */
function codePaths(view: ReportView, opts: MarkdownOptions): string[] | undefined {
  const eps = view.model?.entryPoints ?? [];
  if (!eps.length) return undefined;
  const byId = new Map(eps.map((e) => [e.id, e]));
  const reached = new Map<string, FindingView[]>();
  for (const v of view.findings) for (const e of v.entries) {
    const id = `${e.file}:${e.line}:${e.kind}:${e.label}`;
    reached.set(id, [...(reached.get(id) ?? []), v]);
  }
  const paths: CodePath[] = [];
  const inFlow = new Set<string>();
  for (const fl of view.model?.flows ?? []) {
    const a = byId.get(fl.from);
    const b = byId.get(fl.to);
    if (!a || !b) continue;
    const fs = [...new Set([...(reached.get(a.id) ?? []), ...(reached.get(b.id) ?? [])])];
    inFlow.add(a.id);
    inFlow.add(b.id);
    if (fs.length) paths.push({ steps: [a, b], findings: fs, risk: fs.reduce((s, v) => s + SCORE_WEIGHTS[v.f.priority], 0) });
  }
  for (const e of eps) {
    const fs = reached.get(e.id);
    if (!fs?.length || inFlow.has(e.id)) continue;
    paths.push({ steps: [e], findings: fs, risk: fs.reduce((s, v) => s + SCORE_WEIGHTS[v.f.priority], 0) });
  }
  if (!paths.length) return undefined;
  // variants of one flow (the same labels in several services or files) count once
  const seen = new Set<string>();
  const ranked = paths
    .sort((a, b) => b.risk - a.risk || ENTRY_RANK[a.steps[0].kind] - ENTRY_RANK[b.steps[0].kind] || (a.steps.map((s) => s.label).join() < b.steps.map((s) => s.label).join() ? -1 : 1))
    .filter((p) => {
      const key = p.steps.map((s) => `${s.kind}\0${s.label}`).join('\0');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const shown = ranked.slice(0, 8);
  const out = [
    'Paths through code: an entry point, the work it hands to a worker, and what their code waits on, riskiest first. The findings on a path are those whose code the entry points reach (their own function, callers in the same file, and callers up to two imports away).',
    '',
    '| Path through code | Weakest link | Why |',
    '|---|---|---|',
  ];
  for (const p of shown) {
    const targets = pathTargets(p.findings);
    const steps = p.steps.map((s) => `${mdCode(s.label, true)}${s.services.length ? ` (${s.services.slice(0, 2).map((n) => mdCode(n, true)).join(', ')})` : ''}`);
    const path = `${steps.join(' → enqueue → ')}${targets.length ? ` → ${targets.slice(0, 3).join(', ')}${targets.length > 3 ? ` and ${targets.length - 3} more` : ''}` : ''}`;
    const w = weakestOf(p.findings);
    const counts = priorityCounts(p.findings);
    const others = p.findings.length - 1;
    const why = `${w.f.priority} ${mdText(ruleTitle(w.f.ruleId, w.rule, w.f.ruleName))}${others ? `; ${plural(p.findings.length, 'finding')} on this path (${(['P0', 'P1', 'P2'] as const).filter((x) => counts[x]).map((x) => `${counts[x]} ${x}`).join(', ')})` : ''}`;
    out.push(`| ${path} | ${w.f.ruleId} at ${fileLink(w.f, opts, true)} | ${why} |`);
  }
  if (ranked.length > shown.length) out.push('', `${plural(ranked.length - shown.length, 'more path')} through code with less risk not shown.`);
  return out;
}

/** What the scan saw that works, so a reader knows what not to touch; and what "no finding" means. */
export function alreadyGood(view: ReportView): string | undefined {
  const out = [heading(3, 'Already good', 'already-good'), ''];
  const lines: string[] = [];
  const byName = new Map<string, Service[]>();
  for (const s of view.system?.services ?? []) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, variants] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const good: string[] = [];
    const n = variants.length;
    const of = (k: number) => (n > 1 && k < n ? ` (in ${k} of ${n} compose files)` : '');
    const ok = variants.filter((s) => s.healthcheck === 'ok').length;
    const img = variants.filter((s) => s.healthcheck === 'image-default').length;
    if (ok) good.push(`a healthcheck that probes readiness${of(ok)}`);
    else if (img) good.push(`the image's own healthcheck${of(img)}`);
    const restart = variants.filter((s) => s.restart && s.restart !== 'no');
    const policies = [...new Set(restart.map((s) => s.restart!))].sort();
    if (policies.length) good.push(`restart policy ${policies.map((p) => mdCode(p)).join(' / ')}${of(restart.length)}`);
    const files = [...new Set(variants.map((s) => s.file))];
    if (good.length) lines.push(`- ${mdCode(name)} (${files.slice(0, 3).map((f) => mdCode(f)).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}): ${list(good)}.`);
  }
  // guardrails written in code, per component that runs it
  const comps = components(view);
  const placed = new Set<string>();
  for (const c of comps) {
    const gs = codeGuards(c, view, false);
    const gfiles = serviceGuards(view).filter((g) => inComponent(g.file, c));
    if (!gs.length || gfiles.every((g) => placed.has(`${g.file}:${g.line}:${g.kind}`))) continue;
    for (const g of gfiles) placed.add(`${g.file}:${g.line}:${g.kind}`);
    lines.push(`- In ${c.service ? mdCode(c.service.name) : c.label}: ${list(gs)}.`);
  }
  const unplaced = serviceGuards(view).filter((g) => !placed.has(`${g.file}:${g.line}:${g.kind}`));
  if (unplaced.length) {
    const kinds = (['timeout', 'pool', 'retry', 'breaker'] as const).filter((k) => unplaced.some((g) => g.kind === k));
    const parts = kinds.map((k) => {
      const gs = unplaced.filter((g) => g.kind === k);
      const calls = gs.reduce((s, g) => s + g.count, 0);
      return `${GUARD_WORDS[k][calls === 1 ? 0 : 1]} on ${plural(calls, 'call')}`;
    });
    lines.push(`- Elsewhere in the code: ${list(parts)}.`);
  }
  for (const d of view.model?.defaults ?? []) {
    // a process-wide `uncaughtException` handler that keeps the process running is no guardrail:
    // it hides a crash the restart policy would have cleaned up
    if (d.state !== 'set' || d.internal || d.library === 'process') continue;
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
    'Guardrails the scan saw in place: healthchecks and restart policies in compose, and, in code, timeouts, pool bounds, retry backoff and breaker resets set explicitly where the library leaves them unbounded (library defaults that already bound a call are not counted). Leave these alone when fixing the rest.',
    '',
    ...lines,
  );
  return out.join('\n');
}

export function systemView(view: ReportView, opts: MarkdownOptions = {}): string | undefined {
  const parts = [propagationSection(view), pathsSection(view, opts), alreadyGood(view)].filter((s): s is string => !!s);
  if (!parts.length) return undefined;
  return [heading(2, 'System view', 'system-view'), '', ...parts.flatMap((p) => [p, ''])].join('\n').trimEnd();
}
