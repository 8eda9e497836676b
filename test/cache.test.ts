// The result cache: on by default locally, off in CI or with --no-cache, placed by --cache-dir;
// keyed by content + rule set + options; an unchanged re-scan gives the same bytes as a fresh one.
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, runCli } from './helpers.js';

const BAD = 'import requests\n\ndef f(url):\n    return requests.get(url)\n';
const TS = "import axios from 'axios';\nexport const g = (u: string) => axios.get(u);\n";

function cacheFile(dir: string): string {
  const files = readdirSync(dir).filter((n) => /^results-.*\.json$/.test(n));
  expect(files).toHaveLength(1);
  return join(dir, files[0]);
}

/**
 * Rewrite every cached finding's message: a later run that shows it read the cache. The whole-result
 * memo goes (a slow first run can leave one: its inputs were old enough by the time it ended), so
 * the per-file cache is what the next run reads.
 */
function tamper(file: string): void {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  for (const e of Object.values(data.entries) as Array<{ result: { findings: Array<{ message: string }> } }>)
    for (const f of e.result.findings) f.message = 'FROM CACHE';
  writeFileSync(file, JSON.stringify(data));
  const dir = dirname(file);
  for (const n of readdirSync(dir)) if (/^result-.*\.json$/.test(n)) rmSync(join(dir, n));
}

const json = async (root: string, ...args: string[]) => {
  const r = await runCli(['scan', '.', '--format', 'json', '--fail-on', 'none', ...args], root);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

describe('result cache', () => {
  it('is on by default, reused for unchanged content, and refreshed when content or rules change', async () => {
    const root = makeTree({ 'a.py': BAD, 'b.ts': TS, 'c.py': 'x = 1\n' });
    const fresh = await json(root);
    const dir = join(root, '.faultline-cache');
    const file = cacheFile(dir);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    // unchanged: identical bytes, straight from the cache
    expect(await json(root)).toBe(fresh);
    tamper(file);
    expect(JSON.parse(await json(root)).findings.map((f: { message: string }) => f.message)).toEqual(['FROM CACHE', 'FROM CACHE']);
    // same content, new mtime: the content hash still matches
    utimesSync(join(root, 'a.py'), new Date(), new Date(Date.now() + 5000));
    expect(JSON.parse(await json(root)).findings.every((f: { message: string }) => f.message === 'FROM CACHE')).toBe(true);
    // changed content: analysed again
    writeFileSync(join(root, 'a.py'), '# moved down\n' + BAD);
    const changed = JSON.parse(await json(root));
    expect(changed.findings.find((f: { file: string }) => f.file === 'a.py').message).not.toBe('FROM CACHE');
    expect(changed.findings.find((f: { file: string }) => f.file === 'b.ts').message).toBe('FROM CACHE');
    // another rule set: its own cache file, fresh results
    const selected = JSON.parse(await json(root, '--select', 'FL101'));
    expect(selected.findings.every((f: { message: string }) => f.message !== 'FROM CACHE')).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('results-'))).toHaveLength(2);
  }, 120_000);

  it('cached output is byte-identical to a fresh scan in every format', async () => {
    const root = makeTree({ 'a.py': BAD, 'b.ts': TS, 'svc/app.py': 'import requests\nrequests.post("http://x")\n', 'broken.py': 'def (:\n  requests.get(u)\n' });
    // every format from each run: the text report on stdout, the others as files beside the tree
    const out = (run: string, format: string) => `${root}-${run}.${format}`;
    const run = (name: string, ...args: string[]) => runCli(['scan', '.', ...['json', 'sarif', 'markdown'].flatMap((f) => [`--${f}`, out(name, f)]), ...args], root);
    await run('warm'); // writes the cache
    expect(existsSync(join(root, '.faultline-cache'))).toBe(true);
    // the fresh run comes after the cache folder exists, as it always did here: the Markdown
    // "Skipped" line still counts .faultline-cache (issue 14, defect 7)
    const fresh = await run('fresh', '--no-cache');
    const cached = await run('cached');
    expect(cached.stdout, 'text').toBe(fresh.stdout);
    expect(cached.code).toBe(fresh.code);
    for (const format of ['json', 'sarif', 'markdown']) expect(readFileSync(out('cached', format), 'utf8'), format).toBe(readFileSync(out('fresh', format), 'utf8'));
  }, 120_000);

  it('is off with --no-cache and when CI is set, and --cache-dir moves it', async () => {
    const root = makeTree({ 'a.py': BAD });
    await json(root, '--no-cache');
    expect(existsSync(join(root, '.faultline-cache'))).toBe(false);
    const ci = await runCli(['scan', '.', '--format', 'json', '--fail-on', 'none'], root, { CI: 'true' });
    expect(ci.code).toBe(0);
    expect(existsSync(join(root, '.faultline-cache'))).toBe(false);
    // --cache turns it back on in CI; --cache-dir puts it elsewhere (relative to the working directory)
    await runCli(['scan', '.', '--format', 'json', '--cache', '--cache-dir', 'tmp/fl-cache'], root, { CI: 'true' });
    expect(existsSync(join(root, '.faultline-cache'))).toBe(false);
    cacheFile(join(root, 'tmp/fl-cache'));
  }, 60_000);

  it('survives a corrupt cache file', async () => {
    const root = makeTree({ 'a.py': BAD });
    const fresh = await json(root);
    writeFileSync(cacheFile(join(root, '.faultline-cache')), '{"format":1,"key":');
    expect(await json(root)).toBe(fresh);
  }, 60_000);
});

