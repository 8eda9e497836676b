// The compose model: YAML -> projects with every key's location (anchors, merge keys, extends,
// overrides, include, interpolation), errors that never crash, the system model and blast radius.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCompose, type CodeFileSummary, type ComposeInput } from '../src/engine/compose.js';
import { catalog, composeRules, ROOT, textCodeSummary } from './compose-rules.js';
import { blastRadius } from '../src/engine/system.js';
import { interpolate, parseDotEnv } from '../src/languages/compose/interpolate.js';
import { ComposeLoader, planProjects } from '../src/languages/compose/model.js';
import { dependsOn, healthcheck, mounts, ports } from '../src/languages/compose/service.js';
import { composeSuppressions } from '../src/languages/compose/suppressions.js';

const rules = composeRules();

function run(files: Record<string, string>, opts: Partial<ComposeInput> = {}) {
  return analyzeCompose({
    files: Object.entries(files).map(([path, text]) => ({ path, text })),
    rules,
    catalog,
    code: [],
    ...opts,
  });
}

function project(files: Record<string, string>, extra: Record<string, string> = {}) {
  const loader = new ComposeLoader(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    (p) => extra[p],
  );
  for (const p of Object.keys(files)) loader.tree(p);
  const plans = planProjects(loader, Object.keys(files));
  return { loader, plans, projects: plans.map((p) => loader.project(p)) };
}

describe('interpolation', () => {
  const env = (n: string) => ({ HOST: 'db', EMPTY: '' })[n as 'HOST'];
  it('substitutes known variables, uses defaults, keeps unknown literals, unescapes $$', () => {
    expect(interpolate('postgres://${HOST}:5432', env)).toEqual({ value: 'postgres://db:5432', unknown: [] });
    expect(interpolate('${PORT:-5432}/${EMPTY:-x}/${EMPTY-y}', env).value).toBe('5432/x/');
    expect(interpolate('${NOPE}-$NOPE2', env)).toEqual({ value: '${NOPE}-$NOPE2', unknown: ['NOPE', 'NOPE2'] });
    expect(interpolate('pg_isready -U $$POSTGRES_USER $${DB}', env).value).toBe('pg_isready -U $POSTGRES_USER ${DB}');
    expect(interpolate('${A:-${HOST:-z}}', env).value).toBe('db');
    expect(interpolate('${NOPE:?must be set}', env).value).toBe('${NOPE:?must be set}');
  });
  it('reads .env files', () => {
    expect([...parseDotEnv('# c\nA=1\nexport B="two words"\nC=3 # trailing\n')]).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', '3'],
    ]);
  });
});

describe('locations', () => {
  it('a value from an anchor points inside the anchor target', () => {
    const text = [
      'x-hc: &hc', //                       1
      '  healthcheck:', //                  2
      '    test: ["CMD", "true"]', //       3
      'services:', //                       4
      '  web:', //                          5
      '    <<: *hc', //                     6
      '    image: ghcr.io/acme/web:1', //   7
    ].join('\n');
    const out = run({ 'compose.yaml': text });
    const weak = out.drafts.find((d) => d.ruleId === 'FL482')!;
    expect(weak.loc).toMatchObject({ line: 3, column: 11 });
    expect(weak.message).toContain('`web`');
    expect(weak.symbol).toBe('web');
  });

  it('reads short and long syntax', () => {
    const text = `services:
  a:
    image: x
    ports: ["8080:80", {target: 9000, published: "9001"}, "127.0.0.1:5432:5432/tcp"]
    volumes: ["data:/var/lib/x", "./src:/app:ro", "/anon", {type: tmpfs, target: /tmp}]
    depends_on: [b]
    healthcheck: {test: "pg_isready"}
  b:
    image: y
    depends_on:
      a: {condition: service_healthy, required: false}
`;
    const { projects } = project({ 'compose.yaml': text });
    const a = projects[0].services.get('a')!.node;
    expect(ports(a).map((p) => `${p.published}:${p.target}`)).toEqual(['8080:80', '9001:9000', '5432:5432']);
    expect(mounts(a).map((m) => `${m.type}:${m.target}`)).toEqual(['volume:/var/lib/x', 'bind:/app', 'anonymous:/anon', 'tmpfs:/tmp']);
    expect(dependsOn(a)).toMatchObject([{ name: 'b', short: true, condition: 'service_started' }]);
    expect(healthcheck(a)?.test).toMatchObject({ form: 'string', command: 'pg_isready' });
    const b = projects[0].services.get('b')!.node;
    expect(dependsOn(b)).toMatchObject([{ name: 'a', short: false, condition: 'service_healthy', required: false }]);
  });
});

describe('projects: overrides, -f overlays, extends, include', () => {
  it('merges compose.yaml + compose.override.yaml; keeps each key where it is written', () => {
    const { plans, projects } = project({
      'compose.yaml': 'services:\n  db:\n    image: postgres:17\n    environment: [A=1]\n',
      'compose.override.yaml': 'services:\n  db:\n    environment:\n      B: "2"\n    restart: always\n',
    });
    expect(plans).toEqual([['compose.yaml', 'compose.override.yaml']]);
    const db = projects[0].services.get('db')!;
    expect([...(db.node.entries.get('environment')!.value as { entries: Map<string, unknown> }).entries.keys()]).toEqual(['A', 'B']);
    expect(db.node.entries.get('restart')!.keySrc.file).toBe('compose.override.yaml');
    expect(db.keySrc.file).toBe('compose.yaml');
  });

  it('treats a partial docker-compose.prod.yml as an overlay of the base, a complete one as its own project', () => {
    const { plans } = project({
      'docker-compose.yml': 'services:\n  api:\n    build: .\n',
      'docker-compose.prod.yml': 'services:\n  api:\n    restart: always\n',
      'docker-compose.monitoring.yml': 'services:\n  grafana:\n    image: grafana/grafana\n',
    });
    expect(plans).toContainEqual(['docker-compose.yml']);
    expect(plans).toContainEqual(['docker-compose.yml', 'docker-compose.prod.yml']);
    expect(plans).toContainEqual(['docker-compose.monitoring.yml']);
    expect(plans).toHaveLength(3);
  });

  it('resolves extends in the same file and from another file, and include:', () => {
    const { projects, loader } = project(
      {
        'compose.yaml':
          'include:\n  - infra/db.yaml\nservices:\n  base:\n    image: app\n    restart: always\n  web:\n    extends: base\n    ports: ["80:80"]\n  worker:\n    extends: {file: common.yml, service: py}\n',
      },
      {
        'common.yml': 'services:\n  py:\n    build: ./py\n    healthcheck: {test: "true"}\n',
        'infra/db.yaml': 'services:\n  db:\n    image: postgres:17\n',
      },
    );
    expect(loader.errors).toEqual([]);
    const p = projects[0];
    expect(p.files).toEqual(['compose.yaml', 'infra/db.yaml']);
    expect([...p.services.keys()].sort()).toEqual(['base', 'db', 'web', 'worker']);
    expect(p.services.get('web')!.node.entries.get('restart')!.keySrc.file).toBe('compose.yaml');
    const worker = p.services.get('worker')!.node;
    expect(worker.entries.has('extends')).toBe(false);
    expect(worker.entries.get('healthcheck')!.keySrc.file).toBe('common.yml');
  });

  it('!reset drops an inherited value', () => {
    const { projects } = project({
      'compose.yaml': 'services:\n  a:\n    image: x\n    ports: ["80:80"]\n',
      'compose.override.yaml': 'services:\n  a:\n    ports: !reset []\n',
    });
    expect(projects[0].services.get('a')!.node.entries.has('ports')).toBe(false);
  });

  it('!reset and !override parse on scalars, lists and maps, with their merge semantics', () => {
    const { loader, projects } = project({
      'compose.yaml':
        'services:\n  a:\n    image: x\n    restart: always\n    healthcheck:\n      test: [CMD, true]\n' +
        '    environment:\n      A: "1"\n      B: "2"\n    ports: ["80:80", "443:443"]\n  gone:\n    image: y\n' +
        'volumes:\n  data: {}\n  cache: {}\n',
      'compose.override.yaml':
        'services:\n  a:\n    restart: !reset null\n    healthcheck: !reset\n    environment: !override\n      C: "3"\n' +
        '    ports: !override ["8080:80"]\n    user: !override 1000\n  gone: !reset {}\n  fresh:\n    image: z\n    command: !reset ""\n' +
        'volumes:\n  cache: !reset\n',
    });
    expect(loader.errors).toEqual([]);
    const p = projects[0];
    expect([...p.services.keys()].sort()).toEqual(['a', 'fresh']);
    const a = p.services.get('a')!.node.entries;
    expect(a.has('restart')).toBe(false);
    expect(a.has('healthcheck')).toBe(false);
    const env = a.get('environment')!.value;
    expect(env.kind === 'map' && [...env.entries.keys()]).toEqual(['C']);
    const portsNode = a.get('ports')!.value;
    expect(portsNode.kind === 'seq' && portsNode.items.map((i) => i.kind === 'scalar' && i.value)).toEqual(['8080:80']);
    // a tagged plain scalar keeps its YAML type: `!override 1000` is a number, not the string "1000"
    expect(a.get('user')!.value).toMatchObject({ kind: 'scalar', value: 1000 });
    // a !reset with nothing beneath it (a service new in the overlay) still means "not set"
    expect(p.services.get('fresh')!.node.entries.has('command')).toBe(false);
    expect(p.volumes?.kind === 'map' && [...p.volumes.entries.keys()]).toEqual(['data']);
  });

  it('a !reset in a single file means the key is not set', () => {
    const { loader, projects } = project({ 'compose.yaml': 'services:\n  a:\n    image: x\n    restart: !reset always\n' });
    expect(loader.errors).toEqual([]);
    expect(projects[0].services.get('a')!.node.entries.has('restart')).toBe(false);
  });
});

