// Compose analysis: files -> projects (merge order, extends, include) -> per-project views ->
// the compose rules' checks -> drafts, plus the system model for blast radius. The engine applies
// priorities/adjust, suppressions, fingerprints and sorting to the drafts.
import type { Catalog } from '../catalog/index.js';
import { ComposeLoader, isDevFile, planProjects, type ReadFile } from '../languages/compose/model.js';
import { composeSuppressions } from '../languages/compose/suppressions.js';
import type { SuppressionFact } from '../languages/types.js';
import { buildProjectView, type ComposeHit, type ProjectView } from './compose-checks/context.js';
import { composeChecks } from './compose-checks/index.js';
import { composeKnowledge } from './compose-checks/knowledge.js';
import { buildSystem } from './system.js';
import type { FindingDraft, RuleMeta, ScanError, SystemModel } from './types.js';

export interface CodeFileSummary {
  path: string;
  language: 'python' | 'typescript';
  /** top-level imported modules, e.g. ["sqlalchemy","taskiq_nats","redis"] */
  modules: string[];
  /** optional: imported names as `module.name` (ImportFact), e.g. "taskiq_nats.PullBasedJetStreamBroker" */
  imports?: string[];
  /** optional: qualified callees (CallFact.qualified), e.g. "nats.connect().jetstream" */
  calls?: string[];
}

export interface ComposeInput {
  /** relative POSIX paths from scan root, every compose file found (incl. overrides) */
  files: Array<{ path: string; text: string }>;
  /** the enabled rules whose languages include 'compose' */
  rules: RuleMeta[];
  catalog: Catalog;
  code: CodeFileSummary[];
  /**
   * optional: read another file under the scan root (relative POSIX path), for `extends: {file}`,
   * `include:` targets that are not compose-named, the project's `.env` and the Dockerfiles of
   * built services (their HEALTHCHECK). Undefined = absent.
   */
  readFile?: ReadFile;
}

export interface ComposeOutput {
  /** file = the compose file holding the location */
  drafts: Array<FindingDraft & { file: string }>;
  /** invalid YAML, not a mapping, unknown top-level key, missing extends target, ... */
  errors: ScanError[];
  /** per compose file: `# faultline: ignore[FL480] reason` */
  suppressions: Record<string, SuppressionFact[]>;
  system: SystemModel;
}

function render(template: string, data: Record<string, string>): string {
  return template.replace(/\{([a-zA-Z][\w-]*)\}/g, (m, k: string) => data[k] ?? m);
}

function toDraft(rule: RuleMeta, hit: ComposeHit): FindingDraft & { file: string } {
  const data: Record<string, string> = { service: hit.service, ...hit.data };
  const draft: FindingDraft & { file: string } = {
    ruleId: rule.id,
    loc: { ...hit.src.loc },
    message: render(rule.message, data),
    data,
    symbol: hit.service,
    file: hit.src.file,
  };
  if (hit.priority) draft.priority = hit.priority;
  if (hit.priorityReason) draft.priorityReason = hit.priorityReason;
  return draft;
}

/**
 * A hazard that only exists when a developer-only file is merged (compose.override.yaml,
 * *.dev.yml), while another variant with the same file and service does not have it (a
 * compose.deploy.yml that sets `restart:`), is a developer-setup finding: P2.
 */
function variantPriority(hit: ComposeHit, firing: ProjectView[], all: ProjectView[]): ComposeHit {
  if (hit.priority === 'P2') return hit;
  if (!firing.every((v) => v.project.files.some(isDevFile))) return hit;
  const fixedIn = all.find(
    (v) => !firing.includes(v) && v.project.files.includes(hit.src.file) && v.byName.has(hit.service) && !v.project.files.some(isDevFile),
  );
  if (!fixedIn) return hit;
  const dev = firing[0].project.files.find(isDevFile)!;
  return { ...hit, priority: 'P2', priorityReason: `only with the developer file ${dev}; ${fixedIn.project.files.join(' + ')} does not have it` };
}

export function analyzeCompose(input: ComposeInput): ComposeOutput {
  const loader = new ComposeLoader(input.files, input.readFile);
  const paths = input.files.map((f) => f.path);
  for (const p of paths) loader.tree(p);
  const knowledge = composeKnowledge(input.catalog);
  const views: ProjectView[] = planProjects(loader, paths).map((plan) => buildProjectView(loader.project(plan), knowledge, input.code, input.readFile));

  const drafts: ComposeOutput['drafts'] = [];
  const errors: ScanError[] = [];
  for (const rule of input.rules) {
    const check = rule.check && Object.hasOwn(composeChecks, rule.check) ? composeChecks[rule.check] : undefined;
    if (!check) {
      errors.push({ file: rule.source ?? rule.name, message: `rule ${rule.id}: no compose check named \`${rule.check ?? '(none)'}\`` });
      continue;
    }
    // the same key can fire in several projects (base + override, base + prod overlay): one draft,
    // remembering where it fired
    const fired = new Map<string, { hit: ComposeHit; views: ProjectView[] }>();
    for (const view of views) {
      for (const hit of check(view, rule)) {
        const loc = hit.src.loc;
        const key = `${hit.src.file}\0${loc.line}\0${loc.column}\0${hit.service}`;
        const f = fired.get(key);
        if (f) f.views.push(view);
        else fired.set(key, { hit, views: [view] });
      }
    }
    for (const { hit, views: firing } of fired.values()) drafts.push(toDraft(rule, variantPriority(hit, firing, views)));
  }
  errors.push(...loader.errors);
  const suppressions: Record<string, SuppressionFact[]> = {};
  for (const f of input.files) {
    const s = composeSuppressions(f.text);
    if (s.length) suppressions[f.path] = s;
  }
  return { drafts, errors, suppressions, system: buildSystem(views) };
}

export { blastRadius } from './system.js';
