// Straight-line regions of Python code, for "did this assignment surely run before that use",
// read off the tree's parent links. A region is the nearest enclosing part that may not run:
// an if/elif/else branch, a loop, a try part or except clause, a match case, a conditional
// expression, an `and`/`or`, a comprehension or lambda; otherwise the function (or module).
import type { Node } from 'web-tree-sitter';

const BRANCH_PARENTS = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'while_statement',
  'try_statement',
  'except_clause',
  'except_group_clause',
  'finally_clause',
  'case_clause',
]);
const BRANCH_EXPRESSIONS = new Set([
  'conditional_expression',
  'boolean_operator',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
  'lambda',
]);
const SCOPES = new Set(['function_definition', 'module']);
const LOOPS = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** the region `node` runs in: a branch body, a branching expression, or its function/module */
export function regionOf(node: Node): Node {
  let n: Node = node;
  for (let p = node.parent; p; n = p, p = p.parent) {
    if (SCOPES.has(p.type)) return p;
    if (BRANCH_EXPRESSIONS.has(p.type)) return p;
    if (n.type === 'block' && BRANCH_PARENTS.has(p.type)) return n;
  }
  return n;
}

/** `outer` contains `inner` */
export function encloses(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** a loop of the same function holds both: code after `use` runs before it on the next iteration */
export function sharedLoop(write: Node, use: Node): boolean {
  for (let p = write.parent; p && !SCOPES.has(p.type); p = p.parent) if (LOOPS.has(p.type) && encloses(p, use)) return true;
  return false;
}
