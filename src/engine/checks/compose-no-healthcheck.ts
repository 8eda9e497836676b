// FL480: a long-running service with no healthcheck (neither its own, nor the image's, nor its Dockerfile's).
import type { ComposeCheck } from '../api.js';
import { atP2, composeDraft, dependentsOf, devP2, profileP2, type ComposeDraft } from '../analysis/compose-project.js';
import { suggestedProbe } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    if (v.oneShot || v.health !== 'none') continue;
    const dependents = dependentsOf(p, v.name);
    const d = composeDraft(ctx, v.hc?.keySrc ?? v.keySrc, v.name, {
      probe: suggestedProbe(v),
      dependents: dependents.length ? ` Services that depend on it: ${dependents.join(', ')}.` : '',
    });
    if (!v.profiles.length && !v.info && !dependents.length && !v.listens) atP2(d, 'nothing depends on it and it publishes no port');
    hits.push(devP2(v, profileP2(v, d)));
  }
  return hits;
};

export default check;
