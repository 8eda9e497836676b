// FL482: a healthcheck whose test proves less than readiness (analysis/healthcheck-probe.ts judges it).
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { clip, suggestedProbe } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => {
    if (v.health !== 'weak' || !v.hc?.test || !v.verdict?.reason) return [];
    const d = composeDraft(ctx, v.hc.test.src, v.name, { test: clip(v.hc.test.command), reason: v.verdict.reason, probe: suggestedProbe(v, ctx.project) });
    // plain compose acts on health only through a dependant's `condition: service_healthy`: with
    // none, a probe that proves too little misleads `docker ps` and nothing starts too early
    // (ragflow's es01 and opensearch01: readers judged P1 wrong where nothing waited on them)
    const gated = ctx.project.services.some((o) => o.deps.some((dep) => dep.name === v.name && dep.condition === 'service_healthy'));
    if (!gated) {
      d.priority = 'P2';
      d.priorityReason = 'no service waits for it with `condition: service_healthy`';
    }
    return [d];
  });

export default check;
