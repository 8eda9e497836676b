// The texts a report shows for a finding: no placeholder ever reaches the page, the variant for the
// finding's backend and context is the one chosen, values are read back from messages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/engine/rules.js';
import { RUNTIME_CONTEXTS } from '../src/engine/types.js';
import type { Finding, RuleMeta } from '../src/engine/types.js';
import { FAMILIES, backendOf, familyIn, familyOf } from '../src/report/library.js';
import { holds } from '../src/report/markdown/experiments.js';
import type { FindingView } from '../src/report/view.js';
import { PLACEHOLDER, TEXT_VARIANTS, deriveRollback, fillText, findingMessage, leftoverPlaceholders, targetComposeFile, textsFor, valuesFromMessage } from '../src/report/texts.js';

const rules = loadRules();

function rendered(rule: RuleMeta, family: string | undefined, context: string | undefined, values: Record<string, string>, variant?: string): Record<string, string> {
  const t = textsFor(rule, { family: family as never, context: context as never, values, ...(variant ? { variant } : {}) });
  const out: Record<string, string> = {
    message: fillText(rule.message, values),
    fix: t.fixTitle,
    impact: t.impact ?? '',
  };
  for (const lang of rule.languages) out[`code:${lang}`] = t.fixCode(lang) ?? '';
  if (t.experiment) for (const [k, v] of Object.entries(t.experiment)) out[`experiment.${k}`] = v ?? '';
  return out;
}

