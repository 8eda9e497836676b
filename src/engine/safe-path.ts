// Paths that a scanned repository controls (the cache directory under the root, the files compose
// `include:` / `extends.file` / `.env` name) are used only when no component from the root down is
// a symlink and the real path stays inside the root: a cloned repository must not make faultline
// read or write anywhere else. Checking only the last component is not enough (`od -> /outside`).
import { lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

const shown = (root: string, abs: string) => relative(root, abs).split(sep).join('/');

/** The components of `abs` below `root`, or undefined when it is not inside `root`. */
function componentsUnder(root: string, abs: string): string[] | undefined {
  const r = relative(root, abs);
  if (r === '') return [];
  if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) return undefined;
  return r.split(sep);
}

/** Is the absolute path `abs` lexically inside (or equal to) `root`? */
export function insideRoot(root: string, abs: string): boolean {
  return componentsUnder(root, abs) !== undefined;
}

/**
 * Why `abs` may not be used as a path inside `root` (both absolute), or undefined when it may.
 * A component that does not exist ends the walk: what faultline creates there is a real directory.
 * With `forRead`, a file in the middle (`pyproject.toml/scripts/x.sh`, guessed from a Dockerfile
 * COPY) also ends it: nothing can be read there, so there is nothing to refuse.
 */
export function unsafeInsideRoot(root: string, abs: string, opts: { forRead?: boolean } = {}): string | undefined {
  const parts = componentsUnder(root, abs);
  if (!parts) return 'it is outside the scan root';
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    const next = join(cur, parts[i]);
    let st;
    try {
      st = lstatSync(next);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
      return `cannot check ${shown(root, next)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    if (st.isSymbolicLink()) return `${shown(root, next)} is a symlink`;
    if (i < parts.length - 1 && !st.isDirectory()) {
      if (opts.forRead) break;
      return `${shown(root, next)} is not a directory`;
    }
    cur = next;
  }
  // no link below the root, so this only fails for mounts and the like; cheap enough to be sure
  try {
    if (!componentsUnder(realpathSync(root), realpathSync(cur))) return 'its real path is outside the scan root';
  } catch (e) {
    return `cannot check it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  return undefined;
}
