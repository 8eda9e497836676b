// FL784: redis holding a job queue without the append-only file: a crash loses the last snapshot interval.
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { redisPersistence } from '../analysis/compose-volumes.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  if (!p.redisQueue) return [];
  const argsOf = (v: (typeof p.services)[number]) => v.command?.args.map((a) => a.text) ?? [];
  const aofOn = (v: (typeof p.services)[number]) => redisPersistence(argsOf(v)).aof;
  const redis = p.services.filter((v) => v.info?.service === 'redis');
  // a stack with a durable Redis beside this one keeps its queues there (agenta's redis-durable
  // and redis-volatile): the one without the file is the cache
  if (redis.some(aofOn)) return [];
  return redis.flatMap((v) => {
    if (v.info?.aofByDefault !== false || !v.image) return [];
    const keeps = redisPersistence(argsOf(v));
    // a config file (redis-server /usr/local/etc/redis/redis.conf) is not read
    if (keeps.conf) return [];
    const off = keeps.aofFlag !== undefined ? v.command!.args[keeps.aofFlag] : undefined;
    // `--save ""` turns the snapshots off too: nothing survives a restart
    const loss = !keeps.snapshots ? 'every job in it is lost (`--save ""` turns the snapshots off too)' : 'every job enqueued since the last RDB snapshot (minutes by default) is lost';
    return [composeDraft(ctx, off?.src ?? v.command?.src ?? v.image.src, v.name, { image: v.image.text, state: off ? 'turns the append-only file off' : 'runs without the append-only file', loss })];
  });
};

export default check;