describe('rule texts in reports', () => {
  it('leave no {placeholder} or <placeholder> for any rule, language, context and variant, with or without values', () => {
    const problems: string[] = [];
    for (const rule of rules) {
      const keys = [undefined, ...Object.keys(rule.variants ?? {})];
      // the names the rule fills anywhere (`{mount|/var/lib/…}`, `{service}` in its message): one of
      // them left bare in code is a placeholder, not an f-string (FL780's RabbitMQ diff showed `{mount}`)
      const source = JSON.stringify(rule);
      const names = new Set([...source.matchAll(/\{([a-z][\w]*)(?:\|[^{}]*)?\}/gi)].filter((m) => m[0].includes('|') || rule.message.includes(m[0])).map((m) => m[1]));
      for (const family of [undefined, ...FAMILIES]) {
        for (const context of [undefined, ...RUNTIME_CONTEXTS]) {
          for (const variant of [undefined, ...TEXT_VARIANTS.filter((v) => keys.includes(v))]) {
            if (family && !keys.includes(family)) continue;
            for (const values of [{}, { service: 'api', dependency: 'db', callee: 'x.get' }]) {
              for (const [part, text] of Object.entries(rendered(rule, family, context, values, variant))) {
                // code may hold an f-string or a JS shorthand object; only angle placeholders and the rule's own names are a bug there
                const left = part.startsWith('code:')
                  ? [...[...text.matchAll(/<([A-Za-z_][\w-]*)>/g)].map((m) => m[0]), ...[...text.matchAll(/\{([a-z]\w*)\}/gi)].filter((m) => names.has(m[1]!)).map((m) => m[0])]
                  : leftoverPlaceholders(text);
                if (left.length) problems.push(`${rule.id} ${part} [${family ?? '-'}/${variant ?? '-'}/${context ?? '-'}]: ${left.join(' ')} in "${text.slice(0, 120)}"`);
              }
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("FL780's RabbitMQ fix keeps a mounted volume and adds one where there is none, with the fixed node name in both", () => {
    const rule = rules.find((r) => r.id === 'FL780')!;
    const mounted = textsFor(rule, { family: 'rabbitmq', values: { service: 'mq', mount: '/var/lib/rabbitmq' } }).fixCode('compose')!;
    expect(mounted).toContain('+ hostname: mq');
    expect(mounted).toContain('already mounted at /var/lib/rabbitmq');
    const bare = textsFor(rule, { family: 'rabbitmq', variant: 'node-without-volume', values: { service: 'mq', mount: '/var/lib/rabbitmq' } });
    expect(bare.fixTitle).toContain('mount a named volume at `/var/lib/rabbitmq`');
    expect(bare.fixCode('compose')).toContain('+   - mq-data:/var/lib/rabbitmq');
    expect(bare.fixCode('compose')).toContain('+ hostname: mq');
  });

  it('name only known families, kinds and contexts as variants, and the schema lists the same keys', () => {
    const schema = JSON.parse(readFileSync(new URL('../rules/rule.schema.json', import.meta.url), 'utf8'));
    expect(schema.properties.variants.propertyNames.enum).toEqual([...FAMILIES.filter((f) => f !== 'http'), 'http', ...TEXT_VARIANTS, ...RUNTIME_CONTEXTS]);
    for (const r of rules) for (const k of Object.keys(r.variants ?? {})) expect([...FAMILIES, ...TEXT_VARIANTS, ...RUNTIME_CONTEXTS]).toContain(k);
  });

  it("takes the kind the check names (FL051's connection URL) over the base texts, and the context over both", () => {
    const fl051 = rules.find((r) => r.id === 'FL051')!;
    const url = textsFor(fl051, { variant: 'connection-url', values: { name: 'SQLALCHEMY_DATABASE_URI' } });
    expect(url.variants).toEqual(['connection-url']);
    expect(url.fixCode('python')).toContain('os.environ["SQLALCHEMY_DATABASE_URI"]');
    expect(url.experiment?.observe).toContain('database user and host');
    expect(url.experiment?.observe).not.toContain('token');
    // a signing secret keeps the rule's own texts
    expect(textsFor(fl051, {}).experiment?.observe).toContain('token signed with the fallback');
  });

  it('fills a whole-span placeholder with a phrase, a shell one with $NAME, and drops an example it cannot give', () => {
    expect(fillText('Add a healthcheck that proves readiness, e.g. `{probe}`')).toBe('Add a healthcheck that proves readiness');
    expect(fillText('Add a healthcheck, e.g. `{probe}`', { probe: 'redis-cli ping' })).toBe('Add a healthcheck, e.g. `redis-cli ping`');
    expect(fillText('Mount a named volume at `{mount}`')).toBe("Mount a named volume at the image's data directory");
    expect(fillText('Mount at `{mount}`', { path: '/data' })).toBe('Mount at `/data`');
    expect(fillText('`docker compose pause {service}` now')).toBe('`docker compose pause $SERVICE` now');
    expect(fillText('`{callee}` has no timeout.')).toBe('This call has no timeout.');
    expect(fillText("`docker inspect --format '{{json .State.Health}}' x` and `${HOME}`")).toBe("`docker inspect --format '{{json .State.Health}}' x` and `${HOME}`");
    expect(fillText('has no healthcheck.{dependents}')).toBe('has no healthcheck.');
    // values from the repository cannot end a code span
    expect(fillText('`{service}` down', { service: 'a`b' })).toBe("`a'b` down");
  });

  it('reads values back from a message rendered by the engine', () => {
    const rule = rules.find((r) => r.id === 'FL483')!;
    const msg = 'Service `api` depends on `postgres` in short form: compose starts `api` as soon as the `postgres` container starts, not when it is ready.';
    expect(valuesFromMessage(rule.message, msg)).toMatchObject({ service: 'api', dependency: 'postgres', form: 'short form' });
    expect(valuesFromMessage(rule.message, 'something else')).toEqual({});
  });

  it('repairs a message the engine left a placeholder in', () => {
    const f = { message: '`{callee}` has no timeout' } as Finding;
    expect(findingMessage(f)).toBe('This call has no timeout');
    expect(PLACEHOLDER.lastIndex).toBe(0);
  });

  it("keeps a route's path parameters, which are values, not placeholders", () => {
    const route = { message: 'calls discord.com in GET /discord/connector/{connector_id}/channels handler `get_channels`' } as Finding;
    expect(findingMessage(route)).toBe(route.message);
    // with a real placeholder left beside one, only the placeholder is repaired
    const both = { message: '`{callee}` in POST /webhooks/{workspace_id} has no timeout' } as Finding;
    expect(findingMessage(both)).toBe('This call in POST /webhooks/{workspace_id} has no timeout');
  });

  it('picks the variant of the finding: Redis texts for a Redis client, browser texts for browser code', () => {
    const fl151 = rules.find((r) => r.id === 'FL151')!;
    const redis = textsFor(fl151, { family: 'redis', values: { backend: 'cache' } });
    expect(redis.variants).toEqual(['redis']);
    expect(redis.experiment!.break).toContain('`docker compose pause cache`');
    expect(redis.experiment!.break).not.toContain('LOCK TABLE');
    expect(redis.experiment!.rollback).toContain('docker compose unpause cache');
    expect(textsFor(fl151, { family: 'postgres' }).experiment!.break).toContain('LOCK TABLE');
    const fl101 = rules.find((r) => r.id === 'FL101')!;
    const browser = textsFor(fl101, { family: 'http', context: 'browser' });
    expect(browser.impact).toMatch(/spinner/);
    expect(browser.fixTitle).toMatch(/AbortSignal\.timeout/);
    const fl482 = rules.find((r) => r.id === 'FL482')!;
    expect(textsFor(fl482, { family: 'redis' }).fixCode('compose')).toContain('redis-cli ping');
    expect(textsFor(fl482, {}).fixCode('compose')).not.toContain('nats');
    // a task that sends a webhook: the fix is a delivery id kept across retries, not a Stripe key
    const fl600 = rules.find((r) => r.id === 'FL600')!;
    const webhook = textsFor(fl600, { family: 'http' });
    expect(webhook.fixCode('python')).toMatch(/delivery_id/);
    expect(webhook.fixCode('python')).not.toMatch(/stripe/i);
    expect(webhook.experiment!.pass).toMatch(/same id/);
    expect(textsFor(fl600, {}).fixCode('python')).toMatch(/idempotency_key/);
    // a Vercel AI SDK call (GrowthBook's Gemini `generateText`) gets an abortSignal, not an OpenAI client option
    expect(familyIn('`generateText` calls an LLM API')).toBe('ai-sdk');
    const fl802 = rules.find((r) => r.id === 'FL802')!;
    const ai = textsFor(fl802, { family: 'ai-sdk' });
    expect(ai.fixCode('typescript')).toMatch(/abortSignal: AbortSignal\.timeout/);
    expect(ai.fixCode('typescript')).not.toMatch(/new OpenAI/);
    expect(ai.experiment!.break).toMatch(/baseURL/);
  });

  it('tells the backend from the callee, the image or the excerpt', () => {
    const f = (message: string, extra: Partial<Finding> = {}) => ({ file: 'a.py', message, ...extra }) as Finding;
    expect(familyOf(f('`self._redis = None` in a catch block of `Cache`'))).toBe('redis');
    expect(familyOf(f('`NatsBroker` sends tasks over core NATS'))).toBe('nats');
    expect(familyOf(f('`pg.Pool` has no connectionTimeoutMillis'))).toBe('postgres');
    expect(familyOf(f('`axios.get` has no timeout'))).toBe('http');
    expect(familyOf({ ...f('`x` has no timeout'), data: { api: 'redis.Redis' } } as Finding)).toBe('redis');
    const system = { services: [{ name: 'cache', file: 'c.yml', image: 'redis:7', dependsOn: [], talksTo: [], healthcheck: 'none' as const, dependents: [] }] };
    expect(familyOf(f('Service `cache` has no healthcheck', { file: 'c.yml', symbol: 'cache' }), system)).toBe('redis');
    expect(familyIn('createRedisClient()')).toBe('redis');
    expect(familyIn('progress')).toBeUndefined();
  });

  it("names the backend service: the owners' dependency of that family, else the only one of that family in the stacks", () => {
    const svc = (name: string, image: string, dev = false) => ({ name, file: 'c.yml', image, dependsOn: [], talksTo: [], healthcheck: 'none' as const, dependents: [], dev });
    const system = { services: [svc('api', 'example/api:1'), svc('redis', 'redis:7'), svc('db', 'postgres:16'), svc('redis-dev', 'redis:7', true)] };
    expect(backendOf([{ dependsOn: ['db'], talksTo: [] }], 'postgres', system)).toBe('db');
    // code that no compose service runs: the one redis of the stacks (the dev file's is not one)
    expect(backendOf([], 'redis', system)).toBe('redis');
    // near miss: two of the family, no owner to choose: none named
    expect(backendOf([], 'redis', { services: [...system.services, svc('cache', 'redis:7')] })).toBeUndefined();
    expect(backendOf([], 'http', system)).toBeUndefined();
    // the catalog's reading of the image wins over its name: unstract's `db: pgvector/pgvector:pg15`
    // is its postgres, a `mariadb` service is of the mysql family
    const vec = { services: [{ ...svc('db', 'pgvector/pgvector:pg15'), backing: 'postgres' }, { ...svc('sql', 'mariadb:11'), backing: 'mariadb' }] };
    expect(backendOf([{ dependsOn: ['db'], talksTo: [] }], 'postgres', vec)).toBe('db');
    expect(backendOf([{ dependsOn: ['db', 'sql'], talksTo: [] }], 'mysql', vec)).toBe('sql');
  });

  it("a steady state's verb agrees with the services it names", () => {
    const view = (services: string[], category = 'permanent-failure') =>
      ({ f: { file: 'app/redis.py', category }, services: services.map((name) => ({ name })), context: 'service' }) as unknown as FindingView;
    expect(holds(view(['api']))).toBe('`api` recovers on its own, without a restart by hand');
    // tracecat's report: "`agent-executor`, `agent-worker`, `api` and 5 more recovers"
    expect(holds(view(['agent-executor', 'agent-worker', 'api', 'a', 'b', 'c', 'd', 'e']))).toMatch(/ and 5 more recover on their own/);
    expect(holds(view(['api', 'worker'], 'timeout'))).toMatch(/^`api` and `worker` keep serving/);
    expect(holds(view([], 'pool'))).toMatch(/^the service sheds/);
  });

  it('derives a rollback from the injection', () => {
    expect(deriveRollback('Freeze it: `docker compose pause redis`.')).toMatch(/^`docker compose unpause redis`/);
    expect(deriveRollback('`docker compose kill -s SIGKILL api`')).toMatch(/^`docker compose up -d api`/);
    expect(deriveRollback('`toxiproxy-cli toxic add -t latency -n slow -a latency=5000 pg`')).toContain('`toxiproxy-cli toxic remove -n slow pg`');
    expect(deriveRollback('`tc qdisc add dev eth0 root netem delay 500ms`')).toContain('`tc qdisc del dev eth0 root`');
    expect(deriveRollback('Break it somehow.')).toMatch(/^Undo the injection/);
    // a step that stops nothing says so, instead of asking to unpause what was never paused
    // `down` stops the whole stack and the step starts one service again: the rest must come back
    expect(deriveRollback('Write a row, then `docker compose down && docker compose up -d db`.')).toMatch(/^`docker compose up -d` to start the rest of the stack \(.*only `db` again\), then restore what the test lost/);
    expect(deriveRollback('`docker compose down && docker compose up -d` with a slow `db`.')).toMatch(/^Nothing to undo: the stack is up again/);
    expect(deriveRollback('Replace the external command with one that never exits (e.g. a wrapper script running `sleep infinity`).')).toMatch(/^Put the real command back/);
    expect(deriveRollback('Send the same POST twice with the same body.')).toMatch(/^Nothing to undo beyond the test data/);
    expect(deriveRollback('Stop the database for a minute: `docker compose stop postgres;` then watch.')).toMatch(/^`docker compose up -d postgres`;/);
  });

  it('aims compose commands at a file docker compose would not find by itself', () => {
    const cmd = 'Freeze it: `docker compose pause redis`, then `docker compose ps -a`.';
    // the names compose reads from the folder it runs in, and their override, need no -f
    for (const f of ['compose.yaml', 'docker-compose.yml', 'docker-compose.override.yml']) expect(targetComposeFile(cmd, f)).toBe(cmd);
    expect(targetComposeFile(cmd, undefined)).toBe(cmd);
    expect(targetComposeFile(cmd, 'scripts/docker-compose.yml')).toBe(
      'Freeze it: `docker compose -f scripts/docker-compose.yml pause redis`, then `docker compose -f scripts/docker-compose.yml ps -a`.',
    );
    expect(targetComposeFile('`docker compose stop db`', 'deploy/my stack.yml')).toBe("`docker compose -f 'deploy/my stack.yml' stop db`");
    // prose about compose is left alone
    expect(targetComposeFile('docker compose knowledge', 'dev.yml')).toBe('docker compose knowledge');
    const rule = rules.find((r) => r.id === 'FL580')!;
    const t = textsFor(rule, { values: { service: 'letta_db' }, composeFile: 'dev-compose.yaml' });
    expect(t.experiment!.break).toContain('docker compose -f dev-compose.yaml ps -q letta_db');
  });
});

describe('fix snippets written from the finding', () => {
  async function audit(compose: string[]): Promise<string> {
    const { makeTree } = await import('./helpers.js');
    const { scan } = await import('../dist/engine/scan.js');
    const { renderMarkdown } = await import('../dist/report/markdown.js');
    const root = makeTree({ 'compose.yaml': [...compose, ''].join('\n') });
    return renderMarkdown(await scan({ root, targets: [root], jobs: 1, config: {}, rules }), rules);
  }

  it("FL052's diff is the flagged entry itself, in its own form, and its experiment unsets the interpolated variable", async () => {
    const listed = await audit(['services:', '  db:', '    image: postgres:16', '    environment:', '      - POSTGRES_PASSWORD=${PG_PASSWORD:-letta}', '    ports: ["5432:5432"]', '    restart: unless-stopped', '    volumes: [pg:/var/lib/postgresql/data]', '  api:', '    image: ghcr.io/acme/api:1', '    restart: unless-stopped', 'volumes:', '  pg: {}']);
    expect(listed).toContain('db:\n  environment:\n-   - POSTGRES_PASSWORD=${PG_PASSWORD:-letta}\n+   - POSTGRES_PASSWORD=${PG_PASSWORD:?set PG_PASSWORD in the deployment environment}');
    expect(listed).toContain('env -u PG_PASSWORD docker compose config');
    expect(listed).not.toContain('changeme');
    // a command's default: the diff shows the command, under `command:`
    const command = await audit(['services:', '  api:', '    image: ghcr.io/acme/api:1', '    restart: unless-stopped', '    command: worker --signing-key ${JWT_SECRET:-devsecret}']);
    expect(command).toContain('api:\n  command:\n-   worker --signing-key ${JWT_SECRET:-devsecret}\n+   worker --signing-key ${JWT_SECRET:?set JWT_SECRET in the deployment environment}');
    expect(command).toContain('env -u JWT_SECRET docker compose config');
  });

  it("an experiment on a service of an included file runs against the stack that includes it", async () => {
    const { makeTree } = await import('./helpers.js');
    const { scan } = await import('../dist/engine/scan.js');
    const { renderMarkdown } = await import('../dist/report/markdown.js');
    // unstract's docker/: the stack includes the file that holds its minio
    const root = makeTree({
      'docker/docker-compose.yaml': 'include:\n  - docker-compose-dev-essentials.yaml\nservices:\n  api:\n    image: ghcr.io/acme/api:1\n    restart: unless-stopped\n    depends_on: [minio]\n',
      // no restart policy: FL580, whose experiment kills minio
      'docker/docker-compose-dev-essentials.yaml': 'services:\n  minio:\n    image: minio/minio:latest\n    command: server /data\n    volumes: [data:/data]\nvolumes:\n  data: {}\n',
    });
    const md = renderMarkdown(await scan({ root, targets: [root], jobs: 1, config: {}, rules }), rules);
    expect(md).toContain('docker compose -f docker/docker-compose.yaml ps -q minio');
    expect(md).not.toContain('-f docker/docker-compose-dev-essentials.yaml');
  });

  it('a service with no restart policy ranks by the entry points of the code it runs, which go down with it', async () => {
    const { makeTree } = await import('./helpers.js');
    const { scan } = await import('../dist/engine/scan.js');
    const { renderMarkdown } = await import('../dist/report/markdown.js');
    const routes = ['from fastapi import FastAPI', 'import requests', '', 'app = FastAPI()', ''];
    for (const r of ['a', 'b', 'c']) routes.push(`@app.get("/${r}")`, `def ${r}():`, '    return 1', '');
    routes.push('@app.get("/slow")', 'def slow():', '    return requests.get("https://api.example.com/x").json()', '');
    const root = makeTree({ 'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n', 'main.py': routes.join('\n') });
    const md = renderMarkdown(await scan({ root, targets: [root], jobs: 1, config: {}, rules }), rules);
    const top = md.split('\n').filter((l) => /^\d+\. \*\*/.test(l));
    expect(top[0]).toMatch(/FL580/);
    expect(top[0]).toContain('While it is down, the 4 entry points of the code it runs fail with it.');
    expect(top[1]).toMatch(/FL101/);
  });
});

