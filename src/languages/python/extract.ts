// Turns one tree-sitter Python tree into FileFacts: visitor.ts walks the query's captures once
// (scopes and bindings), then facts.ts builds the facts, resolving callees through bindings.ts
// and values through values.ts, now that every binding in the file is known.
import type { Node, Query, Tree } from 'web-tree-sitter';
import type { FileFacts } from '../types.js';
import { Bindings } from './bindings.js';
import { FactBuilder } from './facts.js';
import { Lifetimes } from './lifetimes.js';
import { PySource } from './syntax.js';
import { ValueReader } from './values.js';
import { RawFacts, Visitor } from './visitor.js';

export { FACT_QUERY } from './visitor.js';

export function extractFacts(path: string, text: string, tree: Tree, query: Query, commentQuery: Query): FileFacts {
  const src = new PySource(text);
  const raw = new RawFacts();
  const bindings = new Bindings(src, raw, path);
  const visitor = new Visitor(src, raw, bindings);
  const root = tree.rootNode;
  const captures = query.captures(root);
  const items: Array<{ name: string; node: Node; start: number; end: number }> = new Array(captures.length);
  for (let i = 0; i < captures.length; i++) {
    const c = captures[i];
    items[i] = { name: c.name, node: c.node, start: c.node.startIndex, end: c.node.endIndex };
  }
  items.sort((a, b) => a.start - b.start || b.end - a.end);
  for (const item of items) visitor.visit(item.name, item.node, item.start, item.end);

  const build = new FactBuilder(src, raw, bindings, new ValueReader(src, raw, bindings));
  const calls = build.buildCalls();
  new Lifetimes(src, raw, bindings).resolve(calls);
  const functions = build.buildFunctions();
  const classes = build.buildClasses();
  const assignments = build.buildAssignments();
  const tries = build.buildTries();
  const iterations = build.buildIterations();
  const exports = build.buildExports(assignments);
  const suppressions = text.includes('faultline:') ? build.buildSuppressions(tree, commentQuery) : [];
  return {
    path,
    language: 'python',
    imports: raw.imports,
    exports,
    calls,
    functions,
    classes,
    assignments,
    tries,
    ...(iterations.length ? { iterations } : {}),
    suppressions,
    hasSyntaxErrors: root.hasError,
  };
}
