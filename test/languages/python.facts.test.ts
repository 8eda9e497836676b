import { beforeAll, describe, expect, it } from 'vitest';
import { createPythonAdapter } from '../../src/languages/python/index.js';
import type { CallFact, FileFacts, SourceAdapter, Value } from '../../src/languages/types.js';

let adapter: SourceAdapter;
beforeAll(async () => {
  adapter = await createPythonAdapter();
});

/** dedent so snippets can be written indented */
const dedent = (src: string): string => {
  const lines = src.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
};
const x = (src: string, path = 'pkg/svc/mod.py'): FileFacts => adapter.extract(path, dedent(src));
const call = (f: FileFacts, callee: string, nth = 0): CallFact => {
  const found = f.calls.filter((c) => c.callee === callee);
  if (!found[nth]) throw new Error(`no call ${callee}; have ${f.calls.map((c) => c.callee).join(', ')}`);
  return found[nth];
};
const strip = (v: Value | undefined): unknown => JSON.parse(JSON.stringify(v, (k, val) => (k === 'loc' ? undefined : val)));

describe('python adapter: imports and callee resolution', () => {
  it('resolves aliased imports, from-imports and dotted imports', () => {
    const f = x(`
      import requests as rq
      import os.path
      import urllib.request as ur
      from httpx import AsyncClient as AC, get
      rq.get(u)
      os.path.join(a, b)
      ur.urlopen(u)
      AC(timeout=5)
      get(u)
      print("x")
    `);
    expect(f.imports.map((i) => [i.module, i.name, i.local])).toEqual([
      ['requests', undefined, 'rq'],
      ['os.path', undefined, 'os'],
      ['urllib.request', undefined, 'ur'],
      ['httpx', 'AsyncClient', 'AC'],
      ['httpx', 'get', 'get'],
    ]);
    expect(f.calls.map((c) => c.qualified)).toEqual([
      'requests.get',
      'os.path.join',
      'urllib.request.urlopen',
      'httpx.AsyncClient',
      'httpx.get',
      'print',
    ]);
  });

  it('resolves relative imports against the package path', () => {
    const f = x(
      `
      from .client import make
      from ..core import db as database
      from . import tasks
      make(); database.connect(); tasks.send.kiq()
    `,
      'pkg/a/b.py',
    );
    expect(f.imports[0]).toMatchObject({ module: '.client', name: 'make', local: 'make' });
    expect(f.calls.map((c) => c.qualified)).toEqual(['pkg.a.client.make', 'pkg.core.db.connect', 'pkg.a.tasks.send.kiq']);
    const init = x('from .x import y\ny()', 'pkg/a/__init__.py');
    expect(init.calls[0].qualified).toBe('pkg.a.x.y');
  });

  it('leaves parameters, loop variables and unknown receivers unresolved', () => {
    const f = x(`
      import requests
      def f(session, requests_mod):
          session.get(u)
          for c in clients:
              c.get(u)
          obj.method()
      def g(requests):
          requests.get(u)
    `);
    expect(call(f, 'session.get').qualified).toBeNull();
    expect(call(f, 'c.get').qualified).toBeNull();
    expect(call(f, 'obj.method').qualified).toBeNull();
    expect(call(f, 'requests.get').qualified).toBeNull(); // shadowed by the parameter
  });

  it('binds a Session in __init__ and resolves it in another method, with receiverCall', () => {
    const f = x(`
      import requests
      import httpx
      class Api:
          def __init__(self):
              self.session = requests.Session()
              self.client = httpx.AsyncClient(timeout=10)
          def fetch(self, u):
              return self.session.get(u)
          async def post(self, u):
              return await self.client.post(u, json={})
          def close(self):
              self.client = None
    `);
    const get = call(f, 'self.session.get');
    expect(get.qualified).toBe('requests.Session().get');
    expect(f.calls[get.receiverCall!].qualified).toBe('requests.Session');
    const post = call(f, 'self.client.post');
    expect(post.qualified).toBe('httpx.AsyncClient().post');
    expect(post.scope.awaited).toBe(true);
    expect(post.scope.inAsync).toBe(true);
    expect(f.calls[post.receiverCall!].kwargs.timeout).toMatchObject({ kind: 'number', value: 10 });
  });

  it('does not bind self attributes set to different things (injected client)', () => {
    const f = x(`
      import httpx
      class A:
          def __init__(self, client=None):
              self.client = client or httpx.Client()
          def go(self):
              self.client.get(u)
    `);
    expect(call(f, 'self.client.get').qualified).toBeNull();
  });

  it('binds with/async-with targets, awaited constructors, local instances and chained calls', () => {
    const f = x(`
      import aiohttp, asyncpg, requests
      async def main():
          async with aiohttp.ClientSession() as s:
              async with s.get(u) as resp:
                  await resp.json()
          pool = await asyncpg.create_pool(dsn)
          await pool.fetch("select 1")
          s2 = requests.Session()
          s2.post(u, timeout=3)
          requests.Session().get(u)
    `);
    const get = call(f, 's.get');
    expect(get.qualified).toBe('aiohttp.ClientSession().get');
    expect(get.scope.withCalls).toEqual([call(f, 'aiohttp.ClientSession').id]);
    expect(call(f, 'resp.json').qualified).toBe('aiohttp.ClientSession().get().json');
    expect(call(f, 'resp.json').scope.withCalls).toEqual([get.id, call(f, 'aiohttp.ClientSession').id]);
    expect(call(f, 'pool.fetch').qualified).toBe('asyncpg.create_pool().fetch');
    expect(call(f, 's2.post').qualified).toBe('requests.Session().post');
    const chained = f.calls.find((c) => c.callee === 'requests.Session().get')!;
    expect(chained.qualified).toBe('requests.Session().get');
    expect(f.calls[chained.receiverCall!].callee).toBe('requests.Session');
  });
});

