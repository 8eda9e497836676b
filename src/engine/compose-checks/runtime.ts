// Restart policy (FL580, FL581) and resource limits (FL980, FL981).
import { cpuLimit, memoryLimit, restart } from '../../languages/compose/service.js';
import type { RuleMeta } from '../types.js';
import { devP2, profileP2, type ComposeCheck, type ComposeHit } from './context.js';

export const noRestart: ComposeCheck = (p) =>
  p.services.flatMap((v) => {
    if (v.oneShot) return [];
    const r = restart(v.node);
    if (r && r.policy !== 'no') return [];
    const hit: ComposeHit = { src: r?.src ?? v.keySrc, service: v.name, data: { state: r ? 'has `restart: "no"`' : 'has no `restart` policy' } };
    return [devP2(v, profileP2(v, hit))];
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
    return [devP2(v, { src: r.maxSrc ?? r.src, service: v.name, data: { attempts: String(r.maxAttempts) } })];
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
