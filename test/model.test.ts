// The project model: contexts decided from each kind of evidence, the context-priority table,
// process-wide defaults carried across files, root-cause groups, and `faultline model`.
import { describe, expect, it } from 'vitest';
import { scan } from '../dist/engine/scan.js';
import type { FaultlineConfig } from '../dist/config/load.js';
import { makeTree, runCli } from './helpers.js';

async function model(files: Record<string, string>, config: FaultlineConfig = {}) {
  const root = makeTree(files);
  const result = await scan({ root, targets: [root], jobs: 1, config });
  return { result, model: result.model! };
}

const AXIOS_BAD = "import axios from 'axios';\nexport const load = () => axios.get('https://api.example.com/x');\n";
const PY_BAD = 'import requests\n\ndef f():\n    return requests.get("https://api.example.com")\n';

describe('project model: Parse Server cloud code', () => {
  it('lists Parse.Cloud functions and triggers (a global, never imported) as entry points, and follows an imported handler to the findings it reaches', async () => {
    // OpenSign's cloud/main.js: 55 registrations of handlers imported from ./parsefunction/
    const { result, model: m } = await model({
      'package.json': JSON.stringify({ type: 'module', dependencies: { 'parse-server': '7', express: '4', axios: '1' } }),
      'cloud/main.js': "import getDoc from './fns/getDoc.js';\nParse.Cloud.define('getDoc', getDoc);\nParse.Cloud.afterSave('contracts_Document', async () => {});\n",
      'cloud/fns/getDoc.js': "import axios from 'axios';\nexport default async function getDoc(req) {\n  return (await axios.get('https://api.example.com/doc')).data;\n}\n",
      'compose.yaml': 'services:\n  server:\n    build: .\n    restart: unless-stopped\n',
    });
    expect(m.entryPoints.map((e) => e.label).sort()).toEqual(['afterSave contracts_Document', 'cloud function getDoc']);
    const f = result.findings.find((x) => x.ruleId === 'FL101' && x.file === 'cloud/fns/getDoc.js');
    expect(f?.entryPoints?.map((e) => e.label)).toEqual(['cloud function getDoc']);
  });
});

describe('project model: a URL constant imported from a project module', () => {
  it('lowers a call to the loopback constant of another module to P2 and names it; a remote constant keeps P1', async () => {
    // OpenSign: `cloudServerUrl = 'http://localhost:8080/app'` in Utils.js, read by every cloud function
    const { result } = await model({
      'package.json': JSON.stringify({ type: 'module', dependencies: { express: '4', axios: '1' } }),
      'Utils.js': "export const cloudServerUrl = 'http://localhost:8080/app';\nexport const remoteUrl = 'https://api.example.com';\n",
      'cloud/getDoc.js': "import axios from 'axios';\nimport { cloudServerUrl, remoteUrl } from '../Utils.js';\nexport default async function getDoc(req) {\n  const serverUrl = cloudServerUrl;\n  await axios.get(serverUrl + '/users/me');\n  await axios.get(`${remoteUrl}/x`);\n}\n",
    });
    const at = Object.fromEntries(result.findings.filter((f) => f.ruleId === 'FL101').map((f) => [f.line, [f.priority, f.priorityReason ?? '']]));
    expect(at[5][0]).toBe('P2');
    expect(at[5][1]).toContain('http://localhost:8080/app');
    expect(at[6][0]).toBe('P1');
  });
});

describe('project model: runtime contexts', () => {
  it('decides each context from its evidence and keeps the evidence', async () => {
    const { model: m } = await model({
      'api/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      'api/util.py': 'import json\n',
      'api/management/commands/sync.py': 'from django.core.management.base import BaseCommand\nclass Command(BaseCommand):\n    pass\n',
      'tools/release.py': 'import subprocess\n',
      'scripts/export.py': 'import requests\n',
      'run.py': 'import requests\nif __name__ == "__main__":\n    requests.get("x")\n',
      'serve.py': 'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("api.main:app")\n',
      'docs/example.py': 'import requests\n',
      'tests/test_api.py': 'import requests\n',
      'web/package.json': JSON.stringify({ dependencies: { react: '18', 'react-dom': '18' }, devDependencies: { vite: '5' } }),
      'web/src/App.tsx': "import { api } from './api';\nexport const App = () => null;\n",
      'web/src/api.ts': "export const api = () => fetch('/x');\n",
      'web/src/store.ts': 'export const s = 1;\n',
      'next/package.json': JSON.stringify({ dependencies: { next: '15', react: '19' } }),
      'next/app/page.tsx': 'export default async function Page() { return null; }\n',
      'next/app/chat/Box.tsx': "'use client';\nexport const Box = () => null;\n",
      'next/app/api/x/route.ts': 'export async function GET() {}\n',
      // helpers beside the components: the client's helper is browser code, the page's is server code
      'next/app/chat/Panel.tsx': "'use client';\nimport { authorize } from '../lib/oauth';\nexport const Panel = () => authorize();\n",
      'next/app/lib/oauth.ts': "export const authorize = () => fetch('/api/oauth');\n",
      'next/app/lib/data.ts': "export const load = () => fetch('https://api.example.com/x');\n",
      'next/app/list/page.tsx': "import { load } from '../lib/data';\nexport default async function Page() { await load(); return null; }\n",
      'tool/package.json': JSON.stringify({ name: 'x-cli', bin: { x: 'dist/index.js' } }),
      'tool/src/index.ts': "console.log('hi');\n",
      'tool/src/commands/up.ts': 'export const up = 1;\n',
      'webpack.config.js': 'module.exports = {};\n',
    });
    const ctx = (f: string) => [m.files[f]?.context, m.files[f]?.evidence[0]];
    expect(ctx('api/main.py')).toEqual(['service', 'imports a web or worker framework (fastapi)']);
    expect(ctx('api/util.py')[0]).toBe('service');
    expect(ctx('api/management/commands/sync.py')[0]).toBe('cli');
    expect(ctx('tools/release.py')[0]).toBe('build');
    expect(ctx('scripts/export.py')[0]).toBe('cli');
    expect(ctx('run.py')).toEqual(['cli', '`if __name__ == "__main__"` entry script']);
    expect(ctx('serve.py')[0]).toBe('service');
    expect(ctx('docs/example.py')[0]).toBe('example');
    expect(ctx('tests/test_api.py')[0]).toBe('test');
    expect(ctx('web/src/App.tsx')[0]).toBe('browser');
    expect(ctx('web/src/api.ts')).toEqual(['browser', 'imported only by browser code (web/src/App.tsx)']);
    expect(ctx('web/src/store.ts')[1]).toMatch(/browser app/);
    expect(ctx('next/app/page.tsx')).toEqual(['service', 'Next.js App Router file without "use client" (a Server Component or route handler)']);
    expect(ctx('next/app/lib/oauth.ts')).toEqual(['browser', 'imported only by browser code (next/app/chat/Panel.tsx)']);
    expect(ctx('next/app/lib/data.ts')[0]).toBe('service');
    expect(ctx('next/app/chat/Box.tsx')).toEqual(['browser', '"use client" directive']);
    expect(ctx('next/app/api/x/route.ts')[0]).toBe('service');
    expect(ctx('tool/src/index.ts')).toEqual(['cli', 'package entry point (package.json bin / pyproject scripts)']);
    expect(ctx('tool/src/commands/up.ts')[1]).toMatch(/command-line tool/);
    expect(ctx('webpack.config.js')[0]).toBe('build');
  });

  it('a module others import runs in their process, whatever its `__main__` block says', async () => {
    const { model: m } = await model({
      'backend/app/routes/luma.py': 'from fastapi import APIRouter\nfrom app.connectors.luma_connector import Luma\nrouter = APIRouter()\n',
      'backend/app/connectors/luma_connector.py': 'import requests\nclass Luma:\n    pass\nif __name__ == "__main__":\n    print(Luma())\n',
      'backend/app/connectors/standalone.py': 'import requests\nif __name__ == "__main__":\n    requests.get("x")\n',
    });
    expect(m.files['backend/app/connectors/luma_connector.py'].context).toBe('service');
    expect(m.files['backend/app/connectors/luma_connector.py'].evidence.join(' ')).toMatch(/__main__/);
    // nothing imports it: the block is how it runs
    expect(m.files['backend/app/connectors/standalone.py'].context).toBe('cli');
  });

  it('a module only scripts import is a script; a command that imports a server framework to start one is a command', async () => {
    const { model: m } = await model({
      // evaluation harness: __main__ scripts and the helpers only they import
      'evaluation/script/run_eval.py': 'from evaluation.core import Client\nif __name__ == "__main__":\n    Client().go()\n',
      'evaluation/core/__init__.py': 'import requests\nfrom .utils import post\nclass Client:\n    def go(self):\n        return requests.get("http://x")\n',
      'evaluation/core/utils.py': 'import requests\ndef post(u):\n    return requests.post(u)\n',
      // near miss: a helper a script and the server both import serves
      'app/shared.py': 'import requests\n',
      'app/main.py': 'from fastapi import FastAPI\nfrom app import shared\napp = FastAPI()\n',
      'tools/report.py': 'from app import shared\nif __name__ == "__main__":\n    shared\n',
      // near miss: nothing imports it: no word on how it runs
      'app/orphan.py': 'import requests\n',
      // typer commands that start uvicorn: the file's only entry points are commands
      'pkg/cli/run_commands.py': 'import typer\nimport uvicorn\nfrom starlette.responses import JSONResponse\napp = typer.Typer()\n@app.command()\ndef server():\n    uvicorn.run("pkg.api:app")\n',
      // near miss: routes beside a command: a server
      'pkg/api.py': 'import typer\nfrom fastapi import FastAPI\napi = FastAPI()\ncli = typer.Typer()\n@api.get("/health")\ndef health():\n    return {}\n@cli.command()\ndef seed():\n    pass\n',
    });
    expect([m.files['evaluation/core/__init__.py'].context, m.files['evaluation/core/__init__.py'].evidence[0]]).toEqual(['cli', 'imported only by scripts and tooling (evaluation/script/run_eval.py)']);
    expect(m.files['evaluation/core/utils.py'].context).toBe('cli');
    expect(m.files['app/shared.py'].context).toBe('service');
    expect(m.files['app/orphan.py'].context).toBe('service');
    expect(m.files['pkg/cli/run_commands.py'].context).toBe('cli');
    expect(m.files['pkg/cli/run_commands.py'].evidence[1]).toMatch(/only entry points are commands/);
    expect(m.files['pkg/api.py'].context).toBe('service');
  });

  it('a WebExtension folder is browser code; a web app manifest is not one', async () => {
    const { model: m } = await model({
      'ext/manifest.json': JSON.stringify({ manifest_version: 3, name: 'x', background: { service_worker: 'sw.js' } }),
      'ext/bridge.js': 'const ws = new WebSocket("ws://localhost:9000");\n',
      'site/manifest.json': JSON.stringify({ name: 'App', icons: [] }),
      'site/helper.js': 'export const f = () => fetch("/x");\n',
    });
    expect([m.files['ext/bridge.js'].context, m.files['ext/bridge.js'].evidence[0]]).toEqual(['browser', 'a browser extension (ext/manifest.json)']);
    expect(m.files['site/helper.js'].context).toBe('service');
  });

  it('a client-only folder or a *.client.ts file is browser code; server-only stays service', async () => {
    const { model: m } = await model({
      'packages/lib/client-only/download-pdf.ts': 'export const get = (u: string) => fetch(u);\n',
      'packages/lib/utils/share.client.ts': 'export const get = (u: string) => fetch(u);\n',
      'packages/lib/server-only/license.ts': 'export const get = (u: string) => fetch(u);\n',
    });
    expect(m.files['packages/lib/client-only/download-pdf.ts'].context).toBe('browser');
    expect(m.files['packages/lib/utils/share.client.ts'].context).toBe('browser');
    expect(m.files['packages/lib/server-only/license.ts'].context).toBe('service');
  });

  it('code a long-running service and a tool container both hold runs in the service', async () => {
    const { model: m } = await model({
      // dittofeed: admin-cli (tail -f /dev/null) is built from a deeper folder than the server
      'compose.yaml': 'services:\n  lite:\n    build: .\n    restart: always\n  admin-cli:\n    build: ./packages\n    command: tail -f /dev/null\n',
      'packages/lib/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n",
    });
    expect(m.files['packages/lib/db.ts']).toMatchObject({ context: 'service', evidence: ['in the build context of compose service lite'] });
    // held only by the tool container: that is how it runs
    const { model: alone } = await model({
      'compose.yaml': 'services:\n  seed:\n    build: .\n    command: tail -f /dev/null\n',
      'seed.ts': 'export const f = () => fetch("https://x");\n',
    });
    expect(alone.files['seed.ts'].context).toBe('cli');
  });

  it('an underscore folder kept for reference is an example; a plain `reference` module is not', async () => {
    const { model: m } = await model({
      // agenta: SDK packages copied in for design lookup, outside the workspace, built by nothing
      'web/_reference/agenta-sdk-ai/src/agent.ts': "import { generateText } from 'ai';\nexport const run = (p: string) => generateText({ prompt: p } as never);\n",
      'web/packages/sdk/src/reference/client.ts': 'export const f = () => fetch("https://x");\n',
    });
    expect(m.files['web/_reference/agenta-sdk-ai/src/agent.ts']).toMatchObject({ context: 'example', evidence: ['path: under a folder kept for reference or as an archive (its name says so)'] });
    expect(m.files['web/packages/sdk/src/reference/client.ts'].context).toBe('service');
  });

  it('a module shadowed by a package of the same name, and a file named for an example, are examples', async () => {
    const fastapi = 'from fastapi import FastAPI\nimport requests\napp = FastAPI()\ndef f():\n    return requests.get("https://x")\n';
    const { model: m } = await model({
      // letta: `schemas/providers.py` left beside the `schemas/providers/` package that replaced it
      'letta/schemas/providers.py': fastapi,
      'letta/schemas/providers/__init__.py': 'from .openai import OpenAIProvider\n',
      'letta/schemas/providers/openai.py': fastapi,
      // a namespace folder (no __init__.py) does not shadow the module
      'letta/schemas/tools.py': fastapi,
      'letta/schemas/tools/data.json.py': '',
      // an interactive demo inside the server folder; `examples.py` (a module of examples data) is not one
      'letta/server/ws_api/example_client.py': fastapi,
      'letta/server/ws_api/examples.py': fastapi,
    });
    expect(m.files['letta/schemas/providers.py'].context).toBe('example');
    expect(m.files['letta/schemas/providers.py'].evidence[0]).toContain('shadowed by the package letta/schemas/providers/');
    expect(m.files['letta/schemas/providers/openai.py'].context).toBe('service');
    expect(m.files['letta/schemas/tools.py'].context).toBe('service');
    expect(m.files['letta/server/ws_api/example_client.py'].context).toBe('example');
    expect(m.files['letta/server/ws_api/example_client.py'].evidence[0]).toBe('path: an example file (its name says so)');
    expect(m.files['letta/server/ws_api/examples.py'].context).toBe('service');
  });

  it('a seed file is one-shot code by its name; a module that only mentions seeding is not', async () => {
    const pool = "import { PrismaClient } from '@prisma/client';\nimport express from 'express';\nexport const prisma = new PrismaClient();\n";
    const { model: m } = await model({
      'prisma/seed.mts': pool,
      'apps/api/src/db/users.seed.ts': pool,
      'apps/api/src/seeding-status.ts': pool,
    });
    expect(m.files['prisma/seed.mts'].context).toBe('cli');
    expect(m.files['apps/api/src/db/users.seed.ts'].context).toBe('cli');
    expect(m.files['apps/api/src/seeding-status.ts'].context).toBe('service');
  });

  it('a file in the build context that the Dockerfile does not copy into the image is run by hand; a bind-mounted one is in the container', async () => {
    const call = "const f = () => fetch('https://api.example.com/x');\nmodule.exports = { f };\n";
    const { model: m } = await model({
      // anything-llm: context is the repository, the Dockerfile copies server/ and collector/ only
      'docker/docker-compose.yml': 'services:\n  app:\n    build:\n      context: ..\n      dockerfile: ./docker/Dockerfile\n    volumes:\n      - ../plugins:/app/plugins\n',
      'docker/Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY ./server /app/server/\nCOPY ./collector/ ./collector/\nCMD ["node", "/app/server/index.js"]\n',
      'server/lib/calls.js': call,
      'collector/lib/calls.js': call,
      'extras/translator/index.js': call,
      'plugins/custom/index.js': call,
    });
    expect(m.files['server/lib/calls.js'].context).toBe('service');
    expect(m.files['collector/lib/calls.js'].context).toBe('service');
    expect(m.files['extras/translator/index.js'].context).toBe('cli');
    expect(m.files['extras/translator/index.js'].evidence[0]).toContain('its Dockerfile does not copy it into the image');
    expect(m.files['plugins/custom/index.js'].context).toBe('service');
    // `COPY . .` holds everything
    const { model: all } = await model({
      'compose.yaml': 'services:\n  app:\n    build: .\n',
      'Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server/index.js"]\n',
      'extras/translator/index.js': call,
    });
    expect(all.files['extras/translator/index.js'].context).toBe('service');
    // an image that copies a build output tells nothing about which sources it holds
    const { model: built } = await model({
      'compose.yaml': 'services:\n  app:\n    build: .\n',
      'Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY package.json dist ./\nCMD ["node", "dist/index.js"]\n',
      'src/lib/calls.js': call,
    });
    expect(built.files['src/lib/calls.js'].context).toBe('service');
  });

  it('a dot folder at the root or in a package is tooling; one inside app code is the app', async () => {
    const { model: m } = await model({
      // logto: run only by a GitHub workflow, deleted from the image by its Dockerfile
      '.scripts/compare-database.js': "import pg from 'pg';\nconst pool = new pg.Pool();\n",
      'packages/core/package.json': JSON.stringify({ name: 'core', dependencies: { koa: '2' } }),
      'packages/core/.config/seed.ts': 'export const f = () => fetch("https://x");\n',
      'packages/core/src/.internal/client.ts': 'export const f = () => fetch("https://x");\n',
    });
    expect(m.files['.scripts/compare-database.js']).toMatchObject({ context: 'build', evidence: ['path: a dot folder of developer or CI tooling'] });
    expect(m.files['packages/core/.config/seed.ts'].context).toBe('build');
    expect(m.files['packages/core/src/.internal/client.ts'].context).toBe('service');
  });

  it('a `#!` script is cli unless a server framework says otherwise; a Plasmo extension is browser code', async () => {
    const { model: m } = await model({
      'self-hosting/import-to-cloud.mjs': '#!/usr/bin/env node\nconst args = process.argv.slice(2);\nawait fetch(args[0]);\n',
      'bin/www.js': "#!/usr/bin/env node\nconst express = require('express');\nexpress().listen(3000);\n",
      'lib/plain.js': 'export const f = () => fetch("https://x");\n',
      // Mailu's certificate renewer: a `#!` script whose top level loops forever is a daemon
      'nginx/letsencrypt.py': '#!/usr/bin/env python3\nimport time\nimport requests\n\nwhile True:\n    requests.get("http://localhost/.well-known/acme-challenge/testing")\n    time.sleep(86400)\n',
      'nginx/once.py': '#!/usr/bin/env python3\nimport requests\n\nfor host in ["a", "b"]:\n    requests.get(f"http://{host}")\n',
      'extension/package.json': JSON.stringify({ name: 'ext', dependencies: { plasmo: '0.90.0', react: '18', 'react-dom': '18' } }),
      'extension/background/messages/save.ts': 'export const save = (body: string) => fetch("https://api.example.com/save", { method: "POST", body });\n',
    });
    expect([m.files['self-hosting/import-to-cloud.mjs'].context, m.files['self-hosting/import-to-cloud.mjs'].evidence[0]]).toEqual(['cli', 'an executable script (`#!` line)']);
    expect(m.files['bin/www.js'].context).toBe('service');
    expect(m.files['lib/plain.js'].context).toBe('service');
    expect(m.files['nginx/letsencrypt.py']).toMatchObject({ context: 'service', evidence: ['loops forever at module level (a daemon)', 'an executable script (`#!` line) -> cli', 'loops forever at module level (a daemon) -> service'] });
    expect(m.files['nginx/once.py'].context).toBe('cli');
    expect(m.files['extension/background/messages/save.ts'].context).toBe('browser');
  });

  it('reads pyproject scripts and compose commands, and a config glob overrides everything', async () => {
    const { model: m } = await model(
      {
        'pyproject.toml': '[project]\nname = "x"\n[project.scripts]\nx = "pkg.tool:main"\n',
        'pkg/tool.py': 'import requests\n',
        'pkg/worker.py': 'import json\n',
        'pkg/legacy/old.py': 'from flask import Flask\n',
        'compose.yaml': 'services:\n  worker:\n    build: .\n    command: python -m pkg.worker\n  migrate:\n    build: .\n    command: python pkg/migrate.py\n    restart: "no"\n',
        'pkg/migrate.py': 'import json\n',
      },
      { contexts: { 'pkg/legacy/**': 'example' } },
    );
    expect(m.files['pkg/tool.py'].context).toBe('cli');
    expect(m.files['pkg/worker.py']).toMatchObject({ context: 'service' });
    expect(m.files['pkg/worker.py'].evidence[0]).toMatch(/compose service worker runs it/);
    expect(m.files['pkg/migrate.py'].context).toBe('cli');
    expect(m.files['pkg/legacy/old.py']).toMatchObject({ context: 'example', evidence: expect.arrayContaining(['config contexts: "pkg/legacy/**"']) });
  });

  it('gives compose files a context: stack, dev override, devcontainer, example', async () => {
    const svc = 'services:\n  app:\n    build: .\n  db:\n    image: postgres:16\n';
    const { model: m } = await model({
      'compose.yaml': svc,
      'compose.override.yml': svc,
      'development/docker-compose.yml': svc,
      '.devcontainer/docker-compose.yml': svc,
      'examples/compose.yaml': svc,
      // redash: the stack its CI runs Cypress against, beside the real compose.yaml
      '.ci/compose.cypress.yaml': svc,
      'deploy/compose.playwright.yml': svc,
      'deploy/compose.prod.yml': svc,
      // logto: the stack `.scripts/integration/run.sh` starts for its integration tests
      'docker-compose.integration.yml': svc,
      'integration-tests/compose.yml': svc,
      'deploy/compose.integrated.yml': svc,
      // backing services only, for an app run on the host; and a stack in development mode
      'infra/compose.yml': 'services:\n  db:\n    image: postgres:16\n',
      'stack/compose.yml': 'services:\n  app:\n    build: .\n    environment:\n      NODE_ENV: development\n',
    });
    expect(Object.fromEntries(Object.entries(m.composeFiles).map(([f, d]) => [f, `${d.kind}/${d.context}`]))).toEqual({
      '.ci/compose.cypress.yaml': 'dev/build',
      '.devcontainer/docker-compose.yml': 'devcontainer/build',
      'deploy/compose.playwright.yml': 'dev/build',
      'deploy/compose.prod.yml': 'stack/service',
      'compose.override.yml': 'dev/build',
      'compose.yaml': 'stack/service',
      'development/docker-compose.yml': 'dev/build',
      'docker-compose.integration.yml': 'dev/build',
      'integration-tests/compose.yml': 'dev/test',
      'infra/compose.yml': 'dev/build',
      'stack/compose.yml': 'dev/build',
      'deploy/compose.integrated.yml': 'stack/service',
      'examples/compose.yaml': 'example/example',
    });
  });
});