describe('python adapter: arguments and values', () => {
  it('reads keyword values as literals and marks **kwargs / *args as open', () => {
    const f = x(`
      import requests
      TIMEOUT = None
      LIMIT = 10
      requests.get(u, timeout=None, verify=False, retries=-3, x=1.5, h={"a": 1, **extra}, l=[1, "b"], t=TIMEOUT, n=LIMIT, c=make())
      requests.get(u, **kwargs)
      requests.get(*args)
    `);
    const c = f.calls[0];
    expect(strip(c.kwargs.timeout)).toEqual({ kind: 'null' });
    expect(strip(c.kwargs.verify)).toEqual({ kind: 'boolean', value: false });
    expect(strip(c.kwargs.retries)).toEqual({ kind: 'number', value: -3 });
    expect(strip(c.kwargs.x)).toEqual({ kind: 'number', value: 1.5 });
    expect(strip(c.kwargs.h)).toEqual({ kind: 'object', props: { a: { kind: 'number', value: 1 } }, open: true });
    expect(strip(c.kwargs.l)).toEqual({ kind: 'array', items: [{ kind: 'number', value: 1 }, { kind: 'string', value: 'b' }], open: false });
    expect(strip(c.kwargs.t)).toEqual({ kind: 'name', text: 'TIMEOUT', resolved: { kind: 'null' } });
    expect(strip(c.kwargs.n)).toEqual({ kind: 'name', text: 'LIMIT', resolved: { kind: 'number', value: 10 } });
    expect(c.kwargs.c).toMatchObject({ kind: 'call', callId: call(f, 'make').id, text: 'make()' });
    expect(c.argsOpen || c.kwargsOpen).toBe(false);
    expect(f.calls[2]).toMatchObject({ kwargsOpen: true, argsOpen: false });
    expect(f.calls[3]).toMatchObject({ kwargsOpen: false, argsOpen: true });
  });

  it('does not resolve names bound more than once, and qualifies imported names', () => {
    const f = x(`
      from app import settings
      T = 1
      T = 2
      f(t=T, s=settings.TIMEOUT)
    `);
    expect(strip(f.calls[0].kwargs.t)).toEqual({ kind: 'name', text: 'T' });
    expect(strip(f.calls[0].kwargs.s)).toEqual({ kind: 'name', text: 'settings.TIMEOUT', qualified: 'app.settings.TIMEOUT' });
  });

  it('records argOfCalls and lambdas passed as arguments', () => {
    const f = x(`
      asyncio.wait_for(client.get(u), timeout=5)
      loop.call_soon(lambda: fire())
    `);
    expect(call(f, 'client.get').scope.argOfCalls).toEqual([call(f, 'asyncio.wait_for').id]);
    const lam = f.functions[0];
    expect(lam).toMatchObject({ name: '', argOfCall: call(f, 'loop.call_soon').id, argIndex: 0 });
    expect(call(f, 'fire').scope.functionId).toBe(lam.id);
    expect(call(f, 'fire').scope.argOfCalls).toEqual([]); // a function boundary stops argOfCalls
  });
});

