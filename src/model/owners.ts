// Which services run a file: the ones whose code roots (build context, bind-mounted sources) hold
// it, the deepest root winning. One home for the question the contexts, the entry points, the
// blast radius and the compose checks all ask.
import { within } from './packages.js';

/** the items whose roots hold `file`: the deepest root wins, ties are all kept */
export function deepestOwners<T>(items: readonly T[], roots: (t: T) => readonly string[], file: string): T[] {
  let best: T[] = [];
  let depth = -1;
  for (const it of items) {
    for (const r of roots(it)) {
      if (!within(file, r)) continue;
      const d = r === '' ? 0 : r.split('/').length;
      if (d > depth) {
        depth = d;
        best = [it];
      } else if (d === depth && !best.includes(it)) best.push(it);
    }
  }
  return best;
}

/**
 * The services that run a file: the long-running production ones that hold it, before a one-shot
 * job, a tool container or a dev stack built from more of the tree (dittofeed's `admin-cli`, kept
 * alive with `tail -f /dev/null`, copies every package in); those only when no serving one does.
 */
export function runningOwners<T>(items: readonly T[], roots: (t: T) => readonly string[], serving: (t: T) => boolean, file: string): T[] {
  const first = deepestOwners(items.filter(serving), roots, file);
  return first.length ? first : deepestOwners(items, roots, file);
}
