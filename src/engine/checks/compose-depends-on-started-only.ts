// FL483: `depends_on` that waits only for "started" on a dependency that has (or should have) a
// readiness probe. A service that waits for its dependencies itself (wait-for-it, a loop in its
// start-up script) needs no gate from compose: the standard alternative, not a hazard. Nor does
// one with a restart policy: a failed first connect costs a restart, not an outage; nor one whose
// code reaches the dependency only through a client that reconnects until it answers (ioredis).
import type { ComposeCheck } from '../api.js';
import { composeDraft, hardeningP2, needsReadinessGate, type ComposeDraft } from '../analysis/compose-project.js';
import { shouldBeWaitedFor } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    // a tool container runs nothing at start-up that could race its dependencies
    if (v.idle) continue;
    for (const d of v.deps) {
      if (d.condition !== 'service_started' || !needsReadinessGate(v, p, d.name)) continue;
      const dep = p.byName.get(d.name);
      if (!dep || !shouldBeWaitedFor(dep)) continue;
      const draft = composeDraft(ctx, d.conditionSrc ?? d.keySrc, v.name, { dependency: d.name, form: d.short ? 'short form' : 'condition: service_started' });
      hits.push(hardeningP2(v, draft));
    }
  }
  return hits;
};

export default check;
