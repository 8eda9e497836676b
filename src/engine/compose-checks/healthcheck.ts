// Healthcheck and startup-order checks (FL480–FL485).
import { posix } from 'node:path';
import { ports } from '../../languages/compose/service.js';
import { get, str } from '../../languages/compose/tree.js';
import { atP2, dependentsOf, devP2, profileP2, type ComposeCheck, type ComposeHit, type ServiceView } from './context.js';
import { natsFlags } from './nats.js';
import { testScript } from './probe.js';

function clip(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

/** the probe to suggest: the catalog's for a known image, an HTTP check for an app */
export function suggestedProbe(v: ServiceView): string {
  if (v.info?.probe) return v.info.probe;
  const port = ports(v.node)[0]?.target?.split('-')[0];
  if (port && /^\d+$/.test(port)) return `curl -fsS http://localhost:${port}/health || exit 1`;
  return 'a command that proves the service can do its work (e.g. an HTTP /health endpoint with curl -f)';
}

/** the dependency is something that has, or should have, a readiness probe */
function shouldBeWaitedFor(d: ServiceView): boolean {
  if (d.oneShot) return false;
  if (d.health === 'ok' || d.health === 'weak' || d.health === 'image-default') return true;
  return !!d.info?.probe;
}

export const noHealthcheck: ComposeCheck = (p) => {
  const hits: ComposeHit[] = [];
  for (const v of p.services) {
    if (v.oneShot || v.health !== 'none') continue;
    const dependents = dependentsOf(p, v.name);
    const hit: ComposeHit = {
      src: v.hc?.keySrc ?? v.keySrc,
      service: v.name,
      data: { probe: suggestedProbe(v), dependents: dependents.length ? ` Services that depend on it: ${dependents.join(', ')}.` : '' },
    };
    if (!v.profiles.length && !v.info && !dependents.length && !v.listens) atP2(hit, 'nothing depends on it and it publishes no port');
    hits.push(devP2(v, profileP2(v, hit)));
  }
  return hits;
};

export const healthcheckDisabled: ComposeCheck = (p) =>
  p.services.flatMap((v) => {
    if (v.health !== 'disabled' || !v.hc) return [];
    const how = v.hc.disabled ? 'disable: true' : 'test: ["NONE"]';
    const src = v.hc.disabled ?? v.hc.test?.src ?? v.hc.keySrc;
    return [{ src, service: v.name, data: { how, probe: suggestedProbe(v) } }];
  });

export const weakHealthcheck: ComposeCheck = (p) =>
  p.services.flatMap((v) => {
    if (v.health !== 'weak' || !v.hc?.test || !v.verdict?.reason) return [];
    return [{ src: v.hc.test.src, service: v.name, data: { test: clip(v.hc.test.command), reason: v.verdict.reason, probe: suggestedProbe(v) } }];
  });

export const dependsOnStartedOnly: ComposeCheck = (p) => {
  const hits: ComposeHit[] = [];
  for (const v of p.services) {
    const waits = p.knowledge.waitTools.some((r) => r.test(v.commandText));
    for (const d of v.deps) {
      if (d.condition !== 'service_started') continue;
      const dep = p.byName.get(d.name);
      if (!dep || !shouldBeWaitedFor(dep)) continue;
      const hit: ComposeHit = {
        src: d.conditionSrc ?? d.keySrc,
        service: v.name,
        data: { dependency: d.name, form: d.short ? 'short form' : 'condition: service_started' },
      };
      hits.push(devP2(v, waits ? atP2(hit, 'the command waits for its dependencies itself') : hit));
    }
  }
  return hits;
};

export const healthyWithoutHealthcheck: ComposeCheck = (p) => {
  const hits: ComposeHit[] = [];
  for (const v of p.services) {
    for (const d of v.deps) {
      if (d.condition !== 'service_healthy') continue;
      const dep = p.byName.get(d.name);
      if (!dep || (dep.health !== 'none' && dep.health !== 'disabled')) continue;
      hits.push({
        src: d.conditionSrc ?? d.keySrc,
        service: v.name,
        data: { dependency: d.name, state: dep.health === 'disabled' ? 'has its healthcheck disabled' : 'has no healthcheck' },
      });
    }
  }
  return hits;
};

/** nats: the probe needs the monitoring port or tools the image does not have */
export const natsHealthcheckNeverPasses: ComposeCheck = (p) => {
  const hits: ComposeHit[] = [];
  for (const v of p.services) {
    if (v.info?.service !== 'nats' || !v.hc?.test || v.hc.test.form === 'NONE' || !v.image) continue;
    const test = v.hc.test;
    const monitor = String(v.info.monitorPort ?? 8222);
    const probesMonitor = test.command.includes(monitor) || /\/(healthz|varz|connz|jsz)\b/.test(test.command);
    const flags = natsFlags(v);
    let reason: string | undefined;
    if (probesMonitor && v.command && !flags.monitor && !flags.config) {
      reason = `\`command:\` replaces the image's default config (which is what opens the monitoring port ${monitor}) and does not pass \`-m ${monitor}\`, so the probe can never connect`;
    } else if (!v.image.unknown && !/alpine/i.test(v.image.tag) && !/(nanoserver|windowsservercore)/i.test(v.image.tag)) {
      const words = testScript(test).flatMap((t) => ('word' in t ? [t.word] : []));
      const prog = posix.basename(words[0] ?? '');
      if (test.form === 'CMD-SHELL' || test.form === 'string') {
        reason = `\`${v.image.text}\` is built FROM scratch and has no shell, so a CMD-SHELL test cannot run (use a \`-alpine\` tag)`;
      } else if (words[0] !== '/nats-server') {
        // the scratch image holds /nats-server and nothing else (and / is not on PATH)
        reason =
          prog === 'nats-server'
            ? `\`${v.image.text}\` is built FROM scratch: the server is /nats-server and nothing is on PATH (use a \`-alpine\` tag)`
            : `\`${v.image.text}\` is built FROM scratch and has no \`${prog}\` (use a \`-alpine\` tag)`;
      }
    }
    if (reason) hits.push({ src: test.src, service: v.name, data: { reason } });
  }
  return hits;
};

/** compose durations: 1m30s, 500ms, 10s, 2h; undefined when unreadable (a variable) */
export function durationSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) / 1e9; // a bare number is nanoseconds
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  let total = 0;
  let used = 0;
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : m[2] === 'ms' ? n / 1e3 : n / 1e6;
    used += m[0].length;
  }
  return used === t.length && used > 0 ? total : undefined;
}

/** slow starters whose healthcheck gives up before the first boot can finish */
export const noStartPeriod: ComposeCheck = (p, rule) => {
  const minGrace = typeof rule.options?.['minGraceSeconds'] === 'number' ? (rule.options['minGraceSeconds'] as number) : 60;
  const hits: ComposeHit[] = [];
  for (const v of p.services) {
    if (!v.info?.slowStart || !v.hc?.test || (v.health !== 'ok' && v.health !== 'weak')) continue;
    const node = v.hc.node;
    if (get(node, 'start_period')) continue;
    const interval = durationSeconds(str(get(node, 'interval')) ?? '30s');
    const retries = Number(str(get(node, 'retries')) ?? '3');
    if (interval === undefined || !Number.isFinite(retries)) continue;
    const grace = interval * retries;
    if (grace >= minGrace) continue;
    hits.push({ src: v.hc.keySrc, service: v.name, data: { grace: `${Math.round(grace)} s`, image: v.image?.text ?? v.info.service } });
  }
  return hits;
};
