// Small questions about one file's facts that several checks ask.
import type { FileFacts } from '../../languages/types.js';

/** The function `root` and every function nested in it (closures, callbacks, inner defs). */
export function functionAndNested(facts: FileFacts, root: number): Set<number> {
  const ids = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const f of facts.functions) {
      if (f.parentFunctionId !== undefined && ids.has(f.parentFunctionId) && !ids.has(f.id)) {
        ids.add(f.id);
        grew = true;
      }
    }
  }
  return ids;
}
