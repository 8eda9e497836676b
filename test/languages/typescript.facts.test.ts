import { describe, expect, it } from 'vitest';
import { createTypeScriptAdapter, extractTypeScript } from '../../src/languages/typescript/index.js';
import type { CallFact, FileFacts, Value } from '../../src/languages/types.js';

const x = (src: string, path = 'src/a.ts'): FileFacts => extractTypeScript(path, src);
const call = (f: FileFacts, callee: string, nth = 0): CallFact => {
  const found = f.calls.filter((c) => c.callee === callee);
  if (!found[nth]) throw new Error(`no call ${callee}; have ${f.calls.map((c) => c.callee).join(', ')}`);
  return found[nth];
};
const obj = (v: Value | undefined) => {
  if (!v || v.kind !== 'object') throw new Error(`not an object: ${JSON.stringify(v)}`);
  return v;
};

describe('typescript adapter: imports', () => {
  it('resolves default, named, namespace, require and import-equals, dropping node:', () => {
    const f = x(`
      import axios from 'axios';
      import { Pool as PgPool, Client } from 'pg';
      import * as http from 'node:http';
      import type { Foo } from 'foo';
      const { Queue, Worker: W } = require('bullmq');
      const Redis = require('ioredis');
      const nats = require('nats').connect;
      import amqp = require('amqplib');
      axios.get(u); new PgPool(); new Client(); http.request(u); new Queue('q'); new W('q', fn);
      new Redis(); nats(); amqp.connect(u);
    `);
    expect(f.imports.map((i) => [i.module, i.name, i.local])).toEqual([
      ['axios', undefined, 'axios'],
      ['pg', 'Pool', 'PgPool'],
      ['pg', 'Client', 'Client'],
      ['http', undefined, 'http'],
      ['bullmq', 'Queue', 'Queue'],
      ['bullmq', 'Worker', 'W'],
      ['ioredis', undefined, 'Redis'],
      ['nats', 'connect', 'nats'],
      ['amqplib', undefined, 'amqp'],
    ]);
    const q = f.calls.filter((c) => c.callee !== 'require').map((c) => [c.qualified, c.isNew]);
    expect(q).toEqual([
      ['axios.get', false],
      ['pg.Pool', true],
      ['pg.Client', true],
      ['http.request', false],
      ['bullmq.Queue', true],
      ['bullmq.Worker', true],
      ['ioredis', true],
      ['nats.connect', false],
      ['amqplib.connect', false],
    ]);
  });

  it('keeps unbound globals as written and leaves parameters and locals unresolved', () => {
    const f = x(`
      import pg from 'pg';
      fetch(u); setTimeout(fn, 10); new pg.Pool();
      function h(axios) { axios.get(u); }
      for (const client of clients) client.query('x');
    `);
    expect(call(f, 'fetch').qualified).toBe('fetch');
    expect(call(f, 'setTimeout').qualified).toBe('setTimeout');
    expect(call(f, 'pg.Pool')).toMatchObject({ qualified: 'pg.Pool', isNew: true });
    expect(call(f, 'axios.get').qualified).toBeNull();
    expect(call(f, 'client.query').qualified).toBeNull();
  });
});

describe('typescript adapter: aliases and exports', () => {
  it('follows const aliases, exported bindings and require(...).default', () => {
    const f = x(`
      import axios from 'axios';
      const http = axios;
      export const client = http.create({ timeout: 1 });
      export default client;
      const { default: got } = require('got');
      const Redis = require('ioredis').default;
      http.get(u); client.post(u); got(u); new Redis();
    `, 'src/a.mts');
    expect(call(f, 'http.get').qualified).toBe('axios.get');
    expect(call(f, 'client.post')).toMatchObject({ qualified: 'axios.create().post', receiverCall: call(f, 'http.create').id });
    expect(call(f, 'got').qualified).toBe('got');
    expect(call(f, 'Redis').qualified).toBe('ioredis');
  });
});

