// The Python sample service (FastAPI webhook, taskiq worker on NATS, SQLAlchemy, redis) scanned end
// to end with every rule: findings must be exactly its `expect:` annotations (none on an `ok:`
// line), and its fixed twin must come out clean.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from './annotations.js';
import { findingKey, SAMPLES, sampleExpectations, scanSample } from './sample-scan.js';

const PY = /\.py$/;

describe('Python sample service', () => {
  it('python-service: every finding is annotated with expect:, none lands on an ok: line', async () => {
    const root = join(SAMPLES, 'python-service');
    const want = sampleExpectations(root, PY);
    const res = await scanSample(root);
    expect(judge(res.findings.map(findingKey), want)).toEqual([]);
    // the classic mistakes span timeouts, durability, lost work, permanent failure, idempotency and breakers
    expect(new Set(res.findings.map((f) => f.category))).toEqual(
      new Set(['timeout', 'durability', 'retry', 'permanent-failure', 'idempotency', 'circuit-breaker']),
    );
    // FL350: the webhook logs the failed enqueue and still answers "accepted", so the sender never retries
    // FL552 twice: the partner feed's client is P0; the cache's is P1 (reads fall through to the API)
    expect(res.findings.filter((f) => f.priority === 'P0').map((f) => f.ruleId).sort()).toEqual(['FL101', 'FL350', 'FL552', 'FL720', 'FL721']);
    expect(res.findings.filter((f) => f.ruleId === 'FL552').map((f) => `${f.file} ${f.priority}`).sort()).toEqual(['app/cache.py P1', 'app/partner_feed.py P0']);
  });

  it('python-service-fixed: the fixed twin is clean', async () => {
    const root = join(SAMPLES, 'python-service-fixed');
    expect(sampleExpectations(root, PY).ok.size).toBeGreaterThan(5);
    const res = await scanSample(root);
    expect(res.findings.map(findingKey)).toEqual([]);
    expect(res.stats.files).toBe(8);
  });
});
