// What every part of the Markdown audit (and the terminal summary) reads: each finding with its
// rule, runtime context, backend family, services and texts; findings that share a root cause
// merged into one "cause" (one change closes them all); causes ranked by the risk they carry.
// Built once per report from the ScanResult and, when the engine attached it, the project model.
import { PRIORITY_RANK } from '../engine/types.js';
import type { Category, Effort, Finding, Priority, RuleMeta, RuntimeContext, ScanResult, SystemModel } from '../engine/types.js';
import type { EntryReach, ModelGroup, ProjectModel } from '../model/types.js';
import { ENTRY_RANK } from '../model/reach.js';
import { fileLanguage, ruleMap, sortFindings } from './common.js';
import { FAMILY_SERVICE, backendOf, familyIn, familyOf, type Family } from './library.js';
import { blastRadius, servicesOf, type Service } from './system.js';
import { CLIENT_VARIANTS, findingMessage, textsFor, valuesOf, type FindingTexts } from './texts.js';

/** Points a finding of each priority carries (the category score and the risk ranking use them). */
export const SCORE_WEIGHTS: Record<Priority, number> = { P0: 25, P1: 10, P2: 3 };

/** The effort of one fix by category, when the rule does not say (`fix.effort`). */
const CATEGORY_EFFORT: Record<Category, Effort> = {
  timeout: 'S',
  pool: 'S',
  retry: 'M',
  healthcheck: 'S',
  'permanent-failure': 'M',
  idempotency: 'L',
  durability: 'M',
  'circuit-breaker': 'M',
  'resource-limit': 'S',
  config: 'S',
};
const BIGGER: Record<Effort, Effort> = { S: 'M', M: 'L', L: 'L' };
/** categories whose compose findings are about the service coming back after it fails (a restart policy) */
const AVAILABILITY = new Set<Category>(['permanent-failure']);

export interface FindingView {
  f: Finding;
  rule?: RuleMeta;
  /** the finding's message, with nothing left unfilled */
  message: string;
  context?: RuntimeContext;
  family?: Family;
  /** services whose code or compose entry this is */
  services: Service[];
  /** services hit when it fires: its own and their dependants */
  reach: string[];
  /** entry points (routes, webhooks, tasks, …) whose code reaches it, nearest first (project model) */
  entries: EntryReach[];
  /** how many entry points reach it in all (`entries` lists at most 10) */
  entryCount: number;
  texts?: FindingTexts;
  values: Record<string, string>;
  /** values.backend is a service of the scanned stack (not the usual name for its family) */
  backendKnown: boolean;
  cause: Cause;
}

export type CauseKind = ModelGroup['kind'] | 'single' | 'same-file' | 'compose-file';

/** Findings one change removes: a model group, or one rule in one file. */
export interface Cause {
  key: string;
  /** HTML anchor of its entry in the findings section */
  anchor: string;
  ruleId: string;
  rule?: RuleMeta;
  /** the most urgent priority among its findings */
  priority: Priority;
  kind: CauseKind;
  /** the model's words for what the findings share (repository text: escape it) */
  groupTitle?: string;
  findings: FindingView[];
  /** the location the change is made at */
  file: string;
  line: number;
  reach: string[];
  /** labels of the entry points that reach any of its findings, most exposed first */
  entries: string[];
  /** sum of the findings' SCORE_WEIGHTS */
  weight: number;
  effort: Effort;
  /** how many entry points a failure takes down: those that reach its code, or, for a compose service that stays down, every entry point of the code it runs */
  exposure: number;
}

export interface ReportView {
  result: ScanResult;
  rules: Map<string, RuleMeta>;
  ruleList: readonly RuleMeta[];
  findings: FindingView[];
  /** most urgent and riskiest first */
  causes: Cause[];
  model?: ProjectModel;
  system?: SystemModel;
}

type WithModel = ScanResult & { model?: ProjectModel };

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Cause order: priority, risk carried, entry points and services reached, size, then rule and place. */
/**
 * The one ranking of risk in every part of a report (fix first, top risks, the findings): priority,
 * then the entry points and services a failure reaches, then how much of it there is.
 */
export function compareCauses(a: Cause, b: Cause): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    b.exposure - a.exposure ||
    b.reach.length - a.reach.length ||
    b.weight - a.weight ||
    b.findings.length - a.findings.length ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.file, b.file) ||
    a.line - b.line
  );
}

function contextOf(f: Finding, model: ProjectModel | undefined): RuntimeContext | undefined {
  return f.context ?? model?.files[f.file]?.context;
}

