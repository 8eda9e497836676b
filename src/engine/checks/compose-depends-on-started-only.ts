// FL483: `depends_on` that waits only for "started" on a dependency that has (or should have) a
// readiness probe.
import type { ComposeCheck } from '../api.js';
import { atP2, composeDraft, devP2, type ComposeDraft } from '../analysis/compose-project.js';
import { shouldBeWaitedFor } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    const waits = p.knowledge.waitTools.some((r) => r.test(v.commandText));
    for (const d of v.deps) {
      if (d.condition !== 'service_started') continue;
      const dep = p.byName.get(d.name);
      if (!dep || !shouldBeWaitedFor(dep)) continue;
      const draft = composeDraft(ctx, d.conditionSrc ?? d.keySrc, v.name, { dependency: d.name, form: d.short ? 'short form' : 'condition: service_started' });
      hits.push(devP2(v, waits ? atP2(draft, 'the command waits for its dependencies itself') : draft));
    }
  }
  return hits;
};

export default check;
