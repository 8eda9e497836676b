// Turns one tree-sitter Python tree into FileFacts.
//
// One multi-pattern query yields every node a fact is made of, in document order. A single pass
// over those captures keeps a stack of open containers (functions, classes, try, with, loops,
// calls) and records each fact's scope; a second pass resolves callees through imports and
// instance bindings, now that every binding in the file is known, and builds the facts.
// Only the nodes the query returns are inspected: there is no JS walk over the whole tree.
import type { Node, Query, Tree } from 'web-tree-sitter';
import type {
  AssignmentFact,
  CallFact,
  ClassFact,
  DecoratorFact,
  FileFacts,
  FunctionFact,
  HandlerFact,
  ImportFact,
  Loc,
  Scope,
  SuppressionFact,
  TryFact,
  Value,
} from '../types.js';
import { LineIndex } from '../typescript/lines.js';
import { isLogCallee, parseSuppression } from './text.js';

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
  | { kind: 'call'; end: number; idx: number; argStart: number; argEnd: number };

interface TryPart {
  start: number;
  end: number;
  part: 'body' | 'handler' | 'else' | 'finally';
  handlerIndex?: number;
}

/** What a name is bound to in one scope (module, function or class body, or `self.<attr>` of a class). */
type Binding =
  | { kind: 'import'; qualified: string; pos: number }
  | { kind: 'call'; nodeId: number; pos: number }
  | { kind: 'none'; pos: number }
  /** `def name` / `class name`: a module-local function or class, kept as written */
  | { kind: 'def'; pos: number }
  | { kind: 'other'; pos: number };

interface RawCall {
  node: Node;
  fn: Node | null;
  args: Node | null;
  start: number;
  end: number;
  scope: Scope;
  scopeKey: string;
}

interface RawFunction {
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

interface RawAssignment {
  node: Node;
  left: Node | null;
  right: Node | null;
  start: number;
  end: number;
  scope: Scope;
  scopeKey: string;
  augmented: boolean;
}

interface RawTry {
  node: Node;
  start: number;
  end: number;
  handlers: Node[];
  hasFinally: boolean;
}

type Resolution =
  | { kind: 'import'; qualified: string }
  | { kind: 'instance'; callIdx: number }
  | { kind: 'local' }
  | { kind: 'unknown' }
  | { kind: 'unbound' };

const LITERAL_KINDS = new Set(['string', 'number', 'boolean', 'null', 'object', 'array']);
const MAX_TEXT = 200;

export function extractFacts(path: string, text: string, tree: Tree, query: Query, commentQuery: Query): FileFacts {
  return new Extraction(path, text, tree).run(query, commentQuery);
}

class Extraction {
  private readonly lines: LineIndex;
  private readonly packageParts: string[];

  private readonly stack: Frame[] = [];
  private readonly rawCalls: RawCall[] = [];
  private readonly callIdxByNode = new Map<number, number>();
  private readonly rawFunctions: RawFunction[] = [];
  private readonly functionIdxByNode = new Map<number, number>();
  private readonly classNodes: Node[] = [];
  private readonly classNames: string[] = [];
  private readonly rawAssignments: RawAssignment[] = [];
  private readonly rawTries: RawTry[] = [];
  private readonly imports: ImportFact[] = [];

  /** key "<scope>|<name>" -> bindings in source order; scope: m, f<id>, k<id> (class body), s<id> (self attrs) */
  private readonly bindings = new Map<string, Binding[]>();
  private readonly parentScope = new Map<string, string>();
  private readonly params = new Map<string, Set<string>>();
  /** plain-name assignments anywhere in the file: for Value.resolved */
  private readonly nameAssignments = new Map<string, { count: number; value: Node }>();

  private readonly qualifiedMemo = new Map<number, { qualified: string | null; receiverCall?: number } | null>();
  private calls: CallFact[] = [];

  constructor(
    private readonly path: string,
    private readonly text: string,
    private readonly tree: Tree,
  ) {
    this.lines = new LineIndex(text);
    this.packageParts = packageOf(path);
  }

