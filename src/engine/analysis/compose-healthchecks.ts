// What the healthcheck checks (FL480–FL486) share: the probe to suggest for a service, whether a
// dependency is something to wait for, and compose durations.
import { ports } from '../../languages/compose/service.js';
import { codeRoots, within, type ProjectView, type ServiceView } from './compose-project.js';
import type { CodeFileSummary as CodeSummary } from '../compose.js';

/** one line, at most `n` characters */
export function clip(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

/**
 * The readiness probe to suggest: the image's known one, or an HTTP check on its published port;
 * '' when neither is known (the texts then leave the example out rather than print a sentence
 * where a command belongs). For an app the path is the health route its code declares, when one
 * is there, and the tool is its own runtime: slim Python and Alpine Node images ship no curl.
 */
export function suggestedProbe(v: ServiceView, p: Pick<ProjectView, 'code' | 'knowledge'>): string {
  if (v.info?.probe) return v.info.probe;
  const published = ports(v.node)[0]?.target?.split('-')[0];
  // no port published (a backend only its proxy reaches): the one its command or start script binds
  const port = published && /^\d+$/.test(published) ? published : boundPort(`${v.commandText}\n${v.startScript?.text ?? ''}`);
  if (!port) return '';
  const route = healthRoute(v, p.code);
  const url = `http://localhost:${port}${route?.path ?? '/health'}`;
  const probes = p.knowledge.runtimeProbes;
  const template = (route && probes.find((t) => t.runtime === route.language)) ?? probes.find((t) => t.runtime === 'any');
  return template ? template.probe.replaceAll('{url}', url) : '';
}

/**
 * The port a server command binds (`gunicorn --bind="${HOST:-0.0.0.0}:${PORT:-8000}"`, `uvicorn
 * --port 8000`), with a variable's default: doccano's backend, reached only through nginx.
 */
function boundPort(text: string): string | undefined {
  const m = /--bind[= ]["']?(?:\$\{\w+(?::-[^}]*)?\}|[^\s"':]*):(?:\$\{\w+:-)?(\d{2,5})\b/.exec(text) ?? /--port[= ]["']?(?:\$\{\w+:-)?(\d{2,5})\b/.exec(text);
  return m?.[1];
}

/** tooling, tests and examples declare routes too; they are not what the service serves */
const NOT_SERVED = /(^|\/)(scripts?|tests?|benchmarks?|examples?|docs?|e2e)\//i;

/** The health route the service's code declares (the shortest path, from its deepest code root). */
function healthRoute(v: ServiceView, code: readonly CodeSummary[]): { path: string; language: CodeSummary['language'] } | undefined {
  const roots = codeRoots(v);
  if (!roots.length) return undefined;
  let best: { path: string; language: CodeSummary['language'] } | undefined;
  for (const c of code) {
    if (!c.healthRoutes?.length || NOT_SERVED.test(c.path) || !roots.some((r) => within(c.path, r))) continue;
    for (const path of c.healthRoutes)
      if (!best || path.length < best.path.length || (path.length === best.path.length && path < best.path)) best = { path, language: c.language };
  }
  return best;
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
