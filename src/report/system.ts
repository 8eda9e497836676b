// Ties findings to the compose system model: which service a file belongs to, who is hit when it
// fails. Pure; used by the Markdown report's blast radius and failure-propagation table.
import { posix } from 'node:path';
import type { Finding, SystemModel } from '../engine/types.js';

export type Service = SystemModel['services'][number];

function norm(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, '/'));
  return n === '.' ? '' : n.replace(/^\.\//, '').replace(/\/$/, '');
}

/** The build context of a service, relative to the scan root ('' = the root itself). */
export function buildDir(service: Service): string | undefined {
  if (service.build === undefined) return undefined;
  return norm(posix.join(posix.dirname(service.file.replace(/\\/g, '/')), service.build));
}

/**
 * The service a finding belongs to: a compose finding names its service in `context`; a code
 * finding lies under a service's build context (the deepest one wins; a build context equal to the
 * scan root only claims a file when exactly one service is built from it).
 */
export function serviceOf(f: Pick<Finding, 'file' | 'symbol'>, system: SystemModel | undefined): Service | undefined {
  if (!system) return undefined;
  let index = indexes.get(system);
  if (!index) indexes.set(system, (index = indexSystem(system)));
  const key = `${f.file}\0${f.symbol ?? ''}`;
  if (!index.memo.has(key)) index.memo.set(key, resolve(index, f));
  return index.memo.get(key);
}

interface SystemIndex {
  services: Array<{ svc: Service; file: string; dir?: string }>;
  memo: Map<string, Service | undefined>;
}

// reports ask once per finding; large scans have tens of thousands of findings
const indexes = new WeakMap<SystemModel, SystemIndex>();

function indexSystem(system: SystemModel): SystemIndex {
  const services: SystemIndex['services'] = [];
  for (const svc of system.services) {
    // the code that runs in it: the engine's code roots (build context and bind-mounted sources), else the build context.
    // A job that runs once in a developer or test stack (a test-suite runner) does not run the
    // code as a service does: lemur's `test` container (`make test`) is not where its logins hang
    // (not the libraries it holds but only imports in browser code: briefer's web and packages/database)
    const dirs = svc.oneShot && svc.dev ? [] : svc.codeRoots?.length ? svc.codeRoots.filter((r) => !svc.browserOnlyRoots?.includes(r)).map(norm) : [buildDir(svc)];
    for (const dir of dirs) services.push({ svc, file: norm(svc.file), dir });
    if (!dirs.length) services.push({ svc, file: norm(svc.file) });
  }
  return { services, memo: new Map() };
}

function resolve(index: SystemIndex, f: Pick<Finding, 'file' | 'symbol'>): Service | undefined {
  const file = norm(f.file);
  const direct = index.services.find((s) => s.file === file && s.svc.name === f.symbol);
  if (direct) return direct.svc;
  let best: Service | undefined;
  let bestLen = -1;
  let ambiguous = false;
  for (const { svc, dir } of index.services) {
    if (dir === undefined) continue;
    if (dir !== '' && !file.startsWith(`${dir}/`)) continue;
    if (dir.length > bestLen) {
      best = svc;
      bestLen = dir.length;
      ambiguous = false;
    } else if (dir.length === bestLen && svc !== best) ambiguous = true;
  }
  return ambiguous ? undefined : best;
}

/** Services hit when this finding's failure happens: the engine's answer, else the owning service and its dependents. */
export function blastRadius(f: Finding, system: SystemModel | undefined): string[] | undefined {
  if (f.blastRadius?.length) return f.blastRadius;
  const svc = serviceOf(f, system);
  if (!svc) return undefined;
  return [svc.name, ...svc.dependents.filter((d) => d !== svc.name)];
}

/**
 * Every service a finding's code runs in: a compose finding's own service, else all services whose
 * code roots hold the file at the deepest level (two services built from one directory share it).
 */
export function servicesOf(f: Pick<Finding, 'file' | 'symbol'>, system: SystemModel | undefined): Service[] {
  if (!system) return [];
  let index = indexes.get(system);
  if (!index) indexes.set(system, (index = indexSystem(system)));
  const file = norm(f.file);
  const direct = index.services.find((s) => s.file === file && s.svc.name === f.symbol);
  if (direct) return [direct.svc];
  if (/\.ya?ml$/i.test(file)) return [];
  // a container's start script runs in the services that start with it, not in every service
  // whose code roots hold it (doccano's tools/prod-django.sh is backend's, not celery's or flower's)
  const starting = index.services.filter((x) => x.svc.startScript === file);
  if (starting.length) {
    const named = starting.filter((x) => x.svc.name === f.symbol);
    return (named.length ? named : starting).map((x) => x.svc).filter((v, i, a) => a.findIndex((o) => o.name === v.name) === i);
  }
  let best: Service[] = [];
  let bestLen = -1;
  for (const { svc, dir } of index.services) {
    if (dir === undefined) continue;
    if (dir !== '' && !file.startsWith(`${dir}/`)) continue;
    if (dir.length > bestLen) {
      best = [svc];
      bestLen = dir.length;
    } else if (dir.length === bestLen && !best.includes(svc)) best.push(svc);
  }
  // the same code under a stack and its developer variants: the stack's services, each name once
  // (a finding in `app` is not three findings because three compose files build it)
  // and a one-shot job built from the same image (briefer's `db_migration` runs `prisma migrate
  // deploy` from the api's image) runs its own command, not the service's code
  const running = best.filter((v) => !v.dev && !v.oneShot);
  const kept = running.length ? running : best.some((v) => !v.dev) ? best.filter((v) => !v.dev) : best;
  return kept.filter((v, i) => kept.findIndex((o) => o.name === v.name) === i);
}
