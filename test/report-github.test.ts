import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, renderGithub } from '../src/report/github.js';
import type { Finding } from '../src/engine/types.js';
import { RULES, sampleResult } from './report-helpers.js';

function many(n: number, priority: Finding['priority']): Finding[] {
  return Array.from({ length: n }, (_, i) => ({ ...sampleResult().findings[1], priority, line: i + 1, fingerprint: `f${priority}${i}` }));
}

describe('GitHub annotations', () => {
  it('emits one workflow command per finding with escaped properties', () => {
    const out = renderGithub(sampleResult(), RULES).trimEnd().split('\n');
    expect(out[0]).toBe(
      '::error file=api/app/client.py,line=12,endLine=12,col=5,endColumn=30,title=FL101 HTTP call without a timeout (P0)::requests.get has no timeout: a slow server blocks this worker forever%0AFix: Pass an explicit timeout to every call (connect and read).',
    );
    // multi-line finding: no columns (they would apply to different lines)
    expect(out[1]).toMatch(/^::error file=web\/src\/my file#1.ts,line=7,endLine=9,title=/);
    expect(out.filter((l) => l.startsWith('::notice '))).toHaveLength(2);
    expect(out.at(-1)).toBe('::warning file=api/app/broken.py,line=2,title=faultline could not analyse this file::syntax error');
  });

  it('caps each level at 10 and ends with a notice counting the rest', () => {
    const r = { ...sampleResult(), errors: [], findings: [...many(12, 'P0'), ...many(3, 'P1'), ...many(15, 'P2')] };
    const lines = renderGithub(r, RULES).trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('::notice '))).toHaveLength(10);
    expect(lines.at(-1)).toMatch(/^::notice title=faultline::8 more findings not annotated/);
    expect(renderGithub(r, RULES, { maxPerLevel: 2 }).match(/^::error /gm)).toHaveLength(2);
  });

  it('prints preferred (changed-line) findings first', () => {
    const r = { ...sampleResult(), errors: [], findings: many(12, 'P0') };
    const lines = renderGithub(r, RULES, { preferred: (f) => f.line === 12 }).split('\n');
    expect(lines[0]).toContain('line=12,');
  });

  it('escapes like actions/toolkit and prints nothing for a clean scan', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    // other control characters would restyle the log (ESC) or hide text: shown as %XX, tab kept
    expect(escapeData('a\x1b[2Jb\x00\x7f\x9b\u2028\tc')).toBe('a%1B[2Jb%00%7F%9B%u2028\tc');
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc');
    expect(renderGithub({ ...sampleResult(), findings: [], errors: [] }, RULES)).toBe('');
    expect(renderGithub(sampleResult(), RULES, { pathPrefix: 'svc' })).toContain('file=svc/api/app/client.py');
  });
});
