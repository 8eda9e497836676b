// The one reader of fixture annotations (Semgrep style), for Python, TS/JS and compose YAML alike,
// and the one judge that compares a rule's findings with them. Used by the fixture harness and
// the sample-service tests.
//
//   # expect: FL101            the next code line must have an FL101 finding
//   requests.get(url)  # ok: http-call-without-timeout     this line must stay quiet
//   // todo-expect: FL552      a known miss: quiet today; fails (promote it) once the rule fires
//   // todo-ok: FL802          a known false positive: fires today; fails (promote it) once it stops
//
// A comment alone on a line applies to the next line that is neither blank nor a comment; a
// trailing comment applies to its own line. Rules are named by id or name, several with commas;
// anything after the list (a reason in prose) is ignored.
export type AnnotationKind = 'expect' | 'ok' | 'todo-expect' | 'todo-ok';

export interface Annotation {
  line: number;
  kind: AnnotationKind;
  rules: string[];
}

const ANNOT = /(?:#|\/\/|\/\*|\{\/\*)\s*(todo-expect|todo-ok|expect|ok):\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)/g;
const COMMENT_ONLY = /^\s*(#|\/\/|\/\*|\{\/\*|\*)/;

/** Annotations of one file. Throws when an annotation applies to no line (it ends the file). */
export function readAnnotations(text: string, file = '<text>'): Annotation[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Annotation[] = [];
  let pending: Array<Omit<Annotation, 'line'> & { at: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const found: Array<Omit<Annotation, 'line'> & { at: number }> = [];
    for (const m of l.matchAll(ANNOT)) {
      found.push({ kind: m[1] as AnnotationKind, rules: m[2].split(',').map((s) => s.trim()), at: i + 1 });
    }
    if (COMMENT_ONLY.test(l) || l.trim() === '') {
      pending.push(...found);
      continue;
    }
    for (const { kind, rules } of [...pending, ...found]) out.push({ kind, rules, line: i + 1 });
    pending = [];
  }
  if (pending.length) throw new Error(`${file}:${pending[0].at}: "${pending[0].kind}:" annotation applies to no line (nothing follows it)`);
  return out;
}

/** `file:line RULEID`, the unit findings and annotations are compared in. */
export const keyOf = (file: string, line: number, ruleId: string) => `${file}:${line} ${ruleId}`;

export interface Expectations {
  expect: Set<string>;
  ok: Set<string>;
  todoExpect: Set<string>;
  todoOk: Set<string>;
}

export function emptyExpectations(): Expectations {
  return { expect: new Set(), ok: new Set(), todoExpect: new Set(), todoOk: new Set() };
}

/**
 * Add one file's annotations (as `file:line ID` keys) for the rules `wanted` keeps. `idOf` maps a
 * rule id or name to its id; an unknown rule, or two kinds for one rule on one line, throws.
 */
export function addExpectations(
  into: Expectations,
  file: string,
  text: string,
  idOf: (ref: string) => string | undefined,
  wanted: (id: string) => boolean = () => true,
): Expectations {
  const kinds = new Map<string, AnnotationKind>();
  for (const a of readAnnotations(text, file)) {
    for (const ref of a.rules) {
      const id = idOf(ref);
      if (!id) throw new Error(`${file}:${a.line}: unknown rule "${ref}" in a "${a.kind}:" annotation`);
      const key = keyOf(file, a.line, id);
      const before = kinds.get(key);
      if (before && before !== a.kind) throw new Error(`${file}:${a.line}: ${id} is annotated both "${before}:" and "${a.kind}:"`);
      kinds.set(key, a.kind);
      if (!wanted(id)) continue;
      ({ expect: into.expect, ok: into.ok, 'todo-expect': into.todoExpect, 'todo-ok': into.todoOk })[a.kind].add(key);
    }
  }
  return into;
}

/**
 * What is wrong with these findings (`file:line ID` keys, of the rules the expectations were
 * read for), one sentence per line; empty when they match. Findings must be exactly the `expect:`
 * lines, plus `todo-ok:` lines (a known false positive, which must still fire); `todo-expect:`
 * lines (a known miss) must stay quiet.
 */
export function judge(found: Iterable<string>, want: Expectations): string[] {
  const got = new Set(found);
  const problems: string[] = [];
  for (const k of [...want.expect].sort()) if (!got.has(k)) problems.push(`${k}: missing — "expect:" here but the rule did not fire`);
  for (const k of [...got].sort()) {
    if (want.expect.has(k) || want.todoOk.has(k)) continue;
    if (want.ok.has(k)) problems.push(`${k}: false positive — fired on an "ok:" line`);
    else if (want.todoExpect.has(k)) problems.push(`${k}: fires now — promote "todo-expect:" to "expect:"`);
    else problems.push(`${k}: unexpected — fired where no "expect:" says it should`);
  }
  for (const k of [...want.todoOk].sort()) if (!got.has(k)) problems.push(`${k}: quiet now — promote "todo-ok:" to "ok:"`);
  return problems;
}