describe('errors never crash and other files are still scanned', () => {
  it('reports each broken file once, with its line', () => {
    const out = run(
      {
        'a/compose.yaml': 'services:\n  web:\n    image: [unclosed\n',
        'b/compose.yaml': '- just\n- a list\n',
        'c/compose.yaml': 'servics:\n  web:\n    image: nginx\nservices:\n  api:\n    image: ghcr.io/acme/api:1\n',
        'd/compose.yaml': 'services:\n  web:\n    extends:\n      file: missing.yml\n      service: base\n  api:\n    extends: nothere\n',
        'e/compose.yaml': 'services:\n  db:\n    image: postgres:17\n  api:\n    image: ghcr.io/acme/api:1\n    depends_on: [db]\n',
        'f/compose.yaml': '',
        'g/compose.yaml': 'services:\n  a:\n    image: x\n    image: y\n',
      },
      { readFile: () => undefined },
    );
    const byFile = (f: string) => out.errors.filter((e) => e.file === f);
    expect(byFile('a/compose.yaml')).toHaveLength(1);
    expect(byFile('a/compose.yaml')[0].message).toMatch(/^invalid YAML/);
    expect(byFile('b/compose.yaml')).toEqual([{ file: 'b/compose.yaml', line: 1, message: expect.stringMatching(/top level is a list/) }]);
    expect(byFile('c/compose.yaml')).toEqual([{ file: 'c/compose.yaml', line: 1, message: expect.stringMatching(/unknown top-level key `servics`/) }]);
    expect(byFile('d/compose.yaml').map((e) => [e.line, e.message])).toEqual([
      [4, expect.stringMatching(/extends `base` from `missing.yml`, but that file does not exist/)],
      [7, expect.stringMatching(/extends `nothere`, which is not defined in this file/)],
    ]);
    expect(byFile('f/compose.yaml')).toHaveLength(1);
    expect(byFile('g/compose.yaml')).toEqual([{ file: 'g/compose.yaml', line: 4, message: expect.stringMatching(/`image` is defined twice/) }]);
    expect(byFile('e/compose.yaml')).toEqual([]);
    // the valid files are still analysed
    expect(out.drafts.some((d) => d.file === 'e/compose.yaml' && d.ruleId === 'FL480')).toBe(true);
    expect(out.drafts.some((d) => d.file === 'c/compose.yaml' && d.symbol === 'api')).toBe(true);
  });
});

describe('suppressions', () => {
  it('reads # faultline: ignore[...] comments, not # inside strings', () => {
    const s = composeSuppressions('services:\n  # faultline: ignore[FL480] dev only\n  a:\n    image: "x#faultline: ignore[FL1]"\n    restart: "no" # faultline: ignore[compose-no-restart] job\n');
    expect(s.map((x) => [x.line, x.rules, x.reason, x.ownLine])).toEqual([
      [2, ['FL480'], 'dev only', true],
      [5, ['compose-no-restart'], 'job', false],
    ]);
  });
});

function sample(dir: string) {
  const root = join(ROOT, 'fixtures', '_samples', dir);
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const all = walk(root).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  const code = all
    .filter((f) => f.path.endsWith('.py'))
    .map((f) => textCodeSummary(f.path, f.text))
    .filter((c): c is CodeFileSummary => !!c);
  return analyzeCompose({ files: all.filter((f) => /compose.*\.ya?ml$/.test(f.path)), rules, catalog, code });
}

