// Straight-line regions of the TS/JS walk, for "did this assignment surely run before that use".
// The walk enters a region wherever code may not run (an if/else branch, a loop, a switch clause,
// a try part, the right side of `&&` / `||` / `??`, a `?:` branch) and starts a root region at
// each function body. An assignment that precedes a use in source order surely ran before it
// when the assignment's region encloses the use's region.
import type { Loc } from '../types.js';

export class Regions {
  private readonly parent: number[] = [-1];
  private readonly loop: boolean[] = [false];
  /** the region the walk is in (0: the file's top level) */
  current = 0;

  /** enter a new region inside the current one (`root`: a function body); returns the one to go back to */
  enter(loop: boolean, root = false): number {
    const prev = this.current;
    this.parent.push(root ? -1 : prev);
    this.loop.push(loop);
    this.current = this.parent.length - 1;
    return prev;
  }

  leave(prev: number): void {
    this.current = prev;
  }

  /** `outer` is `inner` or one of its ancestors (within one function) */
  encloses(outer: number, inner: number): boolean {
    for (let r = inner; r >= 0; r = this.parent[r]) if (r === outer) return true;
    return false;
  }

  /** some loop region encloses both: code after `b` in the loop body runs before `b` again */
  sharedLoop(a: number, b: number): boolean {
    for (let r = b; r >= 0; r = this.parent[r]) if (this.loop[r] && this.encloses(r, a)) return true;
    return false;
  }
}

/** `a` starts before `b` */
export function before(a: Loc, b: Loc): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}