describe('python adapter: scopes, tries and handlers', () => {
  it('records nested tries with parts and handler summaries', () => {
    const f = x(`
      import logging
      log = logging.getLogger(__name__)
      def work():
          try:
              try:
                  broker.publish(m)
              except ConnectionError:
                  log.warning("publish failed")
          except (ValueError, requests.Timeout) as e:
              raise RuntimeError("x") from e
          except Exception:
              pass
          except:
              return None
          else:
              done()
          finally:
              cleanup()
          while True:
              poll()
    `);
    expect(f.tries).toHaveLength(2);
    const [outer, inner] = f.tries;
    const pub = call(f, 'broker.publish');
    expect(pub.scope.tries).toEqual([
      { tryId: inner.id, part: 'body' },
      { tryId: outer.id, part: 'body' },
    ]);
    expect(call(f, 'log.warning').scope.tries[0]).toEqual({ tryId: inner.id, part: 'handler', handlerIndex: 0 });
    expect(inner.handlers[0]).toMatchObject({
      types: ['ConnectionError'],
      logOnly: true,
      empty: false,
      reraises: false,
      callees: ['logging.getLogger().warning'],
    });
    expect(outer.hasFinally).toBe(true);
    expect(outer.handlers.map((h) => [h.types, h.empty, h.logOnly, h.reraises, h.returns])).toEqual([
      [['ValueError', 'requests.Timeout'], false, false, true, false],
      [['Exception'], true, true, false, false],
      [[], false, false, false, true],
    ]);
    expect(call(f, 'done').scope.tries[0]).toEqual({ tryId: outer.id, part: 'else' });
    expect(call(f, 'cleanup').scope.tries[0]).toEqual({ tryId: outer.id, part: 'finally' });
    expect(call(f, 'poll').scope.inLoop).toBe(true);
    expect(pub.scope.inLoop).toBe(false);
  });

  it('records what for loops iterate, resolved through the instance they read', () => {
    const f = x(`
      import subprocess
      async def go(cmd, rows):
          p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
          for line in p.stdout:
              pass
          async for r in rows:
              pass
          for i in range(3):
              pass
    `);
    const its = f.iterations ?? [];
    expect(its.map((i) => [i.text, i.qualified, i.async])).toEqual([
      ['p.stdout', 'subprocess.Popen().stdout', false],
      ['rows', null, true],
      ['range(3)', null, false],
    ]);
    expect(its[0].receiverCall).toBe(call(f, 'subprocess.Popen').id);
    expect(its[0].scope.functionId).toBe(f.functions[0].id);
  });

  it('marks facts in an if/elif/else or match branch (an elif test too), not the first test, and not across a function', () => {
    const f = x(`
      if check():
          LIMIT = 30
      elif other():
          then()
      else:
          fallback()
      match mode():
          case "a":
              picked()
      always()
      def inner():
          if cond():
              local()
          body()
    `);
    for (const c of ['check', 'mode', 'always', 'cond', 'body']) expect([c, call(f, c).scope.inBranch ?? false]).toEqual([c, false]);
    for (const c of ['other', 'then', 'fallback', 'picked', 'local']) expect([c, call(f, c).scope.inBranch]).toEqual([c, true]);
    expect(f.assignments.find((a) => a.target === 'LIMIT')?.scope.inBranch).toBe(true);
    expect(f.functions[0].scope.inBranch ?? false).toBe(false);
  });

  it('does not count raise/return inside nested functions of a handler', () => {
    const f = x(`
      try:
          go()
      except Exception:
          def later():
              raise ValueError()
          schedule(later)
    `);
    expect(f.tries[0].handlers[0]).toMatchObject({ reraises: false, returns: false, logOnly: false });
  });

  it('stops tries at function boundaries', () => {
    const f = x(`
      try:
          def inner():
              call_me()
      except Exception:
          pass
    `);
    expect(call(f, 'call_me').scope.tries).toEqual([]);
  });
});

