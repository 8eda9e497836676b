// FL581: `on-failure:N` with a small N (rule option `maxAttempts`): the service stays down once a
// dependency has been away for N restarts.
import { restart } from '../../languages/compose/service.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft, hardeningP2 } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) => {
  const maxAttempts = (ctx.rule.options as { maxAttempts: number }).maxAttempts;
  return ctx.project.services.flatMap((v) => {
    if (v.oneShot) return [];
    const r = restart(v.node);
    if (!r || r.policy !== 'on-failure' || r.maxAttempts === undefined || r.maxAttempts > maxAttempts) return [];
    return [hardeningP2(v, composeDraft(ctx, r.maxSrc ?? r.src, v.name, { attempts: String(r.maxAttempts) }))];
  });
};

export default check;