describe('typescript adapter: instances', () => {
  it('an axios instance made at module level is seen in another function', () => {
    const f = x(`
      import axios from 'axios';
      export const api = axios.create({ baseURL: B, timeout: 5000 });
      export async function load() { return (await api.get('/a')).data; }
      const other = () => axios.create().post('/b');
    `);
    const create = call(f, 'axios.create');
    const get = call(f, 'api.get');
    expect(get.qualified).toBe('axios.create().get');
    expect(get.receiverCall).toBe(create.id);
    expect(get.scope.awaited).toBe(true);
    expect(get.scope.inAsync).toBe(true);
    const chained = f.calls.find((c) => c.qualified === 'axios.create().post');
    expect(chained?.receiverCall).toBe(call(f, 'axios.create', 1).id);
  });

  it('this.client set in the constructor or as a class field is visible in every method', () => {
    const f = x(`
      import Redis from 'ioredis';
      import { Pool } from 'pg';
      class Store {
        private pool = new Pool({ connectionTimeoutMillis: 5000 });
        async get(k: string) { return this.client.get(k); }
        constructor(private readonly injected: Redis) { this.client = new Redis(url); }
        q() { this.pool.query('select 1'); this.injected.get('x'); }
      }
    `);
    expect(call(f, 'this.client.get')).toMatchObject({ qualified: 'ioredis().get', receiverCall: call(f, 'Redis').id });
    expect(call(f, 'this.pool.query')).toMatchObject({ qualified: 'pg.Pool().query', receiverCall: call(f, 'Pool').id });
    expect(call(f, 'this.injected.get').qualified).toBeNull();
    const a = f.assignments.find((s) => s.target === 'this.client');
    expect(a).toMatchObject({ selfAttr: 'client', value: { kind: 'call', callId: call(f, 'Redis').id } });
    expect(f.assignments.find((s) => s.target === 'this.pool')?.selfAttr).toBe('pool');
  });

  it('await around a constructor, let-then-assign, and `opts.fetch ?? fetch`', () => {
    const f = x(`
      import { MongoClient } from 'mongodb';
      import { createClient } from 'redis';
      let client = null;
      async function init() { client = createClient(); await client.connect(); }
      async function main(opts) {
        const mc = await MongoClient.connect(uri);
        mc.db('x');
        const doFetch = opts.fetch ?? fetch;
        await doFetch(u);
      }
    `);
    expect(call(f, 'client.connect').qualified).toBe('redis.createClient().connect');
    expect(call(f, 'mc.db').qualified).toBe('mongodb.MongoClient.connect().db');
    expect(call(f, 'doFetch').qualified).toBe('fetch');
  });

  it('assignments to library defaults resolve through the import or the instance', () => {
    const f = x(`
      import axios from 'axios';
      const api = axios.create();
      axios.defaults.timeout = 5000;
      api.defaults.timeout = 0;
      let n = 1; n += 2;
    `);
    expect(f.assignments.find((a) => a.target === 'axios.defaults.timeout')).toMatchObject({
      qualified: 'axios.defaults.timeout',
      value: { kind: 'number', value: 5000 },
    });
    expect(f.assignments.find((a) => a.target === 'api.defaults.timeout')).toMatchObject({
      qualified: 'axios.create().defaults.timeout',
      receiverCall: call(f, 'axios.create').id,
    });
    expect(f.assignments.filter((a) => a.target === 'n').map((a) => a.augmented)).toEqual([false, true]);
  });
});