describe('python adapter: functions, classes, assignments', () => {
  it('records decorators with call args, params with defaults and async', () => {
    const f = x(`
      from celery import shared_task
      from taskiq_nats import NatsBroker
      broker = NatsBroker(servers=["nats://n:4222"])
      @shared_task(acks_late=True, max_retries=3)
      def t1(order_id, *args, retry: int = 3, **kw):
          pass
      @broker.task
      async def t2(x=None):
          pass
    `);
    const [t1, t2] = f.functions;
    expect(t1.decorators[0]).toMatchObject({ text: 'shared_task(acks_late=True, max_retries=3)', qualified: 'celery.shared_task' });
    const deco = f.calls[t1.decorators[0].callId!];
    expect(strip(deco.kwargs.acks_late)).toEqual({ kind: 'boolean', value: true });
    expect(deco.scope.functionId).toBeUndefined();
    expect(t1.params.map((p) => [p.name, p.default && strip(p.default)])).toEqual([
      ['order_id', undefined],
      ['*args', undefined],
      ['retry', { kind: 'number', value: 3 }],
      ['**kw', undefined],
    ]);
    expect(t1.isAsync).toBe(false);
    expect(t2).toMatchObject({ isAsync: true, name: 't2', qualifiedName: 't2' });
    expect(t2.decorators[0]).toMatchObject({ text: 'broker.task', qualified: 'taskiq_nats.NatsBroker().task' });
    expect(t2.decorators[0].callId).toBeUndefined();
  });

  it('records classes with resolved bases, methods with classId, self assignments', () => {
    const f = x(`
      import redis
      from enum import Enum
      class State(Enum):
          OPEN = 1
      class Manager(Base, metaclass=Meta):
          def __init__(self):
              self.r = redis.Redis()
              self._connected = True
          def fail(self):
              self._connected = False
              self.r.timeout = 5
              self.retries += 1
    `);
    expect(f.classes.map((c) => [c.name, c.bases])).toEqual([
      ['State', ['enum.Enum']],
      ['Manager', ['Base']],
    ]);
    expect(f.functions.map((fn) => [fn.qualifiedName, fn.classId])).toEqual([
      ['Manager.__init__', 1],
      ['Manager.fail', 1],
    ]);
    const a = f.assignments.filter((s) => s.selfAttr === '_connected');
    expect(a.map((s) => [s.scope.functionId, strip(s.value)])).toEqual([
      [0, { kind: 'boolean', value: true }],
      [1, { kind: 'boolean', value: false }],
    ]);
    const t = f.assignments.find((s) => s.target === 'self.r.timeout')!;
    expect(t).toMatchObject({ qualified: 'redis.Redis().timeout', receiverCall: call(f, 'redis.Redis').id });
    expect(f.assignments.find((s) => s.target === 'self.retries')).toMatchObject({ augmented: true, selfAttr: 'retries' });
    expect(f.assignments.find((s) => s.target === 'OPEN')!.scope.classId).toBe(0);
  });
});