describe('the FastAPI + taskiq + NATS + Postgres + React sample', () => {
  const out = sample('compose-stack');
  const ids = (rule: string) => out.drafts.filter((d) => d.ruleId === rule).map((d) => d.symbol);

  it('finds the weak NATS healthcheck, the services without one, the short-form depends_on', () => {
    expect(out.errors).toEqual([]);
    expect(ids('FL482')).toEqual(['nats']);
    // frontend and worker: nothing in the stack waits for them or calls them, so no healthcheck finding
    expect(ids('FL480').sort()).toEqual(['api', 'postgres', 'redis']);
    expect(out.drafts.filter((d) => d.ruleId === 'FL483').map((d) => `${d.symbol}->${d.data!.dependency}`)).toEqual([
      'api->postgres',
      'api->nats',
      'api->redis',
      'worker->nats',
      'worker->postgres',
    ]);
    expect(ids('FL783')).toEqual(['nats']);
  });

  it('gives each finding a blast radius naming the dependent services', () => {
    const nats = out.drafts.find((d) => d.ruleId === 'FL482')!;
    expect(blastRadius(out.system, { file: nats.file, service: nats.symbol })).toEqual(['nats', 'api', 'frontend', 'worker']);
    const pg = out.drafts.find((d) => d.ruleId === 'FL480' && d.symbol === 'postgres')!;
    expect(blastRadius(out.system, { file: pg.file, service: 'postgres' })).toEqual(['postgres', 'api', 'frontend', 'worker']);
    // a code finding: the service whose build context holds the file, and its dependents
    expect(blastRadius(out.system, { file: 'backend/app/tasks.py' })).toEqual(['api', 'frontend', 'worker']);
    expect(blastRadius(out.system, { file: 'frontend/src/App.tsx' })).toEqual(['frontend']);
  });

  it('gives code to the long-running service that holds it, not to a tool or one-shot container copying more of the tree', () => {
    // dittofeed: `admin-cli` (tail -f /dev/null) copies every package; `lite` serves them
    const svc = (name: string, codeRoots: string[], extra: object = {}) => ({ name, file: 'compose.yaml', dependsOn: [], talksTo: [], healthcheck: 'none' as const, dependents: [], codeRoots, ...extra });
    const system = {
      services: [
        svc('admin-cli', ['packages/backend-lib/src', 'packages/admin-cli'], { oneShot: true }),
        svc('migrate', ['packages/backend-lib/src/migrations'], { oneShot: true }),
        svc('lite', ['packages']),
      ],
    };
    expect(blastRadius(system, { file: 'packages/backend-lib/src/db.ts' })).toEqual(['lite']);
    // only a one-shot job holds it: that job runs it
    expect(blastRadius(system, { file: 'packages/admin-cli/x.ts' })).toEqual(['lite']);
    expect(blastRadius({ services: [system.services[0]] }, { file: 'packages/admin-cli/x.ts' })).toEqual(['admin-cli']);
    // lemur's root stack: a `test` container running `make test` is no home for the app's code
    expect(blastRadius({ services: [svc('test', [''], { oneShot: true, dev: true })] }, { file: 'lemur/auth/views.py' })).toEqual([]);
  });

  it('exposes the system model: edges from depends_on, environment URLs and code', () => {
    const api = out.system.services.find((s) => s.name === 'api')!;
    expect(api).toMatchObject({ build: 'backend', healthcheck: 'none', dependsOn: ['nats', 'postgres', 'redis'] });
    expect(api.talksTo).toEqual(['nats', 'postgres', 'redis']);
    expect(out.system.services.find((s) => s.name === 'nats')).toMatchObject({ healthcheck: 'weak', dependents: ['api', 'frontend', 'worker'] });
  });

  it('its fixed twin scans clean', () => {
    const fixed = sample('compose-stack-fixed');
    expect(fixed.errors).toEqual([]);
    expect(fixed.drafts).toEqual([]);
    expect(fixed.system.services.every((s) => s.healthcheck === 'ok')).toBe(true);
  });
});

describe('code summaries from real facts', () => {
  it('turn a taskiq JetStream broker into a JetStream requirement on the nats service', async () => {
    const { createPythonAdapter } = await import('../src/languages/python/index.js');
    const { codeSummary } = await import('../src/engine/code-summary.js');
    const adapter = await createPythonAdapter();
    const root = join(ROOT, 'fixtures', 'compose-nats-no-jetstream');
    const summarize = (dir: string) => {
      const text = readFileSync(join(root, dir, 'worker', 'tasks.py'), 'utf8');
      return codeSummary(adapter.extract('worker/tasks.py', text));
    };
    const js = summarize('jetstream-code');
    expect(js.modules).toEqual(['os', 'taskiq_nats']);
    expect(js.imports).toContain('taskiq_nats.PullBasedJetStreamBroker');
    const compose = readFileSync(join(root, 'jetstream-code', 'compose.yaml'), 'utf8');
    const out = analyzeCompose({ files: [{ path: 'compose.yaml', text: compose }], rules, catalog, code: [js] });
    expect(out.drafts.filter((d) => d.ruleId === 'FL782').map((d) => d.symbol)).toEqual(['nats']);
    const core = summarize('core-nats-code');
    const quiet = analyzeCompose({ files: [{ path: 'compose.yaml', text: compose }], rules, catalog, code: [core] });
    expect(quiet.drafts.filter((d) => d.ruleId === 'FL782')).toEqual([]);
  });
});

describe('compose durations', () => {
  it('reads Go-style durations and gives up on variables', async () => {
    const { durationSeconds } = await import('../src/engine/analysis/compose-healthchecks.js');
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('500ms')).toBe(0.5);
    expect(durationSeconds('2h')).toBe(7200);
    expect(durationSeconds('${HC_INTERVAL}')).toBeUndefined();
    expect(durationSeconds('10 seconds')).toBeUndefined();
  });
});