describe('project model: a job whose producer waits on its result (FL354)', () => {
  it('no attempts is no finding where a file waits with waitUntilFinished; it stays where nothing does', async () => {
    const queue = "import { Queue } from 'bullmq';\nconst q = new Queue('predict', { connection: { host: 'redis' } });\nexport const enqueue = (data: object) => q.add('run', data);\n";
    const waits = "import { QueueEvents } from 'bullmq';\nimport { enqueue } from './queue';\nconst events = new QueueEvents('predict');\nexport async function predict(body: object) {\n  const job = await enqueue(body);\n  return job.waitUntilFinished(events);\n}\n";
    const { result: awaited } = await model({ 'src/queue.ts': queue, 'src/predict.ts': waits });
    expect(awaited.findings.filter((f) => f.ruleId === 'FL354')).toEqual([]);
    // Flowise's BaseQueue with no caller that waits: the first transient failure fails the job for good
    const { result: fired } = await model({ 'src/queue.ts': queue, 'src/predict.ts': waits.replace('return job.waitUntilFinished(events);', 'return job.id;') });
    expect(fired.findings.filter((f) => f.ruleId === 'FL354').map((f) => f.file)).toEqual(['src/queue.ts']);
  });
});

describe('project model: workspace packages imported by name', () => {
  it('a module of a workspace package imported only by browser code is browser code; one a server imports too is not', async () => {
    const up = "export const upload = (url: string, file: Blob) => fetch(url, { method: 'PUT', body: file });\n";
    const { model: m } = await model({
      // typebot's packages/lib: `"exports": { "./*": "./src/*.ts" }`, imported as @typebot.io/lib/s3/…
      'packages/lib/package.json': JSON.stringify({ name: '@org/lib', exports: { './*': './src/*.ts' } }),
      'packages/lib/src/s3/upload.ts': up,
      'packages/lib/src/s3/shared.ts': up,
      'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { react: '19', next: '15' } }),
      'apps/web/src/components/UploadButton.tsx': "'use client';\nimport { upload } from '@org/lib/s3/upload';\nimport { upload as u2 } from '@org/lib/s3/shared';\nexport const B = () => { upload('x', new Blob()); u2('x', new Blob()); return null; };\n",
      'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '4' } }),
      'apps/api/src/server.ts': "import express from 'express';\nimport { upload } from '@org/lib/s3/shared';\nconst app = express();\napp.post('/', async (_q, r) => r.json(await upload('x', new Blob())));\n",
    });
    expect(m.files['packages/lib/src/s3/upload.ts']).toMatchObject({ context: 'browser', evidence: [expect.stringContaining('imported only by browser code')] });
    expect(m.files['packages/lib/src/s3/shared.ts']?.context).not.toBe('browser');
  });
});

describe('project model: the __main__ block of an imported module', () => {
  it('code written in the block is a demo run by hand; the module around it stays service code', async () => {
    const { result } = await model({
      'app/main.py': 'from fastapi import FastAPI\nfrom .slack import fetch\napp = FastAPI()\n\n@app.get("/")\ndef index():\n    return fetch("https://slack.com/api/x")\n',
      // ragflow's slack_connector.py: "example usage" with a placeholder token below the connector
      'app/slack.py': 'import requests\n\ndef fetch(url):\n    return requests.get(url)\n\nif __name__ == "__main__":\n    print(requests.get("https://slack.com/api/auth.test").json())\n',
    });
    const at = (line: number) => result.findings.filter((f) => f.file === 'app/slack.py' && f.line === line).map((f) => `${f.ruleId} ${f.context}`);
    expect(at(4)).toEqual(['FL101 service']);
    expect(at(7)).toEqual([]);
  });
});

describe('project model: development stacks by what they run', () => {
  it('a project named for development, or whose apps run a reloading dev server, is a dev stack; a migration before the server is not one-shot', async () => {
    const { model: m } = await model({
      // mem0's server/: `name: mem0-dev`, and `alembic upgrade head && uvicorn … --reload`
      'server/docker-compose.yaml': 'name: mem0-dev\nservices:\n  api:\n    build: .\n    command: sh -c "alembic upgrade head && uvicorn main:app --reload"\n',
      'reload/compose.yaml': 'services:\n  api:\n    build: .\n    command: uvicorn main:app --host 0.0.0.0 --reload\n  web:\n    build: ./web\n    command: npm run dev\n  db:\n    image: postgres:16\n',
      // near misses: one app in dev mode beside one that is not; a migration alone; one then a server
      'mixed/compose.yaml': 'services:\n  api:\n    build: .\n    command: uvicorn main:app --reload\n  worker:\n    build: .\n    command: celery -A app worker\n',
      'prod/compose.yaml': 'services:\n  migrate:\n    build: .\n    command: alembic upgrade head\n  api:\n    build: .\n    command: sh -c "alembic upgrade head && gunicorn app:app"\n',
    });
    const kind = (f: string) => m.composeFiles[f]?.kind;
    expect([kind('server/docker-compose.yaml'), kind('reload/compose.yaml'), kind('mixed/compose.yaml'), kind('prod/compose.yaml')]).toEqual(['dev', 'dev', 'stack', 'stack']);
    const svc = (name: string, file: string) => m.services.find((s) => s.name === name && s.file === file)?.kind;
    expect([svc('migrate', 'prod/compose.yaml'), svc('api', 'prod/compose.yaml')]).toEqual(['one-shot', 'long-running']);
  });
});

describe('project model: a client package only browser apps import', () => {
  const tree = (serverToo: boolean) => ({
    'package.json': JSON.stringify({ name: 'mono', workspaces: ['apps/*', 'packages/*'] }),
    'apps/web/package.json': JSON.stringify({ name: '@acme/web', dependencies: { react: '19', vite: '7', '@acme/services': '*' } }),
    'apps/web/app/page.tsx': "import { UserService } from '@acme/services';\nexport const Page = () => new UserService().me();\n",
    ...(serverToo
      ? {
          'apps/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { express: '4', '@acme/services': '*' } }),
          'apps/api/server.ts': "import express from 'express';\nimport { UserService } from '@acme/services';\nexpress().get('/', async () => new UserService().me()).listen(3000);\n",
        }
      : {}),
    'packages/services/package.json': JSON.stringify({ name: '@acme/services', main: './dist/index.js', dependencies: { axios: '1' } }),
    // plane's packages/services: an index re-exporting modules that import each other through it
    'packages/services/src/index.ts': "export * from './api.service';\nexport * from './user.service';\n",
    'packages/services/src/api.service.ts': "import axios from 'axios';\nexport class APIService { client = axios.create({ baseURL: '/api' }); }\n",
    'packages/services/src/user.service.ts': "import { APIService } from './index';\nexport class UserService extends APIService { me() { return this.client.get('/me'); } }\n",
    'compose.yaml': 'services:\n  web:\n    build: .\n    restart: unless-stopped\n',
  });
  it('runs in the browser; a server app importing it too keeps it service code', async () => {
    const browserOnly = await model(tree(false));
    expect(browserOnly.model.files['packages/services/src/api.service.ts']?.context).toBe('browser');
    expect(browserOnly.model.files['packages/services/src/user.service.ts']?.context).toBe('browser');
    const shared = await model(tree(true));
    expect(shared.model.files['packages/services/src/api.service.ts']?.context).toBe('service');
  });
});

describe('project model: Django settings modules', () => {
  it('one for local development is developer tooling, one for the test run is test code, the one a deployment loads is service code', async () => {
    const { model: m } = await model({
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
      'app/settings/common.py': 'EMAIL_HOST = "smtp"\n',
      'app/settings/production.py': 'from .common import *\n',
      'app/settings/local.py': '"""Development settings"""\nfrom .common import *\nDEBUG = True\n',
      'app/settings/test.py': 'from .common import *\n',
      'app/local_settings.py': 'DEBUG = True\n',
      // near miss: a module that only starts with the word
      'app/settings/localization.py': 'LANGUAGES = []\n',
    });
    const ctx = (f: string) => m.files[f]?.context;
    expect(['app/settings/production.py', 'app/settings/local.py', 'app/settings/test.py', 'app/local_settings.py', 'app/settings/localization.py'].map(ctx)).toEqual(['service', 'build', 'test', 'build', 'service']);
  });
});