describe('typescript adapter: argument values', () => {
  it('fetch with AbortSignal.timeout, a controller, spread options and const-bound options', () => {
    const f = x(`
      const TIMEOUT = 5000;
      const cfg = { timeout: 0, retry: { limit: 2 } };
      async function go(rest) {
        await fetch(u, { signal: AbortSignal.timeout(TIMEOUT) });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 1000);
        await fetch(u, { signal: controller.signal, method: 'POST', body: undefined, n: -1, inf: Infinity });
        await fetch(u, { ...rest, headers });
        await fetch(...args);
        axios.get(u, cfg);
        axios.get(u, { timeout: cfg.timeout });
      }
    `);
    const first = obj(call(f, 'fetch', 0).args[1]);
    expect(first.props.signal).toMatchObject({ kind: 'call', callId: call(f, 'AbortSignal.timeout').id });
    expect(call(f, 'AbortSignal.timeout').args[0]).toMatchObject({
      kind: 'name',
      text: 'TIMEOUT',
      resolved: { kind: 'number', value: 5000 },
    });
    expect(call(f, 'AbortSignal.timeout').scope.argOfCalls).toEqual([call(f, 'fetch', 0).id]);
    const second = obj(call(f, 'fetch', 1).args[1]);
    expect(second.props.signal).toMatchObject({ kind: 'name', text: 'controller.signal', qualified: 'AbortController().signal' });
    expect(second.props.body).toMatchObject({ kind: 'null' });
    expect(second.props.n).toMatchObject({ kind: 'number', value: -1 });
    expect(second.props.inf).toMatchObject({ kind: 'number', value: Infinity });
    expect(second.open).toBe(false);
    const third = obj(call(f, 'fetch', 2).args[1]);
    expect(third.open).toBe(true);
    expect(third.props.headers).toMatchObject({ kind: 'name', text: 'headers' });
    expect(call(f, 'fetch', 3)).toMatchObject({ argsOpen: true, args: [], kwargs: {}, kwargsOpen: false });
    expect(call(f, 'axios.get', 0).args[1]).toMatchObject({
      kind: 'name',
      resolved: { kind: 'object', props: { timeout: { kind: 'number', value: 0 } } },
    });
    expect(obj(call(f, 'axios.get', 1).args[1]).props.timeout).toMatchObject({ resolved: { kind: 'number', value: 0 } });
  });

  it('fetch raced against a timer is an argument of Promise.race', () => {
    const f = x(`
      async function g() {
        return await Promise.race([fetch(u), new Promise((_, rej) => setTimeout(rej, 5000))]);
      }
    `);
    const race = call(f, 'Promise.race');
    expect(call(f, 'fetch').scope.argOfCalls).toEqual([race.id]);
    expect(race.scope.awaited).toBe(true);
    expect(call(f, 'fetch').scope.awaited).toBe(false);
  });
});

describe('typescript adapter: scope, functions, classes', () => {
  it('records handlers passed as arguments, loops and nested functions', () => {
    const f = x(`
      import express from 'express';
      const app = express();
      app.post('/charge', async (req, res) => {
        for (const item of req.body.items) { await stripe.charges.create(item); }
      });
      client.on('error', function onError(err) { log(err); });
    `);
    const post = call(f, 'app.post');
    expect(post.qualified).toBe('express().post');
    const handler = f.functions.find((fn) => fn.argOfCall === post.id);
    expect(handler).toMatchObject({ argIndex: 1, isAsync: true, name: '', params: [{ name: 'req' }, { name: 'res' }] });
    const charge = call(f, 'stripe.charges.create');
    expect(charge.scope).toMatchObject({ functionId: handler?.id, inLoop: true, inAsync: true, awaited: true, argOfCalls: [] });
    const onError = f.functions.find((fn) => fn.name === 'onError');
    expect(onError).toMatchObject({ argOfCall: call(f, 'client.on').id, argIndex: 1 });
    expect(call(f, 'client.on').args[1]).toMatchObject({ kind: 'function', functionId: onError?.id });
  });

  it('splits destructured parameters with defaults into individual params', () => {
    const f = x(`
      export function useSocket(url: string, { maxReconnectAttempts = 5, delay = 1000, onOpen } = {}) {}
      const connect = (opts = {}, retries = 3) => {};
    `);
    const fn = f.functions.find((g) => g.name === 'useSocket');
    expect(fn?.params.map((p) => [p.name, p.default && 'value' in p.default ? p.default.value : undefined])).toEqual([
      ['url', undefined],
      ['maxReconnectAttempts', 5],
      ['delay', 1000],
      ['onOpen', undefined],
    ]);
    const arrow = f.functions.find((g) => g.name === 'connect');
    expect(arrow?.params.map((p) => p.name)).toEqual(['opts', 'retries']);
    expect(arrow?.params[1].default).toMatchObject({ kind: 'number', value: 3 });
  });

  it('records classes with extends, methods with decorators, and class-field arrows', () => {
    const f = x(`
      import { EventEmitter } from 'events';
      import { Processor, Process } from '@nestjs/bull';
      @Processor('mail')
      export class MailWorker extends EventEmitter {
        @Process({ concurrency: 2 }) async handle(job) {}
        onClose = () => { this.connected = false; };
      }
    `);
    expect(f.classes).toHaveLength(1);
    expect(f.classes[0]).toMatchObject({ name: 'MailWorker', bases: ['events.EventEmitter'] });
    const handle = f.functions.find((g) => g.name === 'handle');
    expect(handle).toMatchObject({ qualifiedName: 'MailWorker.handle', classId: 0, isAsync: true });
    expect(handle?.decorators[0]).toMatchObject({ text: 'Process({ concurrency: 2 })', qualified: '@nestjs/bull.Process' });
    expect(handle?.decorators[0].callId).toBe(call(f, 'Process').id);
    const onClose = f.functions.find((g) => g.name === 'onClose');
    expect(onClose).toMatchObject({ qualifiedName: 'MailWorker.onClose', classId: 0 });
    const a = f.assignments.find((s) => s.target === 'this.connected');
    expect(a).toMatchObject({ selfAttr: 'connected', value: { kind: 'boolean', value: false } });
    expect(a?.scope).toMatchObject({ functionId: onClose?.id, classId: 0 });
  });
});

