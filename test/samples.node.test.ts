// The Node sample service (express API, BullMQ worker, pg, ioredis, NATS, a React WebSocket hook)
// scanned end to end with every rule: findings must be exactly its `expect:` annotations (none on
// an `ok:` line), and its fixed twin must come out clean.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../dist/engine/rules.js';
import { scan } from '../dist/engine/scan.js';
import { readAnnotations } from './annotations.js';

const SAMPLES = join(import.meta.dirname, '..', 'fixtures', '_samples');
const rules = loadRules();
const idOf = new Map<string, string>();
for (const r of rules) {
  idOf.set(r.id, r.id);
  idOf.set(r.name, r.id);
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(n) ? [p] : [];
    });
}

function annotations(root: string) {
  const want: string[] = [];
  const forbid = new Set<string>();
  for (const f of files(root)) {
    const rel = relative(root, f).split('\\').join('/');
    for (const a of readAnnotations(readFileSync(f, 'utf8'))) {
      for (const r of a.rules) {
        const id = idOf.get(r);
        if (!id) throw new Error(`${rel}:${a.line}: unknown rule "${r}"`);
        if (a.kind === 'expect') want.push(`${rel}:${a.line} ${id}`);
        if (a.kind === 'ok') forbid.add(`${rel}:${a.line} ${id}`);
      }
    }
  }
  return { want: [...new Set(want)].sort(), forbid };
}

async function scanAll(root: string) {
  const res = await scan({ root, targets: [root], jobs: 1, config: {} });
  expect(res.errors).toEqual([]);
  return res;
}

describe('Node sample service', () => {
  it('node-service: every finding is annotated with expect:, none lands on an ok: line', async () => {
    const root = join(SAMPLES, 'node-service');
    const { want, forbid } = annotations(root);
    const res = await scanAll(root);
    const got = [...new Set(res.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`))].sort();
    expect(got.filter((g) => forbid.has(g))).toEqual([]);
    expect(got).toEqual(want);
    // the classic mistakes span the categories the pack covers
    expect(new Set(res.findings.map((f) => f.category))).toEqual(
      new Set(['timeout', 'permanent-failure', 'retry', 'idempotency', 'config']),
    );
    expect(res.findings.filter((f) => f.priority === 'P0').map((f) => f.ruleId).sort()).toEqual(['FL101', 'FL150', 'FL550', 'FL552', 'FL650']);
  });

  it('node-service-fixed: the fixed twin is clean', async () => {
    const root = join(SAMPLES, 'node-service-fixed');
    const res = await scanAll(root);
    expect(res.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([]);
    expect(res.stats.files).toBe(6);
  });
});
