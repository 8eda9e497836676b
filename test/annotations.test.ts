// The fixture annotation reader and judge (annotations.ts): what `expect:`, `ok:`, `todo-expect:`
// and `todo-ok:` mean, in code and compose files alike.
import { describe, expect, it } from 'vitest';
import { addExpectations, emptyExpectations, judge, readAnnotations } from './annotations.js';

const idOf = (ref: string) => ({ FL101: 'FL101', 'http-call-without-timeout': 'FL101', FL480: 'FL480' })[ref];
const expectations = (file: string, text: string) => addExpectations(emptyExpectations(), file, text, idOf);

describe('annotations', () => {
  it('a comment line applies to the next code line, a trailing comment to its own line', () => {
    const py = ['# expect: FL101', '', '# a note', 'requests.get(u)', 'requests.get(u, timeout=5)  # ok: http-call-without-timeout'].join('\n');
    expect(readAnnotations(py)).toEqual([
      { line: 4, kind: 'expect', rules: ['FL101'] },
      { line: 5, kind: 'ok', rules: ['http-call-without-timeout'] },
    ]);
    const ts = ['// todo-expect: FL101, FL480 (a reason in prose)', 'fetch(u);', '{/* todo-ok: FL101 */}', '<div />'].join('\n');
    expect(readAnnotations(ts)).toEqual([
      { line: 2, kind: 'todo-expect', rules: ['FL101', 'FL480'] },
      { line: 4, kind: 'todo-ok', rules: ['FL101'] },
    ]);
    const yaml = ['services:', '  # expect: FL480', '  api:', '    image: x  # ok: FL480'].join('\n');
    expect(readAnnotations(yaml)).toEqual([
      { line: 3, kind: 'expect', rules: ['FL480'] },
      { line: 4, kind: 'ok', rules: ['FL480'] },
    ]);
  });

  it('rejects an annotation with no line after it, an unknown rule and two kinds on one line', () => {
    expect(() => readAnnotations('x = 1\n# expect: FL101\n', 'a.py')).toThrow(/a\.py:2: "expect:" annotation applies to no line/);
    expect(() => expectations('a.py', 'x = 1  # expect: FL999\n')).toThrow(/a\.py:1: unknown rule "FL999"/);
    expect(() => expectations('a.py', '# ok: FL101\nx = 1  # expect: FL101\n')).toThrow(/FL101 is annotated both "ok:" and "expect:"/);
  });

  it('judges findings: exactly the expect: lines, never ok:, todo-expect: quiet, todo-ok: firing', () => {
    const want = expectations('a.py', ['f()  # expect: FL101', 'g()  # ok: FL101', 'h()  # todo-expect: FL101', 'i()  # todo-ok: FL101'].join('\n'));
    expect(judge(['a.py:1 FL101', 'a.py:4 FL101'], want)).toEqual([]);
    expect(judge(['a.py:4 FL101'], want)).toEqual(['a.py:1 FL101: missing — "expect:" here but the rule did not fire']);
    expect(judge(['a.py:1 FL101', 'a.py:2 FL101', 'a.py:4 FL101', 'a.py:9 FL101'], want)).toEqual([
      'a.py:2 FL101: false positive — fired on an "ok:" line',
      'a.py:9 FL101: unexpected — fired where no "expect:" says it should',
    ]);
    // a known miss that starts firing, a known false positive that stops: both ask to be promoted
    expect(judge(['a.py:1 FL101', 'a.py:3 FL101'], want)).toEqual([
      'a.py:3 FL101: fires now — promote "todo-expect:" to "expect:"',
      'a.py:4 FL101: quiet now — promote "todo-ok:" to "ok:"',
    ]);
  });
});
