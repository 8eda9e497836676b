// FL780: a stateful image (catalog `images`: stateful) whose data directory is on no named volume
// or bind mount (or on a tmpfs), or a RabbitMQ-style node without a fixed hostname.
import { envValue, mounts, pathWithin } from '../../languages/compose/service.js';
import { get, type Src } from '../../languages/compose/tree.js';
import type { ComposeCheck } from '../api.js';
import { atP2, composeDraft, devP2, type ComposeDraft } from '../analysis/compose-project.js';
import { covers, dataDirs, isStateful, legacyMount, persistent } from '../analysis/compose-volumes.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    if (!v.info || !v.image || !isStateful(v, p.redisQueue) || get(v.node, 'volumes_from')) continue;
    if (legacyMount(v)) continue;
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
      const problem = 'is not on a named volume or bind mount: the data lands in an anonymous volume that `docker compose down` or a recreate leaves behind';
      hits.push(devP2(v, composeDraft(ctx, src, v.name, { ...data, problem })));
      continue;
    }
    if (v.info.needsHostname && !get(v.node, 'hostname') && !(v.info.nodeNameEnv && envValue(v.node, v.info.nodeNameEnv))) {
      hits.push(composeDraft(ctx, src, v.name, { ...data, problem: 'is on a volume, but without a fixed `hostname:` the node name (rabbit@<container id>) changes on recreate and the data under the old name is not used' }));
    }
  }
  return hits;
};

export default check;