function effortOf(rule: RuleMeta | undefined, findings: FindingView[], kind: CauseKind): Effort {
  const base = rule?.fix.effort ?? (rule ? CATEGORY_EFFORT[rule.category] : 'M');
  if (kind === 'shared-client') return base; // one change at the client
  const files = new Set(findings.map((v) => v.f.file)).size;
  const places = findings.length;
  return files > 10 || places > 20 ? BIGGER[base] : base;
}

/** The file `docker compose -f` needs for a finding in `file`: the stack that pulls it in with `include:`, else the file itself. */
function includer(file: string, system: ScanResult['system']): string {
  return system?.projects?.find((p) => p.id !== file && p.included?.includes(file))?.id ?? file;
}

export function buildView(result: ScanResult, rules: readonly RuleMeta[]): ReportView {
  const byId = ruleMap(rules);
  const model = (result as WithModel).model;
  const system = result.system;
  const groups = new Map((model?.groups ?? []).map((g) => [g.id, g]));
  const causes = new Map<string, Cause>();
  const findings: FindingView[] = [];
  for (const f of sortFindings(result.findings)) {
    const rule = byId.get(f.ruleId);
    const context = contextOf(f, model);
    const values = valuesOf(f, rule, system);
    const compose = fileLanguage(f.file) === 'compose' && /\.ya?ml$/i.test(f.file);
    const owners = servicesOf(f, system);
    // a compose finding about a dependency (depends_on) is about the dependency's backend
    const depImage = compose && values.dependency ? (system?.services.find((s) => s.name === values.dependency)?.image ?? values.dependency) : undefined;
    const family = familyIn(depImage) ?? familyOf(f, system);
    let backendKnown = !!values.backend;
    if (!values.backend) {
      const known = compose ? values.dependency : backendOf(owners, family, system);
      backendKnown = !!known;
      const backend = known ?? (family ? FAMILY_SERVICE[family] : undefined);
      if (backend) values.backend = backend;
    }
    const group = f.group ? groups.get(f.group) : undefined;
    // split by priority so each priority section counts exactly its own findings
    const key = f.group ? `g:${f.group}\0${f.priority}` : `${f.ruleId}\0${f.priority}\0${f.file}`;
    let cause = causes.get(key);
    if (!cause) {
      cause = {
        key,
        anchor: '',
        ruleId: f.ruleId,
        rule,
        priority: f.priority,
        kind: group?.kind ?? (f.group ? 'rule-flood' : 'single'),
        // one compose file's services: the Where column already names them
        groupTitle: group?.kind === 'compose-file' ? undefined : group?.title,
        findings: [],
        file: group?.file ?? f.file,
        line: group?.line ?? f.line,
        reach: [],
        entries: [],
        weight: 0,
        effort: 'S',
        exposure: 0,
      };
      causes.set(key, cause);
    }
    const view: FindingView = {
      f,
      rule,
      message: findingMessage(f),
      context,
      family,
      services: owners,
      reach: blastRadius(f, system) ?? [],
      entries: f.entryPoints ?? [],
      entryCount: f.entryPointCount ?? f.entryPoints?.length ?? 0,
      values,
      backendKnown,
      texts: rule ? textsFor(rule, { family, variant: f.data?.textVariant ?? clientVariant(f), context, values, composeFile: compose ? includer(f.file, system) : (owners.find((s) => s.name === values.service) ?? owners[0])?.file }) : undefined,
      cause,
    };
    cause.findings.push(view);
    if (PRIORITY_RANK[f.priority] < PRIORITY_RANK[cause.priority]) cause.priority = f.priority;
    if (!f.group && cause.findings.length > 1) cause.kind = compose ? 'compose-file' : 'same-file';
    findings.push(view);
  }
  // a compose service that stays down (no restart policy, a probe that never passes) takes every
  // entry point of the code it runs with it: the ranking weighs it so, not as reached by none
  const serviceEntries = new Map<string, number>();
  for (const ep of model?.entryPoints ?? []) for (const name of ep.services) serviceEntries.set(name, (serviceEntries.get(name) ?? 0) + 1);
  const takesDown = (v: FindingView) => (fileLanguage(v.f.file) === 'compose' && AVAILABILITY.has(v.f.category) && v.f.symbol ? serviceEntries.get(v.f.symbol) ?? 0 : 0);
  for (const c of causes.values()) {
    c.reach = [...new Set(c.findings.flatMap((v) => v.reach))].sort();
    c.entries = entryLabels(c.findings);
    c.exposure = Math.max(c.entries.length, ...c.findings.map(takesDown));
    c.weight = c.findings.reduce((s, v) => s + SCORE_WEIGHTS[v.f.priority], 0);
    c.effort = effortOf(c.rule, c.findings, c.kind);
  }
  const ranked = [...causes.values()].sort(compareCauses);
  ranked.forEach((c, i) => (c.anchor = `c${i + 1}-${c.ruleId.toLowerCase()}`));
  return { result, rules: byId, ruleList: rules, findings, causes: ranked, model, system };
}

