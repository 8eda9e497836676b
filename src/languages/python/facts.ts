// Pass 2 of the Python adapter: the raw captures of pass 1 -> FileFacts, now that every binding
// in the file is known (callees, decorators and bases resolve through bindings.ts, values through
// values.ts).
import type { Node, Query, Tree } from 'web-tree-sitter';
import { isLoggingCall } from '../logging.js';
import type {
  AssignmentFact,
  CallFact,
  ClassFact,
  DecoratorFact,
  ExportFact,
  FunctionFact,
  HandlerFact,
  IterationFact,
  Scope,
  SuppressionFact,
  TryFact,
  Value,
} from '../types.js';
import type { Bindings } from './bindings.js';
import { compact, paramNameNode, type PySource } from './syntax.js';
import { parseSuppression } from './suppressions.js';
import type { ValueReader } from './values.js';
import type { RawFacts } from './visitor.js';

/** how many for/while loops of its own function (or of module level) the node sits in */
function loopDepth(node: Node): number {
  let n = 0;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement') n++;
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
  }
  return n;
}

export class FactBuilder {
  private calls: CallFact[] = [];

  constructor(
    private readonly src: PySource,
    private readonly raw: RawFacts,
    private readonly bindings: Bindings,
    private readonly values: ValueReader,
  ) {}

  buildCalls(): CallFact[] {
    const calls: CallFact[] = new Array(this.raw.rawCalls.length);
    this.calls = calls;
    for (const raw of this.raw.rawCalls) this.fixWithCalls(raw.scope);
    for (const raw of this.raw.rawFunctions) this.fixWithCalls(raw.scope);
    for (const raw of this.raw.rawAssignments) this.fixWithCalls(raw.scope);
    for (let i = 0; i < this.raw.rawCalls.length; i++) {
      const raw = this.raw.rawCalls[i];
      const fn = raw.fn;
      const argsNode = raw.args;
      const resolved = this.bindings.qualifiedOf(i);
      const args: Value[] = [];
      const kwargs: Record<string, Value> = {};
      let argsOpen = false;
      let kwargsOpen = false;
      let leadingSplat: Value | undefined;
      const splats: Node[] = [];
      if (argsNode?.type === 'argument_list') {
        for (const a of argsNode.namedChildren) {
          switch (a.type) {
            case 'keyword_argument': {
              const value = a.childForFieldName('value');
              const name = this.src.slice(a.childForFieldName('name'));
              if (value && name) kwargs[name] = this.values.value(value, raw.scopeKey);
              break;
            }
            case 'list_splat': {
              // `create_subprocess_exec(*cmd, …)`: what is spread first, with no positional before it
              const spread = a.namedChildren[0];
              if (!argsOpen && args.length === 0 && spread) leadingSplat = this.values.value(spread, raw.scopeKey);
              argsOpen = true;
              break;
            }
            case 'dictionary_splat':
              splats.push(a);
              break;
            case 'comment':
              break;
            default:
              args.push(this.values.value(a, raw.scopeKey));
          }
        }
      } else if (argsNode) {
        args.push(this.values.value(argsNode, raw.scopeKey)); // f(x for x in y)
      }
      // `**kw` from a dict visibly built in this function: its keys are known (explicit keywords win)
      let unknownKwargs: string[] | undefined;
      for (const splat of splats) {
        const seen = this.values.splatKeywords(splat, raw.node, raw.scopeKey);
        if (!seen) {
          kwargsOpen = true;
          continue;
        }
        for (const [k, v] of Object.entries(seen.props)) if (!(k in kwargs)) kwargs[k] = v;
        if (seen.unknown.length) unknownKwargs = [...(unknownKwargs ?? []), ...seen.unknown.filter((k) => !(k in kwargs))];
      }
      const call: CallFact = {
        id: i,
        callee: fn ? compact(this.src.slice(fn)) : '',
        qualified: resolved?.qualified ?? null,
        isNew: false,
        args,
        kwargs,
        argsOpen,
        kwargsOpen,
        loc: this.src.loc(raw.start, raw.end),
        calleeLoc: fn ? this.src.nodeLoc(fn) : this.src.loc(raw.start, raw.end),
        // a call that is the whole of its statement: its value is dropped
        scope: raw.node.parent?.type === 'expression_statement' && raw.node.parent.namedChildCount === 1 ? { ...raw.scope, statement: true } : raw.scope,
      };
      if (resolved?.receiverCall !== undefined) call.receiverCall = resolved.receiverCall;
      if (unknownKwargs?.length && !kwargsOpen) call.unknownKwargs = unknownKwargs;
      if (leadingSplat) call.leadingSplat = leadingSplat;
      calls[i] = call;
    }
    return calls;
  }

