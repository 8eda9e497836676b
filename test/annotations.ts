// Reads `expect:` / `ok:` annotations from fixture files (Semgrep style). A comment alone on a
// line applies to the next code line; a trailing comment applies to its own line.
export interface Annotation {
  line: number;
  kind: 'expect' | 'ok' | 'todo-expect' | 'todo-ok';
  rules: string[];
}

const ANNOT = /(?:#|\/\/|\/\*|\{\/\*)\s*(todo-expect|todo-ok|expect|ok):\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)/g;
const COMMENT_ONLY = /^\s*(#|\/\/|\/\*|\{\/\*|\*)/;

export function readAnnotations(text: string): Annotation[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Annotation[] = [];
  let pending: Array<Omit<Annotation, 'line'>> = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const found: Array<Omit<Annotation, 'line'>> = [];
    for (const m of l.matchAll(ANNOT)) {
      found.push({ kind: m[1] as Annotation['kind'], rules: m[2].split(',').map((s) => s.trim()) });
    }
    const commentOnly = COMMENT_ONLY.test(l);
    if (commentOnly || l.trim() === '') {
      pending.push(...found);
      continue;
    }
    for (const a of [...pending, ...found]) out.push({ ...a, line: i + 1 });
    pending = [];
  }
  return out;
}