describe('whole-result memo', () => {
  /** every file of the tree an hour old: out of the window where an mtime cannot be trusted */
  const age = (root: string, rels: string[]) => {
    const old = new Date(Date.now() - 3600_000);
    for (const r of rels) utimesSync(join(root, r), old, old);
  };
  const memoFile = (root: string) => readdirSync(join(root, '.faultline-cache')).filter((n) => /^result-.*\.json$/.test(n));
  /** mark the memo, so a run that returns it shows where its output came from */
  const tamperMemo = (root: string) => {
    const [name] = memoFile(root);
    const p = join(root, '.faultline-cache', name!);
    const data = JSON.parse(readFileSync(p, 'utf8'));
    for (const f of data.result.findings) f.message = 'FROM MEMO';
    writeFileSync(p, JSON.stringify(data));
  };
  const tree = {
    'app/worker.py': 'from celery import Celery\napp = Celery("w")\n',
    'app/Dockerfile': 'FROM python:3.12\nCOPY start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n',
    'app/start.sh': '#!/bin/sh\ncelery -A worker worker\n',
    'compose.yaml': 'services:\n  worker:\n    build: ./app\n    restart: unless-stopped\n',
  };

  it('returns the last result when no input and nothing the scan read has changed', async () => {
    const root = makeTree(tree);
    age(root, Object.keys(tree));
    const fresh = await json(root);
    expect(memoFile(root)).toHaveLength(1);
    tamperMemo(root);
    expect(await json(root)).toContain('FROM MEMO');
    // options are part of its key: another selection runs the scan
    expect(await json(root, '--select', 'FL126')).not.toContain('FROM MEMO');
    expect(await json(root, '--select', 'FL126')).not.toBe(fresh);
  });

  it('runs the scan again when a file the scan read, or looked for and missed, changes', async () => {
    const root = makeTree(tree);
    age(root, Object.keys(tree));
    await json(root);
    tamperMemo(root);
    // the start script is no source file: the compose analysis read it
    writeFileSync(join(root, 'app/start.sh'), '#!/bin/sh\nexec celery -A worker worker --pool=solo\n');
    age(root, ['app/start.sh']);
    const after = await json(root);
    expect(after).not.toContain('FROM MEMO');
    expect(after).toContain('--pool=solo');
    // a .env file compose looked for and did not find, now there
    tamperMemo(root);
    writeFileSync(join(root, '.env'), 'X=1\n');
    age(root, ['.env']);
    expect(await json(root)).not.toContain('FROM MEMO');
  });

  it('keeps no memo of inputs changed so recently that their mtime cannot be trusted', async () => {
    const root = makeTree(tree);
    await json(root);
    expect(memoFile(root)).toHaveLength(0);
  });
});