describe('code roots', () => {
  it('a service running an image another file builds inherits its code; a monorepo Dockerfile folder is the deeper root', () => {
    const out = run({
      'deploy/build.yml':
        'services:\n  api:\n    image: ${REG:-local}/acme-backend:${TAG:-latest}\n    build:\n      context: ../backend\n  web:\n    image: ${REG:-local}/acme-web:${TAG:-latest}\n    build:\n      context: ..\n      dockerfile: apps/web/Dockerfile\n',
      'deploy/docker-compose.yml':
        'services:\n  api:\n    image: acme/acme-backend:${TAG:-stable}\n  worker:\n    image: acme/acme-backend:${TAG:-stable}\n    command: celery -A app worker\n  web:\n    image: acme/acme-web:${TAG:-stable}\n  db:\n    image: postgres:17\n',
    });
    const roots = (file: string, name: string) => out.system.services.find((s) => s.file === file && s.name === name)?.codeRoots;
    expect(roots('deploy/docker-compose.yml', 'api')).toEqual(['backend']);
    expect(roots('deploy/docker-compose.yml', 'worker')).toEqual(['backend']);
    expect(roots('deploy/build.yml', 'web')).toEqual(['', 'apps/web']);
    expect(roots('deploy/docker-compose.yml', 'web')).toEqual(['', 'apps/web']);
    // an image nobody here builds stays without code
    expect(roots('deploy/docker-compose.yml', 'db')).toBeUndefined();
  });

  it('a builder with no image name links by service name when the image repository ends with it', () => {
    // dittofeed: the dev stack builds `lite`, the deployment file runs dittofeed/dittofeed-lite
    const out = run({
      'docker-compose.yaml': 'services:\n  lite:\n    build:\n      context: .\n      dockerfile: packages/lite/Dockerfile\n  api:\n    build: ./packages/api\n',
      'docker-compose.lite.yaml': 'services:\n  lite:\n    image: dittofeed/dittofeed-lite:${IMAGE_TAG:-v0.23.0}\n  api:\n    image: dittofeed/dittofeed-gateway:1\n  db:\n    image: postgres:17\n',
    });
    const roots = (file: string, name: string) => out.system.services.find((s) => s.file === file && s.name === name)?.codeRoots;
    expect(roots('docker-compose.lite.yaml', 'lite')).toEqual(roots('docker-compose.yaml', 'lite'));
    expect(roots('docker-compose.lite.yaml', 'lite')?.length).toBeGreaterThan(0);
    // near miss: same service name, an image named for something else
    expect(roots('docker-compose.lite.yaml', 'api')).toBeUndefined();
    expect(roots('docker-compose.lite.yaml', 'db')).toBeUndefined();
  });

  it('under one service name, a builder links by its Dockerfile suffix, and the runner keeps its own mounts', () => {
    // keep: production runs `keep-backend: image: …/keep-api` with ./state mounted; a test stack
    // builds `keep-backend` from docker/Dockerfile.api
    const out = run({
      'docker-compose.yml': 'services:\n  keep-backend:\n    image: us-central1-docker.pkg.dev/keephq/keep/keep-api\n    volumes:\n      - ./state:/state\n  keep-frontend:\n    image: us-central1-docker.pkg.dev/keephq/keep/keep-ui\n',
      'tests/compose.yml': 'services:\n  keep-backend:\n    build:\n      context: ../keep\n      dockerfile: ../docker/Dockerfile.api\n  keep-frontend:\n    build:\n      context: ../ui\n      dockerfile: ../docker/Dockerfile.dev\n',
    });
    const roots = (file: string, name: string) => out.system.services.find((s) => s.file === file && s.name === name)?.codeRoots;
    expect(roots('docker-compose.yml', 'keep-backend')).toEqual(['keep', 'state']);
    // near miss: a dev Dockerfile names a flavour of build, not the image
    expect(roots('docker-compose.yml', 'keep-frontend')).toBeUndefined();
  });

  it("the project's own image runs the code its anonymous builders build, under their service names", () => {
    // tracecat: production runs ghcr.io/tracecathq/tracecat for api and mcp; the dev stack builds
    // both from `.`, one with sources mounted; the UI has its own image and folder
    const out = run({
      'docker-compose.yml': 'services:\n  api:\n    image: ghcr.io/acme/tracecat:1\n  mcp:\n    image: ghcr.io/acme/tracecat:1\n    command: ["python", "-m", "tracecat.mcp"]\n  ui:\n    image: ghcr.io/acme/tracecat-ui:1\n  db:\n    image: postgres:16\n',
      'docker-compose.dev.yml': 'services:\n  api:\n    build: .\n    volumes:\n      - ./tracecat:/app/tracecat\n  mcp:\n    build: .\n  ui:\n    build:\n      context: frontend\n      dockerfile: Dockerfile\n    volumes:\n      - ./frontend/src:/app/src\n',
      'docker-compose.local.yml': 'services:\n  ui:\n    build:\n      context: frontend\n      dockerfile: Dockerfile.prod\n',
    }, { rootName: 'tracecat' });
    const roots = (file: string, name: string) => out.system.services.find((s) => s.file === file && s.name === name)?.codeRoots;
    expect(roots('docker-compose.yml', 'api')).toEqual(['', 'tracecat']);
    expect(roots('docker-compose.yml', 'mcp')).toEqual(['', 'tracecat']);
    expect(roots('docker-compose.yml', 'ui')).toEqual(['frontend', 'frontend/src']);
    expect(roots('docker-compose.yml', 'db')).toBeUndefined();
    // near miss: a scan root of another name does not claim the image
    const other = run({ 'docker-compose.yml': 'services:\n  api:\n    image: ghcr.io/acme/tracecat:1\n', 'docker-compose.dev.yml': 'services:\n  api:\n    build: .\n' }, { rootName: 'fork' });
    expect(other.system.services.find((s) => s.file === 'docker-compose.yml')?.codeRoots).toBeUndefined();
  });

  it("a published image whose folder keeps its Dockerfile in docker/ runs that folder's code", () => {
    // HedgeDoc: ghcr.io/hedgedoc/hedgedoc/backend is built from backend/docker/Dockerfile at the
    // repository root; a builder stage's `COPY . .` does not make the whole repository its code
    const files: Record<string, string> = {
      'backend/docker/Dockerfile': 'FROM node:22 AS builder\nCOPY . .\nRUN yarn build\nFROM node:22\nCOPY backend/package.json backend/package.json\nCOPY --from=builder /app/backend/dist backend/dist\nCMD ["node", "dist/main.js"]\n',
      'frontend/docker/Dockerfile': 'FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n',
    };
    const out = run(
      { 'docker/docker-compose.yml': 'services:\n  backend:\n    image: ghcr.io/hedgedoc/hedgedoc/backend:develop\n  frontend:\n    image: ghcr.io/hedgedoc/hedgedoc/frontend:develop\n  db:\n    image: postgres:15\n' },
      { rootName: 'hedgedoc', readFile: (p) => files[p] },
    );
    const roots = (name: string) => out.system.services.find((s) => s.name === name)?.codeRoots;
    expect(roots('backend')).toEqual(['backend']);
    expect(roots('frontend')).toEqual(['frontend']);
    expect(roots('db')).toBeUndefined();
  });

  it('two builders of one repository name link nothing', () => {
    const out = run({
      'a/compose.yaml': 'services:\n  x:\n    image: local/app\n    build: ./one\n',
      'b/compose.yaml': 'services:\n  y:\n    image: other/app\n    build: ./two\n  z:\n    image: acme/app:1\n',
    });
    expect(out.system.services.find((s) => s.name === 'z')?.codeRoots).toBeUndefined();
  });
});

describe('system model edges beyond depends_on', () => {
  it('links, network_mode: service:x and volumes_from make dependents', () => {
    const out = run({
      'compose.yaml':
        'services:\n  vpn:\n    image: qmcgaw/gluetun\n  torrent:\n    image: x\n    network_mode: "service:vpn"\n  web:\n    image: y\n    links: ["torrent:t"]\n  backup:\n    image: z\n    volumes_from: [web]\n',
    });
    expect(out.system.services.find((s) => s.name === 'vpn')!.dependents).toEqual(['backup', 'torrent', 'web']);
    expect(blastRadius(out.system, { file: 'compose.yaml', service: 'web' })).toEqual(['web', 'backup']);
  });
});

describe("a built service's Dockerfile", () => {
  it('counts its HEALTHCHECK (final stage only, NONE excluded) when the engine can read files', () => {
    const files = {
      'compose.yaml':
        'services:\n  api:\n    build: ./api\n    ports: ["8000:8000"]\n  worker:\n    build:\n      context: ./worker\n      dockerfile: Dockerfile.worker\n    ports: ["9000:9000"]\n  proxy:\n    image: caddy:2\n    depends_on: [api, worker]\n',
    };
    const disk: Record<string, string> = {
      'api/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK --interval=10s CMD python -m app.health\nCMD ["uvicorn", "app:app"]\n',
      'worker/Dockerfile.worker': 'FROM node:22 AS build\nHEALTHCHECK CMD true\nFROM node:22-alpine\nHEALTHCHECK NONE\nCMD ["node", "w.js"]\n',
    };
    const out = run(files, { readFile: (p) => disk[p] });
    expect(out.drafts.filter((d) => d.ruleId === 'FL480').map((d) => d.symbol)).toEqual(['worker']);
    expect(out.system.services.find((s) => s.name === 'api')!.healthcheck).toBe('image-default');
    // without file access the Dockerfile is unknown: reported as before
    expect(run(files).drafts.filter((d) => d.ruleId === 'FL480').map((d) => d.symbol)).toEqual(['api', 'worker']);
  });
});