describe('project model: code nothing calls', () => {
  const py = (name: string) => `import requests\n\ndef ${name}(url):\n    return requests.get(url)\n`;
  it('a function no file mentions is left out and listed; a re-export, a docstring or a comment is no use', async () => {
    const { result, model: m } = await model({
      'app/main.py': 'from fastapi import FastAPI\nfrom .util import used\napp = FastAPI()\n\n@app.get("/")\ndef index():\n    return used("https://api.example.com")\n',
      // unstract's backend/utils/request: defined, re-exported, named in prose, never called
      'app/request/request.py': py('make_http_request'),
      'app/request/__init__.py': 'from .request import make_http_request\n\n__all__ = ["make_http_request"]\n',
      'app/request/constants.py': '"""Constants used for make_http_request()."""\nVERBS = ["GET"]  # as make_http_request takes them\n',
      'app/util.py': py('used'),
      // a decorated function is the framework's to call; so is a method of a framework subclass
      'app/tasks.py': 'import requests\nfrom celery import shared_task\n\n@shared_task\ndef sync():\n    return requests.get("https://api.example.com")\n',
      'app/views.py': 'import requests\nfrom django.views import View\n\nclass Hook(View):\n    def post(self, request):\n        return requests.get("https://api.example.com")\n',
      // started by name from outside the code: a Dockerfile, a pyproject script, a convention name
      'app/jobs.py': py('nightly_export') + '\n' + py('main').split('\n').slice(2).join('\n'),
      'app/cli.py': py('sync_all'),
      'Dockerfile': 'FROM python:3.12\nCOPY . .\nCMD ["python", "-c", "from app.jobs import nightly_export; nightly_export(1)"]\n',
      'pyproject.toml': '[project]\nname = "app"\n[project.scripts]\nsync-all = "app.cli:sync_all"\n',
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
    });
    const at = (file: string) => result.findings.filter((f) => f.file === file && f.ruleId === 'FL101').length;
    expect(at('app/request/request.py')).toBe(0);
    expect(m.unreferenced).toEqual([{ file: 'app/request/request.py', line: 3, name: 'make_http_request', findings: 1 }]);
    // app/cli.py is a command (its timeout findings are off there); it is not listed as unused either
    for (const kept of ['app/util.py', 'app/tasks.py', 'app/views.py', 'app/jobs.py']) expect(at(kept), kept).toBeGreaterThan(0);
    expect(result.findings.filter((f) => f.file === 'app/jobs.py').length).toBe(2);
  });
  it('a TS/JS module nothing imports: its default export and the functions it calls are left out; an imported, conventionally loaded, computed-loaded or named one keeps its findings', async () => {
    // OpenSign's sendMailGmailProvider.js: a default export and two helpers, imported nowhere
    const mod = (name: string) => `import axios from 'axios';\nconst helper = async () => (await axios.get('https://api.example.com/${name}')).data;\nexport default async function ${name}() {\n  return helper();\n}\n`;
    const { result, model: m } = await model({
      'package.json': JSON.stringify({ type: 'module', dependencies: { express: '4', axios: '1' } }),
      'server.js': "import express from 'express';\nimport liveProvider from './cloud/liveProvider.js';\nimport dashedLive from './cloud/live-dashed.js';\nconst app = express();\napp.get('/x', async (_q, r) => r.json(await liveProvider(), await dashedLive()));\nconst cloud = { main: './cloud/namedProvider.js', extra: './cloud/named-dashed.js' };\napp.listen(3000);\nexport { cloud };\n",
      'cloud/deadProvider.js': mod('deadProvider'),
      // lunary's actions/openai-actions.ts: a dash-case stem no identifier can name
      'cloud/dead-dashed.js': mod('deadDashed'),
      'cloud/live-dashed.js': mod('liveDashed'),
      'cloud/named-dashed.js': mod('namedDashed'),
      'cloud/liveProvider.js': mod('liveProvider'),
      'cloud/namedProvider.js': mod('namedProvider'),
      // loaded by path: a jobs folder, and every module below a folder that loads computed names
      'cloud/jobs/nightlyExport.js': mod('nightlyExport'),
      'plugins/loader.js': "import fs from 'node:fs';\nexport const load = async (dir) => Promise.all(fs.readdirSync(dir).map((f) => import(dir + '/' + f)));\n",
      'plugins/extra/slackPlugin.js': mod('slackPlugin'),
      // imported only by its test: no caller in the running system
      'cloud/testedOnly.js': mod('testedOnly'),
      'cloud/testedOnly.test.js': "import testedOnly from './testedOnly.js';\ntestedOnly();\n",
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
    });
    const at = (file: string) => result.findings.filter((f) => f.file === file && f.ruleId === 'FL101').length;
    expect(at('cloud/deadProvider.js')).toBe(0);
    expect(at('cloud/dead-dashed.js')).toBe(0);
    expect(at('cloud/testedOnly.js')).toBe(0);
    expect(m.unreferenced.map((u) => u.file).sort()).toEqual(['cloud/dead-dashed.js', 'cloud/deadProvider.js', 'cloud/testedOnly.js']);
    for (const kept of ['cloud/liveProvider.js', 'cloud/live-dashed.js', 'cloud/named-dashed.js', 'cloud/namedProvider.js', 'cloud/jobs/nightlyExport.js', 'plugins/extra/slackPlugin.js']) expect(at(kept), kept).toBe(1);
  });
  it('with no compose file, a package a serving script starts is a running process: its unused module is left out, a library package keeps its findings', async () => {
    // lunary: `bun --filter` starts the backend (`bun run src/index.ts`) and the Next.js frontend (`next start`)
    const mod = "import axios from 'axios';\nexport async function run() {\n  return (await axios.get('https://api.example.com/x')).data;\n}\n";
    const { result, model: m } = await model({
      'package.json': JSON.stringify({ private: true, workspaces: ['packages/*'] }),
      'packages/backend/package.json': JSON.stringify({ scripts: { start: 'bun run migrate && bun run src/index.ts' }, dependencies: { koa: '2', axios: '1' } }),
      'packages/backend/src/index.ts': "import Koa from 'koa';\nimport { run } from './live-job';\nconst app = new Koa();\napp.use(async (ctx) => { ctx.body = await run(); });\napp.listen(3000);\n",
      'packages/backend/src/live-job.ts': mod,
      'packages/backend/src/dead-job.ts': mod,
      'packages/frontend/package.json': JSON.stringify({ scripts: { start: 'NODE_ENV=production next start -p 8080', build: 'next build' }, dependencies: { next: '15', react: '19', 'react-dom': '19', axios: '1' } }),
      'packages/frontend/actions/openai-actions.ts': `'use server';\n${mod}`,
      // near miss: a library whose only serving-looking script compiles it
      'packages/sdk/package.json': JSON.stringify({ name: 'sdk', scripts: { dev: 'tsc --watch' }, dependencies: { axios: '1' } }),
      'packages/sdk/src/fetch-it.ts': mod,
    });
    const at = (file: string) => result.findings.filter((f) => f.file === file && f.ruleId === 'FL101').length;
    expect(m.unreferenced.map((u) => u.file).sort()).toEqual(['packages/backend/src/dead-job.ts', 'packages/frontend/actions/openai-actions.ts']);
    expect(at('packages/backend/src/live-job.ts')).toBe(1);
    expect(at('packages/sdk/src/fetch-it.ts')).toBe(1);
  });
  it('a Django site with no compose file is one running server; a file that only defines the same name, and a method called only by an unused one, are no callers', async () => {
    // librephotos: manage.py + settings with WSGI_APPLICATION, its compose file in another repository
    const { result, model: m } = await model({
      'manage.py': 'import sys\nfrom django.core.management import execute_from_command_line\n\nif __name__ == "__main__":\n    execute_from_command_line(sys.argv)\n',
      'site/settings/production.py': 'WSGI_APPLICATION = "site.wsgi.application"\nROOT_URLCONF = "site.urls"\n',
      'api/captioning.py': py('generate_caption') + '\n\n' + py('unload_model').split('\n').slice(2).join('\n'),
      'api/views.py': 'from django.http import JsonResponse\nfrom api.captioning import generate_caption\n\ndef caption(request):\n    return JsonResponse(generate_caption("http://localhost:8007/x"))\n',
      // the model sidecar defines its own `unload_model` route: a definition, not a call
      'service/captioning/main.py': 'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/unload-model")\ndef unload_model():\n    return "ok"\n',
      'api/tests/test_captioning.py': 'from api.captioning import unload_model\n\ndef test_unload():\n    unload_model()\n',
    });
    expect(m.unreferenced.map((u) => `${u.file}:${u.name}`)).toEqual(['api/captioning.py:unload_model']);
    expect(result.findings.filter((f) => f.file === 'api/captioning.py' && f.ruleId === 'FL101').map((f) => f.line)).toEqual([4]);
    // near miss: the same tree without manage.py is a loose set of modules: nothing is left out
    const loose = await model({ 'api/captioning.py': py('unload_model'), 'site/settings/production.py': 'WSGI_APPLICATION = "site.wsgi.application"\n' });
    expect(loose.model.unreferenced).toEqual([]);
  });
  it("a private method only an unused method calls is unused with it (pingvin's fetchJwk, called by getJwk, which nothing calls)", async () => {
    const provider = [
      "export abstract class OidcProvider {",
      "  private jwk?: unknown;",
      "  async getJwk() {",
      "    if (!this.jwk) await this.fetchJwk();",
      "    return this.jwk;",
      "  }",
      "  async getToken(code: string) {",
      "    return (await fetch(`https://id.example.com/token?code=${code}`)).json();",
      "  }",
      "  private async fetchJwk() {",
      "    this.jwk = await (await fetch('https://id.example.com/jwks')).json();",
      "  }",
      "}",
      "",
    ].join('\n');
    const { result, model: m } = await model({
      'package.json': JSON.stringify({ dependencies: { express: '4' } }),
      'src/server.ts': "import express from 'express';\nimport { Google } from './google';\nconst app = express();\napp.get('/cb', async (q, r) => r.json(await new Google().getToken(String(q.query.code))));\napp.listen(3000);\n",
      'src/google.ts': "import { OidcProvider } from './oidc';\nexport class Google extends OidcProvider {}\n",
      'src/oidc.ts': provider,
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
    });
    expect(m.unreferenced.map((u) => `${u.file}:${u.name}`)).toEqual(['src/oidc.ts:getJwk']);
    expect(result.findings.filter((f) => f.file === 'src/oidc.ts' && f.ruleId === 'FL101').map((f) => f.line)).toEqual([8]);
  });
  it('only in code a service runs, and only when the whole root is scanned: a library or a lone file keeps its findings', async () => {
    const lib = { 'sdk/client.py': py('make_http_request'), 'sdk/__init__.py': 'from .client import make_http_request\n' };
    const { result, model: m } = await model(lib);
    expect(result.findings.filter((f) => f.ruleId === 'FL101').length).toBe(1);
    expect(m.unreferenced).toEqual([]);
    const root = makeTree({ ...lib, 'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n' });
    const whole = await scan({ root, targets: [root], jobs: 1, config: {} });
    expect(whole.model!.unreferenced.map((u) => u.name)).toEqual(['make_http_request']);
    const text = await runCli(['model'], root);
    expect(text.stdout).toContain('Code nothing calls, findings left out (1; config `unreferenced: report` reports them):\n  sdk/client.py:3  make_http_request()  1 finding');
    const part = await scan({ root, targets: [`${root}/sdk`], jobs: 1, config: {} });
    expect(part.findings.filter((f) => f.ruleId === 'FL101').length).toBe(1);
    // a target that is a repository's own root sees every caller too (`faultline scan ../repo`)
    const outer = makeTree(Object.fromEntries([...Object.entries({ ...lib, 'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n' }).map(([k, v]) => [`repo/${k}`, v]), ['repo/.git/HEAD', 'ref: refs/heads/main\n']]));
    const repo = await scan({ root: outer, targets: [`${outer}/repo`], jobs: 1, config: {} });
    expect(repo.model!.unreferenced.map((u) => u.name)).toEqual(['make_http_request']);
    const reported = await scan({ root, targets: [root], jobs: 1, config: { unreferenced: 'report' } });
    expect(reported.findings.filter((f) => f.ruleId === 'FL101').length).toBe(1);
  });
  it("a wait every caller runs under the project's own deadline helper is left out; a helper that only names a timeout is none", async () => {
    // lunary: countGoogleTokens <- completeRunUsage <- withTimeout(() => completeRunUsage(run), 5000)
    const root = makeTree({
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
      'package.json': JSON.stringify({ dependencies: { koa: '2' } }),
      'src/timeout.ts': "import { setTimeout } from 'node:timers/promises';\nexport async function withTimeout(fn: () => Promise<unknown>, ms: number) {\n  const t = setTimeout(ms).then(() => { throw new Error('timeout'); });\n  return Promise.race([fn(), t]);\n}\n// near miss: named for a timeout, bounds nothing\nexport const logTimeout = async (p: Promise<unknown>) => { try { return await p; } finally { console.log('done'); } };\n",
      'src/tokens.ts': "export async function countGoogleTokens(text: string) {\n  const r = await fetch('https://generativelanguage.googleapis.com/count', { method: 'POST', body: text });\n  return r.json();\n}\nexport async function countOtherTokens(text: string) {\n  const r = await fetch('https://api.example.com/count', { method: 'POST', body: text });\n  return r.json();\n}\nexport async function countDirect(text: string) {\n  const r = await fetch('https://api.example.com/direct', { method: 'POST', body: text });\n  return r.json();\n}\n",
      'src/usage.ts': "import { countGoogleTokens, countOtherTokens, countDirect } from './tokens';\nimport { withTimeout, logTimeout } from './timeout';\nasync function completeRunUsage(run: { text: string }) {\n  return countGoogleTokens(run.text);\n}\nexport async function completeRunUsageWithTimeout(run: { text: string }) {\n  await withTimeout(countDirect(run.text), 5000);\n  await logTimeout(countOtherTokens(run.text));\n  return withTimeout(() => completeRunUsage(run), 5000);\n}\n",
      'src/server.ts': "import Koa from 'koa';\nimport { completeRunUsageWithTimeout } from './usage';\nconst app = new Koa();\napp.use(async (ctx) => { ctx.body = await completeRunUsageWithTimeout({ text: 'x' }); });\napp.listen(3000);\n",
    });
    const r = await scan({ root, targets: [root], jobs: 1, config: {} });
    expect(r.findings.filter((f) => f.ruleId === 'FL101').map((f) => `${f.file}:${f.line}`)).toEqual(['src/tokens.ts:6']);
    expect(r.model!.callerBounded.map((b) => `${b.file}:${b.line} ${b.by}`).sort()).toEqual(['src/tokens.ts:10 `withTimeout` at src/usage.ts:7', 'src/tokens.ts:2 `withTimeout` at src/usage.ts:9']);
  });
  it('a wait every caller bounds with a deadline is left out and listed, with the deadline', async () => {
    const r = await fixtureScan('http-timeout-disabled/caller-deadline', ['FL102']);
    expect(r.findings.map((f) => `${f.file}:${f.line}`).sort()).toEqual(['wallets/alby.py:17', 'wallets/alby.py:23', 'wallets/alby.py:27']);
    expect(r.model!.callerBounded).toEqual([{ file: 'wallets/alby.py', line: 12, ruleId: 'FL102', by: '`asyncio.wait_for` at services/payments.py:12' }]);
    const text = await runCli(['model'], `${FIXTURES}http-timeout-disabled/caller-deadline`);
    expect(text.stdout).toContain('Waits every caller bounds with a deadline, findings left out (1):\n  wallets/alby.py:12  FL102  under `asyncio.wait_for` at services/payments.py:12');
    // a scan of part of the tree cannot see every caller: the finding stands
    const part = await fixtureScan('http-timeout-disabled/caller-deadline', ['FL102'], 'wallets');
    expect(part.findings.some((f) => f.line === 12)).toBe(true);
  });
  it("a Python file's top-level code runs only when something imports or names the file: a codegen script beside the app is left out", async () => {
    const top = 'import requests\nrequests.get("https://example.com/protos.tar")\n';
    const root = makeTree({
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
      'app/main.py': 'from fastapi import FastAPI\nimport flat\nfrom app import routes\nfrom app.db import engine\napp = FastAPI()\n',
      'app/db.py': top,
      'app/flat.py': top,
      'app/routes.py': top,
      'app/providers/cilium/generate_protobuf.py': top,
      'app/providers/cilium/load_fixtures.py': top,
      // named in a string of another file: it may be run from there, so it stays
      'app/admin_jobs.py': 'JOBS = {"fixtures": "app/providers/cilium/load_fixtures.py"}\n',
      'Dockerfile': 'FROM python:3.12\nCOPY . /srv\n',
    });
    const whole = await scan({ root, targets: [root], jobs: 1, config: {} });
    expect(whole.findings.filter((f) => f.ruleId === 'FL101').map((f) => f.file).sort()).toEqual(['app/db.py', 'app/flat.py', 'app/providers/cilium/load_fixtures.py', 'app/routes.py']);
    expect(whole.model!.unreferenced.map((u) => `${u.file} ${u.name}`)).toEqual(['app/providers/cilium/generate_protobuf.py generate_protobuf']);
    const reported = await scan({ root, targets: [root], jobs: 1, config: { unreferenced: 'report' } });
    expect(reported.findings.filter((f) => f.ruleId === 'FL101').length).toBe(5);
  });

  it('TS: an export imported but never used is unused; one a file calls is not; a Next.js route export is the framework\'s', async () => {
    const ts = (name: string) => `import axios from 'axios';\nexport const ${name} = () => axios.get('https://api.example.com/x');\n`;
    const { result, model: m } = await model({
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '4', axios: '1' } }),
      'src/server.ts': "import express from 'express';\nimport { load } from './load';\nimport { stale } from './stale';\nconst app = express();\napp.get('/', async (_req, res) => res.json(await load()));\n",
      'src/load.ts': ts('load'),
      'src/stale.ts': ts('stale'),
      'src/app/api/x/route.ts': "import axios from 'axios';\nexport async function GET() { return axios.get('https://api.example.com/x'); }\n",
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
      'Dockerfile': 'FROM node:22\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
    });
    const at = (file: string) => result.findings.filter((f) => f.file === file && f.ruleId === 'FL101').length;
    expect(at('src/stale.ts')).toBe(0);
    expect(m.unreferenced.map((u) => u.name)).toEqual(['stale']);
    expect(at('src/load.ts')).toBeGreaterThan(0);
    expect(at('src/app/api/x/route.ts')).toBeGreaterThan(0);
  });

  it('a helper called only by a function nothing calls is unused too; a function its module does not export has no caller elsewhere, whatever names other files mention', async () => {
    const compose = 'services:\n  api:\n    build:\n      context: ../..\n      dockerfile: docker/production/Dockerfile\n    restart: unless-stopped\n';
    const { result, model: m } = await model({
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '4' } }),
      // the build context `../..` is the scan root: a root of '.' holds every file
      'docker/production/compose.yaml': compose,
      'docker/production/Dockerfile': 'FROM node:22\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
      'src/server.ts': "import express from 'express';\nimport { getFile } from './get-file.server';\nimport { used } from './update-file';\nimport { a } from './shared';\nconst app = express();\napp.get('/', async (_req, res) => res.json([await getFile(), await used(), await a()]));\n",
      'src/get-file.server.ts': "export const getFile = async () => fetch('https://files.example.com/a', { signal: AbortSignal.timeout(5000) });\n",
      // documenso's get-file.ts: `getFile` again, not exported; other files mention the name
      'src/get-file.ts': "const getFileFromS3 = async () => fetch('https://s3.example.com/a');\nconst getFile = async () => getFileFromS3();\nexport const other = 1;\n",
      // documenso's update-file.ts: an exported entry nothing calls, and its private helper
      'src/update-file.ts': "export const updateFile = async () => updateFileWithS3();\nconst updateFileWithS3 = async () => fetch('https://s3.example.com/b');\nexport const used = async () => fetch('https://api.example.com/used');\n",
      // a helper two functions call stays: one of them may run
      'src/shared.ts': "const shared = async () => fetch('https://api.example.com/s');\nexport const a = async () => shared();\nexport const b = async () => shared();\n",
    });
    const at = (file: string) => result.findings.filter((f) => f.file === file && f.ruleId === 'FL101').length;
    expect([at('src/get-file.ts'), at('src/update-file.ts')]).toEqual([0, 1]);
    expect(m.unreferenced.map((u) => `${u.file} ${u.name}`)).toEqual(['src/get-file.ts getFile', 'src/update-file.ts updateFile']);
    expect(at('src/shared.ts')).toBe(1);
  });

  it('a member of an object literal is called through the object: options handed to a library are never unused', async () => {
    // useSend's smtp-server: `onData` in the options of `new SMTPServer(serverOptions)` calls the helper that posts to the API
    const { result, model: m } = await model({
      'compose.yaml': 'services:\n  smtp:\n    build: .\n    restart: unless-stopped\n',
      'Dockerfile': 'FROM node:22\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
      'src/server.ts': [
        "import { SMTPServer } from 'smtp-server';",
        'async function forward(body: string) {',
        "  return fetch('https://api.example.com/emails', { method: 'POST', body });",
        '}',
        'async function unused() {',
        "  return fetch('https://api.example.com/old');",
        '}',
        'const serverOptions = {',
        '  onData(stream: NodeJS.ReadableStream, _s: unknown, done: () => void) {',
        '    forward(String(stream)).then(done);',
        '  },',
        '  onClose: async () => fetch("https://api.example.com/closed"),',
        '};',
        'new SMTPServer(serverOptions).listen(25);',
        '',
      ].join('\n'),
    });
    const lines = result.findings.filter((f) => f.ruleId === 'FL101').map((f) => f.line).sort((a, b) => a - b);
    expect(lines).toEqual([3, 12]);
    expect(m.unreferenced.map((u) => u.name)).toEqual(['unused']);
  });

  it('a function only a test imports runs in no service', async () => {
    const { result, model: m } = await model({
      'compose.yaml': 'services:\n  api:\n    build: .\n    restart: unless-stopped\n',
      'Dockerfile': 'FROM python:3.12\nCOPY . /srv\n',
      'app/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      'app/monolith.py': 'import subprocess\n\ndef create_snapshot(url):\n    subprocess.run(["monolith", url], check=True)\n',
      'app/tests/test_monolith.py': 'from app import monolith\n\ndef test_snapshot():\n    monolith.create_snapshot("http://example.com")\n',
    });
    expect(result.findings.filter((f) => f.file === 'app/monolith.py')).toEqual([]);
    expect(m.unreferenced.map((u) => u.name)).toEqual(['create_snapshot']);
  });
});

