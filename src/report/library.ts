// Which backend a finding is about (Redis, Postgres, NATS, …), so its explanation, fix and
// experiment can be the ones for that backend (rule YAML `variants:`). Pure.
//
// This is report vocabulary, not library knowledge: the catalog says what an API does; this only
// names the backend family an API, image or driver belongs to, so that a Redis client gets a Redis
// experiment. The engine's `data.api` (the import-resolved callee) is the best evidence; without it
// the compose image, then the code spans of the message and the excerpt are read.
import type { Finding, SystemModel } from '../engine/types.js';

export const FAMILIES = ['redis', 'postgres', 'mysql', 'mongo', 'nats', 'rabbitmq', 'kafka', 'elasticsearch', 'ai-sdk', 'http'] as const;
export type Family = (typeof FAMILIES)[number];

/** Human name of a family, for sentences ("the Redis container"). */
export const FAMILY_LABEL: Record<Family, string> = {
  redis: 'Redis',
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mongo: 'MongoDB',
  nats: 'NATS',
  rabbitmq: 'RabbitMQ',
  kafka: 'Kafka',
  elasticsearch: 'Elasticsearch',
  'ai-sdk': 'Vercel AI SDK',
  http: 'HTTP',
};

// backends first: "redis" in an axios call's excerpt is less telling than "axios" in its callee,
// which is why sources are tried one at a time, most specific first
const PATTERNS: Array<[Family, RegExp]> = [
  ['redis', /redis|aioredis|ioredis|valkey|keydb|dragonfly(?:db)?|bullmq|bull|rq|arq/],
  ['postgres', /postgres(?:ql)?|psycopg2?|psycopg_pool|asyncpg|pg|pg-pool|pgbouncer|postgis|timescaledb|pg8000/],
  ['mysql', /mysql2?|mariadb|pymysql|aiomysql|mysqlclient|mysqldb/],
  ['mongo', /mongo(?:db)?|mongoose|pymongo|motor/],
  ['nats', /nats(?:-server|\.ws)?|natsbroker|jetstream\w*|taskiq_nats/],
  ['rabbitmq', /rabbitmq|amqp(?:lib)?|aio_pika|pika|kombu/],
  ['kafka', /kafka(?:js)?|aiokafka|confluent_kafka|redpanda/],
  ['elasticsearch', /elasticsearch|opensearch/],
  // the Vercel AI SDK's calls, whatever provider they go to: their deadline is `abortSignal`
  ['ai-sdk', /generateText|streamText|generateObject|streamObject|embedMany|@ai-sdk/],
  ['http', /requests|httpx|axios|fetch|urllib3?|urlopen|aiohttp|got|undici|superagent|ky|node-fetch|ofetch|httpservice|https?/],
].map(([f, re]) => [f as Family, new RegExp((re as RegExp).source, 'gi')]);

/** A word boundary that also splits camelCase and snake_case: `createRedisClient`, `self._redis`, `NATS_URL`. */
function isBoundary(text: string, at: number, end: number): boolean {
  const before = text[at - 1] ?? '';
  const after = text[end] ?? '';
  const first = text[at];
  const last = text[end - 1];
  const alnum = (c: string) => /[A-Za-z0-9]/.test(c);
  const okBefore = !alnum(before) || (/[a-z0-9]/.test(before) && /[A-Z]/.test(first));
  const okAfter = !alnum(after) || (/[a-z]/.test(last) && /[A-Z]/.test(after));
  return okBefore && okAfter;
}

export function familyIn(text: string | undefined): Family | undefined {
  if (!text) return undefined;
  let best: { family: Family; at: number } | undefined;
  for (const [family, re] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      if (!isBoundary(text, m.index, m.index + m[0].length)) continue;
      if (!best || m.index < best.at) best = { family, at: m.index };
      break;
    }
  }
  return best?.family;
}

/** Code spans of a message: `redis.Redis`, `pg.Pool`. */
function codeSpans(text: string): string {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).join(' ');
}

type WithData = Finding & { data?: Record<string, string> };

/** The image of the compose service a compose finding is about. */
export function imageOf(f: Pick<Finding, 'file' | 'symbol'>, system: SystemModel | undefined): string | undefined {
  if (!f.symbol || !system || !/\.ya?ml$/i.test(f.file)) return undefined;
  return system.services.find((s) => s.name === f.symbol && s.file === f.file)?.image ?? system.services.find((s) => s.name === f.symbol)?.image;
}

/** The backend family of a finding, or undefined when nothing names one. */
export function familyOf(f: Finding, system?: SystemModel): Family | undefined {
  const data = (f as WithData).data ?? {};
  const compose = /\.ya?ml$/i.test(f.file);
  const sources = compose
    ? [data.image, imageOf(f, system), data.dependency && familyOfService(data.dependency, system), f.symbol]
    : [data.api, data.callee, data.driver, codeSpans(f.message), f.snippet];
  for (const s of sources) {
    const fam = familyIn(s);
    // an HTTP image (nginx, node) says nothing; in code `fetch`/`requests` does
    if (fam && !(compose && fam === 'http')) return fam;
  }
  return undefined;
}

function familyOfService(name: string, system: SystemModel | undefined): string | undefined {
  return system?.services.find((s) => s.name === name)?.image ?? name;
}

/** The service name compose files usually give a backend ("redis", "postgres"), for commands when the stack's own is unknown. */
export const FAMILY_SERVICE: Partial<Record<Family, string>> = {
  redis: 'redis',
  postgres: 'postgres',
  mysql: 'mysql',
  mongo: 'mongo',
  nats: 'nats',
  rabbitmq: 'rabbitmq',
  kafka: 'kafka',
  elasticsearch: 'elasticsearch',
};

/**
 * The compose service a finding's code talks to for its family: among the services the finding's
 * own services depend on or are configured to reach, the one whose image is of that family.
 */
export function backendOf(owners: Array<{ dependsOn: string[]; talksTo: string[] }>, family: Family | undefined, system: SystemModel | undefined): string | undefined {
  if (!family || family === 'http' || !system) return undefined;
  // the catalog's reading of the image first (unstract's `db: pgvector/pgvector:pg15` is postgres)
  const isFamily = (s: SystemModel['services'][number]) => (s.backing ? familyIn(s.backing) === family : familyIn(s.image) === family || familyIn(s.name) === family);
  const candidates = [...new Set(owners.flatMap((o) => [...o.dependsOn, ...o.talksTo]))].sort();
  for (const name of candidates) {
    const s = system.services.find((x) => x.name === name);
    if (s && isFamily(s)) return name;
  }
  // code no compose service is known to run (the stack runs a published image): the one service
  // of that family in the scan's stacks, when there is exactly one
  const only = new Set(system.services.filter((s) => !s.dev && isFamily(s)).map((s) => s.name));
  return only.size === 1 ? [...only][0] : undefined;
}
