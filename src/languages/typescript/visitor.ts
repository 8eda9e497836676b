// The TypeScript/JavaScript walk: one pass over the syntax tree (no Program, no checker, no parent
// pointers) that records every fact with its scope, and the bindings the resolution pass needs.
// Values are built by values.ts; names are resolved by bindings.ts once the walk is done.
import type * as ts from 'typescript';
import { isLoggingCall } from '../logging.js';
import type {
  AssignmentFact,
  CallFact,
  ClassFact,
  DecoratorFact,
  ExportFact,
  FunctionFact,
  HandlerFact,
  ImportFact,
  Scope,
  TryFact,
  Value,
} from '../types.js';
import { commonJsExports, exportAssignment, exportDeclaration, exportedDeclaration } from './exports.js';
import { Bindings, MODULE_SCOPE, type Binding, type Site } from './bindings.js';
import {
  EMPTY,
  SK,
  dottedText,
  hasModifier,
  isFunctionLike,
  normalizeModule,
  propName,
  requireModule,
  tsr,
  unwrap,
  unwrapAwait,
  type SourceText,
} from './syntax.js';
import { Regions } from './flow.js';
import { Lifetimes } from './lifetimes.js';
import { ValueReader, type FileTables, type Path } from './values.js';

export class Visitor implements FileTables {
  readonly imports: ImportFact[] = [];
  readonly calls: CallFact[] = [];
  readonly functions: FunctionFact[] = [];
  readonly classes: ClassFact[] = [];
  readonly assignments: AssignmentFact[] = [];
  readonly tries: TryFact[] = [];
  readonly exports: ExportFact[] = [];
  readonly callIds = new Map<ts.Node, number>();
  readonly fnIds = new Map<ts.Node, number>();

  // walk state
  private fn: number | undefined;
  private cls: number | undefined;
  private inAsync = false;
  private inLoop = false;
  /** loops of the current function around the node (a break leaves only the innermost) */
  private loopDepth = 0;
  /** loops and switches entered in the current function: which one a `break` leaves */
  private breakDepth = 0;
  private readonly handlerBreakDepth = new Map<number, number>();
  private tryStack: Scope['tries'] = EMPTY;
  private argOf: number[] = EMPTY;
  private awaitedExpr: ts.Node | undefined;
  private namespaceDepth = 0;

  private readonly fnArgHint = new Map<ts.Node, { callId: number; index: number }>();
  private readonly nameHint = new Map<ts.Node, string>();
  /** functions written as members of an object literal (no parent pointers: marked when the object is visited) */
  private readonly objectMembers = new Set<ts.Node>();
  /** imported names usable as a type (`import type { FastifyInstance } from 'fastify'` too): local -> qualified */
  private readonly typeImports = new Map<string, string>();
  private readonly values: ValueReader;
  private readonly bindings: Bindings;
  private readonly regions = new Regions();
  private readonly lifetimes = new Lifetimes();
  /** object literals written directly as a call's argument -> that call */
  private readonly optionObjects = new Map<ts.Node, number>();

  constructor(private readonly src: SourceText) {
    this.values = new ValueReader(src, this, (v, path) => this.bindings.noteName(v, path, this.here(), this.regions.current));
    this.bindings = new Bindings(this, this.values, this.regions);
  }

  run(): void {
    this.visitStatements(this.src.sf.statements);
    this.bindings.resolveAll();
    this.lifetimes.resolve(this.calls, this.bindings);
    for (const c of this.calls) {
      const t = c.scope.tries[0];
      if (t && t.part === 'handler') {
        this.tries[t.tryId].handlers[t.handlerIndex ?? 0].callees.push(c.qualified ?? c.callee);
      }
    }
  }

  private scope(awaited: boolean): Scope {
    return {
      functionId: this.fn,
      classId: this.cls,
      inAsync: this.inAsync,
      inLoop: this.inLoop,
      awaited,
      tries: this.tryStack,
      withCalls: EMPTY,
      argOfCalls: this.argOf,
    };
  }

  private scopeKey(): number {
    return this.fn ?? MODULE_SCOPE;
  }

  /** at the file's top level, outside namespaces and functions: where ES exports are written */
  private atModuleTop(): boolean {
    return this.fn === undefined && this.cls === undefined && this.namespaceDepth === 0;
  }

  private here(): Site {
    return { fn: this.scopeKey(), cls: this.cls };
  }

  // ---- walk ------------------------------------------------------------------------------

  private readonly visitCb = (n: ts.Node): undefined => {
    this.visit(n);
    return undefined;
  };