describe('typescript adapter: try/catch summaries', () => {
  it('summarises handlers: log-only, rethrow, return, empty, finally, nesting', () => {
    const f = x(`
      async function f(queue, logger) {
        try { await queue.add('job', data); } catch (e) { console.error('failed', e); }
        try { await queue.add('job', data); } catch (e) { logger.warn(e); throw e; }
        try { await queue.add('job', data); } catch { return null; }
        try { a(); } catch (e) {} finally { done(); }
        try { a(); } catch (e) { this.logger.error(e); await job.moveToFailed(e); }
      }
    `);
    const [t0, t1, t2, t3, t4] = f.tries;
    expect(t0.handlers[0]).toMatchObject({ logOnly: true, reraises: false, returns: false, empty: false, callees: ['console.error'], types: [] });
    expect(t1.handlers[0]).toMatchObject({ logOnly: false, reraises: true, callees: ['logger.warn'] });
    expect(t2.handlers[0]).toMatchObject({ returns: true, logOnly: false });
    expect(t3).toMatchObject({ hasFinally: true });
    expect(t3.handlers[0]).toMatchObject({ empty: true, logOnly: true });
    expect(t4.handlers[0]).toMatchObject({ logOnly: false, callees: ['this.logger.error', 'job.moveToFailed'] });
    expect(call(f, 'queue.add').scope.tries).toEqual([{ tryId: 0, part: 'body' }]);
    expect(call(f, 'console.error').scope.tries).toEqual([{ tryId: 0, part: 'handler', handlerIndex: 0 }]);
    expect(call(f, 'done').scope.tries).toEqual([{ tryId: 3, part: 'finally' }]);
  });

  it('does not carry a try into a callback defined inside it', () => {
    const f = x(`try { emitter.on('x', () => { send(); }); } catch (e) {}`);
    expect(call(f, 'send').scope.tries).toEqual([]);
    expect(call(f, 'emitter.on').scope.tries).toEqual([{ tryId: 0, part: 'body' }]);
  });
});

