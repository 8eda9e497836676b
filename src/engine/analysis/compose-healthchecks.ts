// What the healthcheck checks (FL480–FL486) share: the probe to suggest for a service, whether a
// dependency is something to wait for, and compose durations.
import { ports } from '../../languages/compose/service.js';
import type { ServiceView } from './compose-project.js';

/** one line, at most `n` characters */
export function clip(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

/** the probe to suggest: the catalog's for a known image, an HTTP check for an app */
/**
 * The readiness probe to suggest: the image's known one, or an HTTP check on its published port;
 * '' when neither is known (the texts then leave the example out rather than print a sentence
 * where a command belongs).
 */
export function suggestedProbe(v: ServiceView): string {
  if (v.info?.probe) return v.info.probe;
  const port = ports(v.node)[0]?.target?.split('-')[0];
  if (port && /^\d+$/.test(port)) return `curl -fsS http://localhost:${port}/health || exit 1`;
  return '';
}

/** the dependency is something that has, or should have, a readiness probe */
export function shouldBeWaitedFor(d: ServiceView): boolean {
  if (d.oneShot) return false;
  if (d.health === 'ok' || d.health === 'weak' || d.health === 'image-default') return true;
  return !!d.info?.probe;
}

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
