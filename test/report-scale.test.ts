// A 300-finding report renders on GitHub: checked through a CommonMark/GFM renderer from npm
// (markdown-it) for injected tags, balanced <details> and mentions; every count matches; the
// pull-request summary form stays under 60,000 characters however many findings there are.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/engine/rules.js';
import { COMMENT_LIMIT, renderMarkdown, renderMarkdownSummary } from '../src/report/markdown.js';
import { countProblems, htmlProblems, modelResult, RULES, sampleResult, syntheticResult } from './report-helpers.js';

const rules = loadRules();

describe('a large report', () => {
  const result = syntheticResult(300, rules);
  const md = renderMarkdown(result, rules, { linkBase: 'https://github.com/o/r/blob/0123abc/' });

  it('has an HTML check that catches what it is meant to', () => {
    expect(htmlProblems('<script>x</script> hi @bob\n\n<details><summary>s</summary>\n\n`@ok` <img onerror=1>')).toEqual([
      'tag <script>',
      'tag </script>',
      'tag <img onerror=1>',
      'attribute onerror on <img>',
      '1 <details> left open',
      'mention @bob',
    ]);
  });

  it('renders to HTML with no injected tag, no open <details> and no mention', () => {
    expect(htmlProblems(md)).toEqual([]);
    // the hostile names are there, as text
    expect(md).toContain('&lt;script&gt;');
  });

  it('states counts that match the findings', () => {
    expect(countProblems(md, result.findings)).toEqual([]);
  });

  it('collapses groups and long rules under <details> and tags every excerpt with its language', () => {
    expect(md).toMatch(/<details><summary>All \d+ locations<\/summary>/);
    expect(md).toMatch(/<details><summary>\d+ more findings? of FL\d+ at P\d<\/summary>/);
    // every fenced block names its language (a block closes at a fence of its own length)
    const lines = md.split('\n');
    let blocks = 0;
    for (let i = 0; i < lines.length; i++) {
      const open = /^(`{3,})(\w*)$/.exec(lines[i]);
      if (!open) continue;
      blocks++;
      expect(open[2], lines.slice(i, i + 3).join('\n')).not.toBe('');
      while (++i < lines.length && lines[i] !== open[1]);
    }
    expect(blocks).toBeGreaterThan(50);
    // absolute links to file and line
    expect(md).toMatch(/\]\(https:\/\/github\.com\/o\/r\/blob\/0123abc\/services\/s\d+\/[^)]+#L\d+\)/);
    // the first screen fits the first screen: summary and fix-first come before any finding
    expect(md.indexOf('## Fix first')).toBeLessThan(md.indexOf('## Findings'));
    expect(md.indexOf('## Fix first')).toBeLessThan(12_000);
    // well under the job summary limit (1 MiB)
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
  });

  it('has a summary form under 60,000 characters that links to the full report', () => {
    for (const n of [300, 3000]) {
      const r = syntheticResult(n, rules);
      const s = renderMarkdownSummary(r, rules, { reportUrl: 'https://github.com/o/r/actions/runs/1', linkBase: 'https://github.com/o/r/blob/0123abc/' });
      expect(s.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(s).toContain('**Full report:** [github.com/o/r/actions/runs/1](https://github.com/o/r/actions/runs/1)');
      expect(htmlProblems(s)).toEqual([]);
      expect(countProblems(s, r.findings)).toEqual([]);
      // in-page anchors of the full report point into it
      expect(s).not.toMatch(/\]\(#/);
    }
    const small = renderMarkdownSummary(sampleResult(), RULES);
    expect(small).toContain('## Findings by rule');
    expect(small).not.toMatch(/\]\(#/);
    expect(countProblems(small, sampleResult().findings)).toEqual([]);
  });

  it('counts match on the hand-made results too, with and without the project model', () => {
    for (const r of [sampleResult(), modelResult()]) expect(countProblems(renderMarkdown(r, RULES), r.findings)).toEqual([]);
  });
});
