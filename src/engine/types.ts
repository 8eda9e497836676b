// Shapes shared by the engine, the CLI and the reporters.
import type { Loc } from '../languages/types.js';

export const CATEGORIES = [
  'timeout',
  'pool',
  'retry',
  'healthcheck',
  'permanent-failure',
  'idempotency',
  'durability',
  'circuit-breaker',
  'resource-limit',
  'config',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const PRIORITIES = ['P0', 'P1', 'P2'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** P0 ranks first: smaller is more urgent. */
export const PRIORITY_RANK: Record<Priority, number> = { P0: 0, P1: 1, P2: 2 };
/**
 * The one `fail-on` default: the CLI, `faultline init`'s starter file and the Action's input
 * (action.yml, checked by a test) agree on it. P1: fail on what degrades or cascades under stress.
 */
export const DEFAULT_FAIL_ON: Priority = 'P1';

/** Where code runs. Fixed names, used in JSON (`context`), SARIF properties and config. */
export const RUNTIME_CONTEXTS = ['service', 'browser', 'cli', 'build', 'example', 'test'] as const;
export type RuntimeContext = (typeof RUNTIME_CONTEXTS)[number];

export interface RelatedLocation {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message?: string;
}

export type Confidence = 'high' | 'medium' | 'low';
export type RuleLanguage = 'python' | 'typescript' | 'compose';

/** A rule as loaded from rules/<family>/<name>.yaml (validated against rules/rule.schema.json). */
export interface RuleMeta {
  id: string; // stable code, e.g. FL101
  name: string; // hazard slug, e.g. http-call-without-timeout
  title: string;
  category: Category;
  priority: Priority;
  confidence: Confidence;
  /** not in the default rule set: runs only when `select` / `extend-select` names it */
  optIn?: boolean;
  languages: RuleLanguage[];
  since?: string;
  /** declarative matcher block (closed vocabulary, see src/engine/matchers/) */
  match?: Record<string, unknown>;
  /** the rule has a code check, src/engine/checks/<rule name>.ts (the value is the rule's name), when the vocabulary cannot express it */
  check?: string;
  /** the check runs on every parsed file of its languages: its gate only decides whether to parse */
  runsOnEveryFile?: boolean;
  /** check rules: the catalog roles, sections and tags the check reads (docs/catalog-roles.md) */
  reads?: { roles?: string[]; sections?: string[]; tags?: string[] };
  /** rule-specific options for the check / matcher */
  options?: Record<string, unknown>;
  /** cheap text gate: the file is analysed for this rule only if one of these regexes matches (one list, or one per language) */
  gate?: string[] | Partial<Record<'python' | 'typescript', string[]>>;
  /** check rules: gate on the modules/globals of the catalog APIs with these roles (what `match.call` rules get) */
  gateRoles?: string[];
  adjust?: Array<{ when: Record<string, unknown>; priority: Priority | 'skip'; why?: string }>;
  message: string;
  fix: { title: string; code?: Record<string, string>; effort?: Effort };
  docs: {
    why: string;
    /** what fails and how far it spreads */
    impact?: string;
    examples?: Record<string, { bad: string; good: string }>;
    limitations?: string;
    references?: string[];
    cwe?: string[];
  };
  experiment?: { break: string; observe: string; pass: string; rollback?: string; hypothesis?: string };
  /** how a component with this finding fails (report propagation table), when the category's sentence does not fit */
  failureMode?: string;
  /**
   * Texts for one library family (`redis`, `postgres`, `nats`, …) or runtime context (`browser`,
   * `cli`, …) that replace the base ones for findings of that family or context; reports pick them.
   */
  variants?: Record<string, RuleVariant>;
  /** file the rule was loaded from, relative to the rules dir (set by the loader) */
  source?: string;
}

/** How much work a fix is: S = minutes in one place, M = a few hours or several places, L = a design change. */
export type Effort = 'S' | 'M' | 'L';

/** Library- or context-specific texts of a rule (rule YAML `variants:`); every field is optional. */
export interface RuleVariant {
  impact?: string;
  fix?: { title?: string; code?: Record<string, string> };
  experiment?: { break?: string; observe?: string; pass?: string; rollback?: string; hypothesis?: string };
}

/** What a matcher/check returns before priorities, suppressions and fingerprints are applied. */
export interface FindingDraft {
  ruleId: string;
  loc: Loc;
  message: string;
  /** values for the message template and reports ({callee}, {knob}, {service}, …) */
  data?: Record<string, string>;
  /** override the rule's default priority for this finding (may only lower, or be set by adjust) */
  priority?: Priority;
  /** why the priority differs from the default */
  priorityReason?: string;
  /** the enclosing function / compose service name: part of the fingerprint, shown in reports */
  symbol?: string;
  /** for compose: the file the location is in when it differs from the primary file */
  file?: string;
  /** context the engine's `adjust` clauses test (scope of the call, tags of the matched API) */
  where?: { scope?: import('../languages/types.js').Scope; apiTags?: string[] };
}

export interface Finding {
  ruleId: string;
  ruleName: string;
  category: Category;
  priority: Priority;
  file: string; // relative POSIX path from scan root
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fingerprint: string;
  /** the enclosing function / compose service name (part of the fingerprint), for reports */
  symbol?: string;
  /** where the code runs (project model); the priority above is already the one for this context */
  context?: RuntimeContext;
  /** findings that share one root cause share this key (JSON `group`); the cause is the group's first location */
  group?: string;
  /** other locations of the same cause (SARIF relatedLocations): call sites of a shared client, sibling files */
  related?: RelatedLocation[];
  /** the values the message was rendered from (callee, api, knob, service, …): for the model and reports, not JSON */
  data?: Record<string, string>;
  priorityReason?: string;
  /** services affected if this fires (system model), filled by the engine when known */
  blastRadius?: string[];
  /** entry points (routes, webhooks, tasks, consumers, schedules, commands) whose code reaches this finding, nearest first (project model) */
  entryPoints?: import('../model/types.js').EntryReach[];
  /** how many entry points reach it in all (`entryPoints` lists at most 10) */
  entryPointCount?: number;
  /** the source line(s) of the finding, for reports */
  snippet?: string;
}

export interface ScanError {
  file: string;
  message: string;
  line?: number;
}

export interface ScanResult {
  version: string;
  findings: Finding[];
  errors: ScanError[];
  stats: { files: number; skipped: Record<string, number>; byLanguage: Record<string, { files: number; bytes: number }> };
  /** the system model built from compose files and code, for reports */
  system?: SystemModel;
  /** problems worth a line on stderr that are not about one finding (unknown ids in suppressions) */
  warnings?: string[];
  /** the project model: contexts, services, process-wide defaults, root-cause groups */
  model?: import('../model/types.js').ProjectModel;
}

export interface SystemModel {
  services: Array<{
    name: string;
    file: string;
    image?: string;
    /** what the catalog knows the image to be (compose-images `service`: postgres for pgvector/pgvector) */
    backing?: string;
    build?: string;
    /** the Dockerfile it is built from (relative to the scan root) and the stage built */
    dockerfile?: string;
    buildTarget?: string;
    dependsOn: string[];
    /** services this one talks to, from environment URLs and code */
    talksTo: string[];
    healthcheck: 'none' | 'disabled' | 'weak' | 'ok' | 'image-default';
    restart?: string;
    /** services that (transitively) depend on this one */
    dependents: string[];
    /** the project (its primary compose file) this service belongs to */
    project?: string;
    /** directories whose code runs in this service: the build context and bind-mounted sources */
    codeRoots?: string[];
    /**
     * code roots the image holds whose server-side code it never runs: workspace libraries its own
     * app imports only in browser code (briefer's `web` holds packages/database for its types);
     * set by the project model
     */
    browserOnlyRoots?: string[];
    /** entrypoint + command as written */
    command?: string;
    /** the repository's shell script the container starts with (its ENTRYPOINT or command), when read */
    startScript?: string;
    /** runs to completion (migrate, init, seed, `restart: "no"` jobs) */
    oneShot?: boolean;
    /** declared only in a developer file (override, *.dev.yml, .devcontainer) */
    dev?: boolean;
  }>;
  /** compose projects: which files are merged together (base + overrides, `include:`) */
  projects?: Array<{ id: string; files: string[]; /** the files reached through `include:` */ included?: string[] }>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The one order of findings in every output: priority, file, line, column, rule, fingerprint. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    cmp(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}