  run(query: Query, commentQuery: Query): FileFacts {
    const root = this.tree.rootNode;
    const captures = query.captures(root);
    const items: Array<{ name: string; node: Node; start: number; end: number }> = new Array(captures.length);
    for (let i = 0; i < captures.length; i++) {
      const c = captures[i];
      items[i] = { name: c.name, node: c.node, start: c.node.startIndex, end: c.node.endIndex };
    }
    items.sort((a, b) => a.start - b.start || b.end - a.end);
    for (const item of items) this.visit(item.name, item.node, item.start, item.end);

    const calls = this.buildCalls();
    const functions = this.buildFunctions();
    const classes = this.buildClasses();
    const assignments = this.buildAssignments();
    const tries = this.buildTries();
    const suppressions = this.text.includes('faultline:') ? this.buildSuppressions(commentQuery) : [];
    return {
      path: this.path,
      language: 'python',
      imports: this.imports,
      calls,
      functions,
      classes,
      assignments,
      tries,
      suppressions,
      hasSyntaxErrors: root.hasError,
    };
  }

  // ---------------------------------------------------------------- pass 1: scopes and bindings

  private visit(name: string, node: Node, start: number, end: number): void {
    const stack = this.stack;
    while (stack.length > 0 && stack[stack.length - 1].end <= start) stack.pop();
    const scopeKey = this.currentKey();
    switch (name) {
      case 'call': {
        const idx = this.rawCalls.length;
        const scope = this.scopeAt(start);
        scope.awaited = this.awaitedAt(start);
        const fn = node.childForFieldName('function');
        const args = node.childForFieldName('arguments');
        this.rawCalls.push({ node, fn, args, start, end, scope, scopeKey });
        this.callIdxByNode.set(node.id, idx);
        if (args) stack.push({ kind: 'call', end, idx, argStart: args.startIndex, argEnd: args.endIndex });
        return;
      }
      case 'function': {
        const id = this.rawFunctions.length;
        const isLambda = node.type === 'lambda';
        const scope = this.scopeAt(start);
        const enclosing = this.enclosingFunctionOrClass();
        const key = `f${id}`;
        this.parentScope.set(key, this.outerFunctionKey());
        const isAsync = !isLambda && this.text.startsWith('async', start);
        this.rawFunctions.push({
          node,
          start,
          end,
          isLambda,
          scope,
          key,
          parentFunctionId: scope.functionId,
          classId: enclosing?.kind === 'class' ? enclosing.id : undefined,
          className: enclosing?.kind === 'class' ? this.classNames[enclosing.id] : undefined,
        });
        this.functionIdxByNode.set(node.id, id);
        if (!isLambda) this.bind(scopeKey, this.slice(node.childForFieldName('name')), { kind: 'def', pos: start });
        this.params.set(key, this.paramNames(node));
        stack.push({ kind: 'function', end, id, isAsync, key });
        return;
      }
      case 'class': {
        const id = this.classNodes.length;
        this.classNodes.push(node);
        const className = this.slice(node.childForFieldName('name'));
        this.classNames.push(className);
        this.bind(scopeKey, className, { kind: 'def', pos: start });
        const key = `k${id}`;
        this.parentScope.set(key, this.outerFunctionKey());
        stack.push({ kind: 'class', end, id, key });
        return;
      }
      case 'try': {
        const id = this.rawTries.length;
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
        this.rawTries.push({ node, start, end, handlers, hasFinally });
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
          const target = alias?.namedChild(0);
          if (target?.type === 'identifier') {
            this.bind(
              scopeKey,
              this.slice(target),
              call ? { kind: 'call', nodeId: call.id, pos: start } : { kind: 'other', pos: start },
            );
          }
        }
        stack.push({ kind: 'with', end, bodyStart: body ? body.startIndex : end, items });
        return;
      }
      case 'loop':
        stack.push({ kind: 'loop', end });
        return;
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
    this.rawAssignments.push({ node, left, right, start, end, scope: this.scopeAt(start), scopeKey, augmented });
    if (augmented || !left) return;
    const binding = bindingOf(right, start);
    if (left.type === 'identifier') {
      const name = this.slice(left);
      this.bind(scopeKey, name, binding);
      if (right) {
        const seen = this.nameAssignments.get(name);
        if (seen) seen.count++;
        else this.nameAssignments.set(name, { count: 1, value: right });
      }
    } else if (left.type === 'attribute') {
      const obj = left.childForFieldName('object');
      const classId = this.innermostClassId();
      if (obj?.type === 'identifier' && this.slice(obj) === 'self' && classId !== undefined) {
        this.bind(`s${classId}`, this.slice(left.childForFieldName('attribute')), binding);
      }
    }
  }