describe('typescript adapter: files, syntax errors, locations, suppressions', () => {
  it('parses tsx and jsx, mjs and cjs', () => {
    const tsx = x(`import { useEffect } from 'react';\nexport function C(): JSX.Element { useEffect(() => { fetch(u); }, []); return <div onClick={() => save()}>{t}</div>; }`, 'src/C.tsx');
    expect(tsx.hasSyntaxErrors).toBe(false);
    expect(tsx.calls.map((c) => c.qualified)).toEqual(['react.useEffect', 'fetch', 'save']);
    const jsx = x(`const ws = new WebSocket(url);\nexport default () => <a href={x}>{ws.send('x')}</a>;`, 'src/C.jsx');
    expect(jsx.hasSyntaxErrors).toBe(false);
    expect(jsx.calls.map((c) => c.qualified)).toEqual(['WebSocket', 'WebSocket().send']);
    expect(x(`import x from 'y'; export default x;`, 'a.mjs').hasSyntaxErrors).toBe(false);
    expect(x(`module.exports = require('y');`, 'a.cjs').calls[0].qualified).toBe('require');
  });

  it('keeps partial facts from broken code', () => {
    const f = x(`import axios from 'axios';\nfunction broken( {\n  axios.get(url\n}\nconst ok = axios.post(u, { timeout: 1 });`);
    expect(f.hasSyntaxErrors).toBe(true);
    expect(f.calls.map((c) => c.qualified)).toContain('axios.post');
  });

  it('uses 1-based lines and UTF-16 columns', () => {
    const f = x(`const s = '😀é'; fetch(u);\n  axios.get(u);`);
    expect(call(f, 'fetch').loc).toEqual({ line: 1, column: 18, endLine: 1, endColumn: 26 });
    expect(call(f, 'axios.get').calleeLoc).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 12 });
  });

  it('reads suppressions from real comments only', () => {
    const f = x(
      [
        `// faultline: ignore[FL101] proxied by envoy`,
        `axios.get(u); // faultline: ignore[FL101, pg-pool-no-error-listener] - legacy`,
        `const s = "// faultline: ignore[FL999] not a comment";`,
        `/* faultline: ignore[FL300] retried upstream */ go();`,
        `// faultline: ignore`,
      ].join('\n'),
    );
    expect(f.suppressions.map((s) => [s.line, s.rules, s.reason, s.ownLine])).toEqual([
      [1, ['FL101'], 'proxied by envoy', true],
      [2, ['FL101', 'pg-pool-no-error-listener'], 'legacy', false],
      [4, ['FL300'], 'retried upstream', true],
      [5, [], '', true],
    ]);
    expect(f.suppressions[1].loc.column).toBe(15);
    expect(x('axios.get(u);').suppressions).toEqual([]);
  });

  it('is exposed through the adapter factory', async () => {
    const a = await createTypeScriptAdapter();
    expect(a.language).toBe('typescript');
    expect(a.extract('x.js', 'fetch(u)').calls[0].qualified).toBe('fetch');
  });
});

describe('typescript adapter: exports', () => {
  const ex = (f: FileFacts) => f.exports.map((e) => [e.name, e.local, e.from, e.value?.kind]);

  it('records ES exports: declarations, lists, defaults and re-exports, not types', () => {
    const f = x(`
      import axios from 'axios';
      export const api = axios.create({ timeout: 5000 }), other = 1;
      export const { a, b: [c] } = obj;
      export async function fetchJson(u: string) { return api.get(u); }
      export class Client {}
      export enum Mode { A }
      export type T = string;
      export interface I {}
      const local = 1, hidden = 2;
      export { local, hidden as shown };
      export { type T as U };
      export { x as y, default as z } from './b';
      export * from 'node:events';
      export * as ns from './ns';
      export default api;
      namespace N { export const inner = 1; }
      declare module 'm' { export const ambient: number; }
    `);
    expect(ex(f)).toEqual([
      ['api', 'api', undefined, undefined],
      ['other', 'other', undefined, undefined],
      ['a', 'a', undefined, undefined],
      ['c', 'c', undefined, undefined],
      ['fetchJson', 'fetchJson', undefined, undefined],
      ['Client', 'Client', undefined, undefined],
      ['Mode', 'Mode', undefined, undefined],
      ['local', 'local', undefined, undefined],
      ['shown', 'hidden', undefined, undefined],
      ['y', 'x', './b', undefined],
      ['z', 'default', './b', undefined],
      ['*', undefined, 'events', undefined],
      ['ns', '*', './ns', undefined],
      ['default', 'api', undefined, undefined],
    ]);
  });

  it('records default exports of values, functions and classes', () => {
    expect(ex(x(`export default axios.create({ timeout: 1 });`))).toEqual([['default', undefined, undefined, 'call']]);
    expect(ex(x(`export default function handler() {}`))).toEqual([['default', 'handler', undefined, undefined]]);
    const anon = x(`export default async function () {}`);
    expect(ex(anon)).toEqual([['default', undefined, undefined, 'function']]);
    expect(anon.exports[0].value).toMatchObject({ functionId: 0 });
    expect(ex(x(`export default class {}`))).toEqual([['default', undefined, undefined, undefined]]);
    expect(ex(x(`const api = 1; export = api;`))).toEqual([['default', 'api', undefined, undefined]]);
  });

  it('records CommonJS exports', () => {
    const f = x(
      `
      const axios = require('axios');
      const api = axios.create({ timeout: 1 });
      module.exports = { api, get: (u) => api.get(u), client: api };
      exports.post = async (u) => api.post(u);
      module.exports.raw = api;
      function later() { module.exports = api; }
    `,
      'src/a.js',
    );
    expect(ex(f)).toEqual([
      ['api', 'api', undefined, undefined],
      ['get', undefined, undefined, 'function'],
      ['client', 'api', undefined, undefined],
      ['post', undefined, undefined, 'function'],
      ['raw', 'api', undefined, undefined],
      ['default', 'api', undefined, undefined],
    ]);
    expect(ex(x(`module.exports = axios.create();`, 'a.js'))).toEqual([['default', undefined, undefined, 'call']]);
    expect(x(`module.exports.a.b = 1; exports += 1;`, 'a.js').exports).toEqual([]);
  });
});

