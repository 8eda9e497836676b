// FL780: a stateful image (catalog `images`: stateful) whose data directory is on no named volume
// or bind mount (or on a tmpfs), or a RabbitMQ-style node without a fixed hostname.
import { envValue, mounts, pathWithin } from '../../languages/compose/service.js';
import { get, type Src } from '../../languages/compose/tree.js';
import type { ComposeCheck } from '../api.js';
import { atP2, composeDraft, devP2, type ComposeDraft } from '../analysis/compose-project.js';
import { covers, dataDirs, isStateful, legacyMount, persistent, redisPersistence } from '../analysis/compose-volumes.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    // a one-shot or tool container that runs a stateful image (a setup job on the broker's image) keeps no data of its own
    if (v.oneShot || !v.info || !v.image || !isStateful(v, p.redisQueue) || get(v.node, 'volumes_from')) continue;
    if (legacyMount(v)) continue;
    // a Redis told to write nothing (`--save ""`, no `--appendonly yes`) has nothing in its data
    // directory to keep, on tmpfs or not: onyx's cache, ephemeral by design. What it holds is lost
    // on a restart all the same, which is FL784's to say
    const keeps = redisPersistence(v.command?.args.map((a) => a.text) ?? []);
    if (v.info.stateful === 'when-queue' && !keeps.aof && !keeps.snapshots) continue;
    const dirs = dataDirs(v);
    const dir = dirs[dirs.length - 1];
    if (!dir) continue;
    const ms = mounts(v.node);
    const src = v.image.src as Src;
    const data = { image: v.image.text, path: dir.path, mount: dir.mount };
    const tmp = ms.find((m) => m.type === 'tmpfs' && dirs.some((d) => pathWithin(d.path, m.target)));
    const ok = ms.find((m) => persistent(m) && dirs.some((d) => covers(m, d)));
    if (tmp && !ok) {
      hits.push(atP2(composeDraft(ctx, src, v.name, { ...data, problem: `is a tmpfs (memory): it is empty after every restart` }), 'tmpfs is a deliberate choice (tests, caches)'));
      continue;
    }
    if (!ok) {
      // compose carries an image's anonymous VOLUME over a recreate; the writable layer it does not
      const anonymous = dirs.some((d) => d.volume && pathWithin(d.path, d.volume));
      const problem = anonymous
        ? 'is on no named volume or bind mount, only on the anonymous volume the image declares: compose carries that over a recreate, but after `docker compose down` (or `rm`) and `up`, or `up -V`, the service starts empty'
        : "is on no volume at all: it is in the container's writable layer, and every recreate (an image upgrade, a changed setting) starts the service empty";
      // a broker that names its data after the node needs the fixed node name as well as the volume
      const node = v.info.needsHostname && !get(v.node, 'hostname') && !(v.info.nodeNameEnv && envValue(v.node, v.info.nodeNameEnv));
      const d = devP2(v, composeDraft(ctx, src, v.name, { ...data, mount: dir.mount ?? dir.path, problem, ...(node ? { textVariant: 'node-without-volume' } : {}) }));
      // a redis that holds a queue loses what is queued at that moment, not the system's records
      hits.push(anonymous && v.info.stateful === 'when-queue' && !d.priority ? atP2(d, 'redis holds queued jobs, not records, and its anonymous volume survives a recreate') : d);
      continue;
    }
    if (v.info.needsHostname && !get(v.node, 'hostname') && !(v.info.nodeNameEnv && envValue(v.node, v.info.nodeNameEnv))) {
      hits.push(composeDraft(ctx, src, v.name, { ...data, problem: 'is on a volume, but without a fixed `hostname:` the node name (rabbit@<container id>) changes on recreate and the data under the old name is not used' }));
    }
  }
  return hits;
};

export default check;
