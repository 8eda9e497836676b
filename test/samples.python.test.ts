// The Python sample service (FastAPI webhook, taskiq worker on NATS, SQLAlchemy, redis) scanned end
// to end with every rule: findings must be exactly its `expect:` annotations (none on an `ok:`
// line), and its fixed twin must come out clean.
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

function pyFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? pyFiles(p) : n.endsWith('.py') ? [p] : [];
    });
}

function annotations(root: string) {
  const want: string[] = [];
  const forbid = new Set<string>();
  for (const f of pyFiles(root)) {
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

const key = (f: { file: string; line: number; ruleId: string }) => `${f.file}:${f.line} ${f.ruleId}`;

describe('Python sample service', () => {
  it('python-service: every finding is annotated with expect:, none lands on an ok: line', async () => {
    const root = join(SAMPLES, 'python-service');
    const { want, forbid } = annotations(root);
    const res = await scanAll(root);
    const got = [...new Set(res.findings.map(key))].sort();
    expect(got.filter((g) => forbid.has(g))).toEqual([]);
    expect(got).toEqual(want);
    // the classic mistakes span timeouts, durability, lost work, permanent failure and idempotency
    expect(new Set(res.findings.map((f) => f.category))).toEqual(
      new Set(['timeout', 'durability', 'retry', 'permanent-failure', 'idempotency']),
    );
    expect(res.findings.filter((f) => f.priority === 'P0').map((f) => f.ruleId).sort()).toEqual(['FL101', 'FL552', 'FL720', 'FL721']);
  });

  it('python-service-fixed: the fixed twin is clean', async () => {
    const root = join(SAMPLES, 'python-service-fixed');
    const { forbid } = annotations(root);
    expect(forbid.size).toBeGreaterThan(5);
    const res = await scanAll(root);
    expect(res.findings.map(key)).toEqual([]);
    expect(res.stats.files).toBe(6);
  });
});