describe('FL780 says what a recreate keeps', () => {
  const run = (compose: string, code: CodeFileSummary[] = []) =>
    analyzeCompose({ files: [{ path: 'compose.yaml', text: compose }], rules, catalog, code }).drafts.filter((d) => d.ruleId === 'FL780');
  it('an image VOLUME survives a recreate but not down and up; a redis queue there is P2', () => {
    const hits = run(
      'services:\n  api:\n    image: ghcr.io/acme/api:1\n    restart: always\n  mongo:\n    image: mongo:7\n  redis:\n    image: redis:7\n    command: redis-server --appendonly yes\n',
    );
    const mongo = hits.find((d) => d.symbol === 'mongo')!;
    expect(mongo.data!.problem).toMatch(/carries that over a recreate, but after `docker compose down`/);
    expect([mongo.priority, mongo.priorityReason]).toEqual([undefined, undefined]);
    const redis = hits.find((d) => d.symbol === 'redis')!;
    expect([redis.priority, redis.priorityReason]).toEqual(['P2', expect.stringMatching(/queued jobs/)]);
  });
  it('a data directory the image declares no VOLUME for is lost on every recreate, at the rule priority', () => {
    const hits = run('services:\n  api:\n    image: ghcr.io/acme/api:1\n  db:\n    image: postgres:16\n    environment:\n      PGDATA: /srv/pg\n');
    expect(hits.map((d) => [d.symbol, d.priority])).toEqual([['db', undefined]]);
    expect(hits[0].data!.problem).toMatch(/writable layer, and every recreate/);
  });
});

describe('FL480 names who relies on the service as written', () => {
  it('depends_on is "depend on it"; a URL in the environment is "call it"', () => {
    const compose = [
      'services:',
      '  app:',
      '    image: ghcr.io/acme/app:1',
      '    depends_on: [db]',
      '    environment:',
      '      PROXY_HOST_INTERNAL: http://proxy:3300',
      '  proxy:',
      '    image: ghcr.io/acme/proxy:1',
      '    restart: always',
      '  db:',
      '    image: ghcr.io/acme/db:1',
      '    restart: always',
      '',
    ].join('\n');
    const out = analyzeCompose({ files: [{ path: 'compose.yaml', text: compose }], rules, catalog, code: [] });
    const said = Object.fromEntries(out.drafts.filter((d) => d.ruleId === 'FL480').map((d) => [d.symbol, d.data!.dependents]));
    expect(said).toEqual({ db: ' Services that depend on it: app.', proxy: ' Services that call it: app.' });
  });
});

