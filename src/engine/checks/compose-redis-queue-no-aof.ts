// FL784: redis holding a job queue without the append-only file: a crash loses the last snapshot interval.
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  if (!p.redisQueue) return [];
  return p.services.flatMap((v) => {
    if (v.info?.service !== 'redis' || v.info.aofByDefault !== false || !v.image) return [];
    const args = v.command?.args.map((a) => a.text) ?? [];
    const i = args.indexOf('--appendonly');
    if (i >= 0 && args[i + 1] === 'yes') return [];
    // a config file (redis-server /usr/local/etc/redis/redis.conf) is not read
    if (args.some((a) => a.endsWith('.conf'))) return [];
    const off = i >= 0 ? v.command!.args[i] : undefined;
    return [composeDraft(ctx, off?.src ?? v.command?.src ?? v.image.src, v.name, { image: v.image.text, state: off ? 'turns the append-only file off' : 'runs without the append-only file' })];
  });
};

export default check;
