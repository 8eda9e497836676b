// The system model: services, who depends on whom, which code runs where. Reports use it for
// blast radius: if a finding fires, which services are affected.
import { posix } from 'node:path';
import { restart } from '../languages/compose/service.js';
import { codeRoots, dependentsOf, type ProjectView } from './analysis/compose-project.js';
import { runningOwners } from '../model/owners.js';
import type { SystemModel } from './types.js';

type SystemService = SystemModel['services'][number];

/** One entry per service (the first project that declares it wins), sorted for determinism. */
export function buildSystem(views: ProjectView[], rootName?: string): SystemModel {
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
      if (v.startScript) s.startScript = v.startScript.file;
      if (v.oneShot) s.oneShot = true;
      if (v.dev) s.dev = true;
      services.push(s);
    }
  }
  inheritBuiltImages(services, rootName);
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
function inheritBuiltImages(services: SystemService[], rootName?: string): void {
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
  // `lite: build: {dockerfile: packages/lite/Dockerfile}`; or, under the same service name, when
  // it ends with the builder's Dockerfile suffix: keep's `keep-backend: image: …/keep-api` and a
  // test stack's `keep-backend: build: {dockerfile: docker/Dockerfile.api}`
  const byName = new Map<string, Array<{ roots: string[]; context: string; flavour?: string }>>();
  for (const s of services) {
    if (s.build === undefined || s.image || !s.codeRoots?.length) continue;
    const base = (s.dockerfile ?? '').split('/').pop() ?? '';
    const flavour = /^Dockerfile\.([\w-]+)$/i.exec(base)?.[1] ?? /^([\w-]+)\.Dockerfile$/i.exec(base)?.[1];
    const context = posix.normalize(posix.join(posix.dirname(s.file), s.build));
    byName.set(s.name, [...(byName.get(s.name) ?? []), { roots: s.codeRoots, context, ...(flavour ? { flavour: flavour.toLowerCase() } : {}) }]);
  }
  for (const s of services) {
    if (s.build !== undefined || !s.image || inherited.has(s)) continue;
    const repo = imageRepo(s.image);
    const builders = byName.get(s.name);
    if (!repo || !builders) continue;
    const ends = (w: string) => repo === w || repo.endsWith(`-${w}`) || repo.endsWith(`_${w}`);
    const fits = builders.filter((b) => ends(s.name) || (b.flavour !== undefined && !/^(dev|development|local|test)$/.test(b.flavour) && ends(b.flavour)));
    // builders of one context (a dev and a prod Dockerfile of frontend/, sources mounted in one
    // of them) build the same code
    if (!fits.length || new Set(fits.map((b) => b.context)).size !== 1) continue;
    s.codeRoots = [...new Set([...fits.flatMap((b) => b.roots), ...(s.codeRoots ?? [])])].sort();
    inherited.add(s);
  }
  // the project's own image (`ghcr.io/tracecathq/tracecat` in a repository named tracecat): the
  // code of the one Dockerfile and context that builders without an image name, under the same
  // service names, build it from (tracecat's dev stacks: `build: .` for api, worker, mcp …, some
  // mounting sources over it)
  if (!rootName || builders.has(rootName.toLowerCase())) return;
  const project = rootName.toLowerCase();
  const runners = services.filter((s) => s.build === undefined && s.image && !inherited.has(s) && imageRepo(s.image) === project);
  if (!runners.length) return;
  const names = new Set(runners.map((s) => s.name));
  const groups = new Map<string, SystemService[]>();
  for (const s of services) {
    if (s.build === undefined || s.image || !s.codeRoots?.length || !names.has(s.name)) continue;
    const key = `${posix.normalize(posix.join(posix.dirname(s.file), s.build))}\0${s.dockerfile ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  if (groups.size !== 1) return;
  const union = [...new Set([...groups.values()][0].flatMap((s) => s.codeRoots!))];
  for (const s of runners) s.codeRoots = [...new Set([...union, ...(s.codeRoots ?? [])])].sort();
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
  // a one-shot job of a developer or test stack (a test-suite runner) owns no code, even as a last resort
  const owners = system.services.filter((s) => !(s.oneShot && s.dev));
  const best = runningOwners(owners, rootsOf, (s) => !s.oneShot && !s.dev, where.file);
  const out: string[] = [];
  for (const s of best) for (const n of radius(s)) if (!out.includes(n)) out.push(n);
  return out;
}