describe('services that do not run in production', () => {
  const app = 'services:\n  db:\n    image: postgres:16\n    restart: always\n    volumes: [pg:/var/lib/postgresql/data]\n';
  const fired = (out: ReturnType<typeof run>, name: string) => out.drafts.filter((d) => d.symbol === name && ['FL480', 'FL580'].includes(d.ruleId)).map((d) => d.ruleId).sort();

  it('`deploy.replicas: 0` or `scale: 0` never starts: no restart or healthcheck finding', () => {
    const out = run({
      'compose.yaml': `${app}  warm:\n    image: example/sandbox:1\n    deploy:\n      replicas: 0\n  also:\n    image: example/sandbox:1\n    scale: 0\n  live:\n    image: example/sandbox:1\n    deploy:\n      replicas: 1\n`,
    });
    expect(fired(out, 'warm')).toEqual([]);
    expect(fired(out, 'also')).toEqual([]);
    // `replicas: 1` is docker compose scaling, not Swarm: nothing reads the health of a service nobody depends on
    expect(fired(out, 'live')).toEqual(['FL580']);
  });

  it('a one-service file that builds the image a stack of the scan also builds is a build helper; one with its own image is not', () => {
    const stack =
      'services:\n  db:\n    image: postgres:16\n    restart: always\n  server:\n    build:\n      context: .\n      dockerfile: apps/server/Dockerfile\n    restart: unless-stopped\n    depends_on: [db]\n';
    const helper = 'services:\n  server:\n    build:\n      context: ../..\n      dockerfile: apps/server/Dockerfile\n    ports: ["3000:3000"]\n';
    // near miss: a one-service file whose Dockerfile no stack builds is that app's own stack
    const own = 'services:\n  worker:\n    build:\n      context: ../..\n      dockerfile: apps/worker/Dockerfile\n';
    const out = run({ 'docker-compose.yaml': stack, 'apps/server/docker-compose.yaml': helper, 'apps/worker/docker-compose.yaml': own });
    const svc = (file: string, name: string) => out.system.services.find((s) => s.file === file && s.name === name)!;
    expect(svc('apps/server/docker-compose.yaml', 'server').dev).toBe(true);
    expect(svc('docker-compose.yaml', 'server').dev).toBeFalsy();
    expect(svc('apps/worker/docker-compose.yaml', 'worker').dev).toBeFalsy();
    const p = (file: string) => out.drafts.filter((d) => d.file === file && d.ruleId === 'FL580').map((d) => d.priority ?? 'base');
    expect(p('apps/server/docker-compose.yaml')).toEqual(['P2']);
    expect(p('apps/worker/docker-compose.yaml')).toEqual(['base']);
  });

  it("a stack of other people's images in a folder of the project's own source is the system a module is developed against", () => {
    // keep's keep/providers/graylog_provider/: graylog beside graylog_provider.py
    // (images the catalog does not know: a folder elsewhere running them may be a deployment)
    const deps = 'services:\n  graylog:\n    image: graylog/graylog:6.0\n    depends_on: [auth]\n  auth:\n    image: laurentbel/nginx-basic-auth\n';
    const code = [textCodeSummary('app/providers/graylog_provider/graylog_provider.py', 'import requests\n')!];
    const dev = run({ 'app/providers/graylog_provider/docker-compose.yml': deps }, { code, rootName: 'keep' });
    expect(dev.system.services.every((s) => s.dev)).toBe(true);
    // near misses: the same file in a folder with no source of the project, and one that runs the
    // project's own image, are deployments
    expect(run({ 'monitoring/docker-compose.yml': deps }, { code, rootName: 'keep' }).system.services.some((s) => s.dev)).toBe(false);
    const own = `${deps}  keep:\n    image: us-central1-docker.pkg.dev/keephq/keep/keep-api:latest\n`;
    expect(run({ 'app/providers/graylog_provider/docker-compose.yml': own }, { code, rootName: 'keep' }).system.services.some((s) => s.dev)).toBe(false);
  });

  it("a folder's README that calls it a testing or development setup makes its compose file a developer stack", () => {
    const stack = 'services:\n  squid:\n    image: ubuntu/squid\n  web:\n    image: example/web:1\n    depends_on: [squid]\n';
    const dev = (readme: string) => run({ 'proxy/docker-compose-proxy.yml': stack }, { readFile: (p) => (p === 'proxy/README.md' ? readme : undefined) }).system.services.every((s) => s.dev);
    expect(dev('# Development Proxy Setup\n\nThis directory contains the services needed to run the app behind a proxy.')).toBe(true);
    expect(dev('# Proxy\n\nThe files here are primarily used for testing and development scenarios.')).toBe(true);
    expect(dev('# ELK-stack integration\n\nUseful if you want to test integration of the backend logs with Logstash.')).toBe(true);
    expect(dev('## How to debug with local grafana\n\ndocker run grafana/grafana')).toBe(true);
    // a title that calls the folder an example (keep's keycloak/readme.md)
    expect(dev('# Docker-compose example:\n\n```\ndocker-compose -f keycloak/docker-compose.yaml up\n```')).toBe(true);
    // near misses: a README that describes a deployment, one that only mentions an example below
    expect(dev('# Production proxy\n\nRun the app behind squid in production; see the test suite for details.')).toBe(false);
    expect(dev('# Keycloak SSO for production\n\nAn example of the realm settings follows.')).toBe(false);
    // a title pattern reads titles: plane's self-hosting guide says "a local environment" in its
    // prose, under a heading that says nothing of the kind
    expect(dev('# Self Hosting\n\nWe cover a cloud server or your desktop. For the desktop, we will use Docker to create a local environment.')).toBe(false);
    expect(dev('# Local test environment\n\nRun it with docker compose up.')).toBe(true);
  });

  it("the project's own published image holds what its Dockerfile in docker/ copies (linkding's docker/default.Dockerfile)", () => {
    const texts: Record<string, string> = {
      'docker/default.Dockerfile': 'FROM python:3.12\nWORKDIR /etc/linkding\nCOPY bookmarks ./bookmarks\nCMD ["./bootstrap.sh"]\n',
      'docker/alpine.Dockerfile': 'FROM python:3.12-alpine\nCOPY . .\n',
    };
    const out = run(
      { 'docker-compose.yml': 'services:\n  linkding:\n    image: sissbruecker/linkding:latest\n    restart: unless-stopped\n' },
      { rootName: 'linkding', readFile: (p) => texts[p], code: [{ path: 'bookmarks/views.py', language: 'python', modules: [], imports: [], calls: [] }] },
    );
    expect(out.system.services.find((s) => s.name === 'linkding')?.codeRoots).toEqual(['bookmarks']);
  });

  it('a file whose built services all come from development Dockerfiles is a developer stack, whatever images it also pulls', () => {
    const files = {
      'docker-compose-with-otel.yaml':
        'services:\n  backend-dev:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile.dev.api\n  ui-dev:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile.dev.ui\n  websocket:\n    image: quay.io/soketi/soketi:1.4-16-debian\n',
    };
    expect(run(files).system.services.every((s) => s.dev)).toBe(true);
    // near miss: one built service with a production Dockerfile keeps the file a deployment
    const prod = { 'docker-compose.yaml': files['docker-compose-with-otel.yaml'].replace('docker/Dockerfile.dev.ui', 'docker/Dockerfile.ui') };
    expect(run(prod).system.services.some((s) => s.dev)).toBe(false);
  });

  it('a Dockerfile named for local work (Dockerfile.local, local.Dockerfile) builds a developer service; Dockerfile.locale does not', () => {
    // jellyseerr's docker-compose.postgres.yaml: the app from Dockerfile.local over a bind-mounted tree, beside postgres
    const stack = (dockerfile: string) => `services:\n  app:\n    build:\n      context: .\n      dockerfile: ${dockerfile}\n    depends_on: [postgres]\n  postgres:\n    image: postgres:17\n`;
    for (const name of ['Dockerfile.local', 'docker/local.Dockerfile']) expect(run({ 'docker-compose.postgres.yaml': stack(name) }).system.services.every((s) => s.dev), name).toBe(true);
    expect(run({ 'docker-compose.postgres.yaml': stack('Dockerfile.locale') }).system.services.some((s) => s.dev)).toBe(false);
  });

  it('a service whose own comment says it is for testing only is a developer service (P2 or off), its neighbours are not', () => {
    const out = run({
      'compose.yaml': `${app}  web:\n    image: example/web:1\n    depends_on: [db]\n\n  # this is used only for testing purposes\n  # Not needed for actual deployment!\n  proxy:\n    image: nginx\n    depends_on: [web]\n`,
    });
    const proxy = out.system.services.find((s) => s.name === 'proxy')!;
    expect(proxy.dev).toBe(true);
    expect(out.system.services.find((s) => s.name === 'web')!.dev).toBeFalsy();
    expect(fired(out, 'web')).toEqual(['FL480', 'FL580']);
  });

  it('pgautoupgrade ships a HEALTHCHECK: a service_healthy wait on it holds; the official postgres image has none', () => {
    const stack = (image: string) =>
      `services:\n  db:\n    image: ${image}\n    restart: always\n    volumes: [./pgdata:/var/lib/postgresql/data]\n  web:\n    image: example/web:1\n    restart: always\n    depends_on:\n      db:\n        condition: service_healthy\n`;
    const gates = (out: ReturnType<typeof run>) => out.drafts.filter((d) => ['FL480', 'FL484'].includes(d.ruleId)).map((d) => d.ruleId).sort();
    expect(gates(run({ 'compose.yaml': stack('pgautoupgrade/pgautoupgrade:17-bookworm') }))).toEqual([]);
    expect(gates(run({ 'compose.yaml': stack('postgres:17') }))).toEqual(['FL484']);
  });

  it("the project's own published image runs the one source folder named for it, at any depth and in any case (OpenSign's opensignserver from apps/OpenSignServer)", () => {
    const compose = 'services:\n  server:\n    image: acme/widgetserver:main\n    restart: always\n  client:\n    image: acme/widgetclient:main\n    restart: always\n';
    const code = ['apps/WidgetServer/index.js', 'apps/WidgetServer/cloud/main.js', 'apps/widget-client/src/App.jsx', 'libs/widgetclient/x.js'];
    const out = run({ 'compose.yaml': compose }, { code: code.map((p) => textCodeSummary(p, 'export {};\n')!), readFile: (rel: string) => (rel === 'apps/WidgetServer/Dockerhubfile' ? 'FROM node:20\n' : undefined) });
    const roots = Object.fromEntries(out.system.services.map((s) => [s.name, s.codeRoots ?? []]));
    expect(roots.server).toEqual(['apps/WidgetServer']);
    // two folders of that name: which one the image holds is unknown
    expect(roots.client).toEqual([]);
  });

  it("the project's own published image carries the HEALTHCHECK of the Dockerfile beside the compose file", () => {
    const files = { 'compose.yaml': `${app}  web:\n    image: pub.kiwitcms.eu/kiwitcms/kiwi:latest\n    restart: always\n  other:\n    image: ghcr.io/someone/else:1\n    restart: always\n  proxy:\n    image: caddy:2\n    depends_on: [web, other]\n` };
    const disk: Record<string, string> = {
      Dockerfile: 'FROM python:3.12 AS base\nFROM base AS kiwitcms\nHEALTHCHECK CMD curl -f http://127.0.0.1:8080/\n',
      'setup.py': 'from setuptools import setup\nsetup(\n    name="kiwitcms",\n)\n',
    };
    const out = run(files, { readFile: (p) => disk[p] });
    expect(out.system.services.find((s) => s.name === 'web')!.healthcheck).toBe('image-default');
    expect(fired(out, 'web')).toEqual([]);
    // an image of another name is not what this Dockerfile builds
    expect(fired(out, 'other')).toEqual(['FL480']);
    // named for the scan root's folder instead of a package
    const byFolder = run({ 'compose.yaml': `${app}  web:\n    image: kiwitcms/kiwi\n    restart: always\n  proxy:\n    image: caddy:2\n    depends_on: [web]\n` }, { readFile: (p) => (p === 'Dockerfile' ? disk.Dockerfile : undefined), rootName: 'Kiwi' });
    expect(fired(byFolder, 'web')).toEqual([]);
    // the organisation's name is not the image's: skyvern/skyvern-ui is another image than skyvern/skyvern
    const sibling = run({ 'compose.yaml': `${app}  ui:\n    image: public.ecr.aws/kiwi/kiwi-ui:latest\n    restart: always\n  proxy:\n    image: caddy:2\n    depends_on: [ui]\n` }, { readFile: (p) => (p === 'Dockerfile' ? disk.Dockerfile : undefined), rootName: 'Kiwi' });
    expect(fired(sibling, 'ui')).toEqual(['FL480']);
  });
});

