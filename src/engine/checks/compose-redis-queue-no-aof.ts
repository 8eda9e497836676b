// FL784: redis holding a job queue without the append-only file: a crash loses the last snapshot interval.
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  if (!p.redisQueue) return [];
  const argsOf = (v: (typeof p.services)[number]) => v.command?.args.map((a) => a.text) ?? [];
  const aofOn = (v: (typeof p.services)[number]) => {
    const args = argsOf(v);
    const i = args.indexOf('--appendonly');
    return i >= 0 && args[i + 1] === 'yes';
  };
  const redis = p.services.filter((v) => v.info?.service === 'redis');
  // a stack with a durable Redis beside this one keeps its queues there (agenta's redis-durable
  // and redis-volatile): the one without the file is the cache
  if (redis.some(aofOn)) return [];
  return redis.flatMap((v) => {
    if (v.info?.aofByDefault !== false || !v.image) return [];
    const args = argsOf(v);
    // a config file (redis-server /usr/local/etc/redis/redis.conf) is not read
    if (args.some((a) => a.endsWith('.conf'))) return [];
    const i = args.indexOf('--appendonly');
    const off = i >= 0 ? v.command!.args[i] : undefined;
    // `--save ""` turns the snapshots off too: nothing survives a restart
    const s = args.indexOf('--save');
    const noSnapshots = s >= 0 && (args[s + 1] === '' || args[s + 1] === '""' || args[s + 1] === "''");
    const loss = noSnapshots ? 'every job in it is lost (`--save ""` turns the snapshots off too)' : 'every job enqueued since the last RDB snapshot (minutes by default) is lost';
    return [composeDraft(ctx, off?.src ?? v.command?.src ?? v.image.src, v.name, { image: v.image.text, state: off ? 'turns the append-only file off' : 'runs without the append-only file', loss })];
  });
};

export default check;
