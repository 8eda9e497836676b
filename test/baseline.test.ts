import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyBaseline, BaselineError, createBaseline, parseBaseline, serializeBaseline } from '../src/engine/baseline.js';
import { changedSince, DiffError, filterByDiff, parseUnifiedDiff, unquotePath } from '../src/engine/diff.js';
import { FingerprintMaker } from '../src/engine/fingerprint.js';
import type { Finding } from '../src/engine/types.js';
import { tempGitRepo } from './report-helpers.js';

/** A finding as the engine makes it: fingerprint from rule + path + line text + symbol. */
function findingsOf(file: string, text: string, needle = 'requests.get(url)'): Finding[] {
  const fp = new FingerprintMaker();
  const out: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.includes(needle)) return;
    out.push({
      ruleId: 'FL101',
      ruleName: 'http-call-without-timeout',
      category: 'timeout',
      priority: 'P0',
      file,
      line: i + 1,
      column: line.indexOf(needle) + 1,
      endLine: i + 1,
      endColumn: line.indexOf(needle) + needle.length + 1,
      message: 'requests.get has no timeout',
      fingerprint: fp.make('FL101', file, line, 'handler'),
      symbol: 'handler',
      snippet: line,
    });
  });
  return out;
}

const V1 = ['import requests', '', 'def handler(url):', '    return requests.get(url)', ''].join('\n');

describe('baseline', () => {
  it('round-trips, sorted and stable', () => {
    const b = createBaseline([...findingsOf('b.py', V1), ...findingsOf('a.py', V1)]);
    const text = serializeBaseline(b);
    expect(b.findings.map((e) => e.file)).toEqual(['a.py', 'b.py']);
    expect(parseBaseline(text)).toEqual(b);
    expect(text).not.toMatch(/"line"/);
    expect(() => parseBaseline('{"version": 9, "findings": []}')).toThrow(BaselineError);
    expect(() => parseBaseline('nope')).toThrow(/not JSON/);
    expect(() => parseBaseline('{"version":1,"findings":[{"ruleId":1}]}')).toThrow(/findings\[0\]/);
  });

  it('reports only new findings, and survives lines shifting, files moving and duplicated lines', () => {
    const base = createBaseline(findingsOf('app.py', V1));
    // lines added above: same fingerprint
    const shifted = ['# header', '# more', V1].join('\n');
    expect(applyBaseline(findingsOf('app.py', shifted), base).fresh).toEqual([]);
    // file renamed: matched by content
    const moved = applyBaseline(findingsOf('svc/app.py', shifted), base);
    expect(moved.fresh).toEqual([]);
    expect(moved.stale).toEqual([]);
    // a second identical call is new; only one of the two is covered
    const twice = V1.replace('    return requests.get(url)', '    requests.get(url)\n    return requests.get(url)');
    const split = applyBaseline(findingsOf('app.py', twice), base);
    expect(split.fresh).toHaveLength(1);
    expect(split.known).toHaveLength(1);
  });

  it('lists entries that no longer match as stale', () => {
    const base = createBaseline(findingsOf('app.py', V1));
    const split = applyBaseline(findingsOf('app.py', V1.replace('requests.get(url)', 'requests.get(url, timeout=5)')), base);
    expect(split.fresh).toEqual([]);
    expect(split.stale).toHaveLength(1);
  });
});

describe('diff-base', () => {
  it('parses unified diffs: added, changed, deleted-around and moved lines', () => {
    const diff = [
      'diff --git a/x.py b/x.py',
      '--- a/x.py',
      '+++ b/x.py',
      '@@ -3,0 +4,2 @@',
      '+a',
      '+b',
      '@@ -10,2 +11,0 @@',
      '-    timeout=5,',
      '--- a removed SQL comment',
      'diff --git a/new.py b/new.py',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/new.py',
      '@@ -0,0 +1 @@',
      '+x',
      'diff --git a/gone.py b/gone.py',
      '--- a/gone.py',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-    return requests.get(url)',
    ].join('\n');
    const { files, removed } = parseUnifiedDiff(diff);
    expect([...files.get('x.py')!.lines].sort((a, b) => a - b)).toEqual([4, 5, 11, 12]);
    expect(files.get('new.py')!.all).toBe(true);
    expect(files.has('gone.py')).toBe(false);
    expect(removed.get('return requests.get(url)')).toBe(1);
    expect(removed.get('-- a removed SQL comment')).toBe(1);
    expect(unquotePath('"a\\tb\\303\\251"')).toBe('a\tbé');
  });

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function repo(): { dir: string; git: (...a: string[]) => string } {
    const r = tempGitRepo('faultline-diff-');
    dirs.push(r.dir);
    return r;
  }

  it('on a two-commit repository reports only the new finding, not the one that moved down', () => {
    const { dir, git } = repo();
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc/app.py'), V1);
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    const v2 = ['import requests', '', 'def other(url):', '    return 1', '', V1.split('\n').slice(2).join('\n'), 'def more(url):', '    return requests.get(url)  # new', ''].join('\n');
    writeFileSync(join(dir, 'svc/app.py'), v2);
    git('commit', '-q', '-am', 'two');
    const info = changedSince('HEAD~1', dir);
    const all = findingsOf('app.py', v2);
    expect(all).toHaveLength(2);
    const { changed } = filterByDiff(all, info, 'svc');
    expect(changed.map((f) => f.line)).toEqual([all[1].line]);
    // from inside the scan root the paths line up without a prefix
    const inner = changedSince('HEAD~1', join(dir, 'svc'));
    expect(filterByDiff(all, inner).changed.map((f) => f.line)).toEqual([all[1].line]);
  });

  it('treats cut-and-pasted code and renamed or untracked files as moved, and counts new files as changed', () => {
    const { dir, git } = repo();
    writeFileSync(join(dir, 'a.py'), V1);
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    renameSync(join(dir, 'a.py'), join(dir, 'b.py')); // untracked new file, tracked file deleted
    writeFileSync(join(dir, 'c.py'), V1.replace('handler', 'fresh'));
    const info = changedSince('main', dir);
    expect(filterByDiff(findingsOf('b.py', V1), info).changed).toEqual([]);
    const c = findingsOf('c.py', V1.replace('handler', 'fresh'));
    // c.py is new, but its call line is identical to the removed one: only one of b/c can claim it
    const both = filterByDiff([...findingsOf('b.py', V1), ...c], info);
    expect(both.changed).toHaveLength(1);
    expect(() => changedSince('no-such-ref', dir)).toThrow(DiffError);
  });
});