describe('FL052: a default that unlocks only what the stack itself reaches', () => {
  const fl052 = (compose: string) =>
    Object.fromEntries(run({ 'compose.yaml': compose }).drafts.filter((d) => d.ruleId === 'FL052').map((d) => [`${d.symbol} ${d.data!.variable}`, d.priority ?? 'P0']));

  it('is P2 for a database password or URL when the database publishes no port, P1 when it does', () => {
    const stack = (dbPorts: string) =>
      `services:\n  api:\n    image: ghcr.io/acme/api:1\n    environment:\n      DATABASE_URL: postgresql://app:\${DB_PASSWORD:-surfsense}@db:5432/app\n      ZERO_ADMIN_PASSWORD: \${ZERO_ADMIN_PASSWORD:-zero-admin-2024}\n  db:\n    image: postgres:17\n${dbPorts}    environment:\n      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-surfsense}\n`;
    expect(fl052(stack(''))).toEqual({ 'api DATABASE_URL': 'P2', 'api ZERO_ADMIN_PASSWORD': 'P1', 'db POSTGRES_PASSWORD': 'P2' });
    // published on the host: anyone who can reach the host can log in with the default
    expect(fl052(stack('    ports: ["5432:5432"]\n'))).toEqual({ 'api DATABASE_URL': 'P1', 'api ZERO_ADMIN_PASSWORD': 'P1', 'db POSTGRES_PASSWORD': 'P1' });
    // published on the host's loopback only (open-notebook's SurrealDB on 127.0.0.1:8000): P2
    const internal = { 'api DATABASE_URL': 'P2', 'api ZERO_ADMIN_PASSWORD': 'P1', 'db POSTGRES_PASSWORD': 'P2' };
    expect(fl052(stack('    ports: ["127.0.0.1:5432:5432"]\n'))).toEqual(internal);
    expect(fl052(stack('    ports:\n      - target: 5432\n        published: 5432\n        host_ip: 127.0.0.1\n'))).toEqual(internal);
    // near misses: every interface, and a bare container port (a random host port on every interface)
    expect(fl052(stack('    ports: ["0.0.0.0:5432:5432"]\n'))['db POSTGRES_PASSWORD']).toBe('P1');
    expect(fl052(stack('    ports: ["5432"]\n'))['db POSTGRES_PASSWORD']).toBe('P1');
    // open-notebook: SurrealDB's `--pass` and the app's copy of it, the store on the loopback only
    const surreal = (port: string) =>
      `services:\n  surrealdb:\n    image: surrealdb/surrealdb:v2\n    command: ["start", "--user", "root", "--pass", "\${SURREAL_PASSWORD:-root}", "rocksdb:/mydata/db"]\n    ports: ["${port}:8000"]\n  app:\n    image: lfnovo/open_notebook:v1\n    environment:\n      - SURREAL_PASSWORD=\${SURREAL_PASSWORD:-root}\n`;
    const p2 = Object.values(fl052(surreal('127.0.0.1:8000')));
    expect(p2.length).toBe(1);
    expect(p2[0]).toBe('P2');
    expect(Object.values(fl052(surreal('8000')))).toEqual(['P1']);
  });
});

describe('FL055: a secret written into the compose file', () => {
  it('is P1 for a signing secret, P2 for an encryption key, a one-shot run or a profile service, and says what each lets anyone do', () => {
    const out = run({
      'compose.yaml':
        'services:\n  web:\n    image: ghcr.io/acme/web:2\n    environment:\n      SECRET_KEY: tralala\n      APP_ENCRYPTION_KEY: change-me\n  extra:\n    image: ghcr.io/acme/web:2\n    profiles: [extra]\n    environment:\n      JWT_SECRET: abc123def\n',
    }).drafts.filter((d) => d.ruleId === 'FL055');
    const by = Object.fromEntries(out.map((d) => [d.data!.variable, [d.priority ?? 'P1', d.data!.consequence]]));
    expect(by.SECRET_KEY).toEqual(['P1', 'anyone can forge the sessions and tokens the service signs with it']);
    expect(by.APP_ENCRYPTION_KEY).toEqual(['P2', 'anyone can decrypt what the service stores with it']);
    expect(by.JWT_SECRET[0]).toBe('P2');
  });
});

describe('FL052: the app side of a backing store password', () => {
  const fl052 = (compose: string) =>
    Object.fromEntries(run({ 'compose.yaml': compose }).drafts.filter((d) => d.ruleId === 'FL052').map((d) => [`${d.symbol} ${d.data!.variable}`, d.priority ?? 'P0']));
  it("is P2 when the same variable gives the database its password and the database publishes no port; the app's own admin password stays P1", () => {
    // etherpad: DB_PASS on the app and POSTGRES_PASSWORD on postgres, both from one variable
    const stack = (dbPorts: string) =>
      `services:\n  app:\n    image: etherpad/etherpad:2\n    ports: ["9001:9001"]\n    environment:\n      ADMIN_PASSWORD: \${ADMIN_PASSWORD:-admin}\n      DB_PASS: \${DOCKER_COMPOSE_POSTGRES_PASSWORD:-admin}\n  postgres:\n    image: postgres:15-alpine\n${dbPorts}    environment:\n      POSTGRES_PASSWORD: \${DOCKER_COMPOSE_POSTGRES_PASSWORD:-admin}\n`;
    expect(fl052(stack(''))).toEqual({ 'app ADMIN_PASSWORD': 'P1', 'app DB_PASS': 'P2' });
    expect(fl052(stack('    ports: ["5432:5432"]\n'))).toEqual({ 'app ADMIN_PASSWORD': 'P1', 'app DB_PASS': 'P1' });
  });
});

describe('FL052: a URL assembled from several defaults', () => {
  it('is reported at the default in the password place, naming that variable', () => {
    const out = run({
      'compose.yaml': 'services:\n  api:\n    image: ghcr.io/acme/api:1\n    environment:\n      DATABASE_URL: postgresql://${DB_USER:-surfsense}:${DB_PASSWORD:-surfsense}@${DB_HOST:-db}:${DB_PORT:-5432}/app\n  db:\n    image: postgres:17\n    ports: ["5432:5432"]\n',
    });
    const d = out.drafts.filter((x) => x.ruleId === 'FL052');
    expect(d.map((x) => x.data!.expr)).toEqual(['${DB_PASSWORD:-surfsense}']);
  });
});

describe('FL482 is P1 only where a dependant waits on the weak probe', () => {
  const run = (compose: string) =>
    analyzeCompose({ files: [{ path: 'compose.yaml', text: compose }], rules, catalog, code: [] }).drafts.filter((d) => d.ruleId === 'FL482');
  it('gated by service_healthy: the rule priority; nothing waits: P2 (ragflow es01, opensearch01)', () => {
    const probe = '    healthcheck:\n      test: ["CMD", "curl", "http://localhost:8000/health"]\n';
    const hits = run(
      `services:\n  api:\n    build: ./api\n    ports: ["8000:8000"]\n${probe}  web:\n    build: ./web\n    depends_on:\n      api:\n        condition: service_healthy\n` +
        `  search:\n    build: ./search\n    ports: ["9000:9000"]\n${probe.replace('8000', '9000')}  kibana:\n    build: ./kibana\n    depends_on:\n      search:\n        condition: service_started\n`,
    );
    expect(Object.fromEntries(hits.map((d) => [d.symbol, d.priority ?? 'P1']))).toEqual({ api: 'P1', search: 'P2' });
    expect(hits.find((d) => d.symbol === 'search')!.priorityReason).toMatch(/service_healthy/);
  });
});

