// Restart policy (FL580, FL581) and resource limits (FL980, FL981).
import { cpuLimit, memoryLimit, restart } from '../../languages/compose/service.js';
import type { RuleMeta } from '../types.js';
import type { ComposeCheck, ComposeHit, ServiceView } from './context.js';

function devHit(v: ServiceView, hit: ComposeHit): ComposeHit {
  if (v.dev) {
    hit.priority = 'P2';
    hit.priorityReason = 'declared in a developer-only compose file';
  }
  return hit;
}

export const noRestart: ComposeCheck = (p) =>
  p.services.flatMap((v) => {
    if (v.oneShot) return [];
    const r = restart(v.node);
    if (r && r.policy !== 'no') return [];
    const hit: ComposeHit = { src: r?.src ?? v.keySrc, service: v.name, data: { state: r ? 'has `restart: "no"`' : 'has no `restart` policy' } };
    if (v.profiles.length) {
      hit.priority = 'P2';
      hit.priorityReason = `only runs with profile ${v.profiles.join(', ')}`;
    }
    return [devHit(v, hit)];
  });

function maxAttemptsOption(rule: RuleMeta): number {
  const n = rule.options?.['maxAttempts'];
  return typeof n === 'number' ? n : 5;
}

export const restartGivesUp: ComposeCheck = (p, rule) =>
  p.services.flatMap((v) => {
    if (v.oneShot) return [];
    const r = restart(v.node);
    if (!r || r.policy !== 'on-failure' || r.maxAttempts === undefined || r.maxAttempts > maxAttemptsOption(rule)) return [];
    return [devHit(v, { src: r.maxSrc ?? r.src, service: v.name, data: { attempts: String(r.maxAttempts) } })];
  });

function limitCheck(read: typeof memoryLimit): ComposeCheck {
  return (p) =>
    p.services.flatMap((v) => {
      if (v.oneShot || v.dev || read(v.node)) return [];
      return [{ src: v.keySrc, service: v.name }];
    });
}

export const noMemoryLimit = limitCheck(memoryLimit);
export const noCpuLimit = limitCheck(cpuLimit);
