// The Python walk (pass 1). One multi-pattern query yields every node a fact is made of, in
// document order; a single pass over those captures keeps a stack of open containers (functions,
// classes, try, with, loops, calls), records each one's scope and every binding. Only the nodes
// the query returns are inspected: there is no JS walk over the whole tree.
import type { Node } from 'web-tree-sitter';
import type { ImportFact, Scope } from '../types.js';
import { bindingOf, type Bindings } from './bindings.js';
import { finalRight, paramNameNode, unwrapCall, type PySource } from './syntax.js';

export const FACT_QUERY = `
(import_statement) @import
(import_from_statement) @import
(call) @call
(function_definition) @function
(lambda) @function
(class_definition) @class
(try_statement) @try
(with_statement) @with
(for_statement) @loop
(while_statement) @loop
(if_statement) @branch
(match_statement) @branch
(list_comprehension) @loop
(set_comprehension) @loop
(dictionary_comprehension) @loop
(generator_expression) @loop
(assignment) @assign
(augmented_assignment) @assign
`;

type Frame =
  | { kind: 'function'; end: number; id: number; isAsync: boolean; key: string }
  | { kind: 'class'; end: number; id: number; key: string }
  | { kind: 'try'; end: number; id: number; parts: TryPart[] }
  | { kind: 'with'; end: number; bodyStart: number; items: number[] }
  | { kind: 'loop'; end: number }
  | { kind: 'branch'; end: number; bodyStart: number }
  | { kind: 'call'; end: number; idx: number; argStart: number; argEnd: number };

interface TryPart {
  start: number;
  end: number;
  part: 'body' | 'handler' | 'else' | 'finally';
  handlerIndex?: number;
}

export interface RawCall {
  node: Node;
  fn: Node | null;
  args: Node | null;
  start: number;
  end: number;
  scope: Scope;
  scopeKey: string;
}

export interface RawFunction {
  node: Node;
  start: number;
  end: number;
  isLambda: boolean;
  scope: Scope;
  key: string;
  parentFunctionId?: number;
  classId?: number;
  className?: string;
}

export interface RawAssignment {
  node: Node;
  left: Node | null;
  right: Node | null;
  start: number;
  end: number;
  scope: Scope;
  scopeKey: string;
  augmented: boolean;
}

export interface RawTry {
  node: Node;
  start: number;
  end: number;
  handlers: Node[];
  hasFinally: boolean;
}

/** What pass 1 hands to pass 2: the captured nodes by kind, with their scopes. */
export class RawFacts {
  readonly rawCalls: RawCall[] = [];
  readonly callIdxByNode = new Map<number, number>();
  readonly rawFunctions: RawFunction[] = [];
  readonly functionIdxByNode = new Map<number, number>();
  readonly classNodes: Node[] = [];
  readonly classNames: string[] = [];
  readonly rawAssignments: RawAssignment[] = [];
  readonly rawTries: RawTry[] = [];
  /** `for x in <expr>` loops: the iterable, with the loop's own scope */
  readonly rawIterations: Array<{ node: Node; iterable: Node; start: number; end: number; scope: Scope; scopeKey: string }> = [];
  readonly imports: ImportFact[] = [];
}

export class Visitor {
  private readonly stack: Frame[] = [];
  /** calls entered by an `async with` (`async with pool.acquire() as conn:`): awaited through the protocol */
  private readonly asyncWithItems = new Set<number>();

  constructor(
    private readonly src: PySource,
    private readonly raw: RawFacts,
    private readonly bindings: Bindings,
  ) {}

