// The pieces both adapters (and the engine) share: the logging predicate, what a file imports,
// the line index.
import { describe, expect, it } from 'vitest';
import { fileImports, readImports } from '../../src/languages/imports.js';
import { LineIndex } from '../../src/languages/line-index.js';
import { isLoggingCall } from '../../src/languages/logging.js';
import { createPythonAdapter } from '../../src/languages/python/index.js';
import { extractTypeScript } from '../../src/languages/typescript/index.js';

describe('isLoggingCall', () => {
  it('knows loggers in either language, as written or import-resolved', () => {
    for (const c of [
      'console.error',
      'logger.warn',
      'this.logger.error',
      'fastify.log.error',
      'req.log.info',
      'LOGGER.error',
      '_log.debug',
      'logging.exception',
      'logging.getLogger().warning',
      'structlog.get_logger(__name__).info',
      '@nestjs/common.Logger().error',
      'self.audit_logger.warning',
      'print',
      'traceback.print_exc',
      'sentry_sdk.capture_exception',
      'log',
      'this.log',
      'self._log',
    ]) {
      expect(isLoggingCall(c), c).toBe(true);
    }
  });

  it('is not fooled by log-like names that do something else', () => {
    for (const c of ['Math.log', 'math.log', 'np.log', 'queue.add', 'job.moveToFailed', 'catalog.error_page', 'blog.post', 'dialog.show', 'retry']) {
      expect(isLoggingCall(c), c).toBe(false);
    }
  });

  it('is what HandlerFact.logOnly means in both adapters', async () => {
    const ts = extractTypeScript('a.ts', `
      try { a(); } catch (e) { getLogger().info(e); }
      try { a(); } catch (e) { Math.log(e); }
    `);
    expect(ts.tries.map((t) => t.handlers[0].logOnly)).toEqual([true, false]);
    const py = (await createPythonAdapter()).extract('a.py', `
try:
    a()
except Exception:
    logger.setLevel(10)
try:
    a()
except Exception:
    math.log(2)
`);
    expect(py.tries.map((t) => t.handlers[0].logOnly)).toEqual([true, false]);
  });
});

describe('what a file imports', () => {
  it('reads Python import lines: every dotted prefix for gates, packages and names for summaries', () => {
    const text = 'import os.path, json as j\nfrom a.b import (x, y as z\n    , w)\nfrom .rel import q\n  from pkg import *\n';
    const refs = readImports(text, 'python');
    expect(refs).toEqual([
      { module: 'os.path' },
      { module: 'json' },
      { module: 'a.b', name: 'x' },
      { module: 'a.b', name: 'y' },
      { module: '.rel', name: 'q' },
      { module: 'pkg', name: '*' },
    ]);
    const imports = fileImports(refs, 'python');
    expect([...imports.modules]).toEqual(['os', 'os.path', 'json', 'a', 'a.b', '', '.rel', 'pkg']);
    expect([...imports.packages]).toEqual(['os', 'json', 'a', 'pkg']);
    expect([...imports.names]).toEqual(['os.path', 'json', 'a.b.x', 'a.b.y', 'pkg.*']);
  });

  it('reads TS/JS specifiers without node:, with their packages', () => {
    const refs = readImports("import x from 'node:http';\nconst r = require('@aws-sdk/client-s3/dist');\nimport('./lazy');\nexport * from 'pg';", 'typescript');
    expect(refs.map((r) => r.module)).toEqual(['http', '@aws-sdk/client-s3/dist', './lazy', 'pg']);
    const imports = fileImports(refs, 'typescript');
    expect([...imports.modules]).toEqual(['http', '@aws-sdk/client-s3/dist', '@aws-sdk/client-s3', './lazy', '.', 'pg']);
    expect([...imports.packages]).toEqual(['http', '@aws-sdk/client-s3', 'pg']);
  });

  it('gives the same views from the adapter import facts', () => {
    const facts = extractTypeScript('a.ts', "import { Pool } from 'pg';\nimport Redis from 'ioredis';\nimport { api } from './client';");
    const imports = fileImports(facts.imports, 'typescript');
    expect([...imports.packages]).toEqual(['pg', 'ioredis']);
    expect([...imports.names]).toEqual(['pg.Pool', 'ioredis']);
  });
});

describe('LineIndex', () => {
  it('counts \\n, \\r\\n, lone \\r and U+2028 as line breaks, columns in UTF-16 units', () => {
    const text = 'a\r\nb\rc\u2028d\n😀x';
    const li = new LineIndex(text);
    expect(li.loc(text.indexOf('b'), text.indexOf('b') + 1)).toEqual({ line: 2, column: 1, endLine: 2, endColumn: 2 });
    expect(li.loc(text.indexOf('d'), text.indexOf('d'))).toMatchObject({ line: 4, column: 1 });
    expect(li.loc(text.indexOf('x'), text.indexOf('x'))).toMatchObject({ line: 5, column: 3 });
  });
});
