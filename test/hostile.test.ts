// Hostile trees: every odd thing a real repository holds is handled with a reason in `errors` or
// a skip count, never a crash, a hang or exit 2; links are never followed; nothing from the
// scanned tree runs; output paths never leave the root; no single file can stall the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProcessor } from '../dist/engine/process-file.js';
import { scan } from '../dist/engine/scan.js';
import { makeTree, runCli } from './helpers.js';

const BAD_PY = 'import requests\n\ndef f(url):\n    return requests.get(url)\n';
const BAD_TS = "import axios from 'axios';\nexport async function f(url: string) {\n  return axios.get(url);\n}\n";
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function utf16(text: string, bigEndian: boolean): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (!bigEndian) return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}

async function scanTree(root: string, extra: Partial<Parameters<typeof scan>[0]> = {}) {
  return scan({ root, targets: [root], jobs: 2, config: {}, ...extra });
}

describe('hostile trees', () => {
  it('handles binary, non-UTF-8, UTF-16, BOM+CRLF, huge and minified bundles, empty files, links and special files', async () => {
    const root = makeTree({
      'src/ok.py': BAD_PY,
      'src/empty.py': '',
      'src/empty.ts': '',
      'deploy/compose.yaml': '',
      'src/crlf_bom.py': '\ufeff' + BAD_PY.replace(/\n/g, '\r\n'),
      'src/crlf_bom.ts': '\ufeff' + BAD_TS.replace(/\n/g, '\r\n'),
    });
    // binary content with source extensions
    writeFileSync(join(root, 'src/blob.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0xff, 0xfe]));
    writeFileSync(join(root, 'src/image.ts'), Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), Buffer.alloc(64)]));
    // UTF-16 with a BOM, both byte orders
    writeFileSync(join(root, 'src/wide_le.py'), utf16(BAD_PY, false));
    writeFileSync(join(root, 'src/wide_be.ts'), utf16(BAD_TS, true));
    // Latin-1 with a PEP 263 cookie (valid Python), and Latin-1 without one
    writeFileSync(join(root, 'src/latin_cookie.py'), Buffer.from('# -*- coding: latin-1 -*-\n# caf\xe9\n' + BAD_PY, 'latin1'));
    writeFileSync(join(root, 'src/latin_raw.py'), Buffer.from('# caf\xe9 \xff\xfe\n' + BAD_PY, 'latin1'));
    // a 50 MB minified bundle (over the size limit) and a 1 MB one (under it)
    const chunk = 'var a=function(){return axios.get(u)};'.repeat(1000);
    mkdirSync(join(root, 'public'));
    writeFileSync(join(root, 'public/bundle.min.js'), chunk.repeat(Math.ceil((50 * 1024 * 1024) / chunk.length)));
    writeFileSync(join(root, 'public/small.min.js'), chunk.repeat(25));
    // links: a loop, a directory and a file outside the root (never followed)
    const outside = makeTree({ 'secret/leak.py': BAD_PY });
    symlinkSync(root, join(root, 'src/loop'));
    symlinkSync(join(outside, 'secret'), join(root, 'src/outside-dir'));
    symlinkSync(join(outside, 'secret/leak.py'), join(root, 'src/outside.py'));
    symlinkSync(join(root, 'nowhere.py'), join(root, 'src/dangling.py'));
    // a FIFO named like a source file: reading it would block forever
    execFileSync('mkfifo', [join(root, 'src/pipe.py')]);

    const res = await scanTree(root);
    const files = new Set(res.findings.map((f) => f.file));
    expect([...files].sort()).toEqual(['src/crlf_bom.py', 'src/crlf_bom.ts', 'src/latin_cookie.py', 'src/latin_raw.py', 'src/ok.py', 'src/wide_be.ts', 'src/wide_le.py']);
    // BOM and CRLF do not shift positions: the call is on line 4 either way
    const pos = (f: string) => res.findings.filter((x) => x.file === f).map((x) => [x.line, x.column]);
    expect(pos('src/crlf_bom.py')).toEqual(pos('src/ok.py'));
    expect(pos('src/wide_le.py')).toEqual(pos('src/ok.py'));
    expect(res.stats.skipped).toMatchObject({ binary: 2, oversized: 1, minified: 1 });
    expect(res.stats.skipped['symlink (not followed)']).toBe(4);
    const errs = Object.fromEntries(res.errors.map((e) => [e.file, e.message]));
    expect(errs['src/latin_raw.py']).toMatch(/not valid UTF-8/);
    expect(errs['src/latin_cookie.py']).toBeUndefined();
    expect(res.errors.every((e) => !/crash|internal|exceeded/.test(e.message))).toBe(true);
    // nothing outside the root is named, and only files of the tree are
    for (const p of [...res.findings.map((f) => f.file), ...res.errors.map((e) => e.file)]) {
      expect(p.startsWith('..') || p.startsWith('/')).toBe(false);
      expect(existsSync(join(root, p))).toBe(true);
    }
    // the whole CLI agrees: exit 1 (findings), never 2
    const cli = await runCli(['scan', '.', '--format', 'json', '--no-cache'], root);
    expect(cli.code).toBe(1);
  }, 120_000);

  it('reports an unreadable file in errors', async () => {
    const root = makeTree({ 'a.py': BAD_PY, 'locked.py': BAD_PY });
    const processFile = await createProcessor({
      rulesDir: join(ROOT, 'rules'), ruleIds: ['FL101'], extraApis: [], engine: { priorityOverrides: {}, includeTests: false }, maxFileBytes: 1 << 21,
    });
    // gone between discovery and analysis
    const gone = await processFile({ abs: join(root, 'vanished.py'), rel: 'vanished.py', kind: 'python' });
    expect(gone.error?.message).toBe('cannot read file: ENOENT');
    // permission denied (root reads anything, so only checkable as another user)
    chmodSync(join(root, 'locked.py'), 0);
    const res = await scanTree(root);
    if (process.getuid?.() !== 0) expect(res.errors).toEqual([{ file: 'locked.py', message: 'cannot read file: EACCES' }]);
    expect(res.findings.map((f) => f.file)).toContain('a.py');
  });

  it('scans a 10 000-file directory', async () => {
    const root = makeTree({});
    mkdirSync(join(root, 'many'));
    for (let i = 0; i < 10_000; i++) writeFileSync(join(root, 'many', `m${i}.py`), i % 1000 === 0 ? BAD_PY : `X_${i} = ${i}\n`);
    const res = await scanTree(root);
    expect(res.stats.files).toBe(10_000);
    expect(res.findings).toHaveLength(10);
    expect(res.errors).toEqual([]);
  }, 120_000);

  it('a file that blows the time budget is an error entry; the rest of the run goes on', async () => {
    const slow = 'import requests\n' + 'requests.get(u, timeout=(1 if a else (2 if b else [x for x in y if z])))\n'.repeat(60_000);
    const root = makeTree({ 'slow.py': slow, 'a.py': BAD_PY, 'b.py': BAD_PY, 'c.ts': BAD_TS });
    const res = await scanTree(root, { fileBudgetMs: 1000, jobs: 1, config: { 'max-file-size': 8 << 20 } });
    expect(res.errors).toEqual([{ file: 'slow.py', message: 'analysis exceeded the 1 s budget' }]);
    expect(res.findings.map((f) => f.file).sort()).toEqual(['a.py', 'b.py', 'c.ts']);
  }, 60_000);

  it('refuses paths outside the scan root instead of printing ../ paths', async () => {
    const root = makeTree({ 'a.py': BAD_PY });
    const other = makeTree({ 'b.py': BAD_PY });
    const cli = await runCli(['scan', other, '--root', root, '--format', 'json'], root);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/outside the scan root/);
  });
});