/** The labels of the entry points that reach these findings, nearest and most exposed first, once each. */
export function entryLabels(views: readonly FindingView[]): string[] {
  // routers mounted under prefixes the model does not follow (briefer's `POST /` in five route
  // files): one label from several files is several entry points, each named with its file
  const files = new Map<string, Set<string>>();
  for (const v of views) for (const e of v.entries) files.set(e.label, (files.get(e.label) ?? new Set()).add(e.file));
  // (and a bare `POST /`, which only a mount elsewhere gives its real path)
  const labelOf = (e: EntryReach) => ((files.get(e.label)?.size ?? 0) > 1 || /^[A-Z]+ \/$/.test(e.label) ? `${e.label} (${e.file})` : e.label);
  const best = new Map<string, EntryReach & { shown: string }>();
  for (const v of views) for (const e of v.entries) {
    const shown = labelOf(e);
    const have = best.get(shown);
    if (!have || e.hops < have.hops || (e.hops === have.hops && ENTRY_RANK[e.kind] < ENTRY_RANK[have.kind])) best.set(shown, { ...e, shown });
  }
  return [...best.values()]
    .sort((a, b) => a.hops - b.hops || ENTRY_RANK[a.kind] - ENTRY_RANK[b.kind] || (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0))
    .map((e) => e.shown);
}

/** Findings of one rule at one priority: the unit the executive summary ranks ("top risks"). */
export interface RiskBucket {
  ruleId: string;
  rule?: RuleMeta;
  priority: Priority;
  findings: FindingView[];
  causes: Cause[];
  reach: string[];
  /** labels of the entry points that reach its findings, most exposed first */
  entries: string[];
  /** entry points a failure takes down (see Cause.exposure), for the ranking */
  exposure: number;
  anchor: string;
}

export function riskBuckets(view: ReportView): RiskBucket[] {
  const buckets = new Map<string, RiskBucket>();
  for (const v of view.findings) {
    const key = `${v.f.priority}:${v.f.ruleId}`;
    let b = buckets.get(key);
    if (!b)
      buckets.set(
        key,
        (b = { ruleId: v.f.ruleId, rule: v.rule, priority: v.f.priority, findings: [], causes: [], reach: [], entries: [], exposure: 0, anchor: `${v.f.ruleId.toLowerCase()}-${v.f.priority.toLowerCase()}` }),
      );
    b.findings.push(v);
    if (!b.causes.includes(v.cause)) b.causes.push(v.cause);
  }
  for (const b of buckets.values()) {
    b.reach = [...new Set(b.findings.flatMap((v) => v.reach))].sort();
    b.entries = entryLabels(b.findings);
  }
  for (const b of buckets.values()) b.exposure = Math.max(b.entries.length, ...b.causes.map((c) => c.exposure));
  return [...buckets.values()].sort(
    (a, b) =>
      PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
      b.exposure - a.exposure ||
      b.reach.length - a.reach.length ||
      b.findings.length - a.findings.length ||
      cmp(a.ruleId, b.ruleId),
  );
}

/** The title a rule is shown with (the rule's, or the finding's rule name for an unknown rule). */
export function ruleTitle(ruleId: string, rule: RuleMeta | undefined, fallback?: string): string {
  return rule?.title ?? fallback ?? ruleId;
}

/** Counts per priority of a list of finding views. */
export function priorityCounts(views: readonly FindingView[]): Record<Priority, number> {
  const c: Record<Priority, number> = { P0: 0, P1: 0, P2: 0 };
  for (const v of views) c[v.f.priority]++;
  return c;
}

/** The client library a finding's call goes through, when texts are written for it (`axios.get` -> axios). */
function clientVariant(f: Finding): string | undefined {
  const root = f.data?.api?.split(/[.(]/)[0];
  return root && CLIENT_VARIANTS.has(root) ? root : undefined;
}
