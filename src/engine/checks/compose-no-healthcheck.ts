// FL480: a long-running service with no healthcheck (neither its own, nor the image's, nor its
// Dockerfile's) that something acts on: a service that depends on it or talks to it, Swarm (which
// replaces unhealthy tasks and gates rolling updates on health) or an autoheal label. Plain
// compose restarts nothing on "unhealthy", so a healthcheck nobody reads would only decorate
// `docker ps`; nor does a dependant that waits for the service by itself (wait-for-it, a loop in
// its start-up script) or restarts until it connects.
import { get, str } from '../../languages/compose/tree.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft, directDependentsOf, hardeningP2, needsReadinessGate, profileP2, type ComposeDraft, type ProjectView } from '../analysis/compose-project.js';
import { suggestedProbe } from '../analysis/compose-healthchecks.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const hits: ComposeDraft[] = [];
  for (const v of p.services) {
    if (v.oneShot || v.health !== 'none') continue;
    // what depends on it directly; a dependant that waits for it by itself, or restarts until it
    // connects, needs no healthcheck to start safely
    const dependents = directDependentsOf(p, v.name);
    // a queue worker (no known image, no port, nobody's URL names it) is ready for no one: a
    // `depends_on` on it only orders the start (doccano's flower on its celery worker)
    const runs = `${v.commandText}\n${v.startScript?.text ?? ''}`;
    const worker = !v.info && !v.listens && p.knowledge.workerCommands.some((r) => r.test(runs));
    const reachable = !worker || dependents.some((n) => p.talksTo.get(n)?.has(v.name));
    const readers = reachable ? dependents.filter((n) => { const d = p.byName.get(n); return d !== undefined && needsReadinessGate(d, p, v.name); }) : [];
    if (!readers.length && !healthWatched(v.node)) continue;
    const d = composeDraft(ctx, v.hc?.keySrc ?? v.keySrc, v.name, {
      probe: suggestedProbe(v, p),
      dependents: dependentsText(p, v.name, dependents),
    });
    hits.push(hardeningP2(v, profileP2(v, d)));
  }
  return hits;
};

/** Who relies on it, as written: `depends_on` is a start-up dependency; a URL in the environment only a runtime call. */
function dependentsText(p: ProjectView, name: string, dependents: string[]): string {
  const declared = dependents.filter((n) => p.byName.get(n)?.deps.some((d) => d.name === name));
  const calling = dependents.filter((n) => !declared.includes(n));
  const parts = [
    declared.length ? `Services that depend on it: ${declared.join(', ')}.` : '',
    calling.length ? `Services that call it: ${calling.join(', ')}.` : '',
  ].filter(Boolean);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/**
 * Swarm-only `deploy` settings or an autoheal label: something restarts or replaces an unhealthy
 * container. `deploy.replicas` alone is not Swarm: docker compose scales by it too (mediacms's
 * `replicas: 1` under `build`-less compose services) and still ignores health.
 */
function healthWatched(node: import('../../languages/compose/tree.js').YMap): boolean {
  const deploy = get(node, 'deploy');
  if (deploy?.kind === 'map' && (get(deploy, 'update_config') || get(deploy, 'rollback_config') || get(deploy, 'placement') || str(get(deploy, 'mode')) === 'global')) return true;
  const labels = get(node, 'labels');
  if (labels?.kind === 'map') return [...labels.entries.keys()].some((k) => /^autoheal/.test(k));
  if (labels?.kind === 'seq') return labels.items.some((i) => /^autoheal/.test(str(i) ?? ''));
  return false;
}

export default check;
