// The system model: services, who depends on whom, which code runs where. Reports use it for
// blast radius: if a finding fires, which services are affected.
import { restart } from '../languages/compose/service.js';
import { codeRoots, dependentsOf, type ProjectView } from './analysis/compose-project.js';
import { runningOwners } from '../model/owners.js';
import type { SystemModel } from './types.js';

type SystemService = SystemModel['services'][number];

/** One entry per service (the first project that declares it wins), sorted for determinism. */
export function buildSystem(views: ProjectView[]): SystemModel {
  const services: SystemService[] = [];
  const seen = new Set<string>();
  for (const p of views) {
    for (const v of p.services) {
      const key = `${v.keySrc.file}\0${v.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const s: SystemService = {
        name: v.name,
        file: v.keySrc.file,
        dependsOn: v.deps.map((d) => d.name).sort(),
        talksTo: [...(p.talksTo.get(v.name) ?? [])].sort(),
        healthcheck: v.health,
        dependents: dependentsOf(p, v.name),
        project: p.project.id,
      };
      if (v.image) s.image = v.image.text;
      if (v.info && v.info.kind !== 'app') s.backing = v.info.service;
      if (v.build !== undefined) s.build = v.build;
      if (v.dockerfile) s.dockerfile = v.dockerfile;
      if (v.buildTarget) s.buildTarget = v.buildTarget;
      const r = restart(v.node);
      if (r) s.restart = r.maxAttempts !== undefined ? `${r.policy}:${r.maxAttempts}` : r.policy;
      const roots = codeRoots(v);
      if (roots.length) s.codeRoots = roots;
      if (v.commandText) s.command = v.commandText;
      if (v.oneShot) s.oneShot = true;
      if (v.dev) s.dev = true;
      services.push(s);
    }
  }
  inheritBuiltImages(services);
  services.sort((a, b) => (a.project ?? '').localeCompare(b.project ?? '') || a.name.localeCompare(b.name));
  const projects = views.map((p) => ({ id: p.project.id, files: [...p.project.files], ...(p.project.included.length ? { included: [...p.project.included] } : {}) }));
  return { services, projects };
}

/** the repository part of an image reference: `plane-backend` of `${REG:-local}/plane-backend:${TAG}` */
function imageRepo(image: string): string | undefined {
  const noTag = image.replace(/@sha256:.*$/, '').replace(/:[^/:]*$/, '');
  const last = noTag.split('/').pop() ?? '';
  return /^[a-z0-9][a-z0-9._-]*$/.test(last) ? last : undefined;
}

/**
 * A service that runs an image another compose file builds (`image: org/app-backend` in the
 * deployment stack, `build: ./backend` + `image: local/app-backend` in a build file) runs that
 * code: it inherits the builder's code roots. Only an unambiguous repository name links.
 */
function inheritBuiltImages(services: SystemService[]): void {
  const builders = new Map<string, Set<string>>();
  const ambiguous = new Set<string>();
  for (const s of services) {
    if (s.build === undefined || !s.image || !s.codeRoots?.length) continue;
    const repo = imageRepo(s.image);
    if (!repo) continue;
    const roots = s.codeRoots.join('\0');
    const seen = builders.get(repo);
    if (seen && !seen.has(roots)) ambiguous.add(repo);
    builders.set(repo, (seen ?? new Set()).add(roots));
  }
  // its own bind mounts (`./workflow_data:/data`) are added to the image's code, not instead of it
  const inherited = new Set<SystemService>();
  for (const s of services) {
    if (s.build !== undefined || !s.image) continue;
    const repo = imageRepo(s.image);
    if (!repo || ambiguous.has(repo)) continue;
    const roots = builders.get(repo);
    if (!roots) continue;
    s.codeRoots = [...new Set([...[...roots][0].split('\0'), ...(s.codeRoots ?? [])])].sort();
    inherited.add(s);
  }
  // a builder with no image name links by its service name when the image's repository ends with
  // it: dittofeed's production `lite: image: dittofeed/dittofeed-lite` and the dev stack's
  // `lite: build: {dockerfile: packages/lite/Dockerfile}`
  const byName = new Map<string, Set<string>>();
  for (const s of services) {
    if (s.build === undefined || s.image || !s.codeRoots?.length) continue;
    byName.set(s.name, (byName.get(s.name) ?? new Set()).add(s.codeRoots.join('\0')));
  }
  for (const s of services) {
    if (s.build !== undefined || !s.image || s.codeRoots?.length || inherited.has(s)) continue;
    const repo = imageRepo(s.image);
    const roots = byName.get(s.name);
    if (!repo || !roots || roots.size !== 1 || !(repo === s.name || repo.endsWith(`-${s.name}`) || repo.endsWith(`_${s.name}`))) continue;
    s.codeRoots = [...roots][0].split('\0');
  }
}

function radius(s: SystemService): string[] {
  return [s.name, ...s.dependents.filter((d) => d !== s.name)];
}

/**
 * Services affected if a finding fires:
 * - a compose finding (service given): that service and every service that (transitively) depends on it;
 * - a code finding: the service(s) whose build context (or bind-mounted source) holds the file, and their dependents.
 */
export function blastRadius(system: SystemModel, where: { file: string; service?: string }): string[] {
  if (where.service) {
    const inProject = (s: SystemService): boolean => {
      const files = system.projects?.find((p) => p.id === s.project)?.files;
      return files ? files.includes(where.file) : s.file === where.file;
    };
    const named = system.services.filter((s) => s.name === where.service);
    const hit = named.find(inProject) ?? (named.length === 1 ? named[0] : undefined);
    return hit ? radius(hit) : [];
  }
  const rootsOf = (s: SystemService) => s.codeRoots ?? (s.build !== undefined ? [s.build] : []);
  const best = runningOwners(system.services, rootsOf, (s) => !s.oneShot && !s.dev, where.file);
  const out: string[] = [];
  for (const s of best) for (const n of radius(s)) if (!out.includes(n)) out.push(n);
  return out;
}