describe('the healthcheck a finding suggests', () => {
  const compose = {
    'docker-compose.yml': 'services:\n  api:\n    image: acme/acme-api\n    ports: ["8080:8080"]\n  ui:\n    build: ./ui\n    ports: ["3000:3000"]\n    depends_on: [api]\n  other:\n    build: ./other\n    ports: ["9000:9000"]\n  web:\n    image: nginx\n    depends_on: [ui, other]\n',
    // keep: the API image is built in a test stack from docker/Dockerfile.api
    'tests/compose.yml': 'services:\n  api:\n    build:\n      context: ../backend\n      dockerfile: ../docker/Dockerfile.api\n',
  };
  const code: ComposeInput['code'] = [
    { path: 'backend/routes/healthcheck.py', language: 'python', modules: ['fastapi'], healthRoutes: ['/healthcheck'] },
    { path: 'backend/scripts/bench.py', language: 'python', modules: ['fastapi'], healthRoutes: ['/h'] },
    { path: 'ui/app/api/health/route.ts', language: 'typescript', modules: ['next'], healthRoutes: ['/api/health'] },
  ];
  const probe = (out: ReturnType<typeof run>, name: string) => out.drafts.find((d) => d.ruleId === 'FL480' && d.symbol === name)?.data?.probe;

  it('calls the route the code declares, with the runtime the image surely has', () => {
    const out = run(compose, { code });
    expect(probe(out, 'api')).toBe(`python -c "import urllib.request as u; u.urlopen('http://localhost:8080/healthcheck', timeout=3)"`);
    expect(probe(out, 'ui')).toBe(`node -e "fetch('http://localhost:3000/api/health').then(r => process.exit(r.ok?0:1), () => process.exit(1))"`);
    // near miss: no health route in its code (a script's does not count): the generic guess
    expect(probe(out, 'other')).toBe('curl -fsS http://localhost:9000/health || exit 1');
  });

  it('without code the guess stays curl on /health', () => {
    expect(probe(run(compose), 'api')).toBe('curl -fsS http://localhost:8080/health || exit 1');
  });

  it('a service that publishes no port is probed on the port its command binds (doccano: gunicorn behind nginx)', () => {
    const backend = {
      'compose.yaml': 'services:\n  backend:\n    build: ./backend\n    command: gunicorn --bind="${HOST:-0.0.0.0}:${PORT:-8000}" config.wsgi\n  worker:\n    build: ./backend\n    command: celery -A config worker\n  nginx:\n    image: nginx\n    depends_on: [backend, worker]\n',
    };
    const routes: ComposeInput['code'] = [{ path: 'backend/config/urls.py', language: 'python', modules: ['django'], healthRoutes: ['/v1/health/'] }];
    const out = run(backend, { code: routes });
    expect(probe(out, 'backend')).toBe(`python -c "import urllib.request as u; u.urlopen('http://localhost:8000/v1/health/', timeout=3)"`);
    // near miss: a worker binds no port: no probe is made up for it
    expect(probe(out, 'worker') ?? '').toBe('');
  });
});

describe('health routes of a file', () => {
  it('keeps GET routes that name a probe, router-relative ones made absolute', async () => {
    const { healthRoutesOf } = await import('../src/engine/code-summary.js');
    // Django's include of a health app (`path("v1/health/", include("health_check.urls"))`) answers every verb
    const entries = ['GET healthcheck', 'GET /api/v1/health/', 'POST /health', 'GET /users/{id}/ping', 'GET /healthy-recipes', 'GET /readyz', 'HTTP /v1/health/ (include)', 'HTTP /v1/users/ (include)'].map((label) => ({ kind: 'http', label }));
    expect(healthRoutesOf({ signals: { entries } })).toEqual({ healthRoutes: ['/api/v1/health/', '/healthcheck', '/readyz', '/v1/health/'] });
    expect(healthRoutesOf({ signals: { entries: [{ kind: 'task', label: 'GET /health' }] } })).toEqual({});
  });
});

describe('quick-start compose files', () => {
  const p = (out: ReturnType<typeof run>, rule: string) =>
    Object.fromEntries(out.drafts.filter((d) => d.ruleId === rule).map((d) => [`${d.file}:${d.symbol}`, d.priority ?? 'base']));

  it("leave restart, healthcheck and start order to the operator (P2) when a database's password is written in the file or a comment says to change settings for production", () => {
    // GrowthBook's and Flagsmith's root files: `MONGO_INITDB_ROOT_PASSWORD=password`, "# Change this in production"
    const literal = 'services:\n  mongo:\n    image: mongo:7\n    environment:\n      - MONGO_INITDB_ROOT_PASSWORD=password\n    volumes: [m:/data/db]\n  app:\n    image: example/app:1\n    depends_on: [mongo]\n';
    const advised = 'services:\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n    volumes: [pg:/var/lib/postgresql/data]\n  api:\n    image: example/api:1\n    environment:\n      SECRET_KEY: ${SECRET_KEY} # Change this in production\n    depends_on: [db]\n';
    // the near miss: kutt's and HedgeDoc's files take every password from the environment
    const production = 'services:\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n    volumes: [pg:/var/lib/postgresql/data]\n  api:\n    image: example/api:1\n    depends_on: [db]\n';
    // HedgeDoc's docker/ file runs its own images at the unreleased `:develop` tag
    const develop = 'services:\n  db:\n    image: postgres:15\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n    volumes: [pg:/var/lib/postgresql/data]\n  backend:\n    image: ghcr.io/acme/app/backend:develop\n';
    const out = run({ 'quick/compose.yaml': literal, 'advised/compose.yaml': advised, 'prod/compose.yaml': production, 'dev-tag/compose.yaml': develop });
    expect(p(out, 'FL580')).toEqual({
      'quick/compose.yaml:mongo': 'P2', 'quick/compose.yaml:app': 'P2',
      'advised/compose.yaml:db': 'P2', 'advised/compose.yaml:api': 'P2',
      'prod/compose.yaml:db': 'base', 'prod/compose.yaml:api': 'base',
      'dev-tag/compose.yaml:db': 'P2', 'dev-tag/compose.yaml:backend': 'P2',
    });
    expect(p(out, 'FL483')).toEqual({ 'quick/compose.yaml:app': 'P2', 'advised/compose.yaml:api': 'P2', 'prod/compose.yaml:api': 'base' });
    expect(out.drafts.find((d) => d.file === 'quick/compose.yaml' && d.ruleId === 'FL580')!.priorityReason).toMatch(/quick-start compose file \(the file writes `mongo`'s password in clear/);
  });

  it('keep data durability at its priority: a quick-start database with no volume still loses the data', () => {
    const out = run({ 'compose.yaml': 'services:\n  mongo:\n    image: mongo:7\n    restart: always\n    environment:\n      - MONGO_INITDB_ROOT_PASSWORD=password\n' });
    const d = out.drafts.find((x) => x.ruleId === 'FL780')!;
    // (mongo's image VOLUME survives a recreate, which is what lowers it; the quick-start file does not)
    expect(d.priorityReason ?? '').not.toMatch(/quick-start/);
  });
});
