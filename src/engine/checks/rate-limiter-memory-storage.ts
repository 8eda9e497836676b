// FL054: a rate limiter that keeps its counters in process memory (slowapi with no storage_uri,
// express-rate-limit with no store, `memory://`), in code run by a compose service that runs
// several processes: `deploy.replicas` / `scale` above 1, `gunicorn -w 4`, `uvicorn --workers 4`,
// `pm2-runtime -i max`, `WEB_CONCURRENCY=4` (analysis/compose-project `severalInstances`). Each
// process counts on its own, so the limit a client gets is the configured one times the number
// of processes (and which process answers is up to the load balancer); every restart forgets the
// counters. The finding sits on the limiter in the code; the evidence is in the message.
import type { ComposeCheck } from '../api.js';
import { codeRoots, deepestOwners, profileP2, severalInstances, type ComposeDraft } from '../analysis/compose-project.js';
import { environment } from '../../languages/compose/service.js';
import { get } from '../../languages/compose/tree.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  const out: ComposeDraft[] = [];
  const seen = new Set<string>();
  const entries = [...ctx.catalog.entries('rate-limiters', 'python'), ...ctx.catalog.entries('rate-limiters', 'typescript')];
  for (const code of p.code) {
    if (!code.limiters?.length) continue;
    const runners = deepestOwners(p.services, codeRoots, code.path).filter((v) => !v.oneShot && !v.dev);
    for (const v of runners) {
      const several = severalInstances(v);
      if (!several) continue;
      const env = new Set(environment(v.node).map((e) => e.name));
      const envFile = get(v.node, 'env_file') !== undefined;
      for (const l of code.limiters) {
        // the library may read its storage from the environment: set there, or maybe in env_file
        const settings = entries.find((e) => e.language === code.language && e.calls.includes(l.api))?.envSettings ?? [];
        if (l.storage === 'default' && settings.length && (settings.some((s) => env.has(s)) || envFile)) continue;
        const key = `${code.path}:${l.line}:${l.column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(
          profileP2(v, {
            ruleId: ctx.rule.id,
            loc: { line: l.line, column: l.column, endLine: l.endLine, endColumn: l.endColumn },
            message: ctx.rule.message,
            data: {
              service: v.name,
              callee: l.callee,
              evidence: several.evidence,
              storage: l.storage === 'memory' ? 'stores its counters in memory (`memory://`)' : 'has no shared store, so its counters live in process memory',
            },
            symbol: v.name,
            file: code.path,
          }),
        );
      }
    }
  }
  return out;
};

export default check;
