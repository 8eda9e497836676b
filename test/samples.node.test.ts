// The Node sample service (express API, BullMQ worker, pg, ioredis, NATS, a React WebSocket hook)
// scanned end to end with every rule: findings must be exactly its `expect:` annotations (none on
// an `ok:` line), and its fixed twin must come out clean.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from './annotations.js';
import { findingKey, SAMPLES, sampleExpectations, scanSample } from './sample-scan.js';

const JS = /\.(ts|tsx|js|jsx|mjs|cjs)$/;

describe('Node sample service', () => {
  it('node-service: every finding is annotated with expect:, none lands on an ok: line', async () => {
    const root = join(SAMPLES, 'node-service');
    const want = sampleExpectations(root, JS);
    const res = await scanSample(root);
    expect(judge(res.findings.map(findingKey), want)).toEqual([]);
    // the classic mistakes span the categories the pack covers
    expect(new Set(res.findings.map((f) => f.category))).toEqual(new Set(['timeout', 'permanent-failure', 'retry', 'idempotency', 'config', 'circuit-breaker']));
    // FL552 on the cache is P1: its reads fall through to the database
    expect(res.findings.filter((f) => f.priority === 'P0').map((f) => f.ruleId).sort()).toEqual(['FL050', 'FL051', 'FL150', 'FL520', 'FL550', 'FL600']);
    expect(res.findings.filter((f) => f.ruleId === 'FL552').map((f) => `${f.file} ${f.priority}`)).toEqual(['api/src/cache.ts P1']);
  });

  it('node-service-fixed: the fixed twin is clean', async () => {
    const res = await scanSample(join(SAMPLES, 'node-service-fixed'));
    expect(res.findings.map(findingKey)).toEqual([]);
    expect(res.stats.files).toBe(8);
  });
});