  visit(name: string, node: Node, start: number, end: number): void {
    const stack = this.stack;
    while (stack.length > 0 && stack[stack.length - 1].end <= start) stack.pop();
    const scopeKey = this.currentKey();
    switch (name) {
      case 'call': {
        const idx = this.raw.rawCalls.length;
        const scope = this.scopeAt(start);
        scope.awaited = this.awaitedAt(start) || this.asyncWithItems.has(node.id);
        const fn = node.childForFieldName('function');
        const args = node.childForFieldName('arguments');
        this.raw.rawCalls.push({ node, fn, args, start, end, scope, scopeKey });
        this.raw.callIdxByNode.set(node.id, idx);
        if (args) stack.push({ kind: 'call', end, idx, argStart: args.startIndex, argEnd: args.endIndex });
        return;
      }
      case 'function': {
        const id = this.raw.rawFunctions.length;
        const isLambda = node.type === 'lambda';
        const scope = this.scopeAt(start);
        const enclosing = this.enclosingFunctionOrClass();
        const key = `f${id}`;
        this.bindings.parentScope.set(key, this.outerFunctionKey());
        const isAsync = !isLambda && this.src.text.startsWith('async', start);
        this.raw.rawFunctions.push({
          node,
          start,
          end,
          isLambda,
          scope,
          key,
          parentFunctionId: scope.functionId,
          classId: enclosing?.kind === 'class' ? enclosing.id : undefined,
          className: enclosing?.kind === 'class' ? this.raw.classNames[enclosing.id] : undefined,
        });
        this.raw.functionIdxByNode.set(node.id, id);
        if (!isLambda) this.bindings.bind(scopeKey, this.src.slice(node.childForFieldName('name')), { kind: 'def', pos: start });
        this.bindings.params.set(key, this.paramNames(node));
        stack.push({ kind: 'function', end, id, isAsync, key });
        return;
      }
      case 'class': {
        const id = this.raw.classNodes.length;
        this.raw.classNodes.push(node);
        const className = this.src.slice(node.childForFieldName('name'));
        this.raw.classNames.push(className);
        this.bindings.bind(scopeKey, className, { kind: 'def', pos: start });
        const key = `k${id}`;
        this.bindings.parentScope.set(key, this.outerFunctionKey());
        stack.push({ kind: 'class', end, id, key });
        return;
      }
      case 'try': {
        const id = this.raw.rawTries.length;
        const parts: TryPart[] = [];
        const handlers: Node[] = [];
        let hasFinally = false;
        for (const child of node.namedChildren) {
          const t = child.type;
          if (t === 'block') parts.push({ start: child.startIndex, end: child.endIndex, part: 'body' });
          else if (t === 'except_clause' || t === 'except_group_clause') {
            parts.push({ start: child.startIndex, end: child.endIndex, part: 'handler', handlerIndex: handlers.length });
            handlers.push(child);
          } else if (t === 'else_clause') parts.push({ start: child.startIndex, end: child.endIndex, part: 'else' });
          else if (t === 'finally_clause') {
            hasFinally = true;
            parts.push({ start: child.startIndex, end: child.endIndex, part: 'finally' });
          }
        }
        this.raw.rawTries.push({ node, start, end, handlers, hasFinally });
        stack.push({ kind: 'try', end, id, parts });
        return;
      }
      case 'with': {
        const body = node.childForFieldName('body');
        const items: number[] = [];
        const clause = node.namedChildren.find((c) => c.type === 'with_clause');
        for (const item of clause?.namedChildren ?? []) {
          if (item.type !== 'with_item') continue;
          let value = item.childForFieldName('value');
          let alias: Node | null = null;
          if (value?.type === 'as_pattern') {
            alias = value.childForFieldName('alias');
            value = value.namedChild(0);
          }
          const call = unwrapCall(value);
          if (call) items.push(call.id);
          if (call && node.children.some((c) => c.type === 'async')) this.asyncWithItems.add(call.id);
          const target = alias?.namedChild(0);
          if (target?.type === 'identifier') {
            this.bindings.bind(
              scopeKey,
              this.src.slice(target),
              call ? { kind: 'call', nodeId: call.id, pos: start } : { kind: 'other', pos: start },
            );
          }
        }
        stack.push({ kind: 'with', end, bodyStart: body ? body.startIndex : end, items });
        return;
      }
      case 'loop': {
        // the iterable is read before the loop starts: its scope is the statement's
        const iterable = node.type === 'for_statement' ? node.childForFieldName('right') : null;
        if (iterable) this.raw.rawIterations.push({ node, iterable, start, end, scope: this.scopeAt(start), scopeKey });
        stack.push({ kind: 'loop', end });
        return;
      }
      case 'branch': {
        // the test runs every time; what follows it (the body, elif, else, the cases) may not
        const body = node.childForFieldName(node.type === 'match_statement' ? 'body' : 'consequence');
        stack.push({ kind: 'branch', end, bodyStart: body ? body.startIndex : end });
        return;
      }
      case 'assign':
        this.visitAssignment(node, start, end, scopeKey);
        return;
      case 'import':
        this.visitImport(node, scopeKey);
        return;
    }
  }

  private visitAssignment(node: Node, start: number, end: number, scopeKey: string): void {
    const augmented = node.type === 'augmented_assignment';
    const left = node.childForFieldName('left');
    const right = augmented ? node.childForFieldName('right') : finalRight(node);
    this.raw.rawAssignments.push({ node, left, right, start, end, scope: this.scopeAt(start), scopeKey, augmented });
    if (augmented || !left) return;
    const binding = bindingOf(right, start);
    if (left.type === 'identifier') {
      const name = this.src.slice(left);
      this.bindings.bind(scopeKey, name, binding);
      if (right) this.bindings.noteNameAssignment(name, right);
    } else if (left.type === 'attribute') {
      const obj = left.childForFieldName('object');
      const classId = this.innermostClassId();
      if (obj?.type === 'identifier' && this.src.slice(obj) === 'self' && classId !== undefined) {
        this.bindings.bind(`s${classId}`, this.src.slice(left.childForFieldName('attribute')), binding);
      }
    }
  }