describe('project model: a Dockerfile that prunes a monorepo', () => {
  it('holds the workspaces `turbo prune` keeps and their workspace dependencies, not the rest of the context', async () => {
    const pkg = (name: string, deps: Record<string, string> = {}) => JSON.stringify({ name, dependencies: deps });
    const { model: m } = await model({
      'package.json': JSON.stringify({ name: 'mono', workspaces: ['apps/*', 'packages/*'] }),
      'apps/web/package.json': pkg('@acme/web', { '@acme/lib': '*', express: '4' }),
      'apps/web/server.ts': "import express from 'express';\nexpress().listen(3000);\n",
      'apps/stats/package.json': pkg('@acme/stats'),
      'apps/stats/route.ts': 'export const x = 1;\n',
      'packages/lib/package.json': pkg('@acme/lib'),
      'packages/lib/index.ts': 'export const y = 1;\n',
      'docker/Dockerfile': 'FROM node:22 AS builder\nWORKDIR /app\nCOPY . .\nRUN npx turbo prune --scope=@acme/web --docker\nFROM node:22\nCOPY --from=builder /app/out/full/ .\nCMD ["node", "apps/web/server.js"]\n',
      'docker/compose.yml': 'services:\n  web:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n    restart: unless-stopped\n',
    });
    expect(m.services.find((s) => s.name === 'web')?.codeRoots).toEqual(['apps/web', 'packages/lib']);
  });
  it('holds the workspaces an install step of the built stage installs by name, with their dependencies', async () => {
    // tianji's Dockerfile: `COPY . .` then `pnpm install --filter @tianji/server...`; the client
    // SDK and a Cloudflare worker sit in the context, and no process of the image loads them
    const pkg = (name: string, deps: Record<string, string> = {}) => JSON.stringify({ name, dependencies: deps });
    const { model: m } = await model({
      'package.json': JSON.stringify({ name: 'mono', private: true }),
      'pnpm-workspace.yaml': "packages:\n  - 'src/*'\n  - 'packages/*'\n",
      'src/server/package.json': pkg('@acme/server', { '@acme/shared': 'workspace:^', express: '4' }),
      'src/server/main.ts': "import express from 'express';\nexpress().listen(3000);\n",
      'src/shared/package.json': pkg('@acme/shared'),
      'src/shared/index.ts': 'export const y = 1;\n',
      'packages/sdk/package.json': pkg('acme-sdk'),
      'packages/sdk/send.ts': "export const send = (u: string) => fetch(u, { method: 'POST' });\n",
      Dockerfile: 'FROM node:22 AS base\nRUN npm i -g pnpm\nFROM base AS static\nCOPY . .\nRUN pnpm install --filter acme-sdk... --frozen-lockfile\nFROM base AS app\nWORKDIR /app\nCOPY . .\nRUN pnpm install --filter @acme/server... && pnpm build\nCMD ["node", "src/server/main.js"]\n',
      'docker-compose.yml': 'services:\n  app:\n    build: .\n    restart: always\n',
    });
    expect(m.services.find((s) => s.name === 'app')?.codeRoots).toEqual(['src/server', 'src/shared']);
    expect(m.files['packages/sdk/send.ts'].context).toBe('cli');
    expect(m.files['src/server/main.ts'].context).toBe('service');
  });
  it('reads pnpm, npm and yarn workspace installs, stage by stage', async () => {
    const { workspaceInstallScopes } = await import('../dist/languages/compose/service.js');
    const df = 'FROM node AS a\nRUN pnpm install --filter=@a/web... -F api\nFROM a AS b\nRUN npm ci -w worker --workspace=jobs\nFROM node AS c\nRUN yarn workspaces focus admin\nRUN pnpm --filter ./src/x install && pnpm --filter web build\n';
    expect(workspaceInstallScopes(df, 'b')).toEqual(['@a/web', 'api', 'jobs', 'worker']);
    expect(workspaceInstallScopes(df)).toEqual(['admin']);
    expect(workspaceInstallScopes('FROM node\nRUN npm ci\nRUN pnpm --filter web build\n')).toEqual([]);
    // a stage the built one only copies files from (COPY --from) installs nothing into it
    expect(workspaceInstallScopes('FROM node AS ui\nRUN pnpm install --filter web...\nFROM node\nCOPY --from=ui /app/dist ./public\nRUN pnpm install --filter api...\n')).toEqual(['api']);
  });
  it("tells a Dockerfile that downloads this repository's own source from one that fetches another project", async () => {
    const { fetchesRepository } = await import('../dist/languages/compose/service.js');
    // lemur's docker/Dockerfile: the release archive, then `pip install -e .`
    const lemur = 'FROM python:3.11\nRUN curl -sSL https://github.com/Netflix/lemur/archive/$VERSION.tar.gz | tar xz -C /opt/lemur --strip-components=1 && pip install -e .\nCOPY src/lemur.conf.py /etc/lemur.conf.py\n';
    expect(fetchesRepository(lemur, undefined, 'lemur')).toBe(true);
    expect(fetchesRepository('FROM node\nRUN git clone https://gitlab.com/acme/billing.git /app\n', undefined, 'billing')).toBe(true);
    expect(fetchesRepository('FROM python\nRUN pip install git+https://github.com/acme/billing@v2\n', undefined, 'billing')).toBe(true);
    // near misses: another repository whose name starts the same, a tool fetched by name, a comment
    expect(fetchesRepository('FROM python\nRUN curl -sSL https://github.com/Netflix/lemur-tools/archive/v1.tar.gz | tar xz\n', undefined, 'lemur')).toBe(false);
    expect(fetchesRepository('FROM node\nRUN curl -L https://github.com/krallin/tini/releases/download/v0.19.0/tini -o /tini\n', undefined, 'billing')).toBe(false);
    expect(fetchesRepository('FROM node\n# see https://github.com/acme/billing\nRUN npm ci\n', undefined, 'billing')).toBe(false);
  });
  it('reads turbo 1 and 2 spellings, and nothing from a RUN that does not prune', async () => {
    const { turboPruneScopes } = await import('../dist/languages/compose/service.js');
    expect(turboPruneScopes('FROM node\nRUN turbo prune --scope=@a/web --docker\nRUN npx turbo prune api worker --out-dir /out\nRUN turbo run build --filter=@a/web\n')).toEqual(['@a/web', 'api', 'worker']);
    expect(turboPruneScopes('FROM node\nRUN npm ci\n')).toEqual([]);
  });
});

describe('project model: compose stacks assembled from several files', () => {
  // unstract's docker/: the stack includes docker-compose-dev-essentials.yaml for its database,
  // Redis and RabbitMQ; eight of its workers say ENVIRONMENT=development; its images are built from
  // the repository root by Dockerfiles that COPY `${BUILD_CONTEXT_PATH}/` with the path set by ENV
  const files = {
    'docker/docker-compose.yaml':
      'include:\n  - docker-compose-dev-essentials.yaml\nservices:\n  backend:\n    image: org/backend:${VERSION}\n    restart: unless-stopped\n    volumes:\n      - ./workflow_data:/data\n' +
      '  worker:\n    image: org/worker:${VERSION}\n    environment:\n      - ENVIRONMENT=development\n',
    'docker/docker-compose-dev-essentials.yaml': 'services:\n  db:\n    image: postgres:15\n  redis:\n    image: redis:7\n',
    'docker/docker-compose.build.yaml':
      'services:\n  backend:\n    image: org/backend:${VERSION}\n    build:\n      context: ..\n      dockerfile: docker/dockerfiles/backend.Dockerfile\n' +
      '  worker:\n    image: org/worker:${VERSION}\n    build:\n      context: ..\n      dockerfile: docker/dockerfiles/worker.Dockerfile\n',
    'docker/dockerfiles/backend.Dockerfile':
      'ARG SHARED=libs\nFROM python:3.12-slim\nARG SHARED\nENV BUILD_CONTEXT_PATH=backend \\\n    APP_HOME=/app\nWORKDIR ${APP_HOME}\nCOPY ${BUILD_CONTEXT_PATH}/pyproject.toml ./\nCOPY ${SHARED}/ /libs/\nCOPY ${BUILD_CONTEXT_PATH}/ ./\nCMD ["gunicorn", "app.wsgi"]\n',
    'docker/dockerfiles/worker.Dockerfile': 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "worker.py"]\n',
    'backend/app/wsgi.py': 'import requests\n',
    'libs/client.py': 'import requests\n',
    'workers/worker.py': 'import requests\n',
  };
  it('a file a stack includes is part of it, whatever its name; a few dev-mode workers do not make the stack dev', async () => {
    const { model: m } = await model(files);
    expect(m.composeFiles['docker/docker-compose-dev-essentials.yaml']).toMatchObject({ kind: 'stack', context: 'service', evidence: ['included by the stack docker/docker-compose.yaml'] });
    expect(m.composeFiles['docker/docker-compose.yaml']?.kind).toBe('stack');
    expect(m.composeFiles['docker/docker-compose.build.yaml']?.kind).toBe('dev');
    const runs = (name: string, file: string) => m.services.find((s) => s.name === name && s.file === file);
    expect(runs('db', 'docker/docker-compose-dev-essentials.yaml')?.kind).toBe('long-running');
    expect(runs('worker', 'docker/docker-compose.yaml')?.kind).toBe('long-running');
  });
  it('code roots are what the Dockerfile copies (ARG and ENV values filled in), plus the service\'s own mounts', async () => {
    const { model: m } = await model(files);
    const roots = (name: string, file: string) => m.services.find((s) => s.name === name && s.file === file)?.codeRoots;
    expect(roots('backend', 'docker/docker-compose.build.yaml')).toEqual(['backend', 'libs']);
    // the deployed service runs the built image and its bind mount
    expect(roots('backend', 'docker/docker-compose.yaml')).toEqual(['backend', 'docker/workflow_data', 'libs']);
    // `COPY . /app`: the whole context, as before
    expect(roots('worker', 'docker/docker-compose.build.yaml')).toEqual(['', 'docker/dockerfiles']);
  });
});

