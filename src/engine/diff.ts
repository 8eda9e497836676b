// `--diff-base REF`: report only findings on lines changed since REF (merge-base of REF and HEAD,
// compared with the working tree, untracked files included). Code that only moved is not new:
// renames are followed (-M), and a finding whose source line was removed elsewhere in the same
// diff (cut and pasted) is treated as moved.
import { execFileSync } from 'node:child_process';
import type { Finding } from './types.js';

export class DiffError extends Error {}

export interface FileChanges {
  /** every line of the file is new (untracked or added file) */
  all: boolean;
  /** 1-based line numbers in the current file that were added or changed */
  lines: Set<number>;
}

export interface DiffInfo {
  /** by path relative to the directory the diff was taken in */
  files: Map<string, FileChanges>;
  /** normalised text of removed lines, with counts (to recognise moved code) */
  removed: Map<string, number>;
  /** the commit compared against */
  base: string;
}

function normalise(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

/** Undoes git's C-style quoting of unusual paths ("a\tb" -> a<TAB>b, octal escapes for bytes). */
export function unquotePath(p: string): string {
  if (!p.startsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const simple: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', r: '\r', v: '\v' };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(...Buffer.from(simple[next] ?? next, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(path: string): string {
  const p = unquotePath(path.replace(/\t.*$/, ''));
  return p.replace(/^[ab]\//, '');
}

/** Parses `git diff --unified=0` output (with a/ b/ prefixes) into changed lines per new path. */
export function parseUnifiedDiff(diff: string): Pick<DiffInfo, 'files' | 'removed'> {
  const files = new Map<string, FileChanges>();
  const removed = new Map<string, number>();
  let current: FileChanges | undefined;
  let isNewFile = false;
  let newLine = 0;
  let inHunk = false;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = undefined;
      isNewFile = false;
      inHunk = false;
      continue;
    }
    if (!inHunk && line.startsWith('new file mode')) {
      isNewFile = true;
      continue;
    }
    if (!inHunk && line.startsWith('+++ ')) {
      const target = line.slice(4);
      if (target === '/dev/null') {
        current = undefined;
        continue;
      }
      const path = stripPrefix(target);
      current = files.get(path) ?? { all: isNewFile, lines: new Set() };
      files.set(path, current);
      continue;
    }
    if (!inHunk && line.startsWith('--- ')) continue;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      inHunk = true;
      newLine = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (current && count === 0) {
        // pure deletion after line `newLine`: the lines around the gap changed meaning
        current.lines.add(Math.max(1, newLine));
        current.lines.add(newLine + 1);
      }
      continue;
    }
    if (line.startsWith('-')) {
      // removed lines count even when the whole file is gone (code moved to another file)
      const text = normalise(line.slice(1));
      if (text) removed.set(text, (removed.get(text) ?? 0) + 1);
    } else if (!current) continue;
    else if (line.startsWith('+')) current.lines.add(newLine++);
    else if (line.startsWith(' ')) newLine++;
  }
  return { files, removed };
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', ['-c', 'core.quotePath=false', ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new DiffError(`git ${args.join(' ')}: ${(err.stderr || err.message).trim()}`);
  }
}

/** `--diff-base` needs a git work tree at `dir`; say so plainly instead of a git message about refs. */
export function assertWorkTree(dir: string): void {
  let inside = '';
  try {
    inside = execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DiffError('--diff-base needs git, and git is not installed (or not on PATH)');
  }
  if (inside !== 'true') throw new DiffError(`--diff-base: ${dir} is not inside a git work tree`);
}

/** Lines changed in `dir` since `merge-base(ref, HEAD)`, paths relative to `dir`. */
export function changedSince(ref: string, dir: string): DiffInfo {
  assertWorkTree(dir);
  try {
    git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new DiffError(`--diff-base: "${ref}" is not a commit in this repository (fetch it, e.g. actions/checkout with fetch-depth: 0)`);
  }
  let base: string;
  try {
    base = git(dir, ['merge-base', ref, 'HEAD']).trim();
  } catch {
    base = git(dir, ['rev-parse', `${ref}^{commit}`]).trim(); // shallow clone: no common history visible
  }
  const diff = git(dir, ['diff', '--relative', '--unified=0', '--no-color', '--no-ext-diff', '-M', base]);
  const parsed = parseUnifiedDiff(diff);
  const untracked = git(dir, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0').filter(Boolean);
  for (const p of untracked) parsed.files.set(p, { all: true, lines: new Set() });
  return { ...parsed, base };
}

function touches(f: Finding, changes: FileChanges | undefined): boolean {
  if (!changes) return false;
  if (changes.all) return true;
  for (let l = f.line; l <= Math.max(f.line, f.endLine); l++) if (changes.lines.has(l)) return true;
  return false;
}

export interface DiffSplit {
  /** findings on changed lines (new since the base) */
  changed: Finding[];
  /** findings on untouched or merely moved lines */
  unchanged: Finding[];
}

/**
 * Keeps findings whose lines changed. `prefix` is the scan root relative to the directory the
 * diff was taken in ('' when they are the same).
 */
export function filterByDiff(findings: readonly Finding[], info: Pick<DiffInfo, 'files' | 'removed'>, prefix = ''): DiffSplit {
  const removed = new Map(info.removed);
  const changed: Finding[] = [];
  const unchanged: Finding[] = [];
  const pre = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
  for (const f of findings) {
    const changes = info.files.get(pre + f.file);
    let isNew = touches(f, changes);
    if (isNew) {
      const first = f.snippet?.split(/\r\n|\r|\n/)[0];
      const text = first === undefined ? '' : normalise(first);
      const n = text ? removed.get(text) ?? 0 : 0;
      if (n > 0) {
        removed.set(text, n - 1); // the same line was removed elsewhere: moved, not new
        isNew = false;
      }
    }
    (isNew ? changed : unchanged).push(f);
  }
  return { changed, unchanged };
}
