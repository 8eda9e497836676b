// FL482: a healthcheck whose test proves less than readiness (analysis/healthcheck-probe.ts judges it).
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { clip, suggestedProbe } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => {
    if (v.health !== 'weak' || !v.hc?.test || !v.verdict?.reason) return [];
    return [composeDraft(ctx, v.hc.test.src, v.name, { test: clip(v.hc.test.command), reason: v.verdict.reason, probe: suggestedProbe(v) })];
  });

export default check;