  private fixWithCalls(scope: Scope): void {
    if (scope.withCalls.length === 0) return;
    const ids: number[] = [];
    for (const nodeId of scope.withCalls) {
      const idx = this.raw.callIdxByNode.get(nodeId);
      if (idx !== undefined) ids.push(idx);
    }
    scope.withCalls = ids;
  }

  buildFunctions(): FunctionFact[] {
    return this.raw.rawFunctions.map((raw, id) => {
      const node = raw.node;
      const nameNode = raw.isLambda ? null : node.childForFieldName('name');
      const name = nameNode ? this.src.slice(nameNode) : '';
      const fact: FunctionFact = {
        id,
        name,
        qualifiedName: raw.className && name ? `${raw.className}.${name}` : name,
        isAsync: !raw.isLambda && this.src.text.startsWith('async', raw.start),
        decorators: raw.isLambda ? [] : this.decorators(node, raw.scope, raw.start),
        params: this.params_(node, raw.key),
        loc: this.src.loc(raw.start, raw.end),
        nameLoc: nameNode ? this.src.nodeLoc(nameNode) : this.src.loc(raw.start, raw.start + (raw.isLambda ? 6 : 3)),
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
      const fact: DecoratorFact = { text: compact(this.src.slice(expr)), qualified: null, loc: this.src.nodeLoc(expr) };
      if (expr.type === 'call') {
        const idx = this.raw.callIdxByNode.get(expr.id);
        if (idx !== undefined) {
          fact.callId = idx;
          fact.qualified = this.calls[idx].qualified;
        }
      } else {
        fact.qualified = this.bindings.resolveExpression(expr, outerKey, pos, scope.classId)?.qualified ?? null;
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
      let name = this.src.slice(n);
      if (p.type === 'list_splat_pattern') name = `*${name}`;
      else if (p.type === 'dictionary_splat_pattern') name = `**${name}`;
      const entry: FunctionFact['params'][number] = { name, loc: this.src.nodeLoc(p) };
      const def = p.type === 'default_parameter' || p.type === 'typed_default_parameter' ? p.childForFieldName('value') : null;
      if (def) entry.default = this.values.value(def, key);
      out.push(entry);
    }
    return out;
  }

  buildClasses(): ClassFact[] {
    return this.raw.classNodes.map((node, id) => {
      const nameNode = node.childForFieldName('name');
      const bases: string[] = [];
      const supers = node.childForFieldName('superclasses');
      for (const b of supers?.namedChildren ?? []) {
        if (b.type === 'identifier' || b.type === 'attribute') {
          bases.push(this.bindings.resolveExpression(b, 'm', node.startIndex, undefined)?.qualified ?? compact(this.src.slice(b)));
        } else if (b.type !== 'keyword_argument' && b.type !== 'comment') {
          bases.push(compact(this.src.slice(b)));
        }
      }
      return {
        id,
        name: this.raw.classNames[id],
        bases,
        loc: this.src.nodeLoc(node),
        nameLoc: nameNode ? this.src.nodeLoc(nameNode) : this.src.nodeLoc(node),
      };
    });
  }

  private readonly declarations = new Map<number, Map<string, 'global' | 'nonlocal'>>();

  /** the names the function around `node` declares `global` / `nonlocal` (empty at module level) */
  private scopeDeclarations(node: Node): Map<string, 'global' | 'nonlocal'> {
    let fn: Node | null = node.parent;
    while (fn && fn.type !== 'function_definition' && fn.type !== 'class_definition') fn = fn.parent;
    if (!fn || fn.type !== 'function_definition') return new Map();
    const known = this.declarations.get(fn.id);
    if (known) return known;
    const out = new Map<string, 'global' | 'nonlocal'>();
    const body = fn.childForFieldName('body');
    const stack = body ? [...body.namedChildren] : [];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
      if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
        for (const id of n.namedChildren) if (id.type === 'identifier') out.set(this.src.slice(id), n.type === 'global_statement' ? 'global' : 'nonlocal');
        continue;
      }
      stack.push(...n.namedChildren);
    }
    this.declarations.set(fn.id, out);
    return out;
  }

  buildAssignments(): AssignmentFact[] {
    const out: AssignmentFact[] = [];
    for (const raw of this.raw.rawAssignments) {
      const { left, right } = raw;
      if (!left) continue;
      const target = compact(this.src.slice(left));
      const fact: AssignmentFact = {
        target,
        qualified: null,
        value: right ? this.values.value(right, raw.scopeKey) : { kind: 'other', text: '', loc: this.src.nodeLoc(left) },
        augmented: raw.augmented,
        loc: this.src.loc(raw.start, raw.end),
        scope: raw.scope,
      };
      if (left.type === 'identifier') {
        const declared = this.scopeDeclarations(raw.node).get(target);
        if (declared) fact.binds = declared;
      }
      if (left.type === 'attribute') {
        const obj = left.childForFieldName('object');
        if (obj?.type === 'identifier' && this.src.slice(obj) === 'self') {
          fact.selfAttr = this.src.slice(left.childForFieldName('attribute'));
        }
        const r = this.bindings.resolveExpression(left, raw.scopeKey, raw.start, raw.scope.classId);
        if (r?.qualified) {
          fact.qualified = r.qualified;
          if (r.receiverCall !== undefined) fact.receiverCall = r.receiverCall;
        }
      }
      out.push(fact);
    }
    return out;
  }

  /** `for x in <expr>` / `async for`: what each loop iterates (`proc.stdout`), resolved like an assignment target. */
  buildIterations(): IterationFact[] {
    const out: IterationFact[] = [];
    for (const raw of this.raw.rawIterations) {
      const it = raw.iterable;
      const fact: IterationFact = {
        text: compact(this.src.slice(it)),
        qualified: null,
        async: this.src.text.startsWith('async', raw.start),
        loc: this.src.nodeLoc(it),
        scope: raw.scope,
      };
      if (it.type === 'attribute' || it.type === 'identifier') {
        const r = this.bindings.resolveExpression(it, raw.scopeKey, raw.start, raw.scope.classId);
        if (r?.qualified) {
          fact.qualified = r.qualified;
          if (r.receiverCall !== undefined) fact.receiverCall = r.receiverCall;
        }
      }
      out.push(fact);
    }
    return out;
  }

  /** `__all__ = [...]` / `__all__ += [...]` / `__all__.append(...)` / `.extend([...])` at module level */
  buildExports(assignments: AssignmentFact[]): ExportFact[] {
    const out: ExportFact[] = [];
    const add = (v: Value | undefined): void => {
      if (v?.kind === 'string') out.push({ name: v.value, local: v.value, loc: v.loc });
      else if (v?.kind === 'array') for (const item of v.items) add(item);
    };
    const atTop = (scope: Scope) => scope.functionId === undefined && scope.classId === undefined;
    for (const a of assignments) if (a.target === '__all__' && atTop(a.scope)) add(a.value);
    for (const c of this.calls) {
      if ((c.callee === '__all__.append' || c.callee === '__all__.extend') && atTop(c.scope)) add(c.args[0]);
    }
    return out;
  }

  buildTries(): TryFact[] {
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
    return this.raw.rawTries.map((raw, id) => ({
      id,
      loc: this.src.loc(raw.start, raw.end),
      hasFinally: raw.hasFinally,
      ...(loopDepth(raw.node) > 0 ? { inLoop: true } : {}),
      ...(loopDepth(raw.node) > 1 ? { nestedLoop: true } : {}),
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
          const r = t.type === 'identifier' || t.type === 'attribute' ? this.bindings.resolveExpression(t, 'm', node.startIndex, undefined) : null;
          types.push(r?.qualified ?? compact(this.src.slice(t)));
        }
      }
    }
    let empty = true;
    let logOnly = true;
    let reraises = false;
    let reraiseIf: string | undefined;
    let conditionalExit = false;
    let returns = false;
    let breaks = false;
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
          if (call?.type === 'call' && isLoggingCall(compact(this.src.slice(call.childForFieldName('function'))))) continue;
          logOnly = false;
          continue;
        }
        empty = false;
        logOnly = false;
      }
      const nested = block.descendantsOfType(['raise_statement', 'return_statement', 'function_definition', 'lambda', 'class_definition']);
      const fences: Array<[number, number]> = [];
      const guards = new Set<string>();
      for (const n of nested) {
        const s = n.startIndex;
        if (fences.some(([a, b]) => s >= a && s < b)) continue;
        if (n.type === 'raise_statement') {
          reraises = true;
          // `if raise_exceptions: raise exc`: the raise's own if, with a bare name as its condition
          const parent = n.parent?.type === 'block' ? n.parent.parent : n.parent;
          const cond = parent?.type === 'if_statement' ? parent.childForFieldName('condition') : null;
          guards.add(cond?.type === 'identifier' ? this.src.slice(cond) : '');
        }
        else if (n.type === 'return_statement') returns = true;
        else fences.push([s, n.endIndex]);
      }
      // a break of the loop around the try, not of a loop inside the handler
      const loops = block.descendantsOfType(['for_statement', 'while_statement']).map((l) => [l.startIndex, l.endIndex] as [number, number]);
      for (const b of block.descendantsOfType('break_statement')) {
        const s = b.startIndex;
        if (![...fences, ...loops].some(([a, e]) => s >= a && s < e)) breaks = true;
      }
      if (guards.size === 1 && !guards.has('')) reraiseIf = [...guards][0];
      const exitsAtTop = block.namedChildren.some((st) => st.type === 'raise_statement' || st.type === 'return_statement' || st.type === 'break_statement');
      if (!exitsAtTop && (reraises || returns || breaks)) conditionalExit = true;
    }
    return {
      loc: this.src.nodeLoc(node), types, empty, reraises, ...(reraiseIf ? { reraiseIf } : {}), returns,
      ...(conditionalExit ? { conditionalExit } : {}), ...(breaks ? { breaks } : {}), callees, logOnly,
    };
  }

  buildSuppressions(tree: Tree, commentQuery: Query): SuppressionFact[] {
    const out: SuppressionFact[] = [];
    for (const c of commentQuery.captures(tree.rootNode)) {
      const start = c.node.startIndex;
      const end = c.node.endIndex;
      const body = this.src.text.slice(start, end);
      if (!body.includes('faultline:')) continue;
      const parsed = parseSuppression(body);
      if (!parsed) continue;
      const line = this.src.lines.lineOf(start) + 1;
      const lineStart = this.src.lines.lineStart(line - 1);
      const ownLine = this.src.text.slice(lineStart, start).trim() === '';
      out.push({ line, rules: parsed.rules, reason: parsed.reason, ownLine, loc: this.src.loc(start, end) });
    }
    return out;
  }
}
