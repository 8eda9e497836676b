import { describe, expect, it } from 'vitest';
import { fit, renderText } from '../src/report/text.js';
import { RULES, modelResult, sampleResult } from './report-helpers.js';

describe('terminal output', () => {
  it('starts with the summary, top risks and what to fix first, then findings by rule', () => {
    const out = renderText(sampleResult(), { color: false }, RULES);
    const lines = out.split('\n');
    expect(lines[0]).toBe('faultline 0.1.0: 4 findings (P0: 2, P1: 0, P2: 2) in 6 files, 1 error.');
    expect(out.indexOf('Top risks')).toBeLessThan(out.indexOf('Fix first'));
    expect(out.indexOf('Fix first')).toBeLessThan(out.indexOf('FL101 HTTP call without a timeout [timeout] P0 2'));
    expect(out).toContain('  1. P0 FL101 HTTP call without a timeout (2 findings, reaches api, web) api/app/client.py:12');
    expect(out).toContain('  1. [S] Pass an explicit timeout to every call (connect and read). (FL101, closes 1 finding) api/app/client.py:12');
    // machine-friendly locations at the start of each finding line
    expect(out).toMatch(/^api\/app\/client\.py:12:5: P0 FL101 \[timeout\] requests\.get has no timeout/m);
    expect(out).toMatch(/^docker-compose\.yml:3:3: P2 FL401 \[healthcheck\] service api has no healthcheck$/m);
    expect(out).toContain('api/app/broken.py:2: error: syntax error');
    expect(out).toMatch(/^4 findings \(P0: 2, P1: 0, P2: 2\) in 6 files, 1 error\.$/m);
    expect(out).toContain('faultline explain FL101');
  });

  it('shows a group as one line with its count, every location with --verbose', () => {
    const grouped = renderText(modelResult(), { color: false }, RULES);
    const lines = grouped.split('\n').filter((l) => l.includes('session.get'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^api\/app\/billing\.py:31:5: P0 FL101 .*\(\+2 more: One `requests\.Session\(\)` without a timeout, used by 3 call sites\)$/);
    expect(grouped).toContain('7 findings (P0: 4, P1: 0, P2: 3) in 6 files, 1 error; 5 root causes.');
    const verbose = renderText(modelResult(), { color: false, verbose: true, width: 40 }, RULES);
    expect(verbose.split('\n').filter((l) => l.includes('session.get'))).toHaveLength(3);
    expect(verbose.split('\n').some((l) => l.length > 40)).toBe(true);
  });

  it('cuts lines to the terminal width, colour codes not counted', () => {
    const out = renderText(sampleResult(), { color: true, width: 60 }, RULES);
    // eslint-disable-next-line no-control-regex
    for (const l of out.split('\n').slice(0, -2)) expect([...l.replace(/\x1b\[[0-9;]*m/g, '')].length).toBeLessThanOrEqual(60);
    expect(out).toContain('…');
    expect(out).toContain('--verbose');
    expect(fit('abcdef', 20)).toBe('abcdef');
    expect(fit('a'.repeat(30), 20)).toBe('a'.repeat(19) + '…');
  });

  it('keeps control characters from the repository out of the terminal', () => {
    const r = sampleResult();
    r.findings[0].message = 'evil \x1b]0;title\x07 name';
    expect(renderText(r, { color: false }, RULES)).not.toMatch(/\x1b|\x07/);
  });

  it('says so when nothing was found', () => {
    expect(renderText({ ...sampleResult(), findings: [], errors: [] }, { color: false }, RULES)).toBe('No findings in 6 files.\n');
  });
});