  private visitStatements(list: ts.NodeArray<ts.Node>): void {
    for (const s of list) this.visit(s);
  }

  private visit(n: ts.Node): void {
    const kind = n.kind;
    if (kind >= SK.FirstTypeNode && kind <= SK.LastTypeNode) return;
    switch (kind) {
      case SK.InterfaceDeclaration:
      case SK.TypeAliasDeclaration:
      case SK.HeritageClause:
        return;
      case SK.ExportDeclaration:
        if (this.atModuleTop()) this.exports.push(...exportDeclaration(n as ts.ExportDeclaration, this.src));
        return;
      case SK.ExportAssignment: {
        const ea = n as ts.ExportAssignment;
        this.visit(ea.expression);
        if (this.atModuleTop()) this.exports.push(exportAssignment(ea, this.src, this.values.value(ea.expression)));
        return;
      }
      case SK.VariableStatement:
      case SK.EnumDeclaration:
        if (this.atModuleTop()) this.exports.push(...exportedDeclaration(n as ts.VariableStatement | ts.EnumDeclaration, this.src));
        tsr.forEachChild(n, this.visitCb);
        return;
      case SK.ModuleDeclaration:
        this.namespaceDepth++;
        tsr.forEachChild(n, this.visitCb);
        this.namespaceDepth--;
        return;
      case SK.ImportDeclaration:
        return this.visitImport(n as ts.ImportDeclaration);
      case SK.ImportEqualsDeclaration:
        return this.visitImportEquals(n as ts.ImportEqualsDeclaration);
      case SK.VariableDeclarationList:
        return this.visitVarList(n as ts.VariableDeclarationList);
      case SK.FunctionDeclaration: {
        const top = this.atModuleTop();
        this.visitFunction(n as ts.FunctionDeclaration);
        if (top) {
          const id = this.fnIds.get(n);
          const fnValue: Value | undefined = id === undefined ? undefined : { kind: 'function', functionId: id, loc: this.src.loc(n) };
          this.exports.push(...exportedDeclaration(n as ts.FunctionDeclaration, this.src, fnValue));
        }
        return;
      }
      case SK.FunctionExpression:
      case SK.ArrowFunction:
      case SK.MethodDeclaration:
      case SK.Constructor:
      case SK.GetAccessor:
      case SK.SetAccessor:
        this.visitFunction(n as ts.FunctionLikeDeclaration);
        return;
      case SK.ClassDeclaration:
        if (this.atModuleTop()) this.exports.push(...exportedDeclaration(n as ts.ClassDeclaration, this.src));
        return this.visitClass(n as ts.ClassLikeDeclaration);
      case SK.ClassExpression:
        return this.visitClass(n as ts.ClassLikeDeclaration);
      case SK.CallExpression:
      case SK.NewExpression:
        return this.visitCall(n as ts.CallExpression | ts.NewExpression);
      case SK.TryStatement:
        return this.visitTry(n as ts.TryStatement);
      case SK.ForStatement:
      case SK.ForOfStatement:
      case SK.ForInStatement:
      case SK.WhileStatement:
      case SK.DoStatement: {
        const prev = this.inLoop;
        this.inLoop = true;
        this.breakDepth++;
        this.loopDepth++;
        this.inRegion(n, true);
        this.loopDepth--;
        this.breakDepth--;
        this.inLoop = prev;
        return;
      }
      case SK.SwitchStatement: {
        this.breakDepth++;
        tsr.forEachChild(n, this.visitCb);
        this.breakDepth--;
        return;
      }
      case SK.BreakStatement: {
        if ((n as ts.BreakStatement).label) return;
        // a break of the loop around a try, from its handler (not of a loop or switch inside it)
        for (const t of this.tryStack) {
          if (t.part === 'handler' && this.handlerBreakDepth.get(t.tryId) === this.breakDepth && this.tries[t.tryId].inLoop) {
            this.tries[t.tryId].handlers[t.handlerIndex ?? 0].breaks = true;
          }
        }
        return;
      }
      case SK.IfStatement: {
        const i = n as ts.IfStatement;
        this.visit(i.expression);
        this.inRegion(i.thenStatement);
        if (i.elseStatement) this.inRegion(i.elseStatement);
        return;
      }
      case SK.ConditionalExpression: {
        const c = n as ts.ConditionalExpression;
        this.visit(c.condition);
        this.inRegion(c.whenTrue);
        this.inRegion(c.whenFalse);
        return;
      }
      case SK.CaseClause:
      case SK.DefaultClause:
        this.inRegion(n);
        return;
      case SK.ExpressionStatement: {
        const e = (n as ts.ExpressionStatement).expression;
        this.visit(e);
        let u = unwrapAwait(e);
        if (u.kind === SK.VoidExpression) u = unwrapAwait((u as ts.VoidExpression).expression);
        const id = this.callIds.get(u);
        if (id !== undefined) this.lifetimes.use(id, { k: 'dropped' });
        // a promise chain nothing waits on (`fetch(u).then(…).catch(…);`, `void fetch(u)`): its
        // head call is floating, unless the statement awaits the chain
        if (unwrap(e).kind !== SK.AwaitExpression) {
          let head = u;
          while (head.kind === SK.CallExpression) {
            const callee = unwrap((head as ts.CallExpression).expression);
            if (callee.kind !== SK.PropertyAccessExpression || !['then', 'catch', 'finally'].includes((callee as ts.PropertyAccessExpression).name.text)) break;
            head = unwrap((callee as ts.PropertyAccessExpression).expression);
          }
          const hid = this.callIds.get(head);
          if (hid !== undefined) this.calls[hid].scope = { ...this.calls[hid].scope, floating: true };
        }
        return;
      }
      case SK.Identifier: {
        const name = (n as ts.Identifier).text;
        if (this.lifetimes.tracked.has(name)) this.lifetimes.ref(name, { fn: this.scopeKey(), kind: 'plain' });
        return;
      }
      case SK.PropertyAccessExpression:
      case SK.ElementAccessExpression: {
        // `x.a`, `x['a']`: a member of x (the property name itself is not a reference)
        const pa = n as ts.PropertyAccessExpression | ts.ElementAccessExpression;
        const base = unwrap(pa.expression);
        if (base.kind === SK.Identifier && this.lifetimes.tracked.has((base as ts.Identifier).text)) {
          this.lifetimes.ref((base as ts.Identifier).text, { fn: this.scopeKey(), kind: 'member' });
        } else this.visit(pa.expression);
        if (kind === SK.ElementAccessExpression) this.visit((n as ts.ElementAccessExpression).argumentExpression);
        return;
      }
      case SK.ObjectLiteralExpression:
        return this.visitObject(n as ts.ObjectLiteralExpression);
      case SK.DeleteExpression: {
        const d = n as ts.DeleteExpression;
        this.visit(d.expression);
        const path = this.values.pathOf(d.expression);
        if (path && path.root.k === 'id' && path.segs.length) {
          this.bindings.notePropertyWrite(path.root.name, path.segs, null, this.scopeKey(), this.regions.current, this.src.loc(d));
        }
        return;
      }
      case SK.AwaitExpression: {
        const prev = this.awaitedExpr;
        this.awaitedExpr = unwrap((n as ts.AwaitExpression).expression);
        this.visit((n as ts.AwaitExpression).expression);
        this.awaitedExpr = prev;
        return;
      }
      case SK.BinaryExpression: {
        const b = n as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op >= SK.FirstAssignment && op <= SK.LastAssignment) return this.visitAssignment(b);
        this.visit(b.left);
        if (op === SK.AmpersandAmpersandToken || op === SK.BarBarToken || op === SK.QuestionQuestionToken) this.inRegion(b.right);
        else this.visit(b.right);
        return;
      }
      case SK.ThrowStatement:
      case SK.ReturnStatement: {
        for (const t of this.tryStack) {
          if (t.part === 'handler') {
            const h = this.tries[t.tryId].handlers[t.handlerIndex ?? 0];
            if (kind === SK.ThrowStatement) h.reraises = true;
            else h.returns = true;
          }
        }
        tsr.forEachChild(n, this.visitCb);
        return;
      }
      default:
        tsr.forEachChild(n, this.visitCb);
    }
  }

  /** An object literal; as a call's argument its values are that call's options (for lifetimes). */
  private visitObject(o: ts.ObjectLiteralExpression): void {
    const call = this.optionObjects.get(o);
    const kind = call === undefined ? 'plain' : 'option';
    for (const p of o.properties) {
      if (p.kind === SK.MethodDeclaration || p.kind === SK.GetAccessor || p.kind === SK.SetAccessor) this.objectMembers.add(p);
      else if (p.kind === SK.PropertyAssignment && isFunctionLike(unwrap(p.initializer))) this.objectMembers.add(unwrap(p.initializer));
      if (p.kind === SK.PropertyAssignment) {
        if (p.name.kind === SK.ComputedPropertyName) this.visit(p.name);
        const init = unwrapAwait(p.initializer);
        if (init.kind === SK.Identifier && this.lifetimes.tracked.has((init as ts.Identifier).text)) {
          this.lifetimes.ref((init as ts.Identifier).text, { fn: this.scopeKey(), kind, call });
          continue;
        }
        this.visit(p.initializer);
        const id = call === undefined ? undefined : this.callIds.get(init);
        if (id !== undefined) this.lifetimes.use(id, { k: 'option', call: call! });
      } else if (p.kind === SK.ShorthandPropertyAssignment) {
        if (this.lifetimes.tracked.has(p.name.text)) this.lifetimes.ref(p.name.text, { fn: this.scopeKey(), kind, call });
        if (p.objectAssignmentInitializer) this.visit(p.objectAssignmentInitializer);
      } else this.visit(p);
    }
  }

  /** visit `n` (or its children, for a statement list like a case clause) in a region of its own */
  private inRegion(n: ts.Node, loop = false): void {
    const prev = this.regions.enter(loop);
    if (n.kind === SK.CaseClause || n.kind === SK.DefaultClause || loop) tsr.forEachChild(n, this.visitCb);
    else this.visit(n);
    this.regions.leave(prev);
  }

  private visitImport(d: ts.ImportDeclaration): void {
    const clause = d.importClause;
    if (!clause || d.moduleSpecifier.kind !== SK.StringLiteral) return;
    const mod = normalizeModule((d.moduleSpecifier as ts.StringLiteral).text);
    if (clause.name) this.typeImports.set(clause.name.text, mod);
    if (clause.namedBindings?.kind === SK.NamespaceImport) this.typeImports.set(clause.namedBindings.name.text, mod);
    if (clause.namedBindings?.kind === SK.NamedImports)
      for (const el of clause.namedBindings.elements) {
        const name = (el.propertyName ?? el.name).text;
        this.typeImports.set(el.name.text, name === 'default' ? mod : `${mod}.${name}`);
      }
    if (clause.isTypeOnly) return;
    if (clause.name) {
      this.imports.push({ module: mod, local: clause.name.text, loc: this.src.loc(clause.name) });
      this.bindings.bind(MODULE_SCOPE, clause.name.text, { k: 'import', q: mod });
    }
    const nb = clause.namedBindings;
    if (!nb) return;
    if (nb.kind === SK.NamespaceImport) {
      this.imports.push({ module: mod, local: nb.name.text, loc: this.src.loc(nb) });
      this.bindings.bind(MODULE_SCOPE, nb.name.text, { k: 'import', q: mod });
      return;
    }
    for (const el of nb.elements) {
      if (el.isTypeOnly) continue;
      const name = (el.propertyName ?? el.name).text;
      const local = el.name.text;
      this.imports.push({ module: mod, name, local, loc: this.src.loc(el) });
      this.bindings.bind(MODULE_SCOPE, local, { k: 'import', q: name === 'default' ? mod : mod + '.' + name });
    }
  }

  private visitImportEquals(d: ts.ImportEqualsDeclaration): void {
    if (d.isTypeOnly) return;
    const ref = d.moduleReference;
    const local = d.name.text;
    if (ref.kind === SK.ExternalModuleReference) {
      const e = ref.expression;
      if (e.kind !== SK.StringLiteral) return;
      const mod = normalizeModule((e as ts.StringLiteral).text);
      this.imports.push({ module: mod, local, loc: this.src.loc(d) });
      this.bindings.bind(this.scopeKey(), local, { k: 'import', q: mod });
    }
  }

  private visitVarList(list: ts.VariableDeclarationList): void {
    const isConst = (list.flags & tsr.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const init = d.initializer;
      if (d.name.kind === SK.Identifier && init && isFunctionLike(unwrap(init))) this.nameHint.set(unwrap(init), d.name.text);
      if (d.name.kind === SK.Identifier && init && unwrap(init).kind === SK.ClassExpression) this.nameHint.set(unwrap(init), d.name.text);
      if (init) this.visit(init);
      if (d.name.kind === SK.Identifier) {
        const name = d.name.text;
        let v: Value | undefined;
        if (init) {
          v = this.values.value(init);
          this.assignments.push({
            target: name,
            qualified: null,
            value: v,
            augmented: false,
            binds: 'declares',
            loc: this.src.loc(d),
            scope: this.scope(false),
          });
        } else if (!isConst) {
          // `let ws;`: declared here, undefined until assigned
          this.assignments.push({
            target: name,
            qualified: null,
            value: { kind: 'null', loc: this.src.loc(d.name) },
            augmented: false,
            binds: 'declares',
            loc: this.src.loc(d),
            scope: this.scope(false),
          });
        }
        const b = this.bindings.bindingFor(init, isConst, this.here(), v);
        if (b.k === 'instance' && this.fn !== undefined) this.lifetimes.bound(b.callId, name, this.scopeKey());
        if (b.k === 'import' && init) {
          const u = unwrapAwait(init);
          const isProp = u.kind === SK.PropertyAccessExpression;
          const mod = isProp ? requireModule(unwrapAwait((u as ts.PropertyAccessExpression).expression)) : b.q;
          if (mod !== undefined) {
            this.imports.push({
              module: mod,
              name: isProp ? (u as ts.PropertyAccessExpression).name.text : undefined,
              local: name,
              loc: this.src.loc(d),
            });
          }
        }
        this.bindings.bind(this.scopeKey(), name, b);
      } else {
        this.bindPattern(d.name, init, isConst);
      }
    }
  }

  /** `const { Pool, Client: C } = require('pg')` / `= pg` / anything else (unknown locals). */
  private bindPattern(p: ts.BindingName, init: ts.Expression | undefined, isConst: boolean): void {
    const key = this.scopeKey();
    if (p.kind === SK.Identifier) {
      this.bindings.bind(key, p.text, { k: 'value', isConst, nullish: false });
      return;
    }
    const base = init && p.kind === SK.ObjectBindingPattern ? this.bindings.bindingFor(init, isConst, this.here()) : undefined;
    const mod = init ? requireModule(unwrapAwait(init)) : undefined;
    for (const el of p.elements) {
      if (el.kind === SK.OmittedExpression) continue;
      if (el.name.kind !== SK.Identifier) {
        this.bindPattern(el.name, undefined, isConst);
        continue;
      }
      const local = el.name.text;
      const prop = p.kind === SK.ObjectBindingPattern && !el.dotDotDotToken ? propName(el.propertyName ?? el.name) : undefined;
      if (el.initializer) {
        this.visit(el.initializer);
        // `const { retries = 5 } = options`: the default is what the name holds unless the object has it
        this.assignments.push({
          target: local,
          qualified: null,
          value: this.values.value(el.initializer),
          augmented: false,
          binds: 'declares',
          loc: this.src.loc(el),
          scope: this.scope(false),
        });
      }
      let b: Binding = { k: 'value', isConst, nullish: false };
      if (prop !== undefined && base) {
        if (base.k === 'import') {
          b = { k: 'import', q: prop === 'default' ? base.q : base.q + '.' + prop };
          if (mod !== undefined) this.imports.push({ module: mod, name: prop, local, loc: this.src.loc(el) });
        } else if (base.k === 'alias') {
          const path: Path = { root: base.path.root, segs: [...base.path.segs, prop], text: base.path.text + '.' + prop };
          b = { k: 'alias', path, fn: base.fn, cls: base.cls };
        }
      }
      this.bindings.bind(key, local, b);
    }
  }

  private visitAssignment(b: ts.BinaryExpression): void {
    const right = b.right;
    const left = unwrap(b.left);
    if (isFunctionLike(unwrap(right))) {
      const lp = this.values.pathOf(left);
      if (lp) this.nameHint.set(unwrap(right), lp.segs.length ? lp.segs[lp.segs.length - 1] : lp.text);
    }
    this.visit(b.left);
    this.visit(right);
    if (left.kind === SK.ObjectLiteralExpression || left.kind === SK.ArrayLiteralExpression) return;
    const path = this.values.pathOf(left);
    const augmented = b.operatorToken.kind !== SK.EqualsToken;
    const v = this.values.value(right);
    const a: AssignmentFact = {
      target: path ? path.text : this.src.slice(left),
      qualified: null,
      value: v,
      augmented,
      loc: this.src.loc(b),
      scope: this.scope(false),
    };
    if (path && path.root.k === 'this' && path.segs.length === 1) a.selfAttr = path.segs[0];
    this.assignments.push(a);
    if (!path) return;
    if (path.segs.length > 0) this.bindings.noteAssignment(a, path, this.scopeKey(), this.cls);
    if (path.root.k === 'id' && path.segs.length > 0) {
      this.bindings.notePropertyWrite(path.root.name, path.segs, augmented ? null : v, this.scopeKey(), this.regions.current, a.loc);
    }
    if (augmented) return;
    if (path.root.k === 'id' && (path.root.name === 'module' || path.root.name === 'exports')) {
      this.exports.push(...commonJsExports(path, right, v, this.src, b));
    }
    if (path.root.k === 'this' && path.segs.length === 1 && this.cls !== undefined) {
      this.bindings.bindAttr(this.cls, path.segs[0], this.bindings.bindingFor(right, false, this.here(), v));
    } else if (path.root.k === 'id' && path.segs.length === 0) {
      this.bindings.reassign(path.root.name, this.scopeKey(), this.bindings.bindingFor(right, false, this.here(), v));
    }
  }

  private visitCall(n: ts.CallExpression | ts.NewExpression): void {
    const id = this.calls.length;
    const awaited = this.awaitedExpr === n;
    const scope = this.scope(awaited);
    const isNew = n.kind === SK.NewExpression;
    const fact: CallFact = {
      id,
      callee: '',
      qualified: null,
      isNew,
      args: EMPTY,
      kwargs: {},
      argsOpen: false,
      kwargsOpen: false,
      loc: this.src.loc(n),
      calleeLoc: this.src.loc(n.expression),
      scope,
    };
    this.calls.push(fact);
    this.callIds.set(n, id);
    this.bindings.noteCall(id, this.scopeKey(), this.cls);
    this.visit(n.expression);
    // `new X().get()`: the receiver is used once and dropped
    let root = unwrap(n.expression);
    while (root.kind === SK.PropertyAccessExpression || root.kind === SK.ElementAccessExpression) root = unwrapAwait((root as ts.PropertyAccessExpression).expression);
    const receiver = root === unwrap(n.expression) ? undefined : this.callIds.get(root);
    if (receiver !== undefined) this.lifetimes.use(receiver, { k: 'dropped' });
    const args = n.arguments;
    if (args && args.length) {
      for (const a of args) {
        const u = unwrap(a);
        if (u.kind === SK.ObjectLiteralExpression) this.optionObjects.set(u, id);
      }
      const prevArgOf = this.argOf;
      this.argOf = [id, ...prevArgOf];
      for (let i = 0; i < args.length; i++) {
        const a = unwrap(args[i]);
        if (isFunctionLike(a)) this.fnArgHint.set(a, { callId: id, index: i });
        this.visit(args[i]);
      }
      this.argOf = prevArgOf;
      const values: Value[] = [];
      for (const a of args) {
        if (a.kind === SK.SpreadElement) fact.argsOpen = true;
        else values.push(this.values.value(a));
      }
      fact.args = values;
    } else {
      fact.args = [];
    }
    const path = this.values.pathOf(n.expression);
    this.bindings.setCallPath(id, path);
    fact.callee = path ? path.text : this.src.slice(n.expression);
  }

  private visitTry(t: ts.TryStatement): void {
    const id = this.tries.length;
    const fact: TryFact = { id, loc: this.src.loc(t), handlers: [], hasFinally: !!t.finallyBlock };
    if (this.inLoop) fact.inLoop = true;
    if (this.loopDepth > 1) fact.nestedLoop = true;
    this.handlerBreakDepth.set(id, this.breakDepth);
    this.tries.push(fact);
    const prev = this.tryStack;
    this.tryStack = [{ tryId: id, part: 'body' }, ...prev];
    this.inRegion(t.tryBlock);
    const c = t.catchClause;
    if (c) {
      const stmts = c.block.statements;
      const h: HandlerFact = {
        loc: this.src.loc(c),
        types: [],
        empty: stmts.length === 0,
        reraises: false,
        returns: false,
        callees: [],
        logOnly: stmts.every((s) => this.isLogStatement(s)),
      };
      fact.handlers.push(h);
      this.tryStack = [{ tryId: id, part: 'handler', handlerIndex: 0 }, ...prev];
      const vd = c.variableDeclaration;
      if (vd) this.bindPattern(vd.name, undefined, false);
      this.inRegion(c.block);
      // a `return` or `break` that leaves the loop only under an `if` is conditional, even when the
      // handler rethrows at its top (inbox-zero's bulk run: `if (cancelled()) return; throw error;`
      // hands every other error to the caller's `.catch`)
      const stopsAtTop = stmts.some((s) => s.kind === SK.ReturnStatement || (s.kind === SK.BreakStatement && !(s as ts.BreakStatement).label));
      const throwsAtTop = stmts.some((s) => s.kind === SK.ThrowStatement);
      if (h.returns || h.breaks ? !stopsAtTop : h.reraises && !throwsAtTop) h.conditionalExit = true;
    }
    if (t.finallyBlock) {
      this.tryStack = [{ tryId: id, part: 'finally' }, ...prev];
      this.inRegion(t.finallyBlock);
    }
    this.tryStack = prev;
  }

  /** `console.error(e)`, `logger.warn(e)`, `this.logger.error(e)`, `await log(e)`, `;` (src/languages/logging.ts) */
  private isLogStatement(s: ts.Statement): boolean {
    if (s.kind === SK.EmptyStatement) return true;
    if (s.kind !== SK.ExpressionStatement) return false;
    let e = unwrapAwait((s as ts.ExpressionStatement).expression);
    if (e.kind === SK.VoidExpression) e = unwrapAwait((e as ts.VoidExpression).expression);
    if (e.kind !== SK.CallExpression) return false;
    const callee = dottedText((e as ts.CallExpression).expression);
    return callee !== undefined && isLoggingCall(callee);
  }

  private decoratorsOf(n: ts.Node): ts.Decorator[] | undefined {
    const mods = (n as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
    if (!mods) return undefined;
    let out: ts.Decorator[] | undefined;
    for (const m of mods) if (m.kind === SK.Decorator) (out ??= []).push(m as ts.Decorator);
    return out;
  }

  private decoratorFacts(decs: ts.Decorator[] | undefined): DecoratorFact[] {
    if (!decs) return [];
    const out: DecoratorFact[] = [];
    for (const d of decs) {
      this.visit(d.expression);
      const e = unwrap(d.expression);
      const isCall = e.kind === SK.CallExpression;
      const target = isCall ? (e as ts.CallExpression).expression : e;
      const path = this.values.pathOf(target);
      const fact: DecoratorFact = { text: this.src.slice(d.expression), qualified: null, loc: this.src.loc(d) };
      if (isCall) fact.callId = this.callIds.get(e);
      this.bindings.noteDecorator(fact, path, this.scopeKey(), this.cls);
      out.push(fact);
    }
    return out;
  }

  private visitFunction(n: ts.FunctionLikeDeclaration, memberOf?: number): void {
    const id = this.functions.length;
    const kind = n.kind;
    let name = '';
    if (kind === SK.Constructor) name = 'constructor';
    else if (n.name) name = propName(n.name) ?? '';
    else name = this.nameHint.get(n) ?? '';
    const isMember = memberOf !== undefined;
    const decorators = this.decoratorFacts(this.decoratorsOf(n));
    const fact: FunctionFact = {
      id,
      name,
      qualifiedName: isMember && name ? this.classes[memberOf].name + '.' + name : name,
      classId: isMember ? memberOf : undefined,
      parentFunctionId: this.fn,
      isAsync: hasModifier(n, SK.AsyncKeyword),
      decorators,
      params: [],
      loc: this.src.loc(n),
      nameLoc: n.name ? this.src.loc(n.name) : this.src.lines.loc(this.src.start(n), this.src.start(n) + (kind === SK.ArrowFunction ? 0 : 8)),
      scope: this.scope(false),
    };
    const hint = this.fnArgHint.get(n);
    if (hint) {
      fact.argOfCall = hint.callId;
      fact.argIndex = hint.index;
    }
    if (this.objectMembers.has(n)) fact.objectMember = true;
    if (kind === SK.ArrowFunction) {
      const s = this.src.start(n);
      fact.nameLoc = this.src.lines.loc(s, s);
    }
    this.functions.push(fact);
    this.fnIds.set(n, id);
    this.bindings.noteFunction(id, this.regions.current);
    if (kind === SK.FunctionDeclaration && name) this.bindings.bind(this.scopeKey(), name, { k: 'named', q: name });

    const saved = [this.fn, this.inAsync, this.inLoop, this.tryStack, this.argOf, this.awaitedExpr, this.breakDepth, this.loopDepth] as const;
    this.fn = id;
    this.inAsync = fact.isAsync;
    this.inLoop = false;
    this.breakDepth = 0;
    this.tryStack = EMPTY;
    this.argOf = EMPTY;
    this.awaitedExpr = undefined;
    if (kind === SK.FunctionExpression && n.name) this.bindings.bind(id, n.name.text, { k: 'named', q: n.name.text });
    const region = this.regions.enter(false, true);
    for (const p of n.parameters) this.visitParam(p, fact, memberOf);
    if (n.body) this.visit(n.body);
    this.regions.leave(region);
    [this.fn, this.inAsync, this.inLoop, this.tryStack, this.argOf, this.awaitedExpr, this.breakDepth, this.loopDepth] = saved;
  }

  private visitParam(p: ts.ParameterDeclaration, fact: FunctionFact, memberOf: number | undefined): void {
    if (p.initializer) this.visit(p.initializer);
    if (p.name.kind === SK.Identifier) {
      const name = p.name.text;
      if (name === 'this') return;
      const param: FunctionFact['params'][number] = { name, loc: this.src.loc(p) };
      if (p.initializer) param.default = this.values.value(p.initializer);
      fact.params.push(param);
      // `fastify: FastifyInstance` (imported from 'fastify'): an instance of that library's type,
      // so `fastify.get(…)` in a Fastify plugin resolves like a call on the app it is registered on
      const typed = p.type && !p.initializer ? this.importedType(p.type) : undefined;
      this.bindings.bind(fact.id, name, typed ? { k: 'named', q: `${typed}()` } : { k: 'value', isConst: false, nullish: false });
      // constructor parameter properties: `constructor(private client: Redis)` -> injected, unknown
      if (memberOf !== undefined && fact.name === 'constructor' && p.modifiers?.length) {
        this.bindings.bindAttr(memberOf, name, { k: 'value', isConst: false, nullish: false });
      }
      return;
    }
    this.paramPattern(p.name, fact);
  }

  /** The qualified name of a type annotation that names an imported type (`Router`, `express.Router`), else undefined. */
  private importedType(t: ts.TypeNode): string | undefined {
    if (t.kind !== SK.TypeReference) return undefined;
    const n = (t as ts.TypeReferenceNode).typeName;
    if (n.kind === SK.Identifier) return this.typeImports.get(n.text);
    if (n.left.kind !== SK.Identifier) return undefined;
    const q = this.typeImports.get(n.left.text);
    return q === undefined ? undefined : `${q}.${n.right.text}`;
  }

  /** Destructured parameters become individual params with their defaults. */
  private paramPattern(p: ts.ObjectBindingPattern | ts.ArrayBindingPattern, fact: FunctionFact): void {
    for (const el of p.elements) {
      if (el.kind === SK.OmittedExpression) continue;
      if (el.initializer) this.visit(el.initializer);
      if (el.name.kind !== SK.Identifier) {
        this.paramPattern(el.name, fact);
        continue;
      }
      const name = el.name.text;
      const param: FunctionFact['params'][number] = { name, loc: this.src.loc(el) };
      if (el.initializer) param.default = this.values.value(el.initializer);
      fact.params.push(param);
      this.bindings.bind(fact.id, name, { k: 'value', isConst: false, nullish: false });
    }
  }

  private visitClass(n: ts.ClassLikeDeclaration): void {
    const id = this.classes.length;
    const name = n.name?.text ?? this.nameHint.get(n) ?? '';
    const fact: ClassFact = {
      id,
      name,
      bases: [],
      loc: this.src.loc(n),
      nameLoc: n.name ? this.src.loc(n.name) : this.src.lines.loc(this.src.start(n), this.src.start(n) + 5),
    };
    this.classes.push(fact);
    if (n.name) this.bindings.bind(this.scopeKey(), n.name.text, { k: 'named', q: n.name.text });
    const decs = this.decoratorsOf(n);
    if (decs) for (const d of decs) this.visit(d.expression);
    for (const h of n.heritageClauses ?? EMPTY) {
      if (h.token !== SK.ExtendsKeyword) continue;
      for (const t of h.types) {
        this.visit(t.expression);
        const path = this.values.pathOf(t.expression);
        fact.bases.push(path ? path.text : this.src.slice(t.expression));
        if (path) this.bindings.noteBase(fact, fact.bases.length - 1, path, this.scopeKey());
      }
    }
    const prevCls = this.cls;
    this.cls = id;
    for (const m of n.members) {
      switch (m.kind) {
        case SK.MethodDeclaration:
        case SK.Constructor:
        case SK.GetAccessor:
        case SK.SetAccessor:
          this.visitFunction(m as ts.FunctionLikeDeclaration, id);
          break;
        case SK.PropertyDeclaration: {
          const pd = m as ts.PropertyDeclaration;
          const key = propName(pd.name);
          const init = pd.initializer;
          this.decoratorFacts(this.decoratorsOf(pd));
          if (!init) {
            if (key !== undefined) this.bindings.bindAttr(id, key, { k: 'value', isConst: false, nullish: true });
            break;
          }
          const u = unwrap(init);
          if (isFunctionLike(u)) {
            if (key !== undefined) this.nameHint.set(u, key);
            this.visitFunction(u, id);
          } else {
            this.visit(init);
          }
          if (key === undefined) break;
          const v = this.values.value(init);
          this.assignments.push({
            target: 'this.' + key,
            qualified: null,
            selfAttr: key,
            value: v,
            augmented: false,
            loc: this.src.loc(pd),
            scope: this.scope(false),
          });
          this.bindings.bindAttr(id, key, this.bindings.bindingFor(init, hasModifier(pd, SK.ReadonlyKeyword), this.here(), v));
          break;
        }
        default:
          this.visit(m);
      }
    }
    this.cls = prevCls;
  }
}
