// FL484: `condition: service_healthy` on a dependency that has no (or a disabled) healthcheck.
import type { ComposeCheck } from '../api.js';
import { composeDraft, type ComposeDraft } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    for (const d of v.deps) {
      if (d.condition !== 'service_healthy') continue;
      const dep = p.byName.get(d.name);
      if (!dep || (dep.health !== 'none' && dep.health !== 'disabled')) continue;
      hits.push(
        composeDraft(ctx, d.conditionSrc ?? d.keySrc, v.name, {
          dependency: d.name,
          state: dep.health === 'disabled' ? 'has its healthcheck disabled' : 'has no healthcheck',
        }),
      );
    }
  }
  return hits;
};

export default check;