  private visitImport(node: Node, scopeKey: string): void {
    const loc = this.src.loc(node.startIndex, node.endIndex);
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (child.type === 'dotted_name') {
          const module = this.src.slice(child);
          const local = module.split('.')[0];
          this.raw.imports.push({ module, local, loc });
          this.bindings.bind(scopeKey, local, { kind: 'import', qualified: local, pos: node.startIndex });
        } else if (child.type === 'aliased_import') {
          const module = this.src.slice(child.childForFieldName('name'));
          const local = this.src.slice(child.childForFieldName('alias'));
          this.raw.imports.push({ module, local, loc });
          this.bindings.bind(scopeKey, local, { kind: 'import', qualified: module, pos: node.startIndex });
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = this.src.slice(moduleNode);
    const base = this.bindings.resolveModule(module);
    for (const child of node.namedChildren) {
      if (child.startIndex === moduleNode.startIndex) continue;
      let name: string;
      let local: string;
      if (child.type === 'dotted_name') {
        name = this.src.slice(child);
        local = name;
      } else if (child.type === 'aliased_import') {
        name = this.src.slice(child.childForFieldName('name'));
        local = this.src.slice(child.childForFieldName('alias'));
      } else if (child.type === 'wildcard_import') {
        this.raw.imports.push({ module, name: '*', local: '*', loc });
        continue;
      } else continue;
      this.raw.imports.push({ module, name, local, loc });
      this.bindings.bind(scopeKey, local, { kind: 'import', qualified: base ? `${base}.${name}` : name, pos: node.startIndex });
    }
  }

  private paramNames(fn: Node): Set<string> {
    const names = new Set<string>();
    const params = fn.childForFieldName('parameters');
    if (!params) return names;
    for (const p of params.namedChildren) {
      const n = paramNameNode(p);
      if (n) names.add(this.src.slice(n));
    }
    return names;
  }

  private currentKey(): string {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      if (f.kind === 'function' || f.kind === 'class') return f.key;
    }
    return 'm';
  }

  /** the scope whose names a new function/class body can see: the enclosing function or module */
  private outerFunctionKey(): string {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      if (f.kind === 'function') return f.key;
    }
    return 'm';
  }

  private enclosingFunctionOrClass(): Frame | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      if (f.kind === 'function' || f.kind === 'class') return f;
    }
    return undefined;
  }

  private innermostClassId(): number | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      if (f.kind === 'class') return f.id;
    }
    return undefined;
  }

  private scopeAt(pos: number): Scope {
    const scope: Scope = { inAsync: false, inLoop: false, awaited: false, tries: [], withCalls: [], argOfCalls: [] };
    let crossed = false;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      switch (f.kind) {
        case 'function':
          if (scope.functionId === undefined) {
            scope.functionId = f.id;
            scope.inAsync = f.isAsync;
          }
          crossed = true;
          break;
        case 'class':
          if (scope.classId === undefined) scope.classId = f.id;
          break;
        case 'loop':
          if (!crossed) scope.inLoop = true;
          break;
        case 'branch':
          if (!crossed && pos >= f.bodyStart) scope.inBranch = true;
          break;
        case 'try':
          if (!crossed) {
            for (const p of f.parts) {
              if (pos >= p.start && pos < p.end) {
                scope.tries.push(
                  p.handlerIndex === undefined
                    ? { tryId: f.id, part: p.part }
                    : { tryId: f.id, part: p.part, handlerIndex: p.handlerIndex },
                );
                break;
              }
            }
          }
          break;
        case 'with':
          // the context-manager ids are filled in pass 2 (node ids now)
          if (!crossed && pos >= f.bodyStart) for (const id of f.items) scope.withCalls.push(id);
          break;
        case 'call':
          if (!crossed && pos >= f.argStart && pos < f.argEnd) scope.argOfCalls.push(f.idx);
          break;
      }
    }
    return scope;
  }

  /** `await` (possibly with parentheses) right before a call starting at `start` */
  private awaitedAt(start: number): boolean {
    let i = start - 1;
    const t = this.src.text;
    while (i >= 0 && (t[i] === ' ' || t[i] === '(' || t[i] === '\t')) i--;
    if (i < 4 || t.slice(i - 4, i + 1) !== 'await') return false;
    const before = t[i - 5];
    return before === undefined || !/[\w.]/.test(before);
  }
}
