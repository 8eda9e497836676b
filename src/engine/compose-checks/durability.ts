// Data that does not survive a container being recreated (FL780–FL783).
import { envValue, mounts, pathWithin, type Mount } from '../../languages/compose/service.js';
import { get, type Src } from '../../languages/compose/tree.js';
import { atP2, devP2, type ComposeCheck, type ComposeHit, type ServiceView } from './context.js';
import { dataLayout } from './knowledge.js';
import { natsFlags } from './nats.js';

function persistent(m: Mount): boolean {
  return m.type === 'volume' || m.type === 'bind';
}

/** postgres 18+ (or `latest`) with its volume at the pre-18 path: FL781's case */
function legacyMount(v: ServiceView): Mount | undefined {
  const info = v.info;
  if (!info?.legacyMount || info.legacyFrom === undefined || !v.image || v.image.unknown) return undefined;
  if (info.dataPathEnv && envValue(v.node, info.dataPathEnv)) return undefined;
  const latest = v.version === null && /^(latest|alpine[\d.]*|bookworm|trixie|bullseye|)$/i.test(v.image.tag);
  if (!latest && (v.version === null || v.version < info.legacyFrom)) return undefined;
  return mounts(v.node).find((m) => persistent(m) && m.target === info.legacyMount);
}

interface DataDir {
  path: string;
  /** the image's own VOLUME, when the path is the default */
  volume?: string;
  mount: string;
}

/** where the data lives; several candidates when the image version is a variable we cannot read */
function dataDirs(v: ServiceView): DataDir[] {
  const info = v.info!;
  const fromEnv = info.dataPathEnv ? envValue(v.node, info.dataPathEnv)?.split(',')[0]?.trim() : undefined;
  if (fromEnv && fromEnv.startsWith('/')) return [{ path: fromEnv, mount: fromEnv }];
  if (info.dataPathAfterArg && v.command) {
    const args = v.command.args.map((a) => a.text);
    const i = args.indexOf(info.dataPathAfterArg);
    const dir = i >= 0 ? args.slice(i + 1).find((a) => a.startsWith('/')) : undefined;
    if (dir) return [{ path: dir, mount: dir }];
  }
  const layouts = v.image?.unknown ? (info.data ?? []) : [dataLayout(info, v.version)].filter((l) => l !== undefined);
  return layouts.map((l) => ({ path: l.path, volume: l.volume, mount: l.mount }));
}

function covers(m: Mount, dir: DataDir): boolean {
  if (!pathWithin(dir.path, m.target)) return false;
  // a mount above the image's own VOLUME is shadowed by the anonymous volume Docker creates there
  return !dir.volume || !pathWithin(dir.path, dir.volume) || pathWithin(m.target, dir.volume);
}

function isStateful(v: ServiceView, redisQueue: boolean): boolean {
  const s = v.info?.stateful;
  if (s === true) return true;
  if (s === 'when-queue') return redisQueue || /--appendonly\s+yes/.test(v.commandText);
  return false;
}

export const statefulNoVolume: ComposeCheck = (p) => {
  const hits: ComposeHit[] = [];
  for (const v of p.services) {
    if (!v.info || !v.image || !isStateful(v, p.redisQueue) || get(v.node, 'volumes_from')) continue;
    if (legacyMount(v)) continue;
    const dirs = dataDirs(v);
    const dir = dirs[dirs.length - 1];
    if (!dir) continue;
    const ms = mounts(v.node);
    const base = { src: v.image.src as Src, service: v.name };
    const data = { image: v.image.text, path: dir.path, mount: dir.mount };
    const tmp = ms.find((m) => m.type === 'tmpfs' && dirs.some((d) => pathWithin(d.path, m.target)));
    const ok = ms.find((m) => persistent(m) && dirs.some((d) => covers(m, d)));
    if (tmp && !ok) {
      hits.push(atP2({ ...base, data: { ...data, problem: `is a tmpfs (memory): it is empty after every restart` } }, 'tmpfs is a deliberate choice (tests, caches)'));
      continue;
    }
    if (!ok) {
      const problem = 'is not on a named volume or bind mount: the data lands in an anonymous volume that `docker compose down` or a recreate leaves behind';
      hits.push(devP2(v, { ...base, data: { ...data, problem } }));
      continue;
    }
    if (v.info.needsHostname && !get(v.node, 'hostname') && !(v.info.nodeNameEnv && envValue(v.node, v.info.nodeNameEnv))) {
      hits.push({ ...base, data: { ...data, problem: 'is on a volume, but without a fixed `hostname:` the node name (rabbit@<container id>) changes on recreate and the data under the old name is not used' } });
    }
  }
  return hits;
};

export const postgres18WrongMount: ComposeCheck = (p) =>
  p.services.flatMap((v) => {
    const m = legacyMount(v);
    if (!m || !v.image || !v.info) return [];
    const layout = dataLayout(v.info, v.version);
    const hit: ComposeHit = { src: m.src, service: v.name, data: { image: v.image.text, path: m.target, mount: layout?.mount ?? '' } };
    if (v.version === null) Object.assign(hit, { priority: 'P1', priorityReason: 'the tag is `latest`: 18 or newer since late 2025, depending on when the image was pulled' });
    return [hit];
  });

export const natsNoJetstream: ComposeCheck = (p) => {
  if (!p.jetstream) return [];
  return p.services.flatMap((v) => {
    if (v.info?.service !== 'nats' || !v.image) return [];
    const f = natsFlags(v);
    if (f.js || f.config) return [];
    return [{ src: v.command?.src ?? v.image.src, service: v.name, data: { image: v.image.text } }];
  });
};

export const natsJetstreamNoStore: ComposeCheck = (p) =>
  p.services.flatMap((v) => {
    if (v.info?.service !== 'nats') return [];
    const f = natsFlags(v);
    if (!f.js || f.config) return [];
    const dir = f.storeDir ?? '/tmp/nats/jetstream';
    if (mounts(v.node).some((m) => persistent(m) && pathWithin(dir, m.target))) return [];
    const problem = f.storeDir
      ? `its store directory ${dir} is not on a volume`
      : 'no `-sd` store directory is given, so streams go to /tmp/nats/jetstream inside the container';
    return [{ src: f.js.src, service: v.name, data: { problem, path: dir } }];
  });

/** redis holding a job queue without the append-only file: a crash loses the last snapshot interval */
export const redisQueueNoAof: ComposeCheck = (p) => {
  if (!p.redisQueue) return [];
  return p.services.flatMap((v) => {
    if (v.info?.service !== 'redis' || v.info.aofByDefault !== false || !v.image) return [];
    const args = v.command?.args.map((a) => a.text) ?? [];
    const i = args.indexOf('--appendonly');
    if (i >= 0 && args[i + 1] === 'yes') return [];
    // a config file (redis-server /usr/local/etc/redis/redis.conf) is not read
    if (args.some((a) => a.endsWith('.conf'))) return [];
    const off = i >= 0 ? v.command!.args[i] : undefined;
    return [{ src: off?.src ?? v.command?.src ?? v.image.src, service: v.name, data: { image: v.image.text, state: off ? 'turns the append-only file off' : 'runs without the append-only file' } }];
  });
};