  private visitImport(node: Node, scopeKey: string): void {
    const loc = this.loc(node.startIndex, node.endIndex);
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (child.type === 'dotted_name') {
          const module = this.slice(child);
          const local = module.split('.')[0];
          this.imports.push({ module, local, loc });
          this.bind(scopeKey, local, { kind: 'import', qualified: local, pos: node.startIndex });
        } else if (child.type === 'aliased_import') {
          const module = this.slice(child.childForFieldName('name'));
          const local = this.slice(child.childForFieldName('alias'));
          this.imports.push({ module, local, loc });
          this.bind(scopeKey, local, { kind: 'import', qualified: module, pos: node.startIndex });
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = this.slice(moduleNode);
    const base = this.resolveModule(module);
    for (const child of node.namedChildren) {
      if (child.startIndex === moduleNode.startIndex) continue;
      let name: string;
      let local: string;
      if (child.type === 'dotted_name') {
        name = this.slice(child);
        local = name;
      } else if (child.type === 'aliased_import') {
        name = this.slice(child.childForFieldName('name'));
        local = this.slice(child.childForFieldName('alias'));
      } else if (child.type === 'wildcard_import') {
        this.imports.push({ module, name: '*', local: '*', loc });
        continue;
      } else continue;
      this.imports.push({ module, name, local, loc });
      this.bind(scopeKey, local, { kind: 'import', qualified: base ? `${base}.${name}` : name, pos: node.startIndex });
    }
  }

  /** `.c` in pkg/a/b.py -> pkg.a.c; `..` -> pkg; absolute modules unchanged */
  private resolveModule(module: string): string {
    if (!module.startsWith('.')) return module;
    let dots = 0;
    while (module[dots] === '.') dots++;
    const rest = module.slice(dots);
    const pkg = this.packageParts.slice(0, Math.max(0, this.packageParts.length - (dots - 1)));
    return [...pkg, ...(rest ? [rest] : [])].join('.');
  }

  private bind(scopeKey: string, name: string, binding: Binding): void {
    const key = `${scopeKey}|${name}`;
    const list = this.bindings.get(key);
    if (list) list.push(binding);
    else this.bindings.set(key, [binding]);
  }

  private paramNames(fn: Node): Set<string> {
    const names = new Set<string>();
    const params = fn.childForFieldName('parameters');
    if (!params) return names;
    for (const p of params.namedChildren) {
      const n = paramNameNode(p);
      if (n) names.add(this.slice(n));
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

  // ---------------------------------------------------------------- pass 2: facts

  private buildCalls(): CallFact[] {
    const calls: CallFact[] = new Array(this.rawCalls.length);
    this.calls = calls;
    for (const raw of this.rawCalls) this.fixWithCalls(raw.scope);
    for (const raw of this.rawFunctions) this.fixWithCalls(raw.scope);
    for (const raw of this.rawAssignments) this.fixWithCalls(raw.scope);
    for (let i = 0; i < this.rawCalls.length; i++) {
      const raw = this.rawCalls[i];
      const fn = raw.fn;
      const argsNode = raw.args;
      const resolved = this.qualifiedOf(i);
      const args: Value[] = [];
      const kwargs: Record<string, Value> = {};
      let argsOpen = false;
      let kwargsOpen = false;
      if (argsNode?.type === 'argument_list') {
        for (const a of argsNode.namedChildren) {
          switch (a.type) {
            case 'keyword_argument': {
              const value = a.childForFieldName('value');
              const name = this.slice(a.childForFieldName('name'));
              if (value && name) kwargs[name] = this.value(value, raw.scopeKey);
              break;
            }
            case 'list_splat':
              argsOpen = true;
              break;
            case 'dictionary_splat':
              kwargsOpen = true;
              break;
            case 'comment':
              break;
            default:
              args.push(this.value(a, raw.scopeKey));
          }
        }
      } else if (argsNode) {
        args.push(this.value(argsNode, raw.scopeKey)); // f(x for x in y)
      }
      const call: CallFact = {
        id: i,
        callee: fn ? compact(this.slice(fn)) : '',
        qualified: resolved?.qualified ?? null,
        isNew: false,
        args,
        kwargs,
        argsOpen,
        kwargsOpen,
        loc: this.loc(raw.start, raw.end),
        calleeLoc: fn ? this.nodeLoc(fn) : this.loc(raw.start, raw.end),
        scope: raw.scope,
      };
      if (resolved?.receiverCall !== undefined) call.receiverCall = resolved.receiverCall;
      calls[i] = call;
    }
    return calls;
  }

  private fixWithCalls(scope: Scope): void {
    if (scope.withCalls.length === 0) return;
    const ids: number[] = [];
    for (const nodeId of scope.withCalls) {
      const idx = this.callIdxByNode.get(nodeId);
      if (idx !== undefined) ids.push(idx);
    }
    scope.withCalls = ids;
  }

  /** import/binding-resolved callee of raw call i (memoised; chained and bound receivers recurse) */
  private qualifiedOf(i: number): { qualified: string | null; receiverCall?: number } | null {
    if (this.qualifiedMemo.has(i)) return this.qualifiedMemo.get(i) ?? null;
    this.qualifiedMemo.set(i, null); // cycle guard
    const raw = this.rawCalls[i];
    const fn = raw.fn;
    const result = fn ? this.resolveExpression(fn, raw.scopeKey, raw.start, raw.scope.classId) : null;
    this.qualifiedMemo.set(i, result);
    return result;
  }

  /** identifier / attribute chain / chained call -> qualified name (and receiver ctor) */
  private resolveExpression(
    node: Node,
    scopeKey: string,
    pos: number,
    classId: number | undefined,
  ): { qualified: string | null; receiverCall?: number } | null {
    const segments: string[] = [];
    let base: Node | null = node;
    while (base && base.type === 'attribute') {
      segments.push(this.slice(base.childForFieldName('attribute')));
      base = base.childForFieldName('object');
    }
    segments.reverse();
    if (!base) return null;
    const baseCall = unwrapCall(base);
    if (baseCall && base.type !== 'identifier') {
      const idx = this.callIdxByNode.get(baseCall.id);
      if (idx === undefined || segments.length === 0) return null;
      const inner = this.qualifiedOf(idx);
      if (!inner?.qualified) return null;
      return { qualified: `${inner.qualified}().${segments.join('.')}`, receiverCall: idx };
    }
    if (base.type !== 'identifier') return null;
    const name = this.slice(base);
    if (name === 'self' && classId !== undefined) {
      if (segments.length < 2) return null;
      const idx = this.selfBinding(classId, segments[0]);
      if (idx === undefined) return null;
      const ctor = this.qualifiedOf(idx);
      if (!ctor?.qualified) return null;
      return { qualified: `${ctor.qualified}().${segments.slice(1).join('.')}`, receiverCall: idx };
    }
    const r = this.resolveName(name, scopeKey, pos);
    switch (r.kind) {
      case 'import':
        return { qualified: [r.qualified, ...segments].join('.') };
      case 'instance': {
        const ctor = this.qualifiedOf(r.callIdx);
        if (!ctor?.qualified) return null;
        const tail = segments.length > 0 ? `.${segments.join('.')}` : '';
        return { qualified: `${ctor.qualified}()${tail}`, receiverCall: r.callIdx };
      }
      case 'local':
        // a function or class defined in this file: `send_email.kiq`, `Service.create`
        return { qualified: [name, ...segments].join('.') };
      case 'unbound':
        // builtins and module-level functions stay as written; attribute chains on names we
        // never saw bound (loop variables, except aliases, star imports) are unknown
        return segments.length === 0 ? { qualified: name } : null;
      default:
        return null;
    }
  }

  private resolveName(name: string, scopeKey: string, pos: number): Resolution {
    for (let key: string | undefined = scopeKey; key; key = this.parentScope.get(key)) {
      if (this.params.get(key)?.has(name)) return { kind: 'unknown' };
      const list = this.bindings.get(`${key}|${name}`);
      if (list) {
        const b = pick(list, pos);
        if (b.kind === 'import') return { kind: 'import', qualified: b.qualified };
        if (b.kind === 'def') return { kind: 'local' };
        if (b.kind === 'call') {
          const idx = this.callIdxByNode.get(b.nodeId);
          return idx === undefined ? { kind: 'unknown' } : { kind: 'instance', callIdx: idx };
        }
        return { kind: 'unknown' };
      }
      if (key === 'm') break;
    }
    return { kind: 'unbound' };
  }

  /** `self.<attr>` bound to one constructor (in any method, or as a class attribute); None resets ignored */
  private selfBinding(classId: number, attr: string): number | undefined {
    const list = [...(this.bindings.get(`s${classId}|${attr}`) ?? []), ...(this.bindings.get(`k${classId}|${attr}`) ?? [])];
    let found: number | undefined;
    let foundQualified: string | null | undefined;
    for (const b of list) {
      if (b.kind === 'none') continue;
      if (b.kind !== 'call') return undefined;
      const idx = this.callIdxByNode.get(b.nodeId);
      if (idx === undefined) return undefined;
      const q = this.qualifiedOf(idx)?.qualified ?? null;
      if (found === undefined) {
        found = idx;
        foundQualified = q;
      } else if (q !== foundQualified) return undefined;
    }
    return found;
  }

  private buildFunctions(): FunctionFact[] {
    return this.rawFunctions.map((raw, id) => {
      const node = raw.node;
      const nameNode = raw.isLambda ? null : node.childForFieldName('name');
      const name = nameNode ? this.slice(nameNode) : '';
      const fact: FunctionFact = {
        id,
        name,
        qualifiedName: raw.className && name ? `${raw.className}.${name}` : name,
        isAsync: !raw.isLambda && this.text.startsWith('async', raw.start),
        decorators: raw.isLambda ? [] : this.decorators(node, raw.scope, raw.start),
        params: this.params_(node, raw.key),
        loc: this.loc(raw.start, raw.end),
        nameLoc: nameNode ? this.nodeLoc(nameNode) : this.loc(raw.start, raw.start + (raw.isLambda ? 6 : 3)),
        scope: raw.scope,
      };
      if (raw.classId !== undefined) fact.classId = raw.classId;
      if (raw.parentFunctionId !== undefined) fact.parentFunctionId = raw.parentFunctionId;
      const parent = node.parent;
      if (raw.scope.argOfCalls.length > 0 && parent) {
        const owner = parent.type === 'keyword_argument' ? parent.parent : parent;
        if (owner?.type === 'argument_list') {
          fact.argOfCall = raw.scope.argOfCalls[0];
          if (parent.type === 'argument_list') {
            const index = this.calls[fact.argOfCall].args.findIndex((a) => a.kind === 'function' && a.functionId === id);
            if (index >= 0) fact.argIndex = index;
          }
        }
      }
      return fact;
    });
  }

  private decorators(fn: Node, scope: Scope, pos: number): DecoratorFact[] {
    const parent = fn.parent;
    if (parent?.type !== 'decorated_definition') return [];
    const out: DecoratorFact[] = [];
    const outerKey = this.scopeKeyOf(scope);
    for (const d of parent.namedChildren) {
      if (d.type !== 'decorator') continue;
      const expr = d.namedChildren.find((c) => c.type !== 'comment');
      if (!expr) continue;
      const fact: DecoratorFact = { text: compact(this.slice(expr)), qualified: null, loc: this.nodeLoc(expr) };
      if (expr.type === 'call') {
        const idx = this.callIdxByNode.get(expr.id);
        if (idx !== undefined) {
          fact.callId = idx;
          fact.qualified = this.calls[idx].qualified;
        }
      } else {
        fact.qualified = this.resolveExpression(expr, outerKey, pos, scope.classId)?.qualified ?? null;
      }
      out.push(fact);
    }
    return out;
  }

  private scopeKeyOf(scope: Scope): string {
    // decorators are evaluated in the scope around the definition
    if (scope.functionId !== undefined) return `f${scope.functionId}`;
    return 'm';
  }

  private params_(fn: Node, key: string): FunctionFact['params'] {
    const params = fn.childForFieldName('parameters');
    if (!params) return [];
    const out: FunctionFact['params'] = [];
    for (const p of params.namedChildren) {
      const n = paramNameNode(p);
      if (!n) continue;
      let name = this.slice(n);
      if (p.type === 'list_splat_pattern') name = `*${name}`;
      else if (p.type === 'dictionary_splat_pattern') name = `**${name}`;
      const entry: FunctionFact['params'][number] = { name, loc: this.nodeLoc(p) };
      const def = p.type === 'default_parameter' || p.type === 'typed_default_parameter' ? p.childForFieldName('value') : null;
      if (def) entry.default = this.value(def, key);
      out.push(entry);
    }
    return out;
  }

  private buildClasses(): ClassFact[] {
    return this.classNodes.map((node, id) => {
      const nameNode = node.childForFieldName('name');
      const bases: string[] = [];
      const supers = node.childForFieldName('superclasses');
      for (const b of supers?.namedChildren ?? []) {
        if (b.type === 'identifier' || b.type === 'attribute') {
          bases.push(this.resolveExpression(b, 'm', node.startIndex, undefined)?.qualified ?? compact(this.slice(b)));
        } else if (b.type !== 'keyword_argument' && b.type !== 'comment') {
          bases.push(compact(this.slice(b)));
        }
      }
      return {
        id,
        name: this.classNames[id],
        bases,
        loc: this.nodeLoc(node),
        nameLoc: nameNode ? this.nodeLoc(nameNode) : this.nodeLoc(node),
      };
    });
  }

  private buildAssignments(): AssignmentFact[] {
    const out: AssignmentFact[] = [];
    for (const raw of this.rawAssignments) {
      const { left, right } = raw;
      if (!left) continue;
      const target = compact(this.slice(left));
      const fact: AssignmentFact = {
        target,
        qualified: null,
        value: right ? this.value(right, raw.scopeKey) : { kind: 'other', text: '', loc: this.nodeLoc(left) },
        augmented: raw.augmented,
        loc: this.loc(raw.start, raw.end),
        scope: raw.scope,
      };
      if (left.type === 'attribute') {
        const obj = left.childForFieldName('object');
        if (obj?.type === 'identifier' && this.slice(obj) === 'self') {
          fact.selfAttr = this.slice(left.childForFieldName('attribute'));
        }
        const r = this.resolveExpression(left, raw.scopeKey, raw.start, raw.scope.classId);
        if (r?.qualified) {
          fact.qualified = r.qualified;
          if (r.receiverCall !== undefined) fact.receiverCall = r.receiverCall;
        }
      }
      out.push(fact);
    }
    return out;
  }

  private buildTries(): TryFact[] {
    const handlerCallees = new Map<string, string[]>();
    for (const call of this.calls) {
      for (const t of call.scope.tries) {
        if (t.part !== 'handler') continue;
        const key = `${t.tryId}:${t.handlerIndex}`;
        const list = handlerCallees.get(key);
        const callee = call.qualified ?? call.callee;
        if (list) list.push(callee);
        else handlerCallees.set(key, [callee]);
      }
    }
    return this.rawTries.map((raw, id) => ({
      id,
      loc: this.loc(raw.start, raw.end),
      hasFinally: raw.hasFinally,
      handlers: raw.handlers.map((h, index) => this.handler(h, handlerCallees.get(`${id}:${index}`) ?? [])),
    }));
  }

  private handler(node: Node, callees: string[]): HandlerFact {
    const types: string[] = [];
    let block: Node | null = null;
    for (const child of node.namedChildren) {
      if (child.type === 'block') block = child;
      else if (child.type !== 'comment' && !block) {
        let value: Node | null = child;
        if (value.type === 'as_pattern') value = value.namedChild(0);
        const list = value?.type === 'tuple' || value?.type === 'parenthesized_expression' ? value.namedChildren : value ? [value] : [];
        for (const t of list) {
          if (t.type === 'comment') continue;
          const r = t.type === 'identifier' || t.type === 'attribute' ? this.resolveExpression(t, 'm', node.startIndex, undefined) : null;
          types.push(r?.qualified ?? compact(this.slice(t)));
        }
      }
    }
    let empty = true;
    let logOnly = true;
    let reraises = false;
    let returns = false;
    if (block) {
      for (const stmt of block.namedChildren) {
        const t = stmt.type;
        if (t === 'comment') continue;
        if (t === 'pass_statement') continue;
        if (t === 'expression_statement' && stmt.namedChildCount === 1) {
          const e = stmt.namedChild(0);
          if (e?.type === 'ellipsis' || e?.type === 'string') continue;
          empty = false;
          const call = e?.type === 'await' ? e.namedChild(0) : e;
          if (call?.type === 'call' && isLogCallee(compact(this.slice(call.childForFieldName('function'))))) continue;
          logOnly = false;
          continue;
        }
        empty = false;
        logOnly = false;
      }
      const nested = block.descendantsOfType(['raise_statement', 'return_statement', 'function_definition', 'lambda', 'class_definition']);
      const fences: Array<[number, number]> = [];
      for (const n of nested) {
        const s = n.startIndex;
        if (fences.some(([a, b]) => s >= a && s < b)) continue;
        if (n.type === 'raise_statement') reraises = true;
        else if (n.type === 'return_statement') returns = true;
        else fences.push([s, n.endIndex]);
      }
    }
    return { loc: this.nodeLoc(node), types, empty, reraises, returns, callees, logOnly };
  }

  private buildSuppressions(commentQuery: Query): SuppressionFact[] {
    const out: SuppressionFact[] = [];
    for (const c of commentQuery.captures(this.tree.rootNode)) {
      const start = c.node.startIndex;
      const end = c.node.endIndex;
      const body = this.text.slice(start, end);
      if (!body.includes('faultline:')) continue;
      const parsed = parseSuppression(body);
      if (!parsed) continue;
      const line = this.lines.lineOf(start) + 1;
      const lineStart = this.lines.lineStart(line - 1);
      const ownLine = this.text.slice(lineStart, start).trim() === '';
      out.push({ line, rules: parsed.rules, reason: parsed.reason, ownLine, loc: this.loc(start, end) });
    }
    return out;
  }

  // ---------------------------------------------------------------- values

  /** `resolving`: building the literal a name is bound to; its own names are not followed again */
  private value(node: Node, scopeKey: string, resolving = false): Value {
    const loc = this.nodeLoc(node);
    switch (node.type) {
      case 'none':
        return { kind: 'null', loc };
      case 'true':
        return { kind: 'boolean', value: true, loc };
      case 'false':
        return { kind: 'boolean', value: false, loc };
      case 'integer':
      case 'float': {
        const n = parseNumber(this.slice(node));
        return n === undefined ? { kind: 'other', text: this.slice(node), loc } : { kind: 'number', value: n, loc };
      }
      case 'unary_operator': {
        const arg = node.childForFieldName('argument');
        const op = node.childForFieldName('operator');
        const inner = arg ? this.value(arg, scopeKey, resolving) : undefined;
        if (inner?.kind === 'number' && op) {
          const sign = this.slice(op);
          if (sign === '-') return { kind: 'number', value: -inner.value, loc };
          if (sign === '+') return { kind: 'number', value: inner.value, loc };
        }
        return { kind: 'other', text: clip(this.slice(node)), loc };
      }
      case 'string':
      case 'concatenated_string': {
        const s = node.type === 'string' ? stringLiteral(this.slice(node)) : this.stringValue(node);
        return s === undefined ? { kind: 'other', text: clip(this.slice(node)), loc } : { kind: 'string', value: s, loc };
      }
      case 'await': {
        // `await X(...)`: the value is what the call produces (bindings treat it the same way)
        const call = unwrapCall(node);
        if (call) return this.value(call, scopeKey, resolving);
        return { kind: 'other', text: clip(compact(this.slice(node))), loc };
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.filter((c) => c.type !== 'comment');
        return inner.length === 1 ? this.value(inner[0], scopeKey, resolving) : { kind: 'other', text: clip(this.slice(node)), loc };
      }
      case 'call': {
        const idx = this.callIdxByNode.get(node.id);
        if (idx !== undefined) return { kind: 'call', callId: idx, text: clip(compact(this.slice(node))), loc };
        return { kind: 'other', text: clip(this.slice(node)), loc };
      }
      case 'identifier':
      case 'attribute':
        return this.nameValue(node, scopeKey, loc, resolving);
      case 'dictionary': {
        const props: Record<string, Value> = {};
        let open = false;
        for (const pair of node.namedChildren) {
          if (pair.type === 'comment') continue;
          if (pair.type !== 'pair') {
            open = true;
            continue;
          }
          const k = pair.childForFieldName('key');
          const v = pair.childForFieldName('value');
          const key = k && (k.type === 'string' || k.type === 'concatenated_string') ? this.stringValue(k) : undefined;
          if (key === undefined || !v) open = true;
          else props[key] = this.value(v, scopeKey, resolving);
        }
        return { kind: 'object', props, open, loc };
      }
      case 'list':
      case 'tuple':
      case 'set': {
        const items: Value[] = [];
        let open = false;
        for (const item of node.namedChildren) {
          if (item.type === 'comment') continue;
          if (item.type === 'list_splat' || item.type === 'dictionary_splat') open = true;
          else items.push(this.value(item, scopeKey, resolving));
        }
        return { kind: 'array', items, open, loc };
      }
      case 'lambda': {
        const id = this.functionIdxByNode.get(node.id);
        if (id !== undefined) return { kind: 'function', functionId: id, loc };
        return { kind: 'other', text: clip(this.slice(node)), loc };
      }
      default:
        return { kind: 'other', text: clip(compact(this.slice(node))), loc };
    }
  }

  private nameValue(node: Node, scopeKey: string, loc: Loc, resolving: boolean): Value {
    const text = compact(this.slice(node));
    const value: Value = { kind: 'name', text, loc };
    let base: Node | null = node;
    const segments: string[] = [];
    while (base?.type === 'attribute') {
      segments.unshift(this.slice(base.childForFieldName('attribute')));
      base = base.childForFieldName('object');
    }
    if (base?.type === 'identifier') {
      const r = this.resolveName(this.slice(base), scopeKey, node.startIndex);
      if (r.kind === 'import') value.qualified = [r.qualified, ...segments].join('.');
    }
    if (node.type === 'identifier' && !resolving) {
      const a = this.nameAssignments.get(text);
      if (a && a.count === 1 && a.value.id !== node.id) {
        const resolved = this.value(a.value, 'm', true);
        if (LITERAL_KINDS.has(resolved.kind)) value.resolved = resolved;
      }
    }
    return value;
  }

  private stringValue(node: Node): string | undefined {
    if (node.type === 'string') return stringLiteral(this.slice(node));
    if (node.type === 'concatenated_string') {
      let out = '';
      for (const part of node.namedChildren) {
        if (part.type === 'comment') continue;
        const s = this.stringValue(part);
        if (s === undefined) return undefined;
        out += s;
      }
      return out;
    }
    let out = '';
    for (const part of node.namedChildren) {
      const t = part.type;
      if (t === 'interpolation') return undefined;
      if (t === 'string_content' || t === 'escape_sequence') out += this.slice(part);
    }
    return out;
  }

  // ---------------------------------------------------------------- locations and text

  /** `await` (possibly with parentheses) right before a call starting at `start` */
  private awaitedAt(start: number): boolean {
    let i = start - 1;
    const t = this.text;
    while (i >= 0 && (t[i] === ' ' || t[i] === '(' || t[i] === '\t')) i--;
    if (i < 4 || t.slice(i - 4, i + 1) !== 'await') return false;
    const before = t[i - 5];
    return before === undefined || !/[\w.]/.test(before);
  }

  private slice(node: Node | null | undefined): string {
    return node ? this.text.slice(node.startIndex, node.endIndex) : '';
  }

  private nodeLoc(node: Node): Loc {
    return this.loc(node.startIndex, node.endIndex);
  }

  /** tree-sitter indices here are UTF-16 offsets into the JS string: columns are UTF-16 already */
  private loc(start: number, end: number): Loc {
    return this.lines.loc(start, end);
  }
}

// ------------------------------------------------------------------ helpers

/** package parts of a module path: pkg/a/b.py -> [pkg, a]; pkg/a/__init__.py -> [pkg, a] */
function packageOf(path: string): string[] {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p && p !== '.');
  parts.pop();
  return parts;
}

function pick(list: Binding[], pos: number): Binding {
  let chosen: Binding | undefined;
  for (const b of list) if (b.pos < pos) chosen = b;
  return chosen ?? list[list.length - 1];
}

/** the value side of `a = b = value` */
function finalRight(node: Node): Node | null {
  let right = node.childForFieldName('right');
  while (right && right.type === 'assignment') right = right.childForFieldName('right');
  return right;
}

/** `X(...)`, `await X(...)`, `(X(...))` -> the call node */
function unwrapCall(node: Node | null | undefined): Node | null {
  let n = node ?? null;
  while (n && (n.type === 'await' || n.type === 'parenthesized_expression')) n = n.namedChild(0);
  return n?.type === 'call' ? n : null;
}

function bindingOf(right: Node | null, pos: number): Binding {
  if (!right) return { kind: 'other', pos };
  if (right.type === 'none') return { kind: 'none', pos };
  const call = unwrapCall(right);
  return call ? { kind: 'call', nodeId: call.id, pos } : { kind: 'other', pos };
}

function paramNameNode(p: Node): Node | null {
  switch (p.type) {
    case 'identifier':
      return p;
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern': {
      const first = p.namedChild(0);
      if (first?.type === 'identifier') return first;
      return first ? paramNameNode(first) : null;
    }
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name');
    default:
      return null;
  }
}

function parseNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '').toLowerCase();
  if (t.endsWith('j')) return undefined;
  if (/^0[0-7]+$/.test(t)) return undefined; // py2 octal
  const n = Number(t.endsWith('l') ? t.slice(0, -1) : t);
  return Number.isNaN(n) ? undefined : n;
}

/** the value of one string literal from its source text; undefined for f-strings with fields */
function stringLiteral(src: string): string | undefined {
  let i = 0;
  while (i < src.length && /[a-zA-Z]/.test(src[i])) i++;
  const prefix = src.slice(0, i).toLowerCase();
  const q = src[i];
  if (q !== '"' && q !== "'") return undefined;
  const triple = src.startsWith(q.repeat(3), i);
  const open = triple ? 3 : 1;
  const body = src.slice(i + open, Math.max(i + open, src.length - open));
  if (prefix.includes('f') && /\{(?!\{)/.test(body.replace(/\{\{/g, ''))) return undefined;
  return body;
}

function compact(s: string): string {
  return s.includes('\n') ? s.replace(/\s*\n\s*/g, '') : s;
}

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}