describe('project model: contexts that real repos got wrong', () => {
  it('a local variable named `document` is not the DOM; `tools/` deep in a package is the app', async () => {
    const { model: m } = await model({
      'packages/components/package.json': JSON.stringify({ name: 'nodes', dependencies: { redis: '4' } }),
      'packages/components/nodes/store/Redis.ts': "import { createClient } from 'redis';\nexport function hits(rows: any[]) { for (const row of rows) { const document = row.value; if (document.score) return document; } }\n",
      'packages/components/nodes/store/Page.ts': "export const title = () => document.title;\n",
      'packages/components/nodes/tools/Gmail/core.ts': "export const send = () => fetch('https://gmail.googleapis.com/x');\n",
      'packages/components/scripts/build.ts': "export const x = 1;\n",
      'tools/release.ts': "export const y = 1;\n",
    });
    expect(m.files['packages/components/nodes/store/Redis.ts']?.context).not.toBe('browser');
    expect(m.files['packages/components/nodes/store/Page.ts']?.context).toBe('browser');
    expect(m.files['packages/components/nodes/tools/Gmail/core.ts']?.context).not.toBe('build');
    expect(m.files['tools/release.ts']?.context).toBe('build');
    expect(m.files['packages/components/scripts/build.ts']?.context).toBe('build');
  });

  it("a property named `window` or `document` is not the DOM global (JSDOM's `dom.window.document` runs in Node)", async () => {
    const { model: m } = await model({
      'src/scrape.ts': "import { JSDOM } from 'jsdom';\nexport const links = (html: string) => new JSDOM(html).window.document.querySelectorAll('a');\nexport const n = (dom: any) => dom.window.document.title;\n",
      'src/page.ts': 'export const here = () => window.location.href;\n',
    });
    expect(m.files['src/scrape.ts']?.context).not.toBe('browser');
    expect(m.files['src/page.ts']?.context).toBe('browser');
  });

  it('modules of a UI package that import each other are browser code when only browser code reaches them; a server route importing one keeps it', async () => {
    const { model: m } = await model({
      'web/package.json': JSON.stringify({ name: 'web', dependencies: { next: '15', react: '19', 'react-dom': '19' } }),
      'web/pages/index.tsx': "import { apiHost } from '../services/env';\nexport default function Home() { return <a href={apiHost()}>x</a>; }\n",
      // env.ts and settings.ts import each other: neither waits on the other any more
      'web/services/env.ts': "import { orgName } from './settings';\nexport const apiHost = () => `https://${orgName()}.example.com`;\nexport const load = () => fetch('/api/init');\n",
      'web/services/settings.ts': "import { apiHost } from './env';\nexport const orgName = () => 'acme';\nexport const url = () => apiHost();\n",
      // imported by a route handler as well: it runs on the server too
      'web/services/shared.ts': "export const label = () => 'acme';\n",
      'web/pages/api/init.ts': "import { label } from '../../services/shared';\nexport default function handler(req: any, res: any) { res.json({ label: label() }); }\n",
      'web/components/Badge.tsx': "import { label } from '../services/shared';\nexport const Badge = () => <b>{label()}</b>;\n",
      // a server package has no UI to reach: its cycles stay with the other evidence
      'api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '5' } }),
      'api/emails/Welcome.tsx': "import { a } from '../tools/a';\nexport const Welcome = () => <p>{a()}</p>;\n",
      'api/tools/a.ts': "import { b } from './b';\nexport const a = () => 'hi ' + b();\n",
      'api/tools/b.ts': "import { a } from './a';\nexport const b = () => a();\n",
    });
    expect(m.files['web/services/env.ts']).toMatchObject({ context: 'browser', evidence: [expect.stringMatching(/imported only by browser code \(web\/pages\/index\.tsx/)] });
    expect(m.files['web/services/settings.ts']?.context).toBe('browser');
    expect(m.files['web/services/shared.ts']?.context).not.toBe('browser');
    expect(m.files['api/emails/Welcome.tsx']?.context).toBe('browser');
    expect(m.files['api/tools/a.ts']?.context).not.toBe('browser');
  });

  it('an import written in a template literal (a code sample on a docs page) is not an import', async () => {
    const { model: m } = await model({
      'web/components/Snippet.tsx': "export const Snippet = () => <pre>{`\nimport { after } from 'next/server';\nimport express from 'express';\n`}</pre>;\n",
      'web/server.ts': "import express from 'express';\nexport const app = express();\n",
    });
    expect(m.files['web/components/Snippet.tsx']).toMatchObject({ context: 'browser', evidence: ['a JSX component file'] });
    expect(m.files['web/server.ts']?.evidence[0]).toMatch(/express/);
  });

  it('a file a package.json script runs by hand is one-shot code; one the start script runs is not', async () => {
    const { model: m } = await model({
      'package.json': JSON.stringify({
        name: 'api',
        scripts: { start: 'node dist/server.js', 'test-rest-api': 'ts-node --transpile-only src/scripts/test-rest-api.ts', seed: 'tsx src/db/seed.ts && echo done' },
        dependencies: { express: '5' },
      }),
      'src/server.ts': "import express from 'express';\nexport const app = express();\n",
      'src/scripts/test-rest-api.ts': "export const run = () => fetch('http://localhost:3100/api/v1/features');\n",
      'src/db/seed.ts': "export const seed = () => fetch('http://localhost:3100/seed');\n",
      'src/scripts/cleanup.ts': "export const run = () => 1;\n",
    });
    expect(m.files['src/scripts/test-rest-api.ts']).toMatchObject({ context: 'cli', evidence: ['package.json script `test-rest-api` runs it'] });
    expect(m.files['src/db/seed.ts']?.context).toBe('cli');
    expect(m.files['src/server.ts']?.context).toBe('service');
    // nothing runs it by name, and `src/` makes `scripts/` part of the app
    expect(m.files['src/scripts/cleanup.ts']?.context).toBe('service');
  });

  it('a module a pyproject task runner calls is developer tooling; `bun run` and a task named to serve are not hidden', async () => {
    // Spoolman: `[tool.poe.tasks.bump] script = "spoolman.bump:bump"`, inside the package the image runs
    const { model: m } = await model({
      'pyproject.toml': '[project]\nname = "spoolman"\ndependencies = ["fastapi"]\n\n[tool.poe.tasks.bump]\nscript = "spoolman.bump:bump"\n\n[tool.poe.tasks]\nserve = { script = "spoolman.main:run" }\n',
      'spoolman/bump.py': 'import subprocess\n\ndef bump():\n    subprocess.run(["git", "tag", "v1"])\n',
      'spoolman/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n\ndef run():\n    pass\n',
      'web/package.json': JSON.stringify({ scripts: { start: 'bun run src/index.ts', 'migrate:db': 'bun run src/migrate.ts' }, dependencies: { koa: '2' } }),
      'web/src/index.ts': "import Koa from 'koa';\nnew Koa().listen(3000);\n",
      'web/src/migrate.ts': 'export const up = () => 1;\n',
    });
    expect(m.files['spoolman/bump.py']).toMatchObject({ context: 'build', evidence: ['pyproject task `bump` runs it (developer tooling)'] });
    expect(m.files['spoolman/main.py']?.context).toBe('service');
    expect(m.files['web/src/migrate.ts']).toMatchObject({ context: 'cli', evidence: ['package.json script `migrate:db` runs it'] });
    expect(m.files['web/src/index.ts']?.context).toBe('service');
  });

  it('a default a release introduced holds where the manifest requires that release: redis-py 8.0+ gives clients a 5 s socket timeout', async () => {
    // pretalx: `redis~=8.1.0` in pyproject.toml, Django's RedisCache with no OPTIONS
    const code = {
      'app/cache.py': 'import redis\n\nclient = redis.from_url("redis://redis:6379/0")\n\ndef get(k):\n    return client.get(k)\n',
      'app/settings.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379/1"}}\n',
    };
    const at = (r: { findings: Array<{ ruleId: string }> }) => r.findings.filter((f) => f.ruleId === 'FL151' || f.ruleId === 'FL160').map((f) => f.ruleId).sort();
    const pinned = await model({ ...code, 'pyproject.toml': '[project]\nname = "app"\ndependencies = [\n  "Django~=5.2",\n  "redis~=8.1.0",\n]\n' });
    expect(at(pinned.result)).toEqual([]);
    expect(pinned.model.defaults.find((d) => d.library === 'redis')).toMatchObject({ knob: 'query-timeout', state: 'set', file: 'pyproject.toml', line: 5, text: 'redis~=8.1.0 (redis 8.0+ defaults socket_timeout 5 s)' });
    const poetry = await model({ ...code, 'pyproject.toml': '[tool.poetry]\nname = "app"\n[tool.poetry.dependencies]\nredis = { version = "^8.0", extras = ["hiredis"] }\n' });
    expect(at(poetry.result)).toEqual([]);
    // an older or unbounded requirement says nothing about the installed version
    for (const req of ['"redis>=7.4,<9"', '"redis"', '"redis<9"']) {
      const r = await model({ ...code, 'pyproject.toml': `[project]\nname = "app"\ndependencies = [${req}]\n` });
      expect(at(r.result), req).toEqual(['FL151', 'FL160']);
    }
  });

  it('a compose stack below the root that a CI step starts is a test stack; the root stack CI also starts is not', async () => {
    // lnbits: `cd docker/regtest && ./start-regtest` (which runs `docker compose up`, and `down --volumes` before each run)
    const { model: m, result } = await model({
      '.github/workflows/regtest.yml': [
        'jobs:',
        '  regtest:',
        '    steps:',
        '      - run: |',
        '          cd docker/regtest',
        '          ./start-regtest',
        '      - run: docker compose -f e2e/stack.yml up -d && docker compose up -d',
        '',
      ].join('\n'),
      'docker/regtest/docker-compose.yml': 'services:\n  bitcoind:\n    image: boltz/bitcoin-core:24.0.1\n  postgres:\n    image: postgres:14-alpine\n',
      'e2e/stack.yml': 'services:\n  db:\n    image: postgres:16\n',
      'ops/compose.yaml': 'services:\n  api:\n    build: ..\n  cache:\n    image: redis:7\n',
      'docker-compose.yml': 'services:\n  app:\n    build: .\n  db:\n    image: postgres:16\n',
    });
    expect(m.composeFiles['docker/regtest/docker-compose.yml']).toEqual({ kind: 'dev', context: 'test', evidence: ['a CI workflow starts it (.github/workflows/regtest.yml)'] });
    expect(m.composeFiles['docker-compose.yml']?.kind).toBe('stack');
    expect(m.composeFiles['ops/compose.yaml']?.kind).toBe('stack');
    expect(result.findings.filter((f) => f.file === 'docker/regtest/docker-compose.yml')).toEqual([]);
    expect(result.findings.some((f) => f.file === 'docker-compose.yml')).toBe(true);
  });

  it('a module only Svelte or Vue components import is browser code; SvelteKit $lib resolves to src/lib', async () => {
    // kener's src/lib/client/*.ts, imported as `$lib/client/…` by .svelte components only
    const { model: m } = await model({
      'package.json': JSON.stringify({ name: 'kener', dependencies: { '@sveltejs/kit': '2', express: '5' } }),
      'src/lib/components/Bar.svelte': '<script lang="ts">\n  import { onMount } from "svelte";\n  import { requestBar } from "$lib/client/bar-client";\n  import { notes } from "$lib/client/notes-client.js";\n</script>\n<div />\n',
      'src/components/Card.vue': "<template><div/></template>\n<script setup>\nimport { load } from '../api/cards.js'\n</script>\n",
      'src/lib/client/bar-client.ts': "export const requestBar = () => fetch('/api/bar');\n",
      'src/lib/client/notes-client.ts': "export const notes = () => fetch('/api/notes');\n",
      'src/api/cards.ts': "export const load = () => fetch('/api/cards');\n",
      'src/lib/server/alerts.ts': "export const send = (u: string) => fetch(u);\n",
      'src/hooks.server.ts': "import { send } from '$lib/server/alerts';\nimport { requestBar } from '$lib/client/bar-client';\nexport const handle = () => send('x');\n",
    });
    expect(m.files['src/api/cards.ts']).toMatchObject({ context: 'browser' });
    expect(m.files['src/api/cards.ts']?.evidence[0]).toMatch(/imported only by browser code \(src\/components\/Card\.vue/);
    expect(m.files['src/lib/client/notes-client.ts']).toMatchObject({ context: 'browser' });
    // a server module imports it too: not browser-only
    expect(m.files['src/lib/client/bar-client.ts']?.context).not.toBe('browser');
    expect(m.files['src/lib/server/alerts.ts']?.context).not.toBe('browser');
    // components are evidence, not scanned files
    expect(m.files['src/lib/components/Bar.svelte']).toBeUndefined();
  });

  it("reuses a workflow's parsed steps by its text's hash, and parses a changed workflow again", async () => {
    const { workflowRuns } = await import('../dist/model/workflows.js');
    const runners = { node: new Set(['node']), python: new Set(['python']) };
    const known = new Set(['db/seed.py', 'db/other.py']);
    const text = 'jobs:\n  ci:\n    steps:\n      - run: python db/seed.py\n';
    const cache = { prev: {}, next: {} as Record<string, Array<{ run: string; dir: string }>> };
    expect([...workflowRuns(['.github/workflows/ci.yml'], known, runners, () => text, [], cache).runs.keys()]).toEqual(['db/seed.py']);
    const [key] = Object.keys(cache.next);
    expect(cache.next[key]).toEqual([{ run: 'python db/seed.py', dir: '' }]);
    // what an earlier scan saved for the same text is used as is (here: a different step, to tell)
    const saved = { prev: { [key]: [{ run: 'python db/other.py', dir: '' }] }, next: {} };
    expect([...workflowRuns(['.github/workflows/ci.yml'], known, runners, () => text, [], saved).runs.keys()]).toEqual(['db/other.py']);
    // a changed text has another hash, and an entry of the wrong shape is ignored
    const changed = { prev: { [key]: [{ run: 'python db/other.py', dir: '' }] }, next: {} };
    expect([...workflowRuns(['.github/workflows/ci.yml'], known, runners, () => `${text}# edited\n`, [], changed).runs.keys()]).toEqual(['db/seed.py']);
    const junk = { prev: { [key]: 'not steps' }, next: {} };
    expect([...workflowRuns(['.github/workflows/ci.yml'], known, runners, () => text, [], junk as never).runs.keys()]).toEqual(['db/seed.py']);
  });

  it('a script a CI workflow step runs is CI tooling; a server the workflow starts for a smoke test is not', async () => {
    // FitTrackee's db/create_ci_test_db.py, run by `.github/workflows/.workflow-python.yml`
    const { model: m } = await model({
      '.github/workflows/.workflow-python.yml': [
        'jobs:',
        '  python:',
        '    steps:',
        '      - run: python db/create_ci_test_db.py',
        '      - run: |',
        '          uv run python -m tools.seed --fast',
        '          node server.js &',
        '      - working-directory: backend',
        '        run: python3 ./setup_db.py && pytest',
        '      - run: python ${{ matrix.script }}',
        '',
      ].join('\n'),
      'db/create_ci_test_db.py': "import psycopg2\nconn = psycopg2.connect(host='postgres')\n",
      'tools/seed.py': "import requests\nrequests.post('http://localhost:5000/seed')\n",
      'backend/setup_db.py': "import psycopg2\npsycopg2.connect(host='db')\n",
      'server.js': "const express = require('express');\nexpress().listen(3000);\n",
      'app/db.py': "import psycopg2\nconn = psycopg2.connect(host='db')\n",
    });
    expect(m.files['db/create_ci_test_db.py']).toMatchObject({ context: 'build', evidence: ['CI workflow .github/workflows/.workflow-python.yml runs it'] });
    expect(m.files['tools/seed.py']?.context).toBe('build');
    expect(m.files['backend/setup_db.py']?.context).toBe('build');
    expect(m.files['server.js']?.context).toBe('service');
    expect(m.files['app/db.py']?.context).toBe('service');
  });

  it('a compose file that runs no application (nothing built, only known backing images) is a developer stack', async () => {
    const { result, model: m } = await model({
      'docker-compose.yml': 'services:\n  redis:\n    image: redis:7\n  postgres:\n    image: postgres:17\n',
      'app/compose.yaml': 'services:\n  api:\n    build: .\n  db:\n    image: postgres:17\n',
    });
    const kinds = Object.fromEntries(m.services.map((s) => [`${s.file}:${s.name}`, s.kind]));
    expect(kinds['docker-compose.yml:redis']).toBe('dev');
    expect(kinds['app/compose.yaml:db']).toBe('long-running');
    // its restart and volume findings are a developer's setup, not production hazards
    expect(result.findings.filter((f) => f.file === 'docker-compose.yml' && f.priority !== 'P2')).toEqual([]);
    expect(result.findings.some((f) => f.file === 'app/compose.yaml' && f.ruleId === 'FL580')).toBe(true);
  });

  it('a hazard only a developer override brings is in the developer context', async () => {
    const { result } = await model({
      'docker-compose.yml':
        'services:\n  api:\n    build: .\n    restart: always\n    entrypoint: ["/wait-for-it.sh", "db:5432", "--", "/start.sh"]\n    depends_on:\n      - db\n  db:\n    image: postgres:17\n    restart: always\n',
      'docker-compose.override.dev.yml': 'services:\n  api:\n    restart: "no"\n    entrypoint: ["/start-dev.sh"]\n',
    });
    const race = result.findings.filter((f) => f.ruleId === 'FL483');
    expect(race.map((f) => f.context)).toEqual(race.map(() => 'build'));
    expect(race.every((f) => f.priority === 'P2')).toBe(true);
  });
});

describe('opt-in rules', () => {
  it('run only when select or extend-select names them', async () => {
    const { selectRules } = await import('../dist/engine/scan.js');
    const { loadRules } = await import('../dist/engine/rules.js');
    const all = loadRules();
    const ids = (rs: Array<{ id: string }>) => rs.map((r) => r.id);
    expect(ids(selectRules(all, [], []))).not.toContain('FL980');
    expect(ids(selectRules(all, [], [], ['FL980']))).toContain('FL980');
    expect(ids(selectRules(all, [], [], ['FL980']))).toContain('FL101');
    expect(ids(selectRules(all, ['resource-limit'], []))).toEqual(['FL980', 'FL981'].filter((x) => ids(all).includes(x)).sort((a, b) => ids(all).indexOf(a) - ids(all).indexOf(b)));
    expect(ids(selectRules(all, ['ALL'], ['FL981']))).toContain('FL980');
  });
});

describe('project model: what Dockerfiles run', () => {
  it('a script a RUN step runs is build tooling; the ENTRYPOINT script is the service; a RUN of manage.py does not make it tooling', async () => {
    const { model: m } = await model({
      'Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nRUN python docker/install_deps.py && python manage.py collectstatic --noinput\nENTRYPOINT ["python", "/app/serve_app.py"]\n',
      'docker/install_deps.py': 'import subprocess\nsubprocess.run(["apt-get", "install", "-y", "x"])\n',
      'serve_app.py': 'import requests\nrequests.get("https://example.com")\n',
      'manage.py': 'import django\nif __name__ == "__main__":\n    django.setup()\n',
    });
    expect(m.files['docker/install_deps.py']?.context).toBe('build');
    expect(m.files['docker/install_deps.py']?.evidence[0]).toMatch(/Dockerfile:4 runs it while the image is built/);
    expect(m.files['serve_app.py']?.context).toBe('service');
    expect(m.files['manage.py']?.context).not.toBe('build');
  });

  it('an entrypoint script runs its set-up steps once before it execs the server: those scripts are one-shot, one it backgrounds is not', async () => {
    const { model: m, result } = await model({
      // Tandoor's shape: boot.sh migrates, builds plugins, then execs gunicorn
      Dockerfile: 'FROM python:3.12\nWORKDIR /opt/app\nCOPY . ./\nENTRYPOINT ["/sbin/tini", "--", "/opt/app/boot.sh"]\n',
      'boot.sh': '#!/bin/sh\npython manage.py migrate\nif [ "$PLUGINS_BUILD" -eq 1 ]; then\n    python plugin.py\nfi\npython sidecar.py &\nexec gunicorn app.wsgi\n',
      'manage.py': 'import sys\n',
      'plugin.py': 'import subprocess\n\ndef build():\n    subprocess.run(["npm", "run", "build"])\n\nbuild()\n',
      'sidecar.py': 'import requests\n\ndef beat():\n    requests.get("https://example.com/ping")\n',
      'app/wsgi.py': 'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n',
    });
    expect(m.files['plugin.py']).toMatchObject({ context: 'cli', evidence: ['boot.sh:4 runs it once at container start, before the server it execs (line 7)'] });
    expect(m.files['sidecar.py'].context).toBe('service');
    expect(result.findings.filter((f) => f.file === 'plugin.py')).toEqual([]);
  });

  it('a file a RUN step copies, chmods or reads is not run by it (the production settings an image copies into place)', async () => {
    const { model: m } = await model({
      'docker/Dockerfile': 'FROM python:3.12\nCOPY . /srv\nWORKDIR /srv\nRUN chmod +x docker/entrypoint.sh; cp docker/config.py settings/config.py; python docker/prepare.py\nENV DJANGO_SETTINGS_MODULE=settings.config\nENTRYPOINT ["./docker/entrypoint.sh"]\n',
      'docker/config.py': 'from .common import *\nimport os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.getenv("DB")}}\n',
      'docker/prepare.py': 'import subprocess\nsubprocess.run(["true"])\n',
      'docker/entrypoint.sh': '#!/bin/sh\nexec gunicorn taiga.wsgi\n',
    });
    expect(m.files['docker/config.py']?.context).not.toBe('build');
    expect(m.files['docker/prepare.py']?.context).toBe('build');
  });
});

describe('project model: priority from hazard x context', () => {
  it('caps by the one table: cli and browser timeouts and examples off; JSON carries context', async () => {
    const root = makeTree({
      'server/app.py': 'from fastapi import FastAPI\nimport requests\n\napp = FastAPI()\n\n@app.get("/x")\ndef f():\n    return requests.get("https://api.example.com")\n',
      'scripts/export.py': PY_BAD,
      'examples/demo.py': PY_BAD,
      'web/src/App.tsx': "import axios from 'axios';\nexport const f = () => axios.get('/api');\n",
    });
    const out = JSON.parse((await runCli(['scan', '--format', 'json'], root)).stdout);
    expect(out.findings.map((f: { priority: string; file: string; context: string }) => `${f.priority} ${f.context} ${f.file}`)).toEqual([
      'P1 service server/app.py',
    ]);
  });

  it('a fallback key in a script is P2 (the key of whoever runs it); the same in a service stays P1', async () => {
    const KEY = 'import os\nAPI_KEY = os.environ.get("STRIPE_API_KEY", "sk_live_51Habcdefghijklmnop")\n';
    const root = makeTree({ 'scripts/simulate.py': KEY, 'server/app.py': `from fastapi import FastAPI\n${KEY}app = FastAPI()\n` });
    const out = JSON.parse((await runCli(['scan', '--format', 'json', '--select', 'FL051'], root)).stdout);
    expect(out.findings.map((f: { priority: string; file: string; context: string }) => `${f.priority} ${f.context} ${f.file}`)).toEqual([
      'P1 service server/app.py',
      'P2 cli scripts/simulate.py',
    ]);
  });

  it('browser sockets: one that never reconnects is P2, one with no heartbeat of its own is off (the server pings it)', async () => {
    const { result } = await model({
      'web/src/components/Live.tsx':
        "import { useEffect } from 'react';\nexport function Live() {\n  useEffect(() => {\n    const ws = new WebSocket('wss://api.example.com/live');\n    ws.onmessage = (m) => console.log(m.data);\n  }, []);\n  return null;\n}\n",
    });
    const live = result.findings.filter((f) => f.file === 'web/src/components/Live.tsx').map((f) => `${f.ruleId} ${f.priority} ${f.context}`);
    expect(live).toEqual(['FL556 P2 browser']);
  });

  it('a timeout hazard is P0 only on a request path: a route reaching it one import away, not a task or nothing', async () => {
    // a blocking client in a coroutine: P0 where a request waits on it (the event loop stalls)
    const http = 'import requests\n\nasync def fetch_profile(uid):\n    return requests.get(f"https://id.example.com/{uid}").json()\n';
    const { result } = await model({
      'app/clients.py': http,
      'app/views.py': 'from fastapi import FastAPI\nfrom app.clients import fetch_profile\n\napp = FastAPI()\n\n@app.get("/me")\nasync def me():\n    return await fetch_profile(1)\n',
      'worker/clients.py': http,
      'worker/tasks.py': 'from celery import shared_task\nfrom worker.clients import fetch_profile\n\n@shared_task\ndef sync(uid):\n    fetch_profile(uid)\n',
      'lib/clients.py': http,
    });
    const at = (file: string) => result.findings.find((f) => f.file === file);
    expect(at('app/clients.py')).toMatchObject({ priority: 'P0' });
    expect(at('worker/clients.py')).toMatchObject({ priority: 'P1', priorityReason: expect.stringMatching(/background work \(task sync\)/) });
    expect(at('lib/clients.py')).toMatchObject({ priority: 'P1', priorityReason: expect.stringMatching(/no HTTP route or webhook is seen reaching it/) });
  });

  it('a blocking call awaited by nobody inside async def says it holds the event loop; an awaited call or a worker thread does not', async () => {
    const { result } = await model({
      'app/views.py': [
        'import asyncio',
        'import httpx',
        'import requests',
        'from fastapi import FastAPI',
        '',
        'app = FastAPI()',
        '',
        '@app.get("/profile")',
        'async def profile():',
        '    return requests.get("https://id.example.com/me").json()',
        '',
        '@app.get("/threaded")',
        'async def threaded():',
        '    def load():',
        '        return requests.get("https://id.example.com/a").json()',
        '    return await asyncio.to_thread(load)',
        '',
        '@app.get("/async")',
        'async def non_blocking():',
        '    async with httpx.AsyncClient(timeout=None) as c:',
        '        return (await c.get("https://id.example.com/b")).json()',
        '',
      ].join('\n'),
    });
    const at = (line: number) => result.findings.find((f) => f.file === 'app/views.py' && f.line === line && f.ruleId === 'FL101');
    expect(at(10)).toMatchObject({ priority: 'P0', priorityReason: expect.stringMatching(/holds the event loop/) });
    expect(at(15)).toBeDefined();
    expect(at(15)!.priorityReason ?? '').not.toMatch(/event loop/);
  });

  it('FL151: a Redis client without socket_timeout is P2, a database pool without a query timeout stays P1', async () => {
    const { result } = await model({
      'app/store.py': 'import asyncpg\nimport redis\nfrom celery import shared_task\n\ncache = redis.Redis(host="redis")\n\nasync def pool():\n    return await asyncpg.create_pool("postgresql://db/app")\n',
    });
    const got = result.findings.filter((f) => f.ruleId === 'FL151').map((f) => `${f.line} ${f.priority}`);
    expect(got).toEqual(['8 P1', '5 P2']);
  });

  it("FL125: the proxy's 60 s holds only where a stack of the scan runs nginx in front", async () => {
    const app = 'import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/report")\nasync def report():\n    async with httpx.AsyncClient() as c:\n        a = await c.get("http://sales/q1", timeout=40)\n        b = await c.get("http://sales/q2", timeout=40)\n    return [a.json(), b.json()]\n';
    const stack = (proxy: string) => `services:\n  api:\n    build: ./api\n    restart: always\n  proxy:\n    image: ${proxy}\n    restart: always\n    depends_on: [api]\n`;
    const fl125 = async (files: Record<string, string>) => (await model(files)).result.findings.filter((f) => f.ruleId === 'FL125').map((f) => f.file);
    expect(await fl125({ 'api/main.py': app, 'compose.yaml': stack('nginx:1.27-alpine') })).toEqual(['api/main.py']);
    // Caddy sets no response timeout; with no compose file nothing shows what is in front
    expect(await fl125({ 'api/main.py': app, 'compose.yaml': stack('caddy:2') })).toEqual([]);
    expect(await fl125({ 'api/main.py': app })).toEqual([]);
  });

  it('config context-priorities and context-rules override the table', async () => {
    const files = { 'examples/demo.py': PY_BAD, 'app/jobs.py': `from celery import shared_task\n${PY_BAD}` };
    const a = await model(files, { 'context-priorities': { example: 'P1' } });
    expect(a.result.findings.map((f) => `${f.priority} ${f.file}`)).toEqual(['P1 app/jobs.py', 'P1 examples/demo.py']);
    const b = await model(files, { 'context-rules': { service: { ignore: ['FL101'] } } });
    expect(b.result.findings).toEqual([]);
  });
});

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
/** a fixture folder as one project, or one file of it on its own */
async function fixtureScan(dir: string, select: string[], file?: string) {
  const root = `${FIXTURES}${dir}`;
  return scan({ root, targets: [file ? `${root}/${file}` : root], jobs: 1, config: { rules: { select } } });
}

describe("project model: a process-wide 'uncaughtException' handler (FL550)", () => {
  it('carries to the workspace packages its process loads, but not to a library another process without one loads too', async () => {
    const r = await fixtureScan('client-without-error-listener/workspace', ['FL550']);
    const at = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    // the pool in the API's own package recovers from the swallowed throw: no finding
    expect(Object.keys(at).sort()).toEqual(['packages/jobs/src/db.ts', 'packages/shared/src/cache.ts']);
    const redis = at['packages/shared/src/cache.ts']!;
    expect(redis.priority).toBe('P1');
    expect(redis.message).toMatch(/`process\.on\('uncaughtException', …\)` in packages\/api\/src\/main\.ts:4 swallows it process-wide, so the process stays up, but node-redis reconnects .* only after emit\('error'\) returns/);
    expect(redis.priorityReason).toMatch(/keeps the process running .* does not recover/);
    // the worker loads `jobs` too and installs no handler: the crash stands
    const jobs = at['packages/jobs/src/db.ts']!;
    expect(jobs.priority).toBe('P0');
    expect(jobs.message).toMatch(/kills the process\.$/);
    const scopes = r.model!.defaults.filter((d) => d.library === 'process').map((d) => d.scope).sort();
    expect(scopes).toEqual(['packages/api', 'packages/shared']);
  });

  it('in the same file: node-redis stays broken (P1), a pool recovers (no finding); a handler that exits or rethrows, and an unhandledRejection handler, change nothing', async () => {
    const swallowed = (await fixtureScan('client-without-error-listener', ['FL550'], 'swallowed.ts')).findings;
    expect(swallowed.map((f) => [f.line, f.priority])).toEqual([[15, 'P1']]);
    expect(swallowed[0]!.message).toMatch(/`process\.on\('uncaughtException', …\)` \(line 7\) swallows it process-wide, so the process stays up, but node-redis/);
    const exits = (await fixtureScan('client-without-error-listener', ['FL550'], 'handlers-that-exit.ts')).findings;
    expect(exits.map((f) => [f.line, f.priority])).toEqual([[18, 'P0']]);
    expect(exits[0]!.message).toMatch(/kills the process\.$/);
  });
});

describe('project model: a monorepo of hundreds of packages', () => {
  it('carries a handler every process sets to the libraries they share, in one pass over the graph (platform-sized: 300 apps, a chain of 40 libraries)', async () => {
    const files: Record<string, string> = { 'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['apps/*', 'libs/*'] }) };
    for (let i = 0; i < 40; i++) files[`libs/l${i}/package.json`] = JSON.stringify({ name: `l${i}`, dependencies: i ? { [`l${i - 1}`]: 'workspace:^' } : {} });
    files['libs/l0/src/cache.ts'] = "import { createClient } from 'redis';\nexport const cache = createClient();\n";
    for (let i = 0; i < 300; i++) {
      files[`apps/a${i}/package.json`] = JSON.stringify({ name: `a${i}`, dependencies: { express: '4', [`l${i % 40}`]: 'workspace:^' } });
      files[`apps/a${i}/src/main.ts`] = "import express from 'express';\nprocess.on('uncaughtException', (err) => console.error(err));\nexpress().listen(3000);\n";
    }
    const root = makeTree(files);
    const r = await scan({ root, targets: [root], jobs: 2, config: { rules: { select: ['FL550'] } } });
    const scopes = new Set(r.model!.defaults.filter((d) => d.library === 'process').map((d) => d.scope));
    // every process that loads l0 installs the handler, so l0's own scope carries it
    expect(scopes.has('libs/l0')).toBe(true);
    expect(r.findings.map((f) => `${f.file} ${f.priority}`)).toEqual(['libs/l0/src/cache.ts P1']);
  }, 60_000);
});

describe('project model: a client another module builds (FL552)', () => {
  it("a catch around an imported ioredis subscriber built with maxRetriesPerRequest: null is out of an outage's reach; one with the default retries is not", async () => {
    const r = await fixtureScan('connection-state-never-recovers/imported-subscriber', ['FL552']);
    expect(r.findings.map((f) => [f.file, f.line])).toEqual([['updates.ts', 26]]);
    expect(r.model!.defaults).toEqual([expect.objectContaining({ library: 'offline-queue', knob: 'waits-forever', text: 'default.subscriber', file: 'redis.ts', internal: true })]);
  });
});

describe('project model: process-wide defaults', () => {
  it('axios.defaults.timeout in the server startup file settles axios calls in the same package', async () => {
    const base = {
      'server/package.json': JSON.stringify({ name: 'server', dependencies: { express: '4', axios: '1' } }),
      'server/src/routes/users.ts': AXIOS_BAD,
      'other/package.json': JSON.stringify({ name: 'other', dependencies: { axios: '1' } }),
      'other/src/client.ts': AXIOS_BAD,
    };
    const without = await model(base);
    expect(without.result.findings.map((f) => f.file).sort()).toEqual(['other/src/client.ts', 'server/src/routes/users.ts']);
    const set = await model({ ...base, 'server/src/main.ts': "import axios from 'axios';\naxios.defaults.timeout = 5000;\n" });
    expect(set.result.findings.map((f) => f.file)).toEqual(['other/src/client.ts']);
    expect(set.model.defaults).toEqual([
      expect.objectContaining({ library: 'axios', knob: 'timeout', state: 'set', file: 'server/src/main.ts', scope: 'server' }),
    ]);
    const disabled = await model({ ...base, 'server/src/main.ts': "import axios from 'axios';\naxios.defaults.timeout = 0;\n" });
    const users = disabled.result.findings.find((f) => f.file === 'server/src/routes/users.ts')!;
    expect(users.priorityReason).toMatch(/axios.defaults.timeout = 0.*disables it/);
    const unknown = await model({ ...base, 'server/src/main.ts': "import axios from 'axios';\naxios.defaults.timeout = cfg.ms;\n" });
    expect(unknown.result.findings.find((f) => f.file === 'server/src/routes/users.ts')!.priority).toBe('P2');
  });

  it('socket.setdefaulttimeout bounds stdlib clients in other files, never requests', async () => {
    const { result } = await model({
      'app/boot.py': 'import socket\nsocket.setdefaulttimeout(10)\n',
      'app/mail.py': 'import urllib.request\n\ndef f():\n    return urllib.request.urlopen("https://x.example")\n',
      'app/http.py': PY_BAD,
    });
    expect(result.findings.map((f) => f.file)).toEqual(['app/http.py']);
  });
});

describe('project model: root causes', () => {
  it('one rule on one API across sibling files becomes one group; fingerprints do not change', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`svc/providers/p${i}.py`] = PY_BAD;
    files['svc/other.py'] = PY_BAD;
    const root = makeTree(files);
    const out = JSON.parse((await runCli(['scan', '--format', 'json'], root)).stdout);
    const groups = new Set(out.findings.map((f: { group?: string }) => f.group));
    expect(out.findings).toHaveLength(31);
    expect(out.findings.filter((f: { group?: string }) => f.group).length).toBe(30);
    expect(groups.size).toBe(2); // the group and `undefined` for svc/other.py
    const sarif = JSON.parse((await runCli(['scan', '--format', 'sarif'], root)).stdout);
    const cause = sarif.runs[0].results.find((r: { relatedLocations?: unknown[] }) => (r.relatedLocations?.length ?? 0) > 1);
    expect(cause.relatedLocations).toHaveLength(29);
    expect(cause.properties.group).toMatch(/^g-[0-9a-f]{12}$/);
    const alone = JSON.parse((await runCli(['scan', '--format', 'json'], makeTree({ 'svc/providers/p0.py': PY_BAD }))).stdout);
    expect(out.findings.find((f: { file: string }) => f.file === 'svc/providers/p0.py').fingerprint).toBe(alone.findings[0].fingerprint);
  });

  it('a group of sibling files with no API to name is labelled by its count, not a bare "in N files"', async () => {
    const SECRET = 'import os\nJWT_SECRET = os.environ.get("JWT_SECRET", "s3cr3t-signing-value-2024")\n';
    const root = makeTree({ 'svc/auth/a.py': SECRET, 'svc/auth/b.py': SECRET, 'svc/auth/c.py': SECRET });
    const json = JSON.parse((await runCli(['model', '--format', 'json'], root)).stdout);
    const labels = json.groups.map((g: { title: string }) => g.title);
    expect(labels).toEqual(['3 findings in 3 files of svc/auth/']);
  });

  it('one rule on one API across sibling folders (an adapter per provider) is one group; two folders are not', async () => {
    const files: Record<string, string> = {};
    for (const p of ['openai', 'cohere', 'xai', 'groq']) files[`server/providers/${p}/index.py`] = PY_BAD;
    files['server/other/a/index.py'] = PY_BAD;
    files['server/other/b/index.py'] = PY_BAD;
    const { result, model: m } = await model(files);
    const grouped = result.findings.filter((f) => f.group).map((f) => f.file).sort();
    expect(grouped).toEqual(['server/providers/cohere/index.py', 'server/providers/groq/index.py', 'server/providers/openai/index.py', 'server/providers/xai/index.py']);
    expect(m.groups.map((g) => g.title)).toEqual(['`requests.get` in 4 folders of server/providers/']);
  });

  it("calls on the global axios across files of one package are one cause: its process-wide default; another package's are not", async () => {
    // tianji's notification providers: `axios.post` in each provider file, no timeout anywhere
    const send = (n: number) => `import axios from 'axios';\nexport const send${n} = (url: string) => axios.post(url, {});\n`;
    const pkg = (name: string) => JSON.stringify({ name, dependencies: { axios: '1', express: '4' } });
    const { result, model: m } = await model({
      'server/package.json': pkg('server'),
      'server/providers/teams.ts': send(1),
      'server/providers/feishu.ts': send(2),
      'server/monitor/openai.ts': send(3),
      'worker/package.json': pkg('worker'),
      'worker/notify.ts': send(4),
    });
    const g = m.groups.find((x) => x.kind === 'library-default');
    expect(g).toMatchObject({ count: 3, ruleId: 'FL101' });
    expect(g!.title).toBe('3 calls in 3 files of server/ go through the global `axios`: set `axios.defaults.timeout` once where the process starts to cover them all');
    // the worker is another process: its call is not covered by the server's setting
    expect(result.findings.find((f) => f.file === 'worker/notify.ts')?.group).toBeUndefined();
  });

  it('a shared axios instance built in one file and used in others: one cause with its call sites, or none with a timeout', async () => {
    const users = "import { api } from '../api/client';\nexport const list = () => api.get('/users');\nexport const one = (id: string) => api.get(`/users/${id}`);\n";
    const orders = "import { api } from '@/api/client';\nexport const list = () => api.post('/orders', {});\n";
    const bad = await model({
      'src/api/client.ts': "import axios from 'axios';\nexport const api = axios.create({ baseURL: 'https://api.example.com' });\n",
      'src/services/users.ts': users,
      'src/services/orders.ts': orders,
    });
    expect(bad.result.findings).toHaveLength(1);
    const cause = bad.result.findings[0];
    expect(cause).toMatchObject({ file: 'src/api/client.ts', line: 2, group: expect.stringMatching(/^g-/) });
    expect(cause.related!.map((r) => `${r.file}:${r.line}`)).toEqual(['src/services/orders.ts:2', 'src/services/users.ts:2', 'src/services/users.ts:3']);
    expect(bad.model.groups).toEqual([expect.objectContaining({ kind: 'shared-client', count: 4, file: 'src/api/client.ts' })]);
    const good = await model({
      'src/api/client.ts': "import axios from 'axios';\nexport const api = axios.create({ baseURL: 'https://api.example.com', timeout: 5000 });\n",
      'src/services/users.ts': users,
    });
    expect(good.result.findings).toEqual([]);
  });

  it('tsconfig paths and baseUrl resolve through the compiler: aliases the `@/` guess cannot read, `extends` included', async () => {
    const { result } = await model({
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@shared/*': ['packages/shared/src/*'], '#http': ['packages/shared/src/http/index.ts'] } } }),
      'apps/api/tsconfig.json': '// comments are allowed in tsconfig\n{ "extends": "../../tsconfig.base.json", "compilerOptions": { "strict": true } }\n',
      'apps/api/package.json': JSON.stringify({ name: 'api', dependencies: { express: '4' } }),
      'packages/shared/src/http/index.ts': "import axios from 'axios';\nexport const http = axios.create({ baseURL: 'https://api.example.com' });\n",
      'apps/api/src/users.ts': "import { http } from '@shared/http';\nexport const list = () => http.get('/users');\n",
      'apps/api/src/orders.ts': "import { http } from '#http';\nexport const list = () => http.post('/orders', {});\n",
      // baseUrl alone: a bare specifier that names a folder under the base
      'apps/api/src/billing.ts': "import { http } from 'packages/shared/src/http';\nexport const charge = () => http.post('/charge', {});\n",
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].related!.map((r) => r.file)).toEqual(['apps/api/src/billing.ts', 'apps/api/src/orders.ts', 'apps/api/src/users.ts']);
  });

  it('a tsconfig that does not parse, or maps nothing, leaves the other resolutions alone', async () => {
    const { result } = await model({
      'tsconfig.json': '{ "compilerOptions": { "paths": ',
      'src/api/client.ts': "import axios from 'axios';\nexport const api = axios.create({});\n",
      'src/a.ts': "import { api } from '@/api/client';\nexport const f = () => api.get('/a');\n",
    });
    expect(result.errors).toEqual([]);
    expect(result.findings[0].related!.map((r) => r.file)).toEqual(['src/a.ts']);
  });

  it('a wrapper with 30 call sites in other files is one finding whose related locations are the calls', async () => {
    const files: Record<string, string> = {
      'app/http.py': 'import requests\n\ndef fetch_json(url):\n    return requests.get(url).json()\n',
    };
    for (let i = 0; i < 30; i++) files[`app/jobs/job${i}.py`] = `from app.http import fetch_json\n\ndef run():\n    return fetch_json("https://x.example/${i}")\n`;
    const { result, model: m } = await model(files);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].related).toHaveLength(30);
    expect(m.groups).toEqual([expect.objectContaining({ kind: 'shared-client', count: 31, file: 'app/http.py', line: 4 })]);
    // the calls go to the wrapper, not through a client it built
    expect(m.groups[0].title).toBe('`fetch_json` (it calls `requests.get`) and the 30 calls to it');
  });

  it('`faultline model` prints contexts with evidence, compose files, defaults and groups', async () => {
    const root = makeTree({
      'api/main.py': 'from fastapi import FastAPI\nimport socket\nsocket.setdefaulttimeout(5)\n',
      'compose.yaml': 'services:\n  api:\n    build: ./api\n',
    });
    const text = (await runCli(['model'], root)).stdout;
    expect(text).toContain('service  api/main.py  (imports a web or worker framework (fastapi))');
    expect(text).toContain('stack        compose.yaml  -> service (a compose stack)');
    expect(text).toContain('api/main.py:3  socket.setdefaulttimeout(5)');
    const json = JSON.parse((await runCli(['model', '--format', 'json'], root)).stdout);
    expect(Object.keys(json)).toEqual(['files', 'composeFiles', 'services', 'defaults', 'groups', 'entryPoints', 'flows', 'guards', 'unreferenced']);
    expect(json.services).toEqual([{ name: 'api', file: 'compose.yaml', codeRoots: ['api'], kind: 'long-running' }]);
  });
});

describe('project model: entry points and what reaches each finding', () => {
  const PY_STACK = {
    'compose.yaml': 'services:\n  api:\n    build: ./backend\n    command: uvicorn app.main:app\n  worker:\n    build: ./backend\n    command: celery -A app.celery worker\n  beat:\n    build: ./backend\n    command: celery -A app.celery beat\n',
    'backend/app/celery.py': 'from celery import Celery\napp = Celery("x")\napp.conf.beat_schedule = {"nightly": {"task": "app.tasks.cleanup", "schedule": 3600}}\n',
    'backend/app/main.py': [
      'import stripe',
      'from fastapi import FastAPI, Request',
      'from app.tasks import send_invoice',
      'from app.billing import charge',
      'app = FastAPI()',
      '',
      '@app.post("/hooks/stripe")',
      'async def stripe_hook(request: Request):',
      '    event = stripe.Webhook.construct_event(await request.body(), request.headers["sig"], "whsec")',
      '    send_invoice.delay(event["id"])',
      '',
      '@app.post("/api/orders")',
      'def create_order():',
      '    return charge(1)',
      '',
    ].join('\n'),
    'backend/app/billing.py': 'from app.http import post_json\n\ndef charge(amount):\n    return post_json("https://pay.example.com", amount)\n',
    'backend/app/http.py': 'import requests\n\ndef post_json(url, body):\n    return requests.post(url, json=body)\n',
    'backend/app/tasks.py': [
      'import requests',
      'from app.celery import app',
      '',
      '@app.task',
      'def send_invoice(event_id):',
      '    render(event_id)',
      '',
      'def render(event_id):',
      '    requests.get("https://pdf.example.com/" + str(event_id))',
      '',
      '@app.task',
      'def cleanup():',
      '    pass',
      '',
    ].join('\n'),
    'backend/app/urls.py': 'from django.urls import path\nfrom app.views import IssueView, issue_list\nurlpatterns = [path("api/issues/", IssueView.as_view()), path("api/list/", issue_list)]\n',
    'backend/app/views.py': [
      'import requests',
      'from rest_framework.views import APIView',
      '',
      'class IssueView(APIView):',
      '    def post(self, request):',
      '        return requests.get("https://tracker.example.com")',
      '',
      'def issue_list(request):',
      '    return requests.get("https://tracker.example.com/list")',
      '',
    ].join('\n'),
  };

  it('services sharing one image run what their start scripts run: the API its routes, the worker its tasks, a Celery flower neither', async () => {
    // doccano: backend, celery and flower all run doccano/doccano:backend, each through its own script
    const { model: m } = await model({
      'backend/app/views.py': 'from django.http import JsonResponse\n\ndef ping(request):\n    return JsonResponse({})\n',
      'backend/app/urls.py': 'from django.urls import path\nfrom . import views\n\nurlpatterns = [path("ping/", views.ping)]\n',
      'backend/app/tasks.py': 'from celery import shared_task\n\n@shared_task\ndef export(pk):\n    return pk\n',
      'backend/Dockerfile': 'FROM python:3.12\nWORKDIR /srv\nCOPY . /srv/\nCOPY tools/ /opt/bin/\nENTRYPOINT ["/opt/bin/web.sh"]\n',
      'backend/tools/web.sh': '#!/bin/sh\npython manage.py migrate\ngunicorn config.wsgi\n',
      'backend/tools/worker.sh': '#!/bin/sh\n(\n  "celery" --app=config worker --pool=solo\n)\n',
      'backend/tools/flower.sh': '#!/bin/sh\ncelery --app=config flower --basic_auth="$AUTH"\n',
      'compose.yaml': [
        'services:',
        '  backend:\n    build: ./backend\n    restart: always',
        '  celery:\n    build: ./backend\n    entrypoint: ["/opt/bin/worker.sh"]\n    restart: always',
        '  flower:\n    build: ./backend\n    entrypoint: ["/opt/bin/flower.sh"]\n    restart: always',
        '',
      ].join('\n'),
    });
    const runs = (label: string) => m.entryPoints.find((e) => e.label.includes(label))?.services;
    expect(runs('ping')).toEqual(['backend']);
    expect(runs('export')).toEqual(['celery']);
  });

  it("route labels carry their router's prefix (APIRouter prefix, Blueprint url_prefix)", async () => {
    const { model: m } = await model({
      'app/git.py': 'from fastapi import APIRouter\nrouter = APIRouter(prefix="/git", tags=["git"])\n\n@router.api_route("/{path:path}")\nasync def proxy(path: str):\n    return path\n\n@router.get("")\nasync def root():\n    return 1\n',
      'app/admin.py': 'from flask import Blueprint\nbp = Blueprint("admin", __name__, url_prefix="/admin/")\n\n@bp.post("users")\ndef create():\n    return "ok"\n',
      'app/plain.py': 'from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.get("/health")\ndef health():\n    return 1\n',
      // kitchenowl: a relative path and the one verb `methods=` lists (read as "signup signup" before);
      // two verbs stay HTTP
      'app/auth.py': 'from flask import Blueprint\nauth = Blueprint("auth", __name__)\n\n@auth.route("signup", methods=["POST"])\ndef signup():\n    return "ok"\n\n@auth.route("/token", methods=["GET", "POST"])\ndef token():\n    return "ok"\n',
    });
    const labels = m.entryPoints.map((e) => e.label).sort();
    expect(labels).toEqual(['GET /git', 'GET /health', 'HTTP /git/{path:path}', 'HTTP /token', 'POST /admin/users', 'POST /signup']);
  });

  it('a resource class is named by the path the file mounts it on (add_resource, add_url_rule), else by its method', async () => {
    // lemur's auth views: `api.add_resource(Google, "/auth/google", endpoint="google")`
    const { model: m } = await model({
      'app/views.py': [
        'from flask.views import MethodView',
        'from flask_restful import Api, Resource',
        'api = Api()',
        'class Google(Resource):',
        '    def post(self):',
        '        return 1',
        'class Ping(Resource):',
        '    def get(self):',
        '        return 1',
        'class Health(MethodView):',
        '    def get(self):',
        '        return 1',
        'class Loose(Resource):',
        '    def get(self):',
        '        return 1',
        'api.add_resource(Google, "/auth/google", endpoint="google")',
        'api.add_resource(Ping, "/auth/ping")',
        'api.add_resource(Ping, "/ping")',
        'app.add_url_rule("/healthz", view_func=Health.as_view("health"))',
        '',
      ].join('\n'),
    });
    // (mounted twice: no one path names it)
    expect(m.entryPoints.map((e) => e.label).sort()).toEqual(['GET /healthz', 'GET Loose.get', 'GET Ping.get', 'POST /auth/google']);
  });

  it('lists routes, webhooks, tasks and schedules with file, line, kind, label and the service that runs them', async () => {
    const { model: m } = await model(PY_STACK);
    const eps = m.entryPoints.map((e) => `${e.kind} ${e.label} ${e.file}:${e.line} [${e.services.join(',')}]`);
    expect(eps).toEqual([
      'schedule schedule nightly backend/app/celery.py:3 [beat]',
      'webhook POST /hooks/stripe backend/app/main.py:8 [api]',
      'http POST /api/orders backend/app/main.py:13 [api]',
      'task task send_invoice backend/app/tasks.py:5 [worker]',
      'task task cleanup backend/app/tasks.py:12 [worker]',
      'http HTTP /api/issues/ (IssueView) backend/app/urls.py:3 [api]',
      'http HTTP /api/list/ (issue_list) backend/app/urls.py:3 [api]',
      'http POST /api/issues/ backend/app/views.py:5 [api]',
    ]);
    const label = new Map(m.entryPoints.map((e) => [e.id, e.label]));
    expect(m.flows.map((f) => `${label.get(f.from)} -> ${label.get(f.to)}`)).toEqual(['schedule nightly -> task cleanup', 'POST /hooks/stripe -> task send_invoice']);
  });

  it('services sharing one image run the module their command names: a route belongs to those whose module imports it', async () => {
    const { model: m } = await model({
      'docker-compose.yml': [
        'services:',
        '  api:',
        '    build: .',
        '    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0"]',
        '  mcp:',
        '    build: .',
        '    command: python -m app.mcp',
        '  worker:',
        '    build: .',
        '    command: python -m app.worker',
        '',
      ].join('\n'),
      'Dockerfile': 'FROM python:3.12\nCOPY app /app/app\n',
      'app/__init__.py': '',
      'app/main.py': 'from fastapi import FastAPI\nfrom app.routes import router\napp = FastAPI()\napp.include_router(router)\n',
      'app/routes.py': 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/items")\ndef items():\n    return []\n',
      'app/mcp/__init__.py': '',
      'app/mcp/__main__.py': 'from fastapi import FastAPI\nmcp = FastAPI()\n@mcp.get("/tools")\ndef tools():\n    return []\n',
      'app/worker.py': 'import time\nwhile True:\n    time.sleep(1)\n',
    });
    const eps = m.entryPoints.map((e) => `${e.label} [${e.services.join(',')}]`).sort();
    expect(eps).toEqual(['GET /items [api]', 'GET /tools [mcp]']);
  });

  it('commandModule reads the module a server, a celery app or `python -m` starts, not a tool module', async () => {
    const { commandModule } = await import('../dist/model/reach.js');
    expect(commandModule('uvicorn tracecat.api.app:app --host 0.0.0.0')).toBe('tracecat.api.app');
    expect(commandModule('gunicorn -w 4 "app.wsgi:application"')).toBe('app.wsgi');
    expect(commandModule('celery -A app.worker worker -l info')).toBe('app.worker');
    expect(commandModule('["python", "-m", "tracecat.mcp"]')).toBe('tracecat.mcp');
    expect(commandModule('python3 -u -m app.jobs')).toBe('app.jobs');
    expect(commandModule('python -m alembic upgrade head')).toBeUndefined();
    expect(commandModule('python -m pytest')).toBeUndefined();
    expect(commandModule('node dist/server.js')).toBeUndefined();
  });

  it('a plugin a registry loads by a computed name runs in the registry\'s process; a name that is all variable links nothing', async () => {
    const { model: m } = await model({
      'app/main.py': 'from fastapi import FastAPI\nfrom app.providers.factory import load\napp = FastAPI()\n',
      'app/providers/__init__.py': '',
      'app/providers/factory.py': [
        'import importlib',
        'def load(kind):',
        '    module = importlib.import_module(',
        '        f"app.providers.{kind}_provider.{kind}_provider"',
        '    )',
        '    return module',
        'def anything(name):',
        '    return importlib.import_module(name)',
        '',
      ].join('\n'),
      'app/providers/grafana_provider/__init__.py': '',
      'app/providers/grafana_provider/grafana_provider.py': 'import requests\n',
      'app/providers/base/base.py': 'import requests\n',
      // a script imports the provider by name too: without the registry it would be a script's module
      'scripts/try_grafana.py': 'from app.providers.grafana_provider.grafana_provider import x\nif __name__ == "__main__":\n    x()\n',
      'server/jobs/index.ts': "import express from 'express';\nconst app = express();\nexport async function run(name: string) { return import(`./tasks/${name}.js`); }\napp.listen(3000);\n",
      'server/jobs/tasks/email.ts': "export const send = () => fetch('https://mail.example.com');\n",
      'server/other/email.ts': "export const send = () => fetch('https://mail.example.com');\n",
    });
    expect(m.files['app/providers/grafana_provider/grafana_provider.py']?.context).toBe('service');
    expect(m.files['server/jobs/tasks/email.ts']?.context).toBe('service');
  });

  it('dynamic import patterns: literal parts kept, each distinct interpolation a `{n}`, names that are all variable dropped', async () => {
    const { dynamicImportPatterns, expandDynamicImports } = await import('../dist/model/dynamic-imports.js');
    expect(dynamicImportPatterns('m = importlib.import_module(\n  f"keep.providers.{t}_provider.{t}_provider"\n)\nn = importlib.import_module(name)\no = __import__(f"{pkg}.x")\np = import_module(f"keep.providers.{d}.{d}")\n', 'python')).toEqual(['keep.providers.{0}.{0}', 'keep.providers.{0}_provider.{0}_provider']);
    expect(dynamicImportPatterns("const a = await import(`./jobs/${n}`);\nconst b = require(`${dir}/x`);\n", 'typescript')).toEqual(['./jobs/{0}']);
    const known = ['src/keep/providers/a_provider/a_provider.py', 'src/keep/providers/b_provider/__init__.py', 'src/keep/providers/base/base_provider.py', 'src/keep/providers/c_provider/generate_protobuf.py', 'src/keep/providers/c_provider/c_provider.py', 'src/keep/other.py'];
    expect(expandDynamicImports('src/keep/factory.py', ['keep.providers.{0}_provider.{0}_provider'], 'python', known)).toEqual(['keep.providers.a_provider.a_provider', 'keep.providers.c_provider.c_provider']);
    // the same name twice is one folder and its module of that name, not every module two folders down
    expect(expandDynamicImports('src/keep/factory.py', ['keep.providers.{0}.{0}'], 'python', known)).toEqual(['keep.providers.a_provider.a_provider', 'keep.providers.c_provider.c_provider']);
    expect(expandDynamicImports('src/keep/factory.py', ['keep.providers.{0}.{1}'], 'python', known)).toContain('keep.providers.c_provider.generate_protobuf');
    expect(expandDynamicImports('src/keep/factory.py', ['.providers.{0}_provider'], 'python', known)).toEqual(['.providers.b_provider']);
    expect(expandDynamicImports('srv/index.ts', ['./jobs/{0}'], 'typescript', ['srv/jobs/a.ts', 'srv/jobs/b/index.ts', 'srv/jobs/b/deep.ts', 'srv/index.ts'])).toEqual(['./jobs/a', './jobs/b']);
  });

  it('a finding carries the entry points that reach it: its own function, callers in the file, callers two imports away', async () => {
    const { result } = await model(PY_STACK);
    const at = (file: string, line: number) => result.findings.find((f) => f.file === file && f.line === line && f.ruleId === 'FL101');
    // render() is called by the task in the same file
    expect(at('backend/app/tasks.py', 9)?.entryPoints).toEqual([{ kind: 'task', label: 'task send_invoice', file: 'backend/app/tasks.py', line: 5, hops: 0 }]);
    // http.post_json <- billing.charge <- POST /api/orders: two imports away
    expect(at('backend/app/http.py', 4)?.entryPoints).toEqual([{ kind: 'http', label: 'POST /api/orders', file: 'backend/app/main.py', line: 13, hops: 2 }]);
    // a Django route table names the views: the class view's method takes the route's path
    expect(at('backend/app/views.py', 6)?.entryPoints?.map((e) => e.label)).toEqual(['POST /api/issues/', 'HTTP /api/issues/ (IssueView)']);
    expect(at('backend/app/views.py', 9)?.entryPoints?.map((e) => [e.label, e.hops])).toEqual([['HTTP /api/list/ (issue_list)', 1]]);
    // the enqueue does not make the webhook wait on the task's code: the task is reached through a flow, not a call
    expect(at('backend/app/tasks.py', 9)?.entryPoints?.some((e) => e.kind === 'webhook')).toBe(false);
  });

  it('Express routes, BullMQ workers, Next.js route files and NestJS controllers; `faultline model` shows them', async () => {
    const files = {
      'api/server.ts': "import express from 'express';\nimport { load } from './load';\nconst app = express();\napp.post('/webhooks/github', async (req, res) => { await load(); res.sendStatus(200); });\n",
      'api/load.ts': "import axios from 'axios';\nexport async function load() { return axios.get('https://api.example.com/x'); }\n",
      'worker/main.ts': "import { Worker } from 'bullmq';\nimport axios from 'axios';\nnew Worker('emails', async (job) => { await axios.post('https://mail.example.com', job.data); });\n",
      // one worker per configured queue: the label says so, not "job function at line 3"
      'worker/pool.ts': "import { Worker } from 'bullmq';\nexport const start = (names: string[]) => names.map((name) => new Worker(name, async () => {}));\n",
      'web/app/api/issues/route.ts': "export async function POST(req: Request) { return fetch('https://x.example.com', { method: 'POST' }); }\n",
      'nest/issues.controller.ts': "import { Controller, Post } from '@nestjs/common';\n@Controller('issues')\nexport class IssuesController {\n  @Post(':id/close')\n  close() { return 1; }\n}\n",
    };
    const { result, model: m } = await model(files);
    expect(m.entryPoints.map((e) => `${e.kind} ${e.label}`)).toEqual(['webhook POST /webhooks/github', 'http POST /issues/:id/close', 'http POST /api/issues', 'task job emails', 'task job on the queues `name` names']);
    const reach = (file: string) => result.findings.find((f) => f.file === file)?.entryPoints?.map((e) => `${e.label}@${e.hops}`);
    expect(reach('api/load.ts')).toEqual(['POST /webhooks/github@1']);
    expect(reach('worker/main.ts')).toEqual(['job emails@0']);
    const root = makeTree(files);
    const text = (await runCli(['model'], root)).stdout;
    expect(text).toContain('Entry points (5: webhook 1, http 2, task 2):');
    expect(text).toContain('  webhook  POST /webhooks/github  api/server.ts:4');
    const json = JSON.parse((await runCli(['scan', '--format', 'json'], root)).stdout);
    const hit = json.findings.find((f: { file: string }) => f.file === 'api/load.ts');
    expect(hit.entryPoints).toEqual([{ kind: 'webhook', label: 'POST /webhooks/github', file: 'api/server.ts', line: 4, hops: 1 }]);
    expect(hit.entryPointCount).toBe(1);
  });

  it('FL120 keeps P1 where a request waits on the child and is P2 in background work (context table offRequestPath)', async () => {
    const { result } = await model({
      'app/views.py': "import subprocess\nfrom flask import Flask\napp = Flask(__name__)\n\n@app.post('/thumb')\ndef thumb():\n    subprocess.run(['ffmpeg', '-i', 'in.mp4', 'out.png'])\n    return 'ok'\n",
      'app/tasks.py': "import subprocess\nfrom celery import shared_task\n\n@shared_task\ndef encode(path):\n    subprocess.run(['ffmpeg', '-i', path, 'out.mp4'])\n",
    });
    const p = (file: string) => result.findings.filter((f) => f.ruleId === 'FL120' && f.file === file).map((f) => f.priority);
    expect(p('app/views.py')).toEqual(['P1']);
    expect(p('app/tasks.py')).toEqual(['P2']);
    expect(result.findings.find((f) => f.file === 'app/tasks.py')?.priorityReason).toMatch(/background work \(task encode\)/);
  });

  it('routes registered on a typed parameter: a Fastify plugin (type provider too) and an Express router handed in', async () => {
    const files = {
      // dittofeed's controllers: `export default async function xController(fastify: FastifyInstance)`
      'api/controllers/users.ts':
        "import type { FastifyInstance } from 'fastify';\nimport { load } from '../load';\nexport default async function users(fastify: FastifyInstance) {\n  fastify.withTypeProvider<Tb>().get('/users', async () => load());\n  fastify.post('/users', async () => 1);\n}\n",
      'api/load.ts': "import axios from 'axios';\nexport async function load() { return axios.get('https://api.example.com/x'); }\n",
      'api/routes.ts': "import { Router } from 'express';\nexport function mount(r: Router) { r.get('/health', (_req, res) => res.send('ok')); }\n",
      // near miss: a parameter typed with a local interface is no route table
      'api/other.ts': "interface Table { get(p: string, f: () => void): void }\nexport function fill(t: Table) { t.get('/x', () => {}); }\n",
    };
    const { result, model: m } = await model(files);
    expect(m.entryPoints.map((e) => `${e.kind} ${e.label} ${e.file}`).sort()).toEqual([
      'http GET /health api/routes.ts',
      'http GET /users api/controllers/users.ts',
      'http POST /users api/controllers/users.ts',
    ]);
    expect(result.findings.find((f) => f.file === 'api/load.ts')?.entryPoints?.map((e) => `${e.label}@${e.hops}`)).toEqual(['GET /users@1']);
  });

  it('guardrails set in code: a knob the library leaves unbounded, set on the call; defaults are not guardrails', async () => {
    const { model: m } = await model({
      'app/a.py': 'import requests\nimport httpx\n\ndef f():\n    requests.get("https://x.example", timeout=5)\n    requests.get("https://y.example", timeout=5)\n    httpx.get("https://z.example")\n',
    });
    expect(m.guards).toEqual([{ kind: 'timeout', text: 'requests.get timeout', line: 5, count: 2, file: 'app/a.py' }]);
  });
});

describe('project model: a Celery worker pool that ignores time limits (FL126)', () => {
  it('a settings module choosing the threads pool rewrites the finding: setting the limits changes nothing there', async () => {
    const r = await fixtureScan('celery-task-without-time-limit/threads-pool', ['FL126']);
    expect(r.findings.map((f) => [f.file, f.line, f.priority])).toEqual([
      ['worker/apps/beat.py', 4, 'P2'],
      ['worker/apps/light.py', 4, 'P2'],
    ]);
    // the scheduler's own settings module picks no pool: a sibling worker's threads pool is not its
    expect(r.findings[0]!.message).toContain('holds its worker process forever');
    const f = r.findings[1]!;
    expect(f.message).toContain('its workers run tasks in a pool that does not enforce task_time_limit or task_soft_time_limit at all (`worker_pool = "threads"` in worker/configs/light.py:3');
    expect(f.message).not.toContain('holds its worker process');
    expect(r.model!.defaults.some((d) => d.library === 'celery' && d.knob === 'pool-ignores-time-limits' && d.state === 'set')).toBe(true);
  });

  it("a worker started with --pool=solo in the container's start script, or -P threads in its compose command, is such a pool for the code it runs; a prefork worker is not", async () => {
    // doccano: `celery --app=config worker --pool=solo` in tools/prod-celery.sh, the image's entrypoint
    const app = 'from celery import Celery\napp = Celery("proj")\napp.config_from_object("django.conf:settings", namespace="CELERY")\n';
    const tree = (worker: Record<string, string>) => ({
      'backend/proj/celery.py': app,
      'backend/Dockerfile': 'FROM python:3.12\nWORKDIR /srv\nCOPY . /srv/\nCOPY start-worker.sh /start-worker.sh\nCMD ["gunicorn", "proj.wsgi"]\n',
      ...worker,
    });
    const solo = makeTree(tree({
      'backend/start-worker.sh': '#!/bin/sh\nset -e\npython manage.py wait_for_db\nexec "celery" --app=proj worker --loglevel=info --pool=solo\n',
      'compose.yaml': 'services:\n  worker:\n    build: ./backend\n    entrypoint: ["/start-worker.sh"]\n    restart: unless-stopped\n',
    }));
    const r = await scan({ root: solo, targets: [solo], jobs: 1, config: { rules: { select: ['FL126'] } } });
    expect(r.findings.map((f) => f.priority)).toEqual(['P2']);
    expect(r.findings[0]!.message).toContain('(`--pool=solo` in backend/start-worker.sh:4');
    const threads = makeTree(tree({ 'compose.yaml': 'services:\n  worker:\n    build: ./backend\n    command: celery -A proj worker -P threads -c 8\n    restart: unless-stopped\n' }));
    const t = await scan({ root: threads, targets: [threads], jobs: 1, config: { rules: { select: ['FL126'] } } });
    expect(t.findings[0]!.message).toContain('(`-P threads` in compose.yaml:1');
    const prefork = makeTree(tree({ 'compose.yaml': 'services:\n  worker:\n    build: ./backend\n    command: celery -A proj worker --pool prefork\n    restart: unless-stopped\n' }));
    const p = await scan({ root: prefork, targets: [prefork], jobs: 1, config: { rules: { select: ['FL126'] } } });
    expect(p.findings[0]!.message).toContain('holds its worker process forever');
  });

  it('a prefork pool, or none written, keeps the usual sentence', async () => {
    const root = makeTree({
      'worker/configs/light.py': 'broker_url = "redis://redis:6379/0"\nworker_pool = "prefork"\n',
      'worker/apps/light.py': 'from celery import Celery\ncelery_app = Celery(__name__)\ncelery_app.config_from_object("worker.configs.light")\n',
    });
    const r = await scan({ root, targets: [root], jobs: 1, config: { rules: { select: ['FL126'] } } });
    expect(r.findings.map((f) => f.priority)).toEqual(['P2']);
    expect(r.findings[0]!.message).toContain('holds its worker process forever');
  });
});

describe('project model: a handler whose every wait ends on its own, late (FL124)', () => {
  it('Node fetch with no signal in another module is P2 (undici gives up after 300 s idle); axios with no timeout stays P1', async () => {
    const r = await fixtureScan('handler-awaits-without-deadline/next-app', ['FL124']);
    const at = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    expect(at['app/auth/logout/route.ts']!.priority).toBe('P2');
    expect(at['app/auth/logout/route.ts']!.priorityReason).toMatch(/Node fetch's 300 s idle limit/);
    expect(at['app/auth/logout/route.ts']!.message).toContain('`fetch` (lib/session.ts:2: no `signal`)');
    expect(at['app/api/profile/route.ts']!.priority).toBe('P1');
  });
});

describe('project model: a handler finding whose waits are each reported at their call (FL124 beside FL101)', () => {
  it("folds into the calls' own findings: the call's timeout bounds the handler too", async () => {
    const alone = await fixtureScan('handler-awaits-without-deadline/next-app', ['FL124']);
    const both = await fixtureScan('handler-awaits-without-deadline/next-app', ['FL124', 'FL101']);
    const ids = (r: typeof both) => r.findings.map((f) => `${f.ruleId} ${f.file}`).sort();
    // the logout route reaches lib/session.ts's fetch, which FL101 reports at the same priority
    expect(ids(alone)).toContain('FL124 app/auth/logout/route.ts');
    expect(ids(both)).not.toContain('FL124 app/auth/logout/route.ts');
    expect(ids(both)).toContain('FL101 lib/session.ts');
    // and the profile route into lib/profiles.ts's axios call, P1 like the route
    expect(ids(both).filter((x) => x.startsWith('FL124'))).toEqual([]);
    expect(ids(both)).toContain('FL101 lib/profiles.ts');
  });
});

describe('project model: shapes set T got wrong', () => {
  it("a service's image holds a library its app imports only in browser code: the library's findings are not the service's", async () => {
    const { result } = await model({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['apps/*', 'packages/*'] }),
      'docker-compose.yml': 'services:\n  api:\n    build:\n      context: .\n      dockerfile: apps/api/Dockerfile\n    restart: always\n  web:\n    build:\n      context: .\n      dockerfile: apps/web/Dockerfile\n    restart: always\n',
      'apps/api/Dockerfile': 'FROM node:20\nCOPY packages/database packages/database\nCOPY apps/api apps/api\nCMD ["node", "apps/api/src/index.js"]\n',
      'apps/web/Dockerfile': 'FROM node:20\nCOPY packages/database packages/database\nCOPY apps/web apps/web\nCMD ["npm", "start"]\n',
      'packages/database/package.json': JSON.stringify({ name: '@acme/database', dependencies: { pg: '8' } }),
      'packages/database/src/index.ts': "import pg from 'pg';\nexport const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });\nexport type Row = { id: string };\n",
      'apps/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@acme/database': '*', express: '4' } }),
      'apps/api/src/index.ts': "import express from 'express';\nimport { pool } from '@acme/database';\nexpress().get('/', async (_q, r) => r.json(await pool.query('select 1'))).listen(3000);\n",
      'apps/web/package.json': JSON.stringify({ name: '@acme/web', dependencies: { '@acme/database': '*', next: '14', react: '18' } }),
      'apps/web/src/components/List.tsx': "'use client';\nimport { Row } from '@acme/database';\nexport const List = ({ rows }: { rows: Row[] }) => rows.length;\n",
    });
    const svc = (n: string) => result.system!.services.find((s) => s.name === n)!;
    expect(svc('web').browserOnlyRoots).toEqual(['packages/database']);
    expect(svc('api').browserOnlyRoots).toBeUndefined();
  });

  it('an AbortSignal counts as a timeout guardrail only when something fires it on time', async () => {
    const guards = async (body: string) => (await model({ 'src/api.ts': `import express from 'express';\nimport axios from 'axios';\n${body}\nexpress().listen(1);\n` })).model.guards.filter((g) => g.kind === 'timeout').map((g) => g.text);
    // briefer's ai-api.ts: a cancel handle nothing fires on a timer
    expect(await guards("const ac = new AbortController();\nexport const edit = () => axios.post('https://ai.example.com/edit', {}, { signal: ac.signal });")).toEqual([]);
    expect(await guards("export const edit = () => axios.post('https://ai.example.com/edit', {}, { signal: AbortSignal.timeout(5000) });")).toEqual(['axios.post signal']);
    expect(await guards("const ac = new AbortController();\nsetTimeout(() => ac.abort(), 5000);\nexport const edit = () => axios.post('https://ai.example.com/edit', {}, { signal: ac.signal });")).toEqual(['axios.post signal']);
  });

  it("FL558 names a log-only unhandledRejection handler beside the uncaughtException one, and says nothing of one that is absent", async () => {
    const both = await model({ 'src/index.ts': "import express from 'express';\nprocess.on('unhandledRejection', (r) => console.error(r));\nprocess.on('uncaughtException', (e) => console.error(e));\nexpress().listen(1);\n" });
    const fl558 = both.result.findings.filter((f) => f.ruleId === 'FL558');
    expect(fl558.map((f) => f.line)).toEqual([3]);
    expect(fl558[0]!.message).toMatch(/keeps passing\. `process\.on\('unhandledRejection', …\)` \(line 2\) does the same for rejected promises\.$/);
    const one = await model({ 'src/index.ts': "import express from 'express';\nprocess.on('uncaughtException', (e) => console.error(e));\nexpress().listen(1);\n" });
    expect(one.result.findings.find((f) => f.ruleId === 'FL558')!.message).toMatch(/keeps passing\.$/);
  });

  it('a .js file calling React state hooks is a client component; one that only imports React for a server render is not', async () => {
    // peppermint's apps/client/components/TicketFiles/index.js: JSX in .js, nothing imports it
    const { model: m } = await model({
      'docker-compose.yml': 'services:\n  web:\n    build: .\n',
      'package.json': JSON.stringify({ name: 'client', dependencies: { next: '14', react: '18' } }),
      'components/TicketFiles/index.js': "import React, { useState } from 'react';\nexport default function TicketFiles() {\n  const [files, setFiles] = useState([]);\n  return fetch('/api/files');\n}\n",
      'components/Hooked/index.js': "import React from 'react';\nexport const Hooked = () => { React.useEffect(() => { fetch('/api/x'); }, []); return null; };\n",
      // near miss: react-email's server-side template renders, it holds no state
      'emails/welcome.js': "import React from 'react';\nexport const Welcome = ({ name }) => React.createElement('p', null, name);\nexport const send = () => fetch('https://api.example.com/send');\n",
    });
    expect(m.files['components/TicketFiles/index.js']?.context).toBe('browser');
    expect(m.files['components/Hooked/index.js']?.context).toBe('browser');
    expect(m.files['emails/welcome.js']?.context).toBe('service');
  });

  it("a library's process-wide handler holds when its other importer only imports it in browser code (briefer's apps/web), not when that app's server imports it too", async () => {
    const tree = (webServer: boolean): Record<string, string> => ({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['apps/*', 'packages/*'] }),
      'packages/database/package.json': JSON.stringify({ name: '@acme/database', dependencies: { pg: '8' } }),
      'packages/database/src/index.ts': "import pg from 'pg';\nexport let pool: pg.Pool | null = null;\nexport function getPool() {\n  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000, statement_timeout: 5000 });\n  return pool;\n}\nexport type Row = { id: string };\n",
      'apps/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@acme/database': '*', express: '4' } }),
      'apps/api/src/index.ts': "import express from 'express';\nimport { getPool } from '@acme/database';\nprocess.on('uncaughtException', (err) => console.error(err));\nexpress().get('/', async (_q, r) => r.json(await getPool().query('select 1'))).listen(3000);\n",
      'apps/web/package.json': JSON.stringify({ name: '@acme/web', dependencies: { '@acme/database': '*', next: '14', react: '18' } }),
      'apps/web/src/components/List.tsx': "'use client';\nimport { Row } from '@acme/database';\nexport const List = ({ rows }: { rows: Row[] }) => rows.length;\n",
      // a deploy copy of the web app's manifest, no sources of its own
      'apps/web/prod/package.json': JSON.stringify({ name: '@acme/web', dependencies: { '@acme/database': '*', next: '14' } }),
      ...(webServer ? { 'apps/web/src/pages/api/rows.ts': "import { getPool } from '@acme/database';\nexport default async function handler(_q: any, r: any) { r.json(await getPool().query('select 1')); }\n" } : {}),
    });
    const fl550 = (r: Awaited<ReturnType<typeof model>>) => r.result.findings.filter((f) => f.ruleId === 'FL550').map((f) => `${f.file}:${f.priority}`);
    // pg's pool drops the errored idle client and the handler keeps the process up: nothing stays broken
    expect(fl550(await model(tree(false)))).toEqual([]);
    expect(fl550(await model(tree(true)))).toEqual(['packages/database/src/index.ts:P1']);
  });

  it('a function that turns callers away unless a development setting is on is developer tooling; a guard on something else is not', async () => {
    // WebODM's app/views/dev.py: `if not settings.DEV: raise Http404()`
    const { result } = await model({
      'app/views.py': [
        'import subprocess',
        'from django.conf import settings',
        'from django.http import Http404, HttpResponse',
        '',
        'def dev_tools(request):',
        '    """Rebuild the translations."""',
        '    if not settings.DEV:',
        '        raise Http404()',
        '    subprocess.call(["npm", "run", "translate"])',
        '    return HttpResponse("ok")',
        '',
        'def export(request):',
        '    if not request.user.is_staff:',
        '        raise Http404()',
        '    subprocess.call(["aws", "s3", "sync", "exports/", "s3://exports/"])',
        '    return HttpResponse("ok")',
        '',
      ].join('\n'),
      'app/urls.py': 'from django.urls import path\nfrom .views import dev_tools, export\nurlpatterns = [path("dev", dev_tools), path("export", export)]\n',
    });
    const fl120 = result.findings.filter((f) => f.ruleId === 'FL120');
    expect(fl120.map((f) => `${f.line}:${f.context}`)).toEqual(['15:service']);
  });

  it("a Python module function mentioned in its own file only as another object's method is called by nobody", async () => {
    // briefer's get_table_info(engine) beside langchain's `db.get_table_info()`
    const { model: m } = await model({
      'manage.py': 'import sys\nfrom django.core.management import execute_from_command_line\n\nif __name__ == "__main__":\n    execute_from_command_line(sys.argv)\n',
      'site/settings.py': 'WSGI_APPLICATION = "site.wsgi.application"\n',
      'api/sql.py': 'import requests\nfrom django.http import JsonResponse\n\ndef schema(request, db):\n    return JsonResponse({"t": db.get_table_info()})\n\ndef get_table_info(url):\n    return requests.get(url)\n\ndef used_info(url):\n    return requests.get(url)\n\ndef view(request):\n    return JsonResponse(used_info("https://api.example.com"))\n',
      'api/urls.py': 'from django.urls import path\nfrom .sql import schema, view\nurlpatterns = [path("s", schema), path("v", view)]\n',
    });
    expect(m.unreferenced.map((u) => `${u.file}:${u.name}`)).toEqual(['api/sql.py:get_table_info']);
  });
});
