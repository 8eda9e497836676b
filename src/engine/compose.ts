// Compose analysis: files -> projects (merge order, extends, include) -> per-project views ->
// the compose rules' checks -> drafts, plus the system model for blast radius. The engine applies
// priorities/adjust, suppressions, fingerprints and sorting to the drafts.
import { ciImages } from './analysis/ci-images.js';
import type { Catalog } from '../catalog/index.js';
import { ComposeLoader, devFilesOf, planProjects, type ReadFile } from '../languages/compose/model.js';
import { composeSuppressions } from '../languages/compose/suppressions.js';
import { get, str } from '../languages/compose/tree.js';
import type { SuppressionFact } from '../languages/types.js';
import type { ComposeCheck } from './api.js';
import { buildProjectView, codeRoots, type ComposeDraft, type ProjectView, type WorkspaceDirs } from './analysis/compose-project.js';
import { composeKnowledge } from './analysis/compose-knowledge.js';
import { checkOf } from './checks/index.js';
import { renderMessage } from './run-file.js';
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
  /** optional: the file attaches an 'error' listener (`x.on('error', …)`) */
  listensForErrors?: boolean;
  /** optional: the paths of the HTTP routes it declares that look like health probes (`/healthcheck`, `/api/health`) */
  healthRoutes?: string[];
  /** optional: rate limiters whose counters live in the process's memory (code-summary.ts) */
  limiters?: Array<{ callee: string; api: string; line: number; column: number; endLine: number; endColumn: number; storage: 'default' | 'memory' }>;
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
  /** the scan root's folder name: a project's own published image is often named for it */
  rootName?: string;
  /** the folders a process started from the named npm workspaces loads (a Dockerfile's `turbo prune` keeps them) */
  workspaces?: WorkspaceDirs;
  /** the CI workflow files (`.github/workflows/*.yml`): the images they build name their Dockerfiles */
  workflows?: string[];
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

function rendered(d: ComposeDraft): ComposeDraft {
  return { ...d, message: renderMessage(d.message, d.data) };
}

/**
 * A hazard that only exists when a developer-only file is merged (compose.override.yaml,
 * *.dev.yml), while another variant with the same file and service does not have it (a
 * compose.deploy.yml that sets `restart:`), is a developer-setup finding: P2, and `devVariant`
 * gives it the developer-file context in the project model (where most categories are off).
 */
function variantPriority(d: ComposeDraft, firing: ProjectView[], all: ProjectView[]): ComposeDraft {
  if (!firing.every((v) => devFilesOf(v.project).length > 0)) return d;
  const fixedIn = all.find(
    (v) => !firing.includes(v) && v.project.files.includes(d.file) && v.byName.has(d.symbol) && devFilesOf(v.project).length === 0,
  );
  if (!fixedIn) return d;
  const dev = devFilesOf(firing[0].project)[0];
  return {
    ...d,
    priority: 'P2',
    priorityReason: `only with the developer file ${dev}; ${fixedIn.project.files.join(' + ')} does not have it`,
    data: { ...d.data, devVariant: dev },
  };
}

/**
 * A compose file of one service that builds the image a stack elsewhere in the scan also builds
 * (openstatus's `apps/server/docker-compose.yaml`, beside the root stack that runs the same
 * Dockerfile with a restart policy and a healthcheck) is a helper to build and try that image
 * alone: its services are a developer's, like those of a dev file.
 */
function markBuildHelpers(views: ProjectView[]): void {
  const perFile = new Map<string, ProjectView['services']>();
  for (const view of views) for (const v of view.services) perFile.set(v.keySrc.file, [...(perFile.get(v.keySrc.file) ?? []).filter((o) => o.name !== v.name), v]);
  const image = (v: ProjectView['services'][number]) => (v.dockerfile ? `${v.dockerfile}\0${v.buildTarget ?? ''}` : undefined);
  // the images the stacks build: files of several services (a stack with a local emulator counts)
  const stackBuilds = new Map<string, string>();
  for (const [file, list] of perFile) {
    if (list.length < 2) continue;
    for (const v of list) if (image(v) && !stackBuilds.has(image(v)!)) stackBuilds.set(image(v)!, file);
  }
  for (const view of views)
    for (const v of view.services) {
      const list = perFile.get(v.keySrc.file) ?? [];
      const img = image(v);
      if (list.length !== 1 || v.dev || !img) continue;
      const stack = stackBuilds.get(img);
      if (stack && stack !== v.keySrc.file) v.dev = true;
    }
}

export function analyzeCompose(input: ComposeInput): ComposeOutput {
  const loader = new ComposeLoader(input.files, input.readFile);
  const paths = input.files.map((f) => f.path);
  for (const p of paths) loader.tree(p);
  const knowledge = composeKnowledge(input.catalog);
  const headers = (p: string) => loader.tree(p)?.header;
  // the project view reads compose files too (their comments), not only READMEs and Dockerfiles
  const readAny = (p: string) => loader.text(p) ?? input.readFile?.(p);
  // the top-level `name:` a file gives its project (mem0's `name: mem0-dev`)
  const names = (p: string) => str(get(loader.tree(p)?.root, 'name'));
  const notes = (p: string, service: string) => loader.tree(p)?.serviceNotes?.[service];
  const ci = input.workflows?.length ? ciImages(input.workflows, readAny, (p) => readAny(p) !== undefined) : undefined;
  const views: ProjectView[] = planProjects(loader, paths).map((plan) => buildProjectView(loader.project(plan), knowledge, input.code, readAny, headers, notes, input.rootName, names, input.workspaces, ci));
  markBuildHelpers(views);

  // the system model links a service that runs an image to the code another file builds it
  // from; the checks see that code as the service's own
  const system = buildSystem(views, input.rootName);
  for (const view of views)
    for (const v of view.services) {
      const own = codeRoots(v);
      const linked = system.services.find((s) => s.file === v.keySrc.file && s.name === v.name)?.codeRoots ?? [];
      const extra = linked.filter((r) => !own.includes(r));
      if (extra.length) v.inheritedRoots = extra;
    }

  const drafts: ComposeOutput['drafts'] = [];
  const errors: ScanError[] = [];
  for (const rule of input.rules) {
    const check = checkOf(rule) as ComposeCheck | undefined;
    if (!check) {
      errors.push({ file: rule.source ?? rule.name, message: `rule ${rule.id}: no compose check named \`${rule.check ?? '(none)'}\`` });
      continue;
    }
    // the same key can fire in several projects (base + override, base + prod overlay): one draft,
    // remembering where it fired
    const fired = new Map<string, { draft: ComposeDraft; views: ProjectView[] }>();
    for (const view of views) {
      for (const draft of check({ rule, catalog: input.catalog, project: view }) as ComposeDraft[]) {
        const loc = draft.loc;
        const key = `${draft.file}\0${loc.line}\0${loc.column}\0${draft.symbol}`;
        const f = fired.get(key);
        if (f) f.views.push(view);
        else fired.set(key, { draft, views: [view] });
      }
    }
    for (const { draft, views: firing } of fired.values()) drafts.push(rendered(variantPriority(draft, firing, views)));
  }
  errors.push(...loader.errors);
  const suppressions: Record<string, SuppressionFact[]> = {};
  for (const f of input.files) {
    const s = composeSuppressions(f.text);
    if (s.length) suppressions[f.path] = s;
  }
  return { drafts, errors, suppressions, system };
}

export { blastRadius } from './system.js';
