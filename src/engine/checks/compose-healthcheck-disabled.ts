// FL481: `healthcheck: {disable: true}` or `test: ["NONE"]` on a service that keeps running. A
// one-shot job (Flagsmith's `migrate-db`, the app image run as `migrate`) serves nothing for the
// image's HTTP probe to find: turning it off is right, and its dependants wait for it to complete.
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { suggestedProbe } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => {
    if (v.health !== 'disabled' || !v.hc || v.oneShot) return [];
    const how = v.hc.disabled ? 'disable: true' : 'test: ["NONE"]';
    const src = v.hc.disabled ?? v.hc.test?.src ?? v.hc.keySrc;
    return [composeDraft(ctx, src, v.name, { how, probe: suggestedProbe(v, ctx.project) })];
  });

export default check;