describe('typescript adapter: listeners attached by property', () => {
  it('an onerror/onclose assignment names the instance it is set on', () => {
    const f = x(`
      import WebSocket from 'ws';
      const ws = new WebSocket(u);
      ws.onerror = (e) => log(e);
      class Feed {
        socket = new WebSocket(u);
        open() { this.socket.onclose = () => this.open(); }
      }
      injected.onerror = null;
    `);
    const [onerror, onclose, other] = f.assignments.filter((a) => a.target.includes('.on'));
    expect(onerror).toMatchObject({ target: 'ws.onerror', qualified: 'ws().onerror', receiverCall: call(f, 'WebSocket').id, value: { kind: 'function' } });
    expect(onclose).toMatchObject({ target: 'this.socket.onclose', qualified: 'ws().onclose', receiverCall: call(f, 'WebSocket', 1).id });
    expect(other).toMatchObject({ target: 'injected.onerror', qualified: 'injected.onerror', value: { kind: 'null' } }); // an unbound global stays as written
    expect(other.receiverCall).toBeUndefined();
  });
});

describe('typescript adapter: options objects filled in before the call', () => {
  const resolved = (f: FileFacts, nth: number) => {
    const v = call(f, 'axios', nth).args[0];
    if (v.kind !== 'name') throw new Error(v.kind);
    const r = v.resolved;
    if (!r || r.kind !== 'object') throw new Error(JSON.stringify(r));
    return { keys: Object.keys(r.props), unknown: r.unknownKeys ?? [], props: r.props };
  };

  it('merges writes that surely ran, marks maybe-run writes unknown, ignores later ones', () => {
    const f = x(`
      import axios from 'axios';
      const shared = { baseURL: '/api' };
      shared.timeout = 1000;
      export async function f(flag: boolean) {
        const options = { url: '/a' };
        options.timeout = 0;
        options['retry'] = { count: 2 };
        options.retry.delay = 10;
        if (flag) options.headers = {};
        flag && (options.proxy = false);
        await axios(options);
        options.later = 1;
        await axios(shared);
        const cb = () => axios(options);
        options.afterCb = 1;
        delete options.url;
        await axios(options);
        for (const u of [1]) { await axios(options); options.loop = u; }
      }
    `);
    const first = resolved(f, 0);
    expect(first.keys).toEqual(['url', 'timeout', 'retry']);
    expect(first.unknown).toEqual(['headers', 'proxy']);
    expect(first.props.timeout).toMatchObject({ kind: 'number', value: 0, loc: { line: 7 } });
    expect(first.props.retry).toMatchObject({ kind: 'object', props: { count: { value: 2 }, delay: { value: 10 } } });
    expect(resolved(f, 1).keys).toEqual(['baseURL', 'timeout']); // module-level writes before the function ran first
    const inCb = resolved(f, 2);
    expect(inCb.keys).toContain('later');
    expect(inCb.unknown).toEqual(expect.arrayContaining(['afterCb', 'url']));
    expect(resolved(f, 3).unknown).toContain('url'); // delete: unknown
    expect(resolved(f, 4).unknown).toContain('loop'); // set after the call, but before the next iteration
    // the binding's own literal is left alone
    const decl = f.assignments.find((a) => a.target === 'options')!;
    expect(decl.value).toMatchObject({ kind: 'object', props: { url: {} } });
    expect(decl.value.kind === 'object' && Object.keys(decl.value.props)).toEqual(['url']);
  });

  it('does not merge writes to another binding of the same name or from another function', () => {
    const f = x(`
      import axios from 'axios';
      function setup() { const options = {}; options.timeout = 1; }
      export function g() {
        const options = { url: '/' };
        return axios(options);
      }
      export function h(opts) { opts.timeout = 5; return axios(opts); }
    `);
    expect(resolved(f, 0)).toMatchObject({ keys: ['url'], unknown: [] });
    const v = call(f, 'axios', 1).args[0];
    expect(v.kind === 'name' && v.resolved).toBeFalsy(); // a parameter: unknown as before
  });
});

