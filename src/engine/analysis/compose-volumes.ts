// Where a stateful image keeps its data and whether a mount covers it (the catalog's `images`
// data layouts), shared by the volume checks (FL780, FL781).
import { envValue, mounts, pathWithin, type Mount } from '../../languages/compose/service.js';
import type { ServiceView } from './compose-project.js';
import { dataLayout } from './compose-knowledge.js';

export function persistent(m: Mount): boolean {
  return m.type === 'volume' || m.type === 'bind';
}

/** postgres 18+ (or `latest`) with its volume at the pre-18 path: FL781's case */
export function legacyMount(v: ServiceView): Mount | undefined {
  const info = v.info;
  if (!info?.legacyMount || info.legacyFrom === undefined || !v.image || v.image.unknown) return undefined;
  if (info.dataPathEnv && envValue(v.node, info.dataPathEnv)) return undefined;
  if (!latestTag(v) && (v.version === null || v.version < info.legacyFrom)) return undefined;
  return mounts(v.node).find((m) => persistent(m) && m.target === info.legacyMount);
}

/** `latest`, no tag, or a distro-only tag: whatever the newest major is when it was pulled */
function latestTag(v: ServiceView): boolean {
  return v.version === null && !!v.image && /^(latest|alpine[\d.]*|bookworm|trixie|bullseye|)$/i.test(v.image.tag);
}

export interface DataDir {
  path: string;
  /** the image's own VOLUME, when the path is the default */
  volume?: string;
  mount: string;
}

/** where the data lives; several candidates when the image version is a variable we cannot read */
export function dataDirs(v: ServiceView): DataDir[] {
  const info = v.info!;
  const fromEnv = info.dataPathEnv ? envValue(v.node, info.dataPathEnv)?.split(',')[0]?.trim() : undefined;
  if (fromEnv && fromEnv.startsWith('/')) return [{ path: fromEnv, mount: fromEnv }];
  if (info.dataPathAfterArg && v.command) {
    const args = v.command.args.map((a) => a.text);
    const i = args.indexOf(info.dataPathAfterArg);
    const dir = i >= 0 ? args.slice(i + 1).find((a) => a.startsWith('/')) : undefined;
    if (dir) return [{ path: dir, mount: dir }];
  }
  // a variable, or a tag that names no major we can read (`ankane/pgvector:v0.5.1` is the
  // extension's version, on postgres 15): any of the layouts may be the one
  const unread = v.image?.unknown || (v.version === null && !latestTag(v));
  const layouts = unread ? (info.data ?? []) : [dataLayout(info, v.version)].filter((l) => l !== undefined);
  return layouts.map((l) => ({ path: l.path, volume: l.volume, mount: l.mount }));
}

export function covers(m: Mount, dir: DataDir): boolean {
  if (!pathWithin(dir.path, m.target)) return false;
  // a mount above the image's own VOLUME is shadowed by the anonymous volume Docker creates there
  return !dir.volume || !pathWithin(dir.path, dir.volume) || pathWithin(m.target, dir.volume);
}

export function isStateful(v: ServiceView, redisQueue: boolean): boolean {
  const s = v.info?.stateful;
  if (s === true) return true;
  if (s === 'when-queue') return redisQueue || /--appendonly\s+yes/.test(v.commandText);
  return false;
}

/**
 * What a redis-server command line keeps on disk: `--appendonly yes` turns the append-only file
 * on (off by default in the official image), `--save ""` turns the RDB snapshots off. A config
 * file argument (`redis-server /usr/local/etc/redis/redis.conf`) is not read: `conf`.
 */
export function redisPersistence(args: string[]): { aof: boolean; snapshots: boolean; conf: boolean; aofFlag?: number } {
  const a = args.indexOf('--appendonly');
  const s = args.indexOf('--save');
  return {
    aof: a >= 0 && args[a + 1] === 'yes',
    snapshots: !(s >= 0 && ['', '""', "''"].includes(args[s + 1] ?? '-')),
    conf: args.some((x) => x.endsWith('.conf')),
    ...(a >= 0 ? { aofFlag: a } : {}),
  };
}