describe('python adapter: locations, errors, suppressions', () => {
  it('reports 1-based UTF-16 columns on non-ASCII lines', () => {
    const f = x('x = "é€😀"; requests.get(u)\n');
    // é, € and the astral emoji take 1, 1 and 2 UTF-16 units
    expect(f.calls[0].loc).toEqual({ line: 1, column: 13, endLine: 1, endColumn: 28 });
    expect(f.calls[0].calleeLoc).toEqual({ line: 1, column: 13, endLine: 1, endColumn: 25 });
  });

  it('recovers from syntax errors with partial facts', () => {
    const f = x(`
      import requests
      def broken(:
          pass
      requests.get(u)
      class
    `);
    expect(f.hasSyntaxErrors).toBe(true);
    expect(f.calls.some((c) => c.qualified === 'requests.get')).toBe(true);
    expect(x('requests.get(u)\n').hasSyntaxErrors).toBe(false);
  });

  it('reads suppressions only from comments', () => {
    const f = x(`
      # faultline: ignore[FL101, http-call-without-timeout] vendor SDK sets it
      requests.get(u)
      requests.get(u)  # faultline: ignore[FL101]
      s = "# faultline: ignore[FL999] not a comment"
      requests.get(u)  # faultline: ignore nothing listed
    `);
    expect(f.suppressions.map((s) => [s.line, s.rules, s.reason, s.ownLine])).toEqual([
      [1, ['FL101', 'http-call-without-timeout'], 'vendor SDK sets it', true],
      [3, ['FL101'], '', false],
      [5, [], 'nothing listed', false],
    ]);
    expect(x('requests.get(u)  # ignore[FL101]').suppressions).toEqual([]);
  });
});

describe('python adapter: module-local definitions', () => {
  it('keeps calls through functions and classes defined in the file as written', () => {
    const f = x(`
      @broker.task
      async def send_email(to):
          pass
      class Service:
          pass
      async def handler():
          await send_email.kiq("a")
          Service.create()
          Service().run()
    `);
    expect(call(f, 'send_email.kiq').qualified).toBe('send_email.kiq');
    expect(call(f, 'Service.create').qualified).toBe('Service.create');
    expect(call(f, 'Service().run').qualified).toBe('Service().run');
  });
});

describe('python adapter: exports', () => {
  it('reads __all__ (assigned, extended, appended) at module level only', () => {
    const f = x(`
      from .client import api
      __all__ = ["api", "fetch_json"]
      __all__ += ("Client",)
      __all__.append("helper")
      __all__.extend(["other"])
      def f():
          __all__ = ["not_this"]
    `);
    expect(f.exports.map((e) => [e.name, e.local])).toEqual([
      ['api', 'api'],
      ['fetch_json', 'fetch_json'],
      ['Client', 'Client'],
      ['helper', 'helper'],
      ['other', 'other'],
    ]);
    expect(f.exports[0].loc).toMatchObject({ line: 2, column: 12 });
    expect(x(`api = make()`).exports).toEqual([]);
  });
});

describe('python adapter: listeners attached by property', () => {
  it('a callback assigned to an attribute of a bound client names the client', () => {
    const f = x(`
      import paho.mqtt.client as mqtt
      client = mqtt.Client()
      client.on_disconnect = on_disconnect
      class Bridge:
          def __init__(self):
              self.client = mqtt.Client()
              self.client.on_connect = lambda *a: None
    `);
    const attrs = f.assignments.filter((a) => a.target.includes('.on_'));
    expect(attrs.map((a) => [a.target, a.qualified, a.receiverCall])).toEqual([
      ['client.on_disconnect', 'paho.mqtt.client.Client().on_disconnect', 0],
      ['self.client.on_connect', 'paho.mqtt.client.Client().on_connect', 1],
    ]);
  });
});

