// Priorities of code rules that the fixture annotations do not pin.
import { describe, expect, it } from 'vitest';
import { analyseSnippet, prioritiesByLine as byLine } from './fixture-harness.js';

describe('code rule priorities', () => {
  it('FL101: a call whose promise chain a statement drops is P2 (nothing waits on it); an awaited or kept one stays P1', async () => {
    // HedgeDoc's WebDAV backend probes its server from the constructor and never awaits it
    const a = await analyseSnippet(
      'backend.ts',
      [
        "import fetch from 'node-fetch';",
        'export class Backend {',
        '  constructor(private url: string) {',
        "    fetch(this.url, { method: 'PROPFIND' }).then((r) => r.ok).catch(() => undefined);",
        '    void fetch(this.url);',
        '  }',
        '  async save(body: string) {',
        "    await fetch(this.url, { method: 'PUT', body });",
        '    const pending = fetch(this.url);',
        '    return pending;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL101')).toEqual({ 4: 'P2', 5: 'P2', 8: 'P1', 9: 'P1' });
  });

  it('FL101: a call to this host\'s loopback is P2, through a literal, a constant, a template, an environment fallback or a closure; a remote or look-alike host stays P1', async () => {
    // OpenSign's cloud functions call their own Parse Server; open-notebook's proxy calls the API beside it
    const a = await analyseSnippet(
      'self.ts',
      [
        "import axios from 'axios';",
        "const serverUrl = 'http://localhost:8080/app';",
        "const internal = process.env.INTERNAL_API_URL || 'http://localhost:5055';",
        "const remote = 'https://api.example.com';",
        'export async function me(token: string) {',
        "  await axios.get(serverUrl + '/users/me', { headers: { token } });",
        '  await axios.get(`${internal}/api/search`);',
        "  await axios.post('batch', {}, { baseURL: serverUrl });",
        '  const base = serverUrl;',
        '  return new Promise((resolve) => {',
        "    axios.get(base + '/classes').then(resolve);",
        '  });',
        '}',
        'export async function far() {',
        "  await axios.get(remote + '/x');",
        "  await axios.get('http://localhost.example.com/x');",
        "  await axios.get(process.env.API_URL || 'https://api.example.com');",
        '}',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL101')).toEqual({ 6: 'P2', 7: 'P2', 8: 'P2', 11: 'P2', 15: 'P1', 16: 'P1', 17: 'P1' });
    const py = await analyseSnippet(
      'selfcall.py',
      ['import os', 'import requests', 'BASE = os.environ.get("API_URL", "http://localhost:8000")', '', 'def ping():', '    return requests.get(f"{BASE}/health")', '', 'def far():', '    return requests.get("https://api.example.com/x")', ''].join('\n'),
    );
    expect(byLine(py, 'FL101')).toEqual({ 6: 'P2', 9: 'P1' });
    // any environment read the catalog knows (role env.read: python-decouple's `config`), and its near miss
    const decouple = await analyseSnippet(
      'decoupled.py',
      ['import requests', 'from decouple import config', 'BASE = config("API_URL", default="http://127.0.0.1:8000")', 'FAR = config("FAR_URL", default="https://api.example.com")', '', 'def ping():', '    return requests.get(BASE + "/health")', '', 'def far():', '    return requests.get(FAR + "/x")', ''].join('\n'),
    );
    expect(byLine(decouple, 'FL101')).toEqual({ 7: 'P2', 10: 'P1' });
  });

  it('FL120 and FL121: a blocking wait inside async def holds the event loop (P0); in a plain function or awaited it holds one task (P1)', async () => {
    // lnbits: smtplib.SMTP and Popen(...).wait() inside async handlers
    const a = await analyseSnippet(
      'mail.py',
      [
        'import asyncio',
        'import smtplib',
        'import subprocess',
        '',
        'async def send_email(msg):',
        '    with smtplib.SMTP("mail", 587) as s:',
        '        s.send_message(msg)',
        '',
        'def send_sync(msg):',
        '    smtplib.SMTP("mail", 587).send_message(msg)',
        '',
        'async def backup(path):',
        '    proc = subprocess.Popen(["pg_dump", "-f", path])',
        '    proc.wait()',
        '',
        'async def backup_async(path):',
        '    proc = await asyncio.create_subprocess_exec("pg_dump", "-f", path)',
        '    await proc.wait()',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL121')).toEqual({ 6: 'P0', 10: 'P1' });
    expect(byLine(a, 'FL120')).toEqual({ 14: 'P0', 18: 'P1' });
  });

  it('FL552: a module global latched by a boot-time probe stays P0 (dead for the life of the process), like one an error path at run time clears', async () => {
    // FitTrackee's __init__.py: `redis_available = False` when the import-time ping fails
    const a = await analyseSnippet(
      'app.py',
      [
        'import redis',
        '',
        'redis_client = redis.from_url("redis://redis")',
        'redis_available = True',
        'try:',
        '    redis_client.ping()',
        'except redis.exceptions.ConnectionError:',
        '    redis_available = False',
        '',
        'queue_conn = None',
        '',
        'def publish(msg):',
        '    global queue_conn',
        '    try:',
        '        queue_conn.publish(msg)',
        '    except redis.exceptions.ConnectionError:',
        '        queue_conn = None',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL552')).toEqual({ 8: 'P0', 17: 'P0' });
  });

  it('FL552: a cache client is P1 and a metrics client P2; one the work needs keeps its priority', async () => {
    // unstract's WorkerCacheManager: a Redis cache turned off when its first connect fails
    const a = await analyseSnippet(
      'managers.py',
      [
        'import redis',
        '',
        'class WorkerCacheManager:',
        '    def connect(self):',
        '        try:',
        '            self._redis_client = redis.Redis()',
        '            self._redis_client.ping()',
        '        except Exception:',
        '            self._redis_client = None',
        '',
        'class MetricsMixin:',
        '    def record(self):',
        '        try:',
        '            self.redis_client.incr("calls")',
        '        except Exception:',
        '            self.redis_client = None',
        '',
        'class QueueManager:',
        '    def connect(self):',
        '        try:',
        '            self._redis_client = redis.Redis()',
        '            self._redis_client.ping()',
        '        except Exception:',
        '            self._redis_client = None',
        '',
      ].join('\n'),
    );
    // the queue's connect() restores it but nothing in the class calls it again: P1, not lowered
    expect(byLine(a, 'FL552')).toEqual({ 9: 'P1', 16: 'P2', 24: 'P1' });
  });

  it('FL552: a spam filter whose client is dropped fails open: P2', async () => {
    // wiki.js's comment module: Akismet unreachable at init, comments go unchecked
    const a = await analyseSnippet(
      'comment.js',
      [
        "const { AkismetClient } = require('akismet-api')",
        'let akismetClient = null',
        'module.exports = {',
        '  async init (config) {',
        '    try {',
        '      akismetClient = new AkismetClient({ key: config.akismet })',
        '      await akismetClient.verifyKey()',
        '    } catch (err) {',
        '      akismetClient = null',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL552')).toEqual({ 9: 'P2' });
  });

  it('FL050: Django settings that allow every origin only in the branch taken when no origins are configured are P1; unconditionally P0', async () => {
    const head = ['import os', 'CORS_ALLOW_CREDENTIALS = True', 'origins = os.environ.get("CORS_ALLOWED_ORIGINS", "")'];
    const branch = await analyseSnippet('settings.py', [...head, 'if origins:', '    CORS_ALLOWED_ORIGINS = origins.split(",")', 'else:', '    CORS_ALLOW_ALL_ORIGINS = True', ''].join('\n'));
    expect(byLine(branch, 'FL050')).toEqual({ 7: 'P1' });
    const always = await analyseSnippet('settings.py', [...head, 'CORS_ALLOW_ALL_ORIGINS = True', ''].join('\n'));
    expect(byLine(always, 'FL050')).toEqual({ 4: 'P0' });
  });

  it('FL550: a client ended in the function that opens it is P2; a long-lived one keeps P0', async () => {
    const a = await analyseSnippet(
      'db.ts',
      [
        "import { Client, Pool } from 'pg';",
        'const pool = new Pool();',
        'export async function createDatabase() {',
        '  const client = new Client();',
        '  try {',
        '    await client.connect();',
        "    await client.query('CREATE DATABASE app');",
        '  } finally {',
        '    await client.end();',
        '  }',
        '}',
        'export async function leaks() {',
        '  const other = new Client();',
        '  await other.connect();',
        '  return 1;',
        '}',
        'export const q = () => pool.query("select 1");',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL550')).toEqual({ 2: 'P0', 4: 'P2', 13: 'P0' });
  });

  it('FL550: a class that ends its client in the finally of each query is P1; one that keeps it open stays P0', async () => {
    // anything-llm's SQL connector: built in the constructor, ended after every query
    const a = await analyseSnippet(
      'connector.js',
      [
        "const pg = require('pg');",
        'class PerQuery {',
        '  constructor(url) {',
        '    this._client = new pg.Client({ connectionString: url });',
        '  }',
        '  async run(sql) {',
        '    try {',
        '      await this._client.connect();',
        '      return await this._client.query(sql);',
        '    } finally {',
        '      await this._client.end();',
        '    }',
        '  }',
        '}',
        'class KeepsOpen {',
        '  constructor(url) {',
        '    this.client = new pg.Client({ connectionString: url });',
        '  }',
        '  async run(sql) {',
        '    return this.client.query(sql);',
        '  }',
        '  async close() {',
        '    await this.client.end();',
        '  }',
        '}',
        'module.exports = { PerQuery, KeepsOpen };',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL550')).toEqual({ 4: 'P1', 17: 'P0' });
  });
});

describe('FL150 priority: a pool queues its callers, a single client does not', () => {
  it('a pg Pool without connectionTimeoutMillis is P0; a pg Client, whose connect the OS abandons, is P1', async () => {
    const a = await analyseSnippet('db.ts', ["import { Client, Pool } from 'pg';", 'export const pool = new Pool();', 'export const client = new Client();', ''].join('\n'));
    expect(byLine(a, 'FL150')).toEqual({ 2: 'P0', 3: 'P1' });
  });
});

describe('FL601 priority: only a repeated charge is P1', () => {
  it("P1 for a charge; P2 for a money-like row and for a row whose retry sends an e-mail or enqueues a job again", async () => {
    const { join } = await import('node:path');
    const { analyseCodeFile, FIXTURES } = await import('./fixture-harness.js');
    const a = await analyseCodeFile(join(FIXTURES, 'post-create-without-idempotency-key', 'bad.py'), 'bad.py');
    const p = byLine(a, 'FL601');
    // create_order (a money-like row), open_ticket (e-mail), SignupList.post (job), pay (a charge)
    expect([p[21], p[30], p[38], p[46]]).toEqual(['P2', 'P2', 'P2', 'P1']);
  });
});

describe('FL355 priority follows what a re-raise would buy', () => {
  it('P1 where the task declares a retry the return defeats; P2 where it declares none', async () => {
    const a = await analyseSnippet(
      'tasks.py',
      [
        'import requests',
        'from celery import shared_task',
        '',
        '@shared_task(bind=True, autoretry_for=(requests.RequestException,))',
        'def push(self, x):',
        '    try:',
        '        requests.post("https://erp.example.com", json=x, timeout=5)',
        '    except Exception as e:',
        '        print(e)',
        '        return False',
        '',
        '@shared_task',
        'def save_action(x):',
        '    try:',
        '        requests.post("https://erp.example.com", json=x, timeout=5)',
        '    except Exception:',
        '        return False',
        '',
        '@shared_task(bind=True)',
        'def sync(self, x):',
        '    try:',
        '        requests.get("https://erp.example.com/lock", timeout=5)',
        '    except requests.Timeout as exc:',
        '        raise self.retry(exc=exc)',
        '    try:',
        '        requests.post("https://erp.example.com", json=x, timeout=5)',
        '    except Exception:',
        '        return None',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL355')).toEqual({ 8: 'P1', 16: 'P2', 27: 'P1' });
  });
});