describe('typescript adapter: values that live for one call (lifetime)', () => {
  it("marks instances built, used and dropped in their function, and nothing that may outlive it", () => {
    const f = x(`
      import https from 'node:https';
      import axios from 'axios';
      const atTop = new https.Agent();
      export async function handler(req, res) {
        const local = new https.Agent({ maxSockets: 50 });
        const r = await axios.get(u, { httpsAgent: local });
        local.destroy();
        await fetch(u, { agent: new https.Agent() });
        new https.Agent().destroy();
        const stored = new https.Agent(); this.agent = stored;
        const passed = new https.Agent(); register(passed);
        const returned = new https.Agent();
        const captured = new https.Agent(); setTimeout(() => captured.destroy(), 5);
        const viaClient = axios.create({ httpsAgent: new https.Agent() });
        return [returned, viaClient, r.data];
      }
    `);
    const agents = f.calls.filter((c) => c.callee === 'https.Agent').map((c) => [c.loc.line, c.lifetime]);
    expect(agents).toEqual([
      [4, undefined],
      [6, 'call'],
      [9, 'call'],
      [10, 'call'],
      [11, undefined],
      [12, undefined],
      [13, undefined],
      [14, undefined],
      [15, undefined],
    ]);
    expect(call(f, 'axios.get').lifetime).toBe('call'); // bound to r, only read through r.data
  });
});

describe('typescript adapter: declarations, destructured defaults, loops around tries', () => {
  it('marks declarations (also `let x;` and destructured defaults), not reassignments', () => {
    const f = x(`
      let client: unknown = null;
      let ws;
      const { retries = 5, delay } = options;
      function reset() { client = null; }
    `);
    expect(f.assignments.map((a) => [a.target, a.binds, a.value.kind])).toEqual([
      ['client', 'declares', 'null'],
      ['ws', 'declares', 'null'],
      ['retries', 'declares', 'number'],
      ['client', undefined, 'null'],
    ]);
  });

  it('says which try sits in a loop and which catch breaks out of it (not a switch or inner loop)', () => {
    const f = x(`
      async function loop() {
        while (true) {
          try { await check(); } catch { break; }
          try { await check(); } catch (e) { switch (e) { case 1: break; } }
        }
        try { run(); } catch { }
      }
    `);
    expect(f.tries.map((t) => t.inLoop ?? false)).toEqual([true, true, false]);
    expect(f.tries.map((t) => t.handlers[0].breaks ?? false)).toEqual([true, false, false]);
  });
});