describe('safety', () => {
  it('never executes, imports or evaluates anything from the scanned tree, and opens no connection', () => {
    const marker = join(tmpdir(), `faultline-executed-${process.pid}`);
    const touch = (lang: 'py' | 'js') =>
      lang === 'py' ? `open(${JSON.stringify(marker)}, "w").write("ran")\nimport requests\nrequests.get("http://example.com")\n` : `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nfetch('http://example.com');\n`;
    const root = makeTree({
      'conftest.py': touch('py'),
      'setup.py': touch('py'),
      'sitecustomize.py': touch('py'),
      '.faultline.yml': 'exclude: ["nothing/**"]\n',
      'faultline.config.js': touch('js'),
      '.faultline.js': touch('js'),
      'index.js': touch('js'),
      'package.json': JSON.stringify({ name: 'x', scripts: { preinstall: `node -e "${touch('js').replace(/"/g, '\\"')}"` } }),
      'compose.yaml': 'services:\n  app:\n    image: alpine\n    command: ["sh", "-c", "touch ' + marker + '"]\n',
    });
    // A preload that turns any network use in the main thread into a hard failure.
    const guard = join(root, '..', `net-guard-${process.pid}.mjs`);
    writeFileSync(
      guard,
      [
        "import net from 'node:net'; import dns from 'node:dns'; import tls from 'node:tls';",
        "const no = (what) => () => { process.stderr.write('NETWORK ' + what + '\\n'); process.exit(97); };",
        "net.Socket.prototype.connect = no('connect'); net.connect = no('connect'); net.createConnection = no('connect');",
        "tls.connect = no('tls'); dns.lookup = no('dns'); dns.promises.lookup = no('dns'); globalThis.fetch = no('fetch');",
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['--import', guard, join(ROOT, 'bin/faultline.js'), 'scan', root, '--format', 'json', '--no-cache'], {
      encoding: 'utf8', cwd: root, env: { ...process.env, CI: '' },
    });
    expect(r.stderr).not.toMatch(/NETWORK/);
    expect(r.status).toBe(1); // findings, and nothing ran
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0);
  });

  it('the engine imports no network module and evaluates no code', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) {
          const src = readFileSync(p, 'utf8');
          if (/from ['"](node:)?(net|http|https|http2|dns|tls|dgram|vm)['"]/.test(src)) offenders.push(`${p}: network/vm import`);
          if (/\beval\(|new Function\(|\bfetch\(/.test(src.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))) offenders.push(`${p}: eval/fetch`);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });
});

describe('model signals on bundles', () => {
  it('reads the directive prologue in linear time (webpack banner comments once backtracked for 20 s)', async () => {
    const { leadingDirective } = await import('../dist/model/signals.js');
    const banner = '/******/ (function(modules) { // webpackBootstrap\n' + '/******/ \tvar x = 1;\n'.repeat(4000);
    const t0 = Date.now();
    expect(leadingDirective(banner)).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(leadingDirective("// header\n/* licence */\n'use client';\nexport {}")).toBe('use client');
    expect(leadingDirective('"use server"')).toBe('use server');
    expect(leadingDirective('/* unterminated')).toBeUndefined();
    expect(leadingDirective('const a = "use client"')).toBeUndefined();
  });
});
