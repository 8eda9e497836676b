// FL580: a long-running service with no restart policy (or `restart: "no"`).
import { restart } from '../../languages/compose/service.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft, hardeningP2, profileP2 } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => {
    if (v.oneShot) return [];
    const r = restart(v.node);
    if (r && r.policy !== 'no') return [];
    const d = composeDraft(ctx, r?.src ?? v.keySrc, v.name, { state: r ? 'has `restart: "no"`' : 'has no `restart` policy' });
    return [hardeningP2(v, profileP2(v, d))];
  });

export default check;