describe('python adapter: **kwargs from a dict built in the function', () => {
  it('knows the keys of a visibly built dict, with the writes that surely ran before the call', () => {
    const f = x(`
      import requests
      def f(url, slow, extra):
          kw = {"headers": {}}
          kw["timeout"] = None
          if slow:
              kw["verify"] = False
          r = requests.get(url, stream=True, **kw)
          kw["later"] = 1
          empty = {}
          requests.post(url, **empty)
          opened = {}
          opened.update(extra)
          requests.put(url, **opened)
          requests.delete(url, **extra)
    `);
    const get = call(f, 'requests.get');
    expect(get.kwargsOpen).toBe(false);
    expect(Object.keys(get.kwargs)).toEqual(['stream', 'headers', 'timeout']);
    expect(get.kwargs.timeout).toMatchObject({ kind: 'null', loc: { line: 4 } });
    expect(get.unknownKwargs).toEqual(['verify']);
    expect(call(f, 'requests.post')).toMatchObject({ kwargsOpen: false, kwargs: {} });
    expect(call(f, 'requests.post').unknownKwargs).toBeUndefined();
    expect(call(f, 'requests.put').kwargsOpen).toBe(true);
    expect(call(f, 'requests.delete').kwargsOpen).toBe(true);
  });

  it('keeps module-level dicts, parameters and dicts handed to other code open', () => {
    const f = x(`
      import requests
      KW = {}
      requests.get(u, **KW)
      def g(u, **kw):
          requests.get(u, **kw)
      def h(u):
          kw = {}
          fill(kw)
          requests.get(u, **kw)
          def inner():
              requests.get(u, **kw)
    `);
    expect(f.calls.filter((c) => c.callee === 'requests.get').map((c) => c.kwargsOpen)).toEqual([true, true, true, true]);
  });
});

describe('python adapter: values that live for one call (lifetime)', () => {
  it('marks sessions, clients and pools built, used and dropped in their function', () => {
    const f = x(`
      import requests, httpx, redis
      top = requests.Session()
      _pool = None
      def view(request):
          s = requests.Session()
          s.get(url)
          with httpx.Client(timeout=5) as c:
              c.get(url)
          requests.Session().get(url)
          pool = redis.ConnectionPool(host="x")
          redis.Redis(connection_pool=pool).get("k")
          kept = requests.Session()
          request.session_obj = kept
          ret = httpx.Client()
          return ret
      def lazy():
          global _pool
          _pool = redis.ConnectionPool()
      def closure():
          s = requests.Session()
          def inner():
              return s.get(u)
          return inner
      def passed():
          p = redis.ConnectionPool()
          serve(p)
    `);
    const ctors = f.calls.filter((c) => /Session$|Client$|ConnectionPool$|Redis$/.test(c.callee)).map((c) => [c.loc.line, c.callee, c.lifetime]);
    expect(ctors).toEqual([
      [2, 'requests.Session', undefined],
      [5, 'requests.Session', 'call'],
      [7, 'httpx.Client', 'call'],
      [9, 'requests.Session', 'call'],
      [10, 'redis.ConnectionPool', 'call'],
      [11, 'redis.Redis', 'call'],
      [12, 'requests.Session', undefined],
      [14, 'httpx.Client', undefined],
      [18, 'redis.ConnectionPool', undefined],
      [20, 'requests.Session', undefined],
      [25, 'redis.ConnectionPool', undefined],
    ]);
  });
});

describe('python adapter: which variable a name writes, loops around tries', () => {
  it('marks global / nonlocal writes, and nothing else', () => {
    const f = x(`
      client = None
      def connect():
          global client
          client = make()
      def outer():
          conn = None
          def inner():
              nonlocal conn
              conn = None
          local = 1
    `);
    const binds = f.assignments.map((a) => [a.target, a.binds]);
    expect(binds).toEqual([
      ['client', undefined],
      ['client', 'global'],
      ['conn', undefined],
      ['conn', 'nonlocal'],
      ['local', undefined],
    ]);
  });

  it('says which try sits in a loop and which handler breaks out of it', () => {
    const f = x(`
      async def loop():
          while True:
              try:
                  await check()
              except OSError:
                  break
              except ValueError:
                  for i in range(3):
                      break
      try:
          run()
      except Exception:
          pass
    `);
    expect(f.tries.map((t) => t.inLoop ?? false)).toEqual([true, false]);
    expect(f.tries[0].handlers.map((h) => h.breaks ?? false)).toEqual([true, false]);
  });
});
