import { describe, expect, it } from 'vitest';
import { categoryScores, dedent, renderMarkdown, truncateMarkdown } from '../src/report/markdown.js';
import { blastRadius, serviceOf } from '../src/report/system.js';
import { sentences } from '../src/report/common.js';
import { RULES, sampleResult } from './report-helpers.js';

describe('Markdown reporter', () => {
  it('renders the audit (snapshot: vitest -u regenerates it)', async () => {
    const md = renderMarkdown(sampleResult(), RULES);
    await expect(md).toMatchFileSnapshot('__snapshots__/report-markdown.sample.md');
  });

  it('orders sections: summary, score, propagation, P0, P1/P2, errors, scope', () => {
    const md = renderMarkdown(sampleResult(), RULES);
    const order = ['## Executive summary', '### Top risks', '## Resilience score by category', '## Failure propagation', '## P0:', '## P2:', '## Files not analysed', '## Scope'];
    const positions = order.map((h) => md.indexOf(h));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(md).not.toContain('## P1:'); // the only P1 rule's finding was lowered to P2
  });

  it('gives each finding a link, excerpt, blast radius, fix code, CWE and an experiment', () => {
    const md = renderMarkdown(sampleResult(), RULES, { linkBase: 'https://github.com/o/r/blob/abc/' });
    expect(md).toContain('[`api/app/client.py:12`](https://github.com/o/r/blob/abc/api/app/client.py#L12) in `fetch_user`');
    expect(md).toContain('[`web/src/my file#1.ts:7`](https://github.com/o/r/blob/abc/web/src/my%20file%231.ts#L7-L9)');
    expect(md).toContain('```python\nresp = requests.get(f"{USERS}/users/{uid}")\n```');
    expect(md).toContain('Blast radius: `api`, `web`.');
    expect(md).toContain('```python\nrequests.get(url, timeout=(3.05, 10))\n```');
    expect(md).toContain('```typescript\nawait fetch(url, { signal: AbortSignal.timeout(10_000) })\n```');
    expect(md).toContain('[CWE-400](https://cwe.mitre.org/data/definitions/400.html)');
    expect(md).toContain('- Break: Make the dependency accept connections but never answer');
    expect(md).toContain('Priority P2: in a script.');
  });

  it('builds the failure-propagation table from the system model', () => {
    const md = renderMarkdown(sampleResult(), RULES);
    expect(md).toContain('| `api` | hangs when a dependency is slow; looks healthy while broken, or dependants start before it is ready | `web` | none found | FL101 HTTP call without a timeout; FL401 Service without a healthcheck; restart policy |');
    expect(md).toContain('| `db` | crashes or stops | `api`, `web` | healthcheck, restart: always | — |');
    expect(md).toContain('| `web` | hangs when a dependency is slow; runs out of connections under load | nothing depends on it | healthcheck, restart: unless-stopped | FL101 HTTP call without a timeout; FL201 Connection pool waits forever for a free connection |');
  });

  it('scores categories 100 - 25/P0 - 10/P1 - 3/P2', () => {
    const scores = categoryScores(sampleResult().findings, RULES);
    expect(scores.map((s) => [s.category, s.score])).toEqual([
      ['timeout', 50],
      ['pool', 97],
      ['healthcheck', 97],
    ]);
  });

  it('is stable and has no timestamp unless asked', () => {
    const a = renderMarkdown(sampleResult(), RULES);
    const r = sampleResult();
    r.findings.reverse();
    expect(renderMarkdown(r, [...RULES].reverse())).toBe(a);
    expect(a).not.toMatch(/20\d\d-\d\d-\d\d/);
    expect(renderMarkdown(sampleResult(), RULES, { timestamp: '2026-11-22T10:00:00Z' })).toContain('2026-11-22T10:00:00Z');
  });

  it('says so when nothing was found', () => {
    const md = renderMarkdown({ ...sampleResult(), findings: [], errors: [] }, RULES);
    expect(md).toContain('No findings at or above the reporting threshold.');
    expect(md).toContain('| Timeouts (`timeout`) | **100** sound | 0 | 0 | 0 | 1 |');
  });

  it('truncates at a section boundary under the byte limit and counts what it left out', () => {
    const full = renderMarkdown(sampleResult(), RULES);
    const cut = renderMarkdown(sampleResult(), RULES, { maxBytes: 4000 });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(4000);
    expect(cut.length).toBeLessThan(full.length);
    expect(cut).toMatch(/Report truncated to fit the size limit: \d+ findings? not shown here/);
    expect(truncateMarkdown('# a\n\n## b\n' + 'x'.repeat(100), 20, 'cut')).toBe('# a\n\n> **cut**\n');
    expect(truncateMarkdown('short', 100)).toBe('short');
  });

  it('renders fix placeholders as <name> and diff-style fixes as diff blocks', () => {
    const rules = RULES.map((r) => (r.id === 'FL401' ? { ...r, fix: { title: 'Add a healthcheck, e.g. `{probe}`', code: { compose: 'services:\n  api:\n+   healthcheck: {}' } } } : r));
    const md = renderMarkdown(sampleResult(), rules);
    expect(md).toContain('**Fix.** Add a healthcheck, e.g. `<probe>`.');
    expect(md).toContain('```diff\nservices:\n  api:\n+   healthcheck: {}\n```');
  });

  it('lists findings beyond detailsPerRule in one line each', () => {
    const md = renderMarkdown(sampleResult(), RULES, { detailsPerRule: 1 });
    expect(md).toContain('1 more place:\n\n- [`web/src/my file#1.ts:7`](web/src/my%20file%231.ts#L7-L9): fetch has no timeout: a slow server blocks this worker forever.');
    expect(md.match(/^#### /gm)).toHaveLength(3);
  });

  it('cuts texts at sentence ends, not at e.g. or i.e.', () => {
    expect(sentences('Use a probe, e.g. curl. Then wait. Third.', 2)).toBe('Use a probe, e.g. curl. Then wait.');
    expect(sentences('One line\nwrapped.  Two.', 1)).toBe('One line wrapped.');
    expect(sentences('No end', 3)).toBe('No end');
  });

  it('ties findings to services by build context and compose context', () => {
    const r = sampleResult();
    const [compose, py, ts] = r.findings;
    expect(serviceOf(compose, r.system)?.name).toBe('api');
    expect(serviceOf(py, r.system)?.name).toBe('api');
    expect(serviceOf(ts, r.system)?.name).toBe('web');
    expect(serviceOf({ file: 'other/x.py' }, r.system)).toBeUndefined();
    expect(blastRadius({ ...py, blastRadius: ['x'] }, r.system)).toEqual(['x']);
    expect(dedent('    a\n      b\n')).toBe('a\n  b');
  });
});
