// FL486: a slow starter (catalog `images`: slowStart) whose healthcheck gives up before the first
// boot can finish: no `start_period`, and interval × retries below the image's catalog
// `startSeconds`, else the rule option `minGraceSeconds`.
import { get, str } from '../../languages/compose/tree.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft, type ComposeDraft } from '../analysis/compose-project.js';

// only a dependant that waits for `service_healthy` fails when the first boot outlasts the checks;
// without one, an early "unhealthy" heals itself once the service is up
import { durationSeconds } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) => {
  const minGrace = (ctx.rule.options as { minGraceSeconds: number }).minGraceSeconds;
  const hits: ComposeDraft[] = [];
  const gated = new Set(ctx.project.services.flatMap((o) => o.deps.filter((d) => d.condition === 'service_healthy').map((d) => d.name)));
  for (const v of ctx.project.services) {
    if (!gated.has(v.name)) continue;
    if (!v.info?.slowStart || !v.hc?.test || (v.health !== 'ok' && v.health !== 'weak')) continue;
    const node = v.hc.node;
    if (get(node, 'start_period')) continue;
    // Docker's defaults: interval 30s, retries 3
    const interval = durationSeconds(str(get(node, 'interval')) ?? '30s');
    const retries = Number(str(get(node, 'retries')) ?? '3');
    if (interval === undefined || !Number.isFinite(retries)) continue;
    const grace = interval * retries;
    // the image's own first start, where the catalog knows it is short (postgres: seconds)
    if (grace >= (v.info.startSeconds ?? minGrace)) continue;
    hits.push(composeDraft(ctx, v.hc.keySrc, v.name, { grace: `${Math.round(grace)} s`, image: v.image?.text ?? v.info.service }));
  }
  return hits;
};

export default check;
