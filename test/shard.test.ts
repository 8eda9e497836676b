// Sharding: `scan --shard i/n` splits the source files by path hash; `merge` of the n shard files
// gives the same bytes as an unsharded scan in JSON, SARIF, Markdown and text (compose analysis and the
// system model run in the merge, which sees every code file's imports).
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseShard, shardOf } from '../dist/engine/shard.js';
import { runCli } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

describe('sharding', () => {
  it('partitions by path hash, deterministically', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `pkg${i % 17}/mod${i}.py`);
    const counts = [0, 0, 0, 0];
    for (const p of paths) {
      const s = shardOf(p, 4);
      expect(s).toBe(shardOf(p, 4));
      counts[s - 1]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(180);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/2/3']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('merged shards are byte-identical to one scan in JSON, SARIF and Markdown', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faultline-shard-'));
    cpSync(FIXTURES, root, { recursive: true, filter: (src) => !src.includes('.faultline-cache') });
    const n = 3;
    const shardFiles: string[] = [];
    const seen = new Map<string, number>();
    for (let i = 1; i <= n; i++) {
      const out = join(root, `..`, `${root.split('/').pop()}-shard-${i}.json`);
      const r = await runCli(['scan', '.', '--shard', `${i}/${n}`, '-o', out, '--no-cache'], root);
      expect(r.code, r.stderr).toBe(0);
      const data = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ rel: string }> };
      for (const res of data.results) seen.set(res.rel, (seen.get(res.rel) ?? 0) + 1);
      expect(data.results.length).toBeGreaterThan(5);
      shardFiles.push(out);
    }
    expect([...seen.values()].every((c) => c === 1)).toBe(true); // every file in exactly one shard
    // one unsharded scan and one merge, each writing every format (the text report on stdout)
    const formats = ['json', 'sarif', 'markdown'];
    const out = (run: string, format: string) => join(root, '..', `${root.split('/').pop()}-${run}.${format}`);
    const reportArgs = (run: string) => formats.flatMap((f) => [`--${f}`, out(run, f)]);
    const one = await runCli(['scan', '.', '--no-cache', ...reportArgs('one')], root);
    const merged = await runCli(['merge', ...shardFiles, ...reportArgs('merged')], root);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(one.code);
    expect(merged.stdout, 'text').toBe(one.stdout);
    for (const format of formats) expect(readFileSync(out('merged', format), 'utf8'), format).toBe(readFileSync(out('one', format), 'utf8'));
    expect(JSON.parse(readFileSync(out('one', 'json'), 'utf8')).findings.some((f: { file: string }) => /compose/.test(f.file))).toBe(true);
  }, 180_000);

  it('refuses an incomplete or mismatched set of shards', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faultline-shard-'));
    cpSync(join(FIXTURES, 'http-call-without-timeout'), root, { recursive: true });
    const write = async (spec: string, ...extra: string[]) => {
      const out = join(root, '..', `${root.split('/').pop()}-${spec.replace('/', 'of')}${extra.length ? '-sel' : ''}.json`);
      const r = await runCli(['scan', '.', '--shard', spec, '-o', out, '--no-cache', ...extra], root);
      expect(r.code, r.stderr).toBe(0);
      return out;
    };
    const a = await write('1/2');
    const b = await write('2/2');
    const c = await write('2/2', '--select', 'FL101');
    const missing = await runCli(['merge', a], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/expected shards 1..2/);
    const mixed = await runCli(['merge', a, c], root);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/different scans/);
    const otherRules = await runCli(['merge', a, b, '--select', 'FL101'], root);
    expect(otherRules.code).toBe(2);
    expect(otherRules.stderr).toMatch(/other rules/);
  }, 120_000);
});
