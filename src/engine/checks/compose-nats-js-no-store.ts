// FL783: JetStream on, and its store directory on no volume.
import { mounts, pathWithin } from '../../languages/compose/service.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { persistent } from '../analysis/compose-volumes.js';
import { natsFlags } from '../analysis/nats-flags.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => {
    if (v.info?.service !== 'nats') return [];
    const f = natsFlags(v);
    if (!f.js || f.config) return [];
    const dir = f.storeDir ?? '/tmp/nats/jetstream';
    if (mounts(v.node).some((m) => persistent(m) && pathWithin(dir, m.target))) return [];
    const problem = f.storeDir
      ? `its store directory ${dir} is not on a volume`
      : 'no `-sd` store directory is given, so streams go to /tmp/nats/jetstream inside the container';
    return [composeDraft(ctx, f.js.src, v.name, { problem, path: dir })];
  });

export default check;
