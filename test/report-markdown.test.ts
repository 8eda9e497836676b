import { describe, expect, it } from 'vitest';
import { categoryScores, dedent, renderMarkdown, truncateMarkdown } from '../src/report/markdown.js';
import { blastRadius, serviceOf, servicesOf } from '../src/report/system.js';
import { sentences } from '../src/report/common.js';
import { buildView, entryLabels, type FindingView } from '../src/report/view.js';
import { criticalPaths } from '../src/report/markdown/system.js';
import { RULES, htmlProblems, modelResult, sampleResult } from './report-helpers.js';

describe('Markdown reporter', () => {
  it('renders the audit (snapshots: vitest -u regenerates them)', async () => {
    await expect(renderMarkdown(sampleResult(), RULES)).toMatchFileSnapshot('__snapshots__/report-markdown.sample.md');
    await expect(renderMarkdown(modelResult(), RULES)).toMatchFileSnapshot('__snapshots__/report-markdown.model.md');
  });

  it('orders the parts: contents, summary, fix first, system view, experiments, findings, scores, errors, scope', () => {
    const md = renderMarkdown(sampleResult(), RULES);
    const order = [
      '**Contents:**',
      '## Executive summary',
      '### Top risks',
      '## Fix first',
      '## System view',
      '### Failure propagation',
      '### Critical paths',
      '### Already good',
      '## Failure experiments',
      '## Findings',
      '### P0:',
      '### P2:',
      '## Resilience score by category',
      '## Files not analysed',
      '## Scope',
    ];
    const positions = order.map((h) => md.indexOf(h));
    expect(positions.every((p) => p >= 0), order.filter((_, i) => positions[i] < 0).join()).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(md).not.toContain('### P1:'); // the only P1 rule's finding was lowered to P2
    // every contents link has its anchor
    for (const [, id] of md.split('\n').find((l) => l.startsWith('**Contents:**'))!.matchAll(/\(#([a-z0-9-]+)\)/g)) expect(md).toContain(`<a id="${id}"></a>`);
    // and so does every in-page link
    for (const [, id] of md.matchAll(/\]\(#([a-z0-9-]+)\)/g)) expect(md, id).toContain(`<a id="${id}"></a>`);
  });

  it('fix first makes one row of root causes of several rules at one place to edit', () => {
    const r = sampleResult();
    const at = r.findings.find((f) => f.ruleId === 'FL101' && f.file === 'api/app/client.py')!;
    // dittofeed's pool: no error listener, no connect timeout, no statement timeout, one constructor
    r.findings.push({ ...at, ruleId: 'FL201', ruleName: 'pool-without-acquire-timeout', category: 'pool', fingerprint: 'fl201-same-place' });
    const md = renderMarkdown(r, RULES);
    const table = md.slice(md.indexOf('## Fix first'), md.indexOf('## System view'));
    const rows = table.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    const both = rows.filter((l) => l.includes('FL101') && l.includes('FL201'));
    expect(both).toHaveLength(1);
    expect(both[0]).toContain('in the same place:');
    expect(table).toMatch(new RegExp(`These ${rows.length} changes close|This change closes`));
  });

  it('gives each finding a link, excerpt, blast radius, fix code, CWE and an experiment', () => {
    const md = renderMarkdown(sampleResult(), RULES, { linkBase: 'https://github.com/o/r/blob/abc/' });
    expect(md).toContain('[`api/app/client.py:12`](https://github.com/o/r/blob/abc/api/app/client.py#L12) in `fetch_user`');
    expect(md).toContain('[`web/src/my file#1.ts:7`](https://github.com/o/r/blob/abc/web/src/my%20file%231.ts#L7-L9)');
    expect(md).toContain('```python\nresp = requests.get(f"{USERS}/users/{uid}")\n```');
    expect(md).toContain('Reaches `api` and `web`.');
    expect(md).toContain('```python\nrequests.get(url, timeout=(3.05, 10))\n```');
    expect(md).toContain('```typescript\nawait fetch(url, { signal: AbortSignal.timeout(10_000) })\n```');
    expect(md).toContain('[CWE-400](https://cwe.mitre.org/data/definitions/400.html)');
    expect(md).toContain('- **Inject.** Make the dependency accept connections but never answer');
    expect(md).toContain('- **Roll back.** ');
    expect(md).toContain('Priority P2: in a script.');
  });

  it('critical paths follow calls, not start order: beat on its worker and anything on a migration job are left out', () => {
    const r = sampleResult();
    const svc = (name: string, image: string, dependsOn: string[], talksTo: string[] = [], extra: Record<string, unknown> = {}) => ({
      name, file: 'docker-compose.yml', image, dependsOn, talksTo, healthcheck: 'ok' as const, dependents: [], ...extra,
    });
    r.system = {
      services: [
        svc('celery_beat', 'example/app:1', ['celery_worker', 'redis'], [], { command: 'celery -A app beat' }),
        svc('celery_worker', 'example/app:1', ['backend', 'redis'], [], { command: 'celery -A app worker' }),
        svc('backend', 'example/app:1', ['migrations', 'db'], ['redis'], { command: 'uvicorn app.main:app' }),
        svc('migrations', 'example/app:1', ['db'], [], { oneShot: true, command: 'alembic upgrade head' }),
        svc('frontend', 'example/web:1', ['backend']),
        svc('db', 'postgres:16', []),
        svc('redis', 'redis:7', []),
      ],
    };
    const paths = criticalPaths(buildView(r, RULES), 50).map((p) => p.join(' > '));
    expect(paths).toContain('frontend > backend > db');
    expect(paths).toContain('celery_worker > redis');
    expect(paths.some((p) => p.includes('celery_beat > celery_worker'))).toBe(false);
    expect(paths.some((p) => p.includes('celery_worker > backend'))).toBe(false);
    expect(paths.some((p) => p.includes('migrations'))).toBe(false);
  });

  it('the summary names the compose files read as quick-start stacks, and only those', () => {
    const r = sampleResult();
    expect(renderMarkdown(r, RULES)).not.toContain('Read as quick-start stacks');
    const f = r.findings.find((x) => x.file === 'docker-compose.yml')!;
    f.priority = 'P2';
    f.priorityReason = "declared in a quick-start compose file (the file writes `db`'s password in clear, `POSTGRES_PASSWORD`): hardening it for production is the operator's step";
    expect(renderMarkdown(r, RULES)).toContain('Read as quick-start stacks (a database password written in the file, an application image at a development tag, or comments saying to change settings for production): `docker-compose.yml`.');
  });

  it('critical paths start somewhere when every caller is also called (an app and its proxy calling each other)', () => {
    const r = sampleResult();
    const svc = (name: string, image: string, dependsOn: string[], talksTo: string[] = []) => ({
      name, file: 'docker-compose.yml', image, dependsOn, talksTo, healthcheck: 'ok' as const, dependents: [],
    });
    // GrowthBook's quick-start: growthbook -> mongo, growthbook -> proxy, proxy -> growthbook
    r.system = { services: [svc('growthbook', 'growthbook/growthbook:latest', ['mongo'], ['proxy']), svc('proxy', 'growthbook/proxy:latest', ['growthbook']), svc('mongo', 'mongo:latest', [])] };
    const paths = criticalPaths(buildView(r, RULES), 50).map((p) => p.join(' > '));
    expect(paths).toContain('proxy > growthbook > mongo');
    expect(renderMarkdown(r, RULES)).not.toContain('No service depends on another');
  });

  it('critical paths leave out services only developer stacks declare, unless the stack is all there is', () => {
    const r = sampleResult();
    const svc = (name: string, image: string, dependsOn: string[], dev = false) => ({
      name, file: dev ? 'docker-compose.dev.yml' : 'docker-compose.yml', image, dependsOn, talksTo: [], healthcheck: 'ok' as const, dependents: [], ...(dev ? { dev: true } : {}),
    });
    // inbox-zero: the dev stack's API emulators wait on redis; the production web does too
    r.system = { services: [svc('web', 'ghcr.io/acme/web:1', ['redis']), svc('redis', 'redis:7', []), svc('google-emulator', 'node:24-alpine', ['redis'], true)] };
    const paths = criticalPaths(buildView(r, RULES), 50).map((p) => p.join(' > '));
    expect(paths).toEqual(['web > redis']);
    // a repository with only a developer stack still shows its paths
    r.system = { services: [svc('google-emulator', 'node:24-alpine', ['redis'], true), svc('redis', 'redis:7', [], true)] };
    expect(criticalPaths(buildView(r, RULES), 50).map((p) => p.join(' > '))).toEqual(['google-emulator > redis']);
  });

  it('services of developer or one-shot stacks with nothing found get one line, not a row each; a production one keeps its row', () => {
    const r = sampleResult();
    const extra = ['mailhog', 'kibana'].map((name) => ({ name, file: 'dev/docker-compose.yml', image: `${name}:1`, dependsOn: [], talksTo: [], healthcheck: 'none' as const, dependents: [], dev: true }));
    r.system = { ...r.system!, services: [...r.system!.services, ...extra] };
    const md = renderMarkdown(r, RULES);
    expect(md).toContain('Left out: 2 services of developer, test or one-shot stacks with no hazard found (`kibana` and `mailhog`).');
    expect(md).not.toContain('| `kibana` |');
    expect(md).toContain('| `db` | no hazard found; fails only as a whole (crash, stop) |');
  });

  it('builds the failure-propagation matrix and the critical paths from the system model', () => {
    const md = renderMarkdown(sampleResult(), RULES);
    expect(md).toContain('| `api` | **1 P0, 1 P2**: hangs when a dependency is slow; looks healthy while broken, or dependants start before it is ready | `web` depends on it | none found | timeouts: 1 ([FL101](#fl101-p0)); readiness probes: 1 ([FL401](#fl401-p2)) |');
    expect(md).toContain('| `db` | no hazard found; fails only as a whole (crash, stop) | `api` and `web` depend on it | readiness healthcheck, restart: `always` | — |');
    expect(md).toContain('| `web` → `api` → `db` | `web` | 1 P0, 1 P2; no timeouts at P0 |');
    expect(md).toContain('- `db` (`docker-compose.yml`): a healthcheck that probes readiness and restart policy `always`.');
  });

  it('collapses a root cause shared by several findings into one entry with its locations under <details>', () => {
    const md = renderMarkdown(modelResult(), RULES);
    expect(md).toContain('**3 places: [`api/app/http.py:5`](api/app/http.py#L5) (3 findings in 3 files)** — One `requests.Session()` without a timeout, used by 3 call sites.');
    expect(md).toContain('<details><summary>All 3 locations</summary>\n\n- [`api/app/billing.py:31`]');
    expect(md).toMatch(/\| 1 \| One `requests.Session\(\)` without a timeout, used by 3 call sites\. Pass an explicit timeout .*\| S \| 3 P0 \(FL101\) \|/);
    expect(md).toContain('Where the code runs: 4 in service code, 1 in browser code, 1 in CLI and scripts and 1 in compose configuration.');
    expect(md).toContain('`axios.defaults.timeout = 5000` (`web/src/http.ts:3`) bounds every axios call under `web/`.');
    expect(md).not.toContain('this scan had none'); // the project model was there
    expect(renderMarkdown(sampleResult(), RULES)).toContain('this scan had none');
  });


  it('"Already good" counts guardrails in service code only, and never an uncaughtException handler that keeps the process up', () => {
    const r = modelResult();
    r.model!.guards = [
      { kind: 'timeout', text: 'httpx.Client timeout', line: 4, file: 'api/app/client.py', count: 1 },
      { kind: 'timeout', text: 'AbortController abort', line: 9, file: 'web/src/my file#1.ts', count: 5 },
    ];
    r.model!.defaults = [
      ...r.model!.defaults,
      { library: 'process', knob: 'uncaught-exception', text: "process.on('uncaughtException', log)", state: 'set', file: 'api/server.ts', line: 2, global: true, does: 'keeps the process running after an uncaught exception' },
    ];
    const good = renderMarkdown(r, RULES).split('### Already good')[1].split('\n## ')[0];
    expect(good).toContain('timeout set on 1 call');
    expect(good).not.toContain('on 6 calls');
    expect(good).not.toContain('AbortController');
    expect(good).not.toContain('uncaughtException');
  });
  it('scores categories 100 - 25/P0 - 10/P1 - 3/P2', () => {
    const scores = categoryScores(sampleResult().findings, RULES);
    expect(scores.map((s) => [s.category, s.score])).toEqual([
      ['timeout', 50],
      ['pool', 97],
      ['healthcheck', 97],
    ]);
  });

  it('is stable and has no timestamp unless asked', () => {
    const a = renderMarkdown(sampleResult(), RULES);
    const r = sampleResult();
    r.findings.reverse();
    expect(renderMarkdown(r, [...RULES].reverse())).toBe(a);
    expect(a).not.toMatch(/20\d\d-\d\d-\d\d/);
    expect(renderMarkdown(sampleResult(), RULES, { timestamp: '2026-11-22T10:00:00Z' })).toContain('2026-11-22T10:00:00Z');
  });

  it('says so when nothing was found', () => {
    const md = renderMarkdown({ ...sampleResult(), findings: [], errors: [] }, RULES);
    expect(md).toContain('No findings at or above the reporting threshold.');
    expect(md).toContain('| Timeouts (`timeout`) | **100** no findings | 0 | 0 | 0 | 1 |');
    expect(md).not.toContain('## Fix first');
  });

  it('truncates at a section boundary under the byte limit, counts what it left out and closes open <details>', () => {
    const full = renderMarkdown(modelResult(), RULES);
    const cut = renderMarkdown(modelResult(), RULES, { maxBytes: 9000 });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(9000);
    expect(cut.length).toBeLessThan(full.length);
    expect(cut).toMatch(/Report truncated to fit the size limit: \d+ findings? not shown here/);
    expect((cut.match(/<details>/g) ?? []).length).toBe((cut.match(/<\/details>/g) ?? []).length);
    expect(truncateMarkdown('# a\n\n## b\n' + 'x'.repeat(100), 20, 'cut')).toBe('# a\n\n> **cut**\n');
    expect(truncateMarkdown('short', 100)).toBe('short');
    expect(truncateMarkdown('# a\n\n<details><summary>s</summary>\n\n' + 'y\n'.repeat(100), 60, 'cut')).toMatch(/<\/details>\n\n> \*\*cut\*\*\n$/);
  });

  it('leaves out an example it cannot fill and renders diff-style fixes as diff blocks', () => {
    const rules = RULES.map((r) => (r.id === 'FL401' ? { ...r, fix: { title: 'Add a healthcheck, e.g. `{probe}`', code: { compose: 'services:\n  api:\n+   healthcheck: {}' } } } : r));
    const md = renderMarkdown(sampleResult(), rules);
    expect(md).toContain('**Fix.** Add a healthcheck.');
    expect(md).not.toMatch(/<probe>|\{probe\}/);
    expect(md).toContain('```diff\nservices:\n  api:\n+   healthcheck: {}\n```');
  });

  it('folds causes beyond detailsPerRule under one <details>', () => {
    const md = renderMarkdown(sampleResult(), RULES, { detailsPerRule: 1 });
    expect(md).toContain(
      '<details><summary>1 more finding of FL101 at P0</summary>\n\n- [`web/src/my file#1.ts:7`](web/src/my%20file%231.ts#L7-L9) · service `web`: fetch has no timeout: a slow server blocks this worker forever.\n\n</details>',
    );
  });

  it('escapes what came from the scanned repository', () => {
    const r = sampleResult();
    r.system!.services[0].name = 'api</details><script>@octocat';
    r.findings[0].symbol = r.system!.services[0].name;
    r.findings[0].message = 'service `api</details>` has no healthcheck <img src=x> @octocat';
    r.errors[0].message = '<b>x</b> @team';
    const md = renderMarkdown(r, RULES);
    // outside code spans and blocks nothing of it is left as markup
    const prose = md.replace(/```[\s\S]*?```/g, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(prose).not.toMatch(/<script|<img|<b>|@octocat|@team/);
    expect(md).toContain('&lt;img src=x&gt; @\u200Boctocat');
    expect(htmlProblems(md)).toEqual([]);
  });

  it('cuts texts at sentence ends, not at e.g. or i.e.', () => {
    expect(sentences('Use a probe, e.g. curl. Then wait. Third.', 2)).toBe('Use a probe, e.g. curl. Then wait.');
    expect(sentences('One line\nwrapped.  Two.', 1)).toBe('One line wrapped.');
    expect(sentences('No end', 3)).toBe('No end');
  });

  it('names entry points that one label stands for in several files, and a bare root route, with their file', () => {
    const at = (label: string, file: string, hops = 0) => ({ kind: 'route' as const, label, file, line: 1, hops });
    const v = (entries: ReturnType<typeof at>[]) => ({ entries }) as unknown as FindingView;
    // briefer's routers: `POST /` in two files, mounted under prefixes the model does not follow
    expect(entryLabels([v([at('POST /', 'a/docs.ts'), at('GET /ping', 'a/ping.ts')]), v([at('POST /', 'a/users.ts', 1)])])).toEqual(['GET /ping', 'POST / (a/docs.ts)', 'POST / (a/users.ts)']);
    // one label from one file stays as it is, reached twice
    expect(entryLabels([v([at('GET /items', 'a/items.ts')]), v([at('GET /items', 'a/items.ts', 1)])])).toEqual(['GET /items']);
  });

  it('ties findings to services by build context, code roots and compose service', () => {
    const r = sampleResult();
    const [compose, py, ts] = r.findings;
    expect(serviceOf(compose, r.system)?.name).toBe('api');
    expect(serviceOf(py, r.system)?.name).toBe('api');
    expect(serviceOf(ts, r.system)?.name).toBe('web');
    expect(serviceOf({ file: 'other/x.py' }, r.system)).toBeUndefined();
    expect(blastRadius({ ...py, blastRadius: ['x'] }, r.system)).toEqual(['x']);
    // two services built from one directory share its code
    const shared = { services: r.system!.services.map((s) => (s.name === 'web' ? { ...s, build: './api' } : s)) };
    expect(servicesOf(py, shared).map((s) => s.name)).toEqual(['api', 'web']);
    expect(serviceOf(py, shared)).toBeUndefined();
    // the same service in the stack and in a developer variant: named once, the stack's kept
    const api = r.system!.services.find((s) => s.name === 'api')!;
    const variants = { services: [...r.system!.services, { ...api, file: 'docker-compose.dev.yml', dev: true }, { ...api, name: 'api-dev', file: 'docker-compose.dev.yml', dev: true }] };
    expect(servicesOf(py, variants).map((s) => `${s.name} ${s.file}`)).toEqual([`api ${api.file}`]);
    // a one-shot job built from the same image (briefer's db_migration: `prisma migrate deploy`)
    // runs its own command, not the service's code; alone, it keeps the finding
    const migrate = { services: [...r.system!.services, { ...api, name: 'db_migration', oneShot: true }] };
    expect(servicesOf(py, migrate).map((s) => s.name)).toEqual(['api']);
    const onlyJob = { services: r.system!.services.map((s) => (s.name === 'api' ? { ...s, oneShot: true } : s)) };
    expect(servicesOf(py, onlyJob).map((s) => s.name)).toEqual(['api']);
    // a library a service's image holds but its app imports only in browser code runs in it nowhere
    const browserOnly = { services: r.system!.services.map((s) => (s.name === 'web' ? { ...s, codeRoots: [...(s.codeRoots ?? []), 'api'], browserOnlyRoots: ['api'] } : s)) };
    expect(servicesOf(py, browserOnly).map((s) => s.name)).toEqual(['api']);
    const alsoServer = { services: r.system!.services.map((s) => (s.name === 'web' ? { ...s, codeRoots: [...(s.codeRoots ?? []), 'api'] } : s)) };
    expect(servicesOf(py, alsoServer).map((s) => s.name).sort()).toEqual(['api', 'web']);
    const roots = { services: r.system!.services.map((s) => (s.name === 'db' ? { ...s, codeRoots: ['api/app'] } : s)) };
    expect(serviceOf(py, roots)?.name).toBe('db');
    expect(dedent('    a\n      b\n')).toBe('a\n  b');
  });
});

describe('system view at scale', () => {
  it('folds compose variants of one service into one row that names its files, and counts it once in paths', async () => {
    const { makeTree, runCli } = await import('./helpers.js');
    const stack = 'services:\n  api:\n    image: shop/api:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n';
    const root = makeTree({ 'docker-compose.yml': stack, 'docker-compose-local.yml': stack, 'deployments/prod/docker-compose.yml': stack });
    const { stdout } = await runCli(['scan', '.', '--format', 'markdown', '--fail-on', 'none'], root);
    const rows = stdout.split('\n').filter((l) => /^\| `(api|db)`/.test(l));
    const matrix = rows.filter((l) => !l.includes(' → '));
    expect(matrix).toHaveLength(2);
    expect(matrix[0]).toContain('(3 compose variants: `deployments/prod/docker-compose.yml`, `docker-compose-local.yml`, `docker-compose.yml`)');
    expect(rows.filter((l) => l.includes(' → '))).toEqual([expect.stringMatching(/^\| `api` → `db` \|/)]);
  });
});
