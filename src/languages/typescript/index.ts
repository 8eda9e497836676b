// TypeScript/JavaScript adapter: one TypeScript 6 parse (no Program, no checker, no parent
// pointers) and one walk per file -> FileFacts. Name resolution (imports, `const` bindings,
// instances, class fields) is recorded during the walk and resolved in a cheap pass over the
// collected facts at the end, so later bindings (hoisting, methods written before the
// constructor) are seen too.
import { createRequire } from 'node:module';
import type * as ts from 'typescript';
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
  SourceAdapter,
  TryFact,
  Value,
} from '../types.js';
import { LineIndex } from './lines.js';
import { scanSuppressions } from './suppressions.js';

// require() rather than `import`: an ESM import of the 9 MB CommonJS compiler makes Node run its
// export lexer over the whole file in every worker (≈3 % of a scan).
const tsr: typeof ts = createRequire(import.meta.url)('typescript');
const SK = tsr.SyntaxKind;
/** internal but stable helper behind Node.getStart(); fall back to the public API if it moves */
const skipTrivia = (tsr as unknown as { skipTrivia?: (text: string, pos: number) => number }).skipTrivia;
const MODULE_SCOPE = -1;
const EMPTY: never[] = [];
Object.freeze(EMPTY);
const MAX_TEXT = 200;
const MAX_ITEMS = 64;
const LOGGER_NAMES = new Set(['console', 'logger', 'log', '_logger', '_log', 'LOGGER', 'Logger', 'LOG']);

/** A dotted access path: `axios.get`, `this.client.query`, `<call #3>.get`. */
interface Path {
  root: { k: 'id'; name: string } | { k: 'this' } | { k: 'call'; callId: number };
  segs: string[];
  text: string;
}

type Binding =
  | { k: 'import'; q: string }
  | { k: 'instance'; callId: number }
  | { k: 'alias'; path: Path; fn: number; cls: number | undefined }
  | { k: 'alt'; options: Binding[] }
  | { k: 'named'; q: string }
  | { k: 'value'; init?: Value; isConst: boolean; nullish: boolean };

interface Resolved {
  q: string | null;
  recv?: number;
}
const UNRESOLVED: Resolved = { q: null };

export function scriptKindFor(path: string): ts.ScriptKind {
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 ? path.slice(dot + 1).toLowerCase() : '';
  switch (ext) {
    case 'tsx':
      return tsr.ScriptKind.TSX;
    case 'jsx':
      return tsr.ScriptKind.JSX;
    case 'js':
    case 'mjs':
    case 'cjs':
      return tsr.ScriptKind.JS;
    default:
      return tsr.ScriptKind.TS;
  }
}

function normalizeModule(m: string): string {
  return m.startsWith('node:') ? m.slice(5) : m;
}

function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    switch (e.kind) {
      case SK.ParenthesizedExpression:
      case SK.AsExpression:
      case SK.NonNullExpression:
      case SK.SatisfiesExpression:
      case SK.TypeAssertionExpression:
        e = (e as ts.ParenthesizedExpression).expression;
        continue;
      default:
        return e;
    }
  }
}

function unwrapAwait(e: ts.Expression): ts.Expression {
  e = unwrap(e);
  while (e.kind === SK.AwaitExpression) e = unwrap((e as ts.AwaitExpression).expression);
  return e;
}

function isFunctionLike(n: ts.Node): n is ts.FunctionExpression | ts.ArrowFunction {
  return n.kind === SK.ArrowFunction || n.kind === SK.FunctionExpression;
}

function propName(n: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!n) return undefined;
  switch (n.kind) {
    case SK.Identifier:
    case SK.PrivateIdentifier:
    case SK.StringLiteral:
    case SK.NumericLiteral:
    case SK.NoSubstitutionTemplateLiteral:
      return (n as ts.Identifier).text;
    case SK.ComputedPropertyName: {
      const e = (n as ts.ComputedPropertyName).expression;
      if (e.kind === SK.StringLiteral || e.kind === SK.NoSubstitutionTemplateLiteral) return (e as ts.StringLiteral).text;
      return undefined;
    }
    default:
      return undefined;
  }
}

function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = (n as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!mods) return false;
  for (const m of mods) if (m.kind === kind) return true;
  return false;
}

function requireModule(e: ts.Expression): string | undefined {
  // require('x') / import('x')
  if (e.kind !== SK.CallExpression) return undefined;
  const c = e as ts.CallExpression;
  const callee = c.expression;
  const isReq = callee.kind === SK.Identifier && (callee as ts.Identifier).text === 'require';
  if (!isReq && callee.kind !== SK.ImportKeyword) return undefined;
  const a = c.arguments[0];
  if (!a || (a.kind !== SK.StringLiteral && a.kind !== SK.NoSubstitutionTemplateLiteral)) return undefined;
  return normalizeModule((a as ts.StringLiteral).text);
}

function addBinding(table: Map<number, Map<string, Binding[]>>, key: number, name: string, b: Binding): void {
  let m = table.get(key);
  if (!m) table.set(key, (m = new Map()));
  const list = m.get(name);
  if (list) list.push(b);
  else m.set(name, [b]);
}

class Extractor {
  private readonly sf: ts.SourceFile;
  private readonly lines: LineIndex;

  readonly imports: ImportFact[] = [];
  readonly calls: CallFact[] = [];
  readonly functions: FunctionFact[] = [];
  readonly classes: ClassFact[] = [];
  readonly assignments: AssignmentFact[] = [];
  readonly tries: TryFact[] = [];

  // walk state
  private fn: number | undefined;
  private cls: number | undefined;
  private inAsync = false;
  private inLoop = false;
  private tryStack: Scope['tries'] = EMPTY;
  private argOf: number[] = EMPTY;
  private awaitedExpr: ts.Node | undefined;

  // side tables for the resolution pass
  private readonly callIds = new Map<ts.Node, number>();
  private readonly fnIds = new Map<ts.Node, number>();
  private readonly fnArgHint = new Map<ts.Node, { callId: number; index: number }>();
  private readonly nameHint = new Map<ts.Node, string>();
  private readonly callPath: Array<Path | null> = [];
  private readonly callFn: number[] = [];
  private readonly callCls: Array<number | undefined> = [];
  private readonly bindings = new Map<number, Map<string, Binding[]>>();
  private readonly classAttrs = new Map<number, Map<string, Binding[]>>();
  private readonly reassigned: Array<{ name: string; fn: number; b: Binding }> = [];
  private readonly pendingNames: Array<{ v: Extract<Value, { kind: 'name' }>; path: Path; fn: number; cls: number | undefined }> = [];
  private readonly pendingDecorators: Array<{ d: DecoratorFact; path: Path | null; fn: number; cls: number | undefined }> = [];
  private readonly pendingBases: Array<{ c: ClassFact; i: number; path: Path; fn: number }> = [];
  private readonly pendingAssign: Array<{ a: AssignmentFact; path: Path; fn: number; cls: number | undefined }> = [];
  private readonly callMemo: Array<Resolved | undefined> = [];
  private readonly resolving = new Set<number>();

  constructor(
    sf: ts.SourceFile,
    private readonly text: string,
  ) {
    this.sf = sf;
    this.lines = new LineIndex(text);
  }

  run(): void {
    this.visitStatements(this.sf.statements);
    this.resolveAll();
  }

  // ---- locations / text ----------------------------------------------------------------

  private start(n: ts.Node): number {
    return skipTrivia ? skipTrivia(this.text, n.pos) : n.getStart(this.sf);
  }

  private loc(n: ts.Node): Loc {
    return this.lines.loc(this.start(n), n.end);
  }

  private slice(n: ts.Node): string {
    const s = this.start(n);
    const t = this.text.slice(s, Math.min(n.end, s + MAX_TEXT));
    return n.end - s > MAX_TEXT ? t + '…' : t;
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

  /** name bindings per function scope (MODULE_SCOPE for the file) */
  private bind(scopeKey: number, name: string, b: Binding): void {
    addBinding(this.bindings, scopeKey, name, b);
  }

  /** `this.x` bindings per class */
  private bindAttr(cls: number, name: string, b: Binding): void {
    addBinding(this.classAttrs, cls, name, b);
  }

  // ---- paths -----------------------------------------------------------------------------

  /** A static access path for an expression, or null when dynamic. Call roots must be visited already. */
  private pathOf(e: ts.Expression): Path | null {
    e = unwrap(e);
    switch (e.kind) {
      case SK.Identifier: {
        const name = (e as ts.Identifier).text;
        return { root: { k: 'id', name }, segs: [], text: name };
      }
      case SK.ThisKeyword:
        return { root: { k: 'this' }, segs: [], text: 'this' };
      case SK.PropertyAccessExpression: {
        const pa = e as ts.PropertyAccessExpression;
        const base = this.pathOf(pa.expression);
        if (!base) return null;
        const name = pa.name.text;
        base.segs.push(name);
        base.text += '.' + name;
        return base;
      }
      case SK.ElementAccessExpression: {
        const ea = e as ts.ElementAccessExpression;
        const arg = ea.argumentExpression;
        if (arg.kind !== SK.StringLiteral && arg.kind !== SK.NoSubstitutionTemplateLiteral) return null;
        const base = this.pathOf(ea.expression);
        if (!base) return null;
        const name = (arg as ts.StringLiteral).text;
        base.segs.push(name);
        base.text += '.' + name;
        return base;
      }
      case SK.AwaitExpression:
        return this.pathOf((e as ts.AwaitExpression).expression);
      case SK.CallExpression:
      case SK.NewExpression: {
        const id = this.callIds.get(e);
        if (id === undefined) return null;
        return { root: { k: 'call', callId: id }, segs: [], text: this.calls[id].callee + '()' };
      }
      default:
        return null;
    }
  }

  // ---- values ------------------------------------------------------------------------------

  private value(e: ts.Expression): Value {
    e = unwrap(e);
    const loc = this.loc(e);
    switch (e.kind) {
      case SK.StringLiteral:
      case SK.NoSubstitutionTemplateLiteral:
        return { kind: 'string', value: (e as ts.StringLiteral).text, loc };
      case SK.NumericLiteral:
        return { kind: 'number', value: Number((e as ts.NumericLiteral).text), loc };
      case SK.TrueKeyword:
        return { kind: 'boolean', value: true, loc };
      case SK.FalseKeyword:
        return { kind: 'boolean', value: false, loc };
      case SK.NullKeyword:
      case SK.VoidExpression:
        return { kind: 'null', loc };
      case SK.PrefixUnaryExpression: {
        const p = e as ts.PrefixUnaryExpression;
        const inner = unwrap(p.operand);
        if (inner.kind === SK.NumericLiteral || (inner.kind === SK.Identifier && (inner as ts.Identifier).text === 'Infinity')) {
          const n = inner.kind === SK.NumericLiteral ? Number((inner as ts.NumericLiteral).text) : Infinity;
          if (p.operator === SK.MinusToken) return { kind: 'number', value: -n, loc };
          if (p.operator === SK.PlusToken) return { kind: 'number', value: n, loc };
        }
        return { kind: 'other', text: this.slice(e), loc };
      }
      case SK.Identifier: {
        const name = (e as ts.Identifier).text;
        if (name === 'undefined') return { kind: 'null', loc };
        if (name === 'Infinity') return { kind: 'number', value: Infinity, loc };
        return this.nameValue(e, loc);
      }
      case SK.PropertyAccessExpression:
      case SK.ElementAccessExpression: {
        const t = (e as ts.PropertyAccessExpression).expression;
        if (
          e.kind === SK.PropertyAccessExpression &&
          t.kind === SK.Identifier &&
          (t as ts.Identifier).text === 'Number' &&
          (e as ts.PropertyAccessExpression).name.text === 'POSITIVE_INFINITY'
        ) {
          return { kind: 'number', value: Infinity, loc };
        }
        return this.nameValue(e, loc);
      }
      case SK.ThisKeyword:
        return this.nameValue(e, loc);
      case SK.CallExpression:
      case SK.NewExpression: {
        const id = this.callIds.get(e);
        if (id === undefined) return { kind: 'other', text: this.slice(e), loc };
        return { kind: 'call', callId: id, text: this.slice(e), loc };
      }
      case SK.ObjectLiteralExpression:
        return this.objectValue(e as ts.ObjectLiteralExpression, loc);
      case SK.ArrayLiteralExpression: {
        const items: Value[] = [];
        let open = false;
        for (const el of (e as ts.ArrayLiteralExpression).elements) {
          // data tables (thousands of literals) are not options: keep the head, mark the rest unseen
          if (items.length >= MAX_ITEMS) {
            open = true;
            break;
          }
          if (el.kind === SK.SpreadElement) open = true;
          else if (el.kind !== SK.OmittedExpression) items.push(this.value(el));
        }
        return { kind: 'array', items, open, loc };
      }
      case SK.ArrowFunction:
      case SK.FunctionExpression: {
        const id = this.fnIds.get(e);
        if (id !== undefined) return { kind: 'function', functionId: id, loc };
        return { kind: 'other', text: this.slice(e), loc };
      }
      case SK.AwaitExpression:
        return this.value((e as ts.AwaitExpression).expression);
      default:
        return { kind: 'other', text: this.slice(e), loc };
    }
  }

  private nameValue(e: ts.Expression, loc: Loc): Value {
    const path = this.pathOf(e);
    if (!path) return { kind: 'other', text: this.slice(e), loc };
    const v: Extract<Value, { kind: 'name' }> = { kind: 'name', text: path.text, loc };
    this.pendingNames.push({ v, path, fn: this.scopeKey(), cls: this.cls });
    return v;
  }

  private objectValue(o: ts.ObjectLiteralExpression, loc: Loc): Value {
    const props: Record<string, Value> = {};
    let open = false;
    for (const p of o.properties) {
      switch (p.kind) {
        case SK.PropertyAssignment: {
          const key = propName(p.name);
          if (key === undefined) open = true;
          else props[key] = this.value(p.initializer);
          break;
        }
        case SK.ShorthandPropertyAssignment: {
          props[p.name.text] = this.value(p.name);
          break;
        }
        case SK.MethodDeclaration: {
          const key = propName(p.name);
          const id = this.fnIds.get(p);
          if (key === undefined) open = true;
          else if (id !== undefined) props[key] = { kind: 'function', functionId: id, loc: this.loc(p) };
          break;
        }
        case SK.SpreadAssignment:
          open = true;
          break;
        default: {
          const key = propName(p.name);
          if (key === undefined) open = true;
          else props[key] = { kind: 'other', text: this.slice(p), loc: this.loc(p) };
        }
      }
    }
    return { kind: 'object', props, open, loc };
  }

  /** How a name bound to `e` resolves later. `e` has been visited. */
  private bindingFor(e: ts.Expression | undefined, isConst: boolean, v?: Value): Binding {
    if (!e) return { k: 'value', isConst, nullish: true };
    const u = unwrapAwait(e);
    const mod = requireModule(u);
    if (mod !== undefined) return { k: 'import', q: mod };
    switch (u.kind) {
      case SK.CallExpression:
      case SK.NewExpression: {
        const id = this.callIds.get(u);
        if (id !== undefined) return { k: 'instance', callId: id };
        break;
      }
      case SK.PropertyAccessExpression: {
        // require('x').y
        const pa = u as ts.PropertyAccessExpression;
        const m = requireModule(unwrapAwait(pa.expression));
        if (m !== undefined) return { k: 'import', q: pa.name.text === 'default' ? m : m + '.' + pa.name.text };
        const path = this.pathOf(u);
        if (path) return { k: 'alias', path, fn: this.scopeKey(), cls: this.cls };
        break;
      }
      case SK.Identifier:
      case SK.ElementAccessExpression: {
        const name = u.kind === SK.Identifier ? (u as ts.Identifier).text : '';
        if (name === 'undefined') return { k: 'value', isConst, nullish: true };
        const path = this.pathOf(u);
        if (path) return { k: 'alias', path, fn: this.scopeKey(), cls: this.cls };
        break;
      }
      case SK.BinaryExpression: {
        const b = u as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op === SK.QuestionQuestionToken || op === SK.BarBarToken) {
          return { k: 'alt', options: [this.bindingFor(b.left, isConst), this.bindingFor(b.right, isConst)] };
        }
        break;
      }
      case SK.NullKeyword:
      case SK.VoidExpression:
        return { k: 'value', isConst, nullish: true, init: v };
    }
    const init = v ?? this.value(u);
    return { k: 'value', isConst, nullish: false, init };
  }

  // ---- walk ------------------------------------------------------------------------------

  private readonly visitCb = (n: ts.Node): undefined => {
    this.visit(n);
    return undefined;
  };

  private visitStatements(list: ts.NodeArray<ts.Node>): void {
    for (const s of list) this.visit(s);
  }

  private visitOpt(n: ts.Node | undefined): void {
    if (n) this.visit(n);
  }

  private visit(n: ts.Node): void {
    const kind = n.kind;
    if (kind >= SK.FirstTypeNode && kind <= SK.LastTypeNode) return;
    switch (kind) {
      case SK.InterfaceDeclaration:
      case SK.TypeAliasDeclaration:
      case SK.ExportDeclaration:
      case SK.HeritageClause:
        return;
      case SK.ImportDeclaration:
        return this.visitImport(n as ts.ImportDeclaration);
      case SK.ImportEqualsDeclaration:
        return this.visitImportEquals(n as ts.ImportEqualsDeclaration);
      case SK.VariableDeclarationList:
        return this.visitVarList(n as ts.VariableDeclarationList);
      case SK.FunctionDeclaration:
      case SK.FunctionExpression:
      case SK.ArrowFunction:
      case SK.MethodDeclaration:
      case SK.Constructor:
      case SK.GetAccessor:
      case SK.SetAccessor:
        this.visitFunction(n as ts.FunctionLikeDeclaration);
        return;
      case SK.ClassDeclaration:
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
        tsr.forEachChild(n, this.visitCb);
        this.inLoop = prev;
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
        this.visit(b.right);
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

  private visitImport(d: ts.ImportDeclaration): void {
    const clause = d.importClause;
    if (!clause || clause.isTypeOnly) return;
    if (d.moduleSpecifier.kind !== SK.StringLiteral) return;
    const mod = normalizeModule((d.moduleSpecifier as ts.StringLiteral).text);
    if (clause.name) {
      this.imports.push({ module: mod, local: clause.name.text, loc: this.loc(clause.name) });
      this.bind(MODULE_SCOPE, clause.name.text, { k: 'import', q: mod });
    }
    const nb = clause.namedBindings;
    if (!nb) return;
    if (nb.kind === SK.NamespaceImport) {
      this.imports.push({ module: mod, local: nb.name.text, loc: this.loc(nb) });
      this.bind(MODULE_SCOPE, nb.name.text, { k: 'import', q: mod });
      return;
    }
    for (const el of nb.elements) {
      if (el.isTypeOnly) continue;
      const name = (el.propertyName ?? el.name).text;
      const local = el.name.text;
      this.imports.push({ module: mod, name, local, loc: this.loc(el) });
      this.bind(MODULE_SCOPE, local, { k: 'import', q: name === 'default' ? mod : mod + '.' + name });
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
      this.imports.push({ module: mod, local, loc: this.loc(d) });
      this.bind(this.scopeKey(), local, { k: 'import', q: mod });
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
          v = this.value(init);
          this.assignments.push({
            target: name,
            qualified: null,
            value: v,
            augmented: false,
            loc: this.loc(d),
            scope: this.scope(false),
          });
        }
        const b = this.bindingFor(init, isConst, v);
        if (b.k === 'import' && init) {
          const u = unwrapAwait(init);
          const isProp = u.kind === SK.PropertyAccessExpression;
          const mod = isProp ? requireModule(unwrapAwait((u as ts.PropertyAccessExpression).expression)) : b.q;
          if (mod !== undefined) {
            this.imports.push({
              module: mod,
              name: isProp ? (u as ts.PropertyAccessExpression).name.text : undefined,
              local: name,
              loc: this.loc(d),
            });
          }
        }
        this.bind(this.scopeKey(), name, b);
      } else {
        this.bindPattern(d.name, init, isConst);
      }
    }
  }

  /** `const { Pool, Client: C } = require('pg')` / `= pg` / anything else (unknown locals). */
  private bindPattern(p: ts.BindingName, init: ts.Expression | undefined, isConst: boolean): void {
    const key = this.scopeKey();
    if (p.kind === SK.Identifier) {
      this.bind(key, p.text, { k: 'value', isConst, nullish: false });
      return;
    }
    const base = init && p.kind === SK.ObjectBindingPattern ? this.bindingFor(init, isConst) : undefined;
    const mod = init ? requireModule(unwrapAwait(init)) : undefined;
    for (const el of p.elements) {
      if (el.kind === SK.OmittedExpression) continue;
      if (el.name.kind !== SK.Identifier) {
        this.bindPattern(el.name, undefined, isConst);
        continue;
      }
      const local = el.name.text;
      const prop = p.kind === SK.ObjectBindingPattern && !el.dotDotDotToken ? propName(el.propertyName ?? el.name) : undefined;
      if (el.initializer) this.visit(el.initializer);
      let b: Binding = { k: 'value', isConst, nullish: false };
      if (prop !== undefined && base) {
        if (base.k === 'import') {
          b = { k: 'import', q: prop === 'default' ? base.q : base.q + '.' + prop };
          if (mod !== undefined) this.imports.push({ module: mod, name: prop, local, loc: this.loc(el) });
        } else if (base.k === 'alias') {
          const path: Path = { root: base.path.root, segs: [...base.path.segs, prop], text: base.path.text + '.' + prop };
          b = { k: 'alias', path, fn: base.fn, cls: base.cls };
        }
      }
      this.bind(key, local, b);
    }
  }

  private visitAssignment(b: ts.BinaryExpression): void {
    const right = b.right;
    const left = unwrap(b.left);
    if (isFunctionLike(unwrap(right))) {
      const lp = this.pathOf(left);
      if (lp) this.nameHint.set(unwrap(right), lp.segs.length ? lp.segs[lp.segs.length - 1] : lp.text);
    }
    this.visit(b.left);
    this.visit(right);
    if (left.kind === SK.ObjectLiteralExpression || left.kind === SK.ArrayLiteralExpression) return;
    const path = this.pathOf(left);
    const augmented = b.operatorToken.kind !== SK.EqualsToken;
    const v = this.value(right);
    const a: AssignmentFact = {
      target: path ? path.text : this.slice(left),
      qualified: null,
      value: v,
      augmented,
      loc: this.loc(b),
      scope: this.scope(false),
    };
    if (path && path.root.k === 'this' && path.segs.length === 1) a.selfAttr = path.segs[0];
    this.assignments.push(a);
    if (!path) return;
    if (path.segs.length > 0) this.pendingAssign.push({ a, path, fn: this.scopeKey(), cls: this.cls });
    if (augmented) return;
    if (path.root.k === 'this' && path.segs.length === 1 && this.cls !== undefined) {
      this.bindAttr(this.cls, path.segs[0], this.bindingFor(right, false, v));
    } else if (path.root.k === 'id' && path.segs.length === 0) {
      this.reassigned.push({ name: path.root.name, fn: this.scopeKey(), b: this.bindingFor(right, false, v) });
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
      loc: this.loc(n),
      calleeLoc: this.loc(n.expression),
      scope,
    };
    this.calls.push(fact);
    this.callIds.set(n, id);
    this.callFn.push(this.scopeKey());
    this.callCls.push(this.cls);
    this.callPath.push(null);
    this.visit(n.expression);
    const args = n.arguments;
    if (args && args.length) {
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
        else values.push(this.value(a));
      }
      fact.args = values;
    } else {
      fact.args = [];
    }
    const path = this.pathOf(n.expression);
    this.callPath[id] = path;
    fact.callee = path ? path.text : this.slice(n.expression);
  }

  private visitTry(t: ts.TryStatement): void {
    const id = this.tries.length;
    const fact: TryFact = { id, loc: this.loc(t), handlers: [], hasFinally: !!t.finallyBlock };
    this.tries.push(fact);
    const prev = this.tryStack;
    this.tryStack = [{ tryId: id, part: 'body' }, ...prev];
    this.visit(t.tryBlock);
    const c = t.catchClause;
    if (c) {
      const stmts = c.block.statements;
      const h: HandlerFact = {
        loc: this.loc(c),
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
      this.visit(c.block);
    }
    if (t.finallyBlock) {
      this.tryStack = [{ tryId: id, part: 'finally' }, ...prev];
      this.visit(t.finallyBlock);
    }
    this.tryStack = prev;
  }

  private isLogStatement(s: ts.Statement): boolean {
    if (s.kind === SK.EmptyStatement) return true;
    if (s.kind !== SK.ExpressionStatement) return false;
    let e = unwrapAwait((s as ts.ExpressionStatement).expression);
    if (e.kind === SK.VoidExpression) e = unwrapAwait((e as ts.VoidExpression).expression);
    if (e.kind !== SK.CallExpression) return false;
    let c = unwrap((e as ts.CallExpression).expression);
    // console.error / logger.warn / this.logger.error / fastify.log.error / req.log.info
    if (c.kind !== SK.PropertyAccessExpression) return false;
    c = unwrap((c as ts.PropertyAccessExpression).expression);
    for (;;) {
      if (c.kind === SK.Identifier) return LOGGER_NAMES.has((c as ts.Identifier).text);
      if (c.kind !== SK.PropertyAccessExpression) return false;
      const pa = c as ts.PropertyAccessExpression;
      if (LOGGER_NAMES.has(pa.name.text)) return true;
      c = unwrap(pa.expression);
    }
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
      const path = this.pathOf(target);
      const fact: DecoratorFact = { text: this.slice(d.expression), qualified: null, loc: this.loc(d) };
      if (isCall) fact.callId = this.callIds.get(e);
      this.pendingDecorators.push({ d: fact, path, fn: this.scopeKey(), cls: this.cls });
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
      loc: this.loc(n),
      nameLoc: n.name ? this.loc(n.name) : this.lines.loc(this.start(n), this.start(n) + (kind === SK.ArrowFunction ? 0 : 8)),
      scope: this.scope(false),
    };
    const hint = this.fnArgHint.get(n);
    if (hint) {
      fact.argOfCall = hint.callId;
      fact.argIndex = hint.index;
    }
    if (kind === SK.ArrowFunction) {
      const s = this.start(n);
      fact.nameLoc = this.lines.loc(s, s);
    }
    this.functions.push(fact);
    this.fnIds.set(n, id);
    if (kind === SK.FunctionDeclaration && name) this.bind(this.scopeKey(), name, { k: 'named', q: name });

    const saved = [this.fn, this.inAsync, this.inLoop, this.tryStack, this.argOf, this.awaitedExpr] as const;
    this.fn = id;
    this.inAsync = fact.isAsync;
    this.inLoop = false;
    this.tryStack = EMPTY;
    this.argOf = EMPTY;
    this.awaitedExpr = undefined;
    if (kind === SK.FunctionExpression && n.name) this.bind(id, n.name.text, { k: 'named', q: n.name.text });
    for (const p of n.parameters) this.visitParam(p, fact, memberOf);
    if (n.body) this.visit(n.body);
    [this.fn, this.inAsync, this.inLoop, this.tryStack, this.argOf, this.awaitedExpr] = saved;
  }

  private visitParam(p: ts.ParameterDeclaration, fact: FunctionFact, memberOf: number | undefined): void {
    if (p.initializer) this.visit(p.initializer);
    if (p.name.kind === SK.Identifier) {
      const name = p.name.text;
      if (name === 'this') return;
      const param: FunctionFact['params'][number] = { name, loc: this.loc(p) };
      if (p.initializer) param.default = this.value(p.initializer);
      fact.params.push(param);
      this.bind(fact.id, name, { k: 'value', isConst: false, nullish: false });
      // constructor parameter properties: `constructor(private client: Redis)` -> injected, unknown
      if (memberOf !== undefined && fact.name === 'constructor' && p.modifiers?.length) {
        this.bindAttr(memberOf, name, { k: 'value', isConst: false, nullish: false });
      }
      return;
    }
    this.paramPattern(p.name, fact);
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
      const param: FunctionFact['params'][number] = { name, loc: this.loc(el) };
      if (el.initializer) param.default = this.value(el.initializer);
      fact.params.push(param);
      this.bind(fact.id, name, { k: 'value', isConst: false, nullish: false });
    }
  }

  private visitClass(n: ts.ClassLikeDeclaration): void {
    const id = this.classes.length;
    const name = n.name?.text ?? this.nameHint.get(n) ?? '';
    const fact: ClassFact = {
      id,
      name,
      bases: [],
      loc: this.loc(n),
      nameLoc: n.name ? this.loc(n.name) : this.lines.loc(this.start(n), this.start(n) + 5),
    };
    this.classes.push(fact);
    if (n.name) this.bind(this.scopeKey(), n.name.text, { k: 'named', q: n.name.text });
    const decs = this.decoratorsOf(n);
    if (decs) for (const d of decs) this.visit(d.expression);
    for (const h of n.heritageClauses ?? EMPTY) {
      if (h.token !== SK.ExtendsKeyword) continue;
      for (const t of h.types) {
        this.visit(t.expression);
        const path = this.pathOf(t.expression);
        fact.bases.push(path ? path.text : this.slice(t.expression));
        if (path) this.pendingBases.push({ c: fact, i: fact.bases.length - 1, path, fn: this.scopeKey() });
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
            if (key !== undefined) this.bindAttr(id, key, { k: 'value', isConst: false, nullish: true });
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
          const v = this.value(init);
          this.assignments.push({
            target: 'this.' + key,
            qualified: null,
            selfAttr: key,
            value: v,
            augmented: false,
            loc: this.loc(pd),
            scope: this.scope(false),
          });
          this.bindAttr(id, key, this.bindingFor(init, hasModifier(pd, SK.ReadonlyKeyword), v));
          break;
        }
        default:
          this.visit(m);
      }
    }
    this.cls = prevCls;
  }

  // ---- resolution --------------------------------------------------------------------------

  private parentScope(key: number): number | undefined {
    if (key === MODULE_SCOPE) return undefined;
    return this.functions[key].parentFunctionId ?? MODULE_SCOPE;
  }

  /** the binding list visible for `name` from scope `key`, or undefined when unbound (a global) */
  private lookup(name: string, key: number): Binding[] | undefined {
    for (let k: number | undefined = key; k !== undefined; k = this.parentScope(k)) {
      const list = this.bindings.get(k)?.get(name);
      if (list) return list;
    }
    return undefined;
  }

  private resolveBindings(list: Binding[], depth: number): Resolved {
    let out: Resolved | undefined;
    let seen = 0;
    for (const b of list) {
      if (b.k === 'value' && b.nullish) continue; // `let x = null` / `x;` before the real binding
      seen++;
      const r = this.resolveBinding(b, depth);
      if (r.q === null) return UNRESOLVED;
      if (out && out.q !== r.q) return UNRESOLVED;
      out ??= r;
    }
    return seen ? (out ?? UNRESOLVED) : UNRESOLVED;
  }

  private resolveBinding(b: Binding, depth: number): Resolved {
    switch (b.k) {
      case 'import':
      case 'named':
        return { q: b.q };
      case 'instance': {
        const r = this.resolveCall(b.callId);
        return r.q === null ? UNRESOLVED : { q: r.q + '()', recv: b.callId };
      }
      case 'alias':
        return this.resolvePath(b.path, b.fn, b.cls, depth + 1);
      case 'alt':
        // `opts.fetch ?? fetch`, `client || new Redis()`: the fallback is the implementation we can see
        for (let i = b.options.length - 1; i >= 0; i--) {
          const o = b.options[i];
          const r = this.resolveBinding(o, depth + 1);
          if (r.q !== null) return r;
        }
        return UNRESOLVED;
      default:
        return UNRESOLVED;
    }
  }

  private resolvePath(path: Path, fn: number, cls: number | undefined, depth = 0): Resolved {
    if (depth > 8) return UNRESOLVED;
    const root = path.root;
    let base: Resolved;
    let rest = path.segs;
    if (root.k === 'id') {
      const list = this.lookup(root.name, fn);
      if (!list) return { q: path.text }; // unbound global: stays as written
      base = this.resolveBindings(list, depth);
    } else if (root.k === 'this') {
      if (cls === undefined || rest.length === 0) return UNRESOLVED;
      const list = this.classAttrs.get(cls)?.get(rest[0]);
      if (!list) return UNRESOLVED;
      base = this.resolveBindings(list, depth);
      rest = rest.slice(1);
    } else {
      const r = this.resolveCall(root.callId);
      base = r.q === null ? UNRESOLVED : { q: r.q + '()', recv: root.callId };
    }
    if (base.q === null) return UNRESOLVED;
    return rest.length ? { q: base.q + '.' + rest.join('.'), recv: base.recv } : base;
  }

  private resolveCall(id: number): Resolved {
    const memo = this.callMemo[id];
    if (memo) return memo;
    if (this.resolving.has(id)) return UNRESOLVED;
    this.resolving.add(id);
    const path = this.callPath[id];
    const r = path ? this.resolvePath(path, this.callFn[id], this.callCls[id]) : UNRESOLVED;
    this.resolving.delete(id);
    this.callMemo[id] = r;
    return r;
  }

  /** `const x = <literal/object>` bound once: the value, following property segments into objects */
  private constValue(path: Path, fn: number): Value | undefined {
    if (path.root.k !== 'id') return undefined;
    const list = this.lookup(path.root.name, fn);
    if (!list || list.length !== 1) return undefined;
    const b = list[0];
    if (b.k !== 'value' || !b.isConst || !b.init) return undefined;
    let v: Value | undefined = b.init;
    for (const s of path.segs) {
      if (!v || v.kind !== 'object') return undefined;
      v = v.props[s];
    }
    return v && v.kind !== 'name' && v.kind !== 'other' ? v : undefined;
  }

  private resolveAll(): void {
    for (const r of this.reassigned) {
      let key: number | undefined = r.fn;
      for (; key !== undefined; key = this.parentScope(key)) if (this.bindings.get(key)?.has(r.name)) break;
      if (key !== undefined) this.bind(key, r.name, r.b);
    }
    for (const c of this.calls) {
      const r = this.resolveCall(c.id);
      c.qualified = r.q;
      if (r.recv !== undefined) c.receiverCall = r.recv;
    }
    for (const p of this.pendingNames) {
      const r = this.resolvePath(p.path, p.fn, p.cls);
      if (r.q !== null && r.q !== p.v.text) p.v.qualified = r.q;
      else if (r.q !== null && p.path.root.k === 'id' && this.lookup(p.path.root.name, p.fn)) p.v.qualified = r.q;
      const cv = this.constValue(p.path, p.fn);
      if (cv) p.v.resolved = cv;
    }
    for (const p of this.pendingDecorators) {
      if (p.path) p.d.qualified = this.resolvePath(p.path, p.fn, p.cls).q;
    }
    for (const p of this.pendingBases) {
      const r = this.resolvePath(p.path, p.fn, undefined);
      if (r.q !== null) p.c.bases[p.i] = r.q;
    }
    for (const p of this.pendingAssign) {
      const segs = p.path.segs;
      const root = p.path.root;
      if (root.k === 'this' && segs.length === 1) continue; // `this.x = …` itself: selfAttr says it
      const baseSegs = segs.slice(0, -1);
      const rootText = root.k === 'id' ? root.name : root.k === 'this' ? 'this' : this.calls[root.callId].callee + '()';
      const basePath: Path = { root, segs: baseSegs, text: baseSegs.length ? rootText + '.' + baseSegs.join('.') : rootText };
      const r = this.resolvePath(basePath, p.fn, p.cls);
      if (r.q === null) continue;
      p.a.qualified = r.q + '.' + segs[segs.length - 1];
      if (r.recv !== undefined) p.a.receiverCall = r.recv;
    }
    for (const c of this.calls) {
      const t = c.scope.tries[0];
      if (t && t.part === 'handler') {
        this.tries[t.tryId].handlers[t.handlerIndex ?? 0].callees.push(c.qualified ?? c.callee);
      }
    }
  }
}


export function extractTypeScript(path: string, text: string): FileFacts {
  const sf = tsr.createSourceFile(
    path,
    text,
    { languageVersion: tsr.ScriptTarget.Latest, jsDocParsingMode: tsr.JSDocParsingMode.ParseNone },
    false,
    scriptKindFor(path),
  );
  const x = new Extractor(sf, text);
  x.run();
  const diags = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics;
  return {
    path,
    language: 'typescript',
    imports: x.imports,
    calls: x.calls,
    functions: x.functions,
    classes: x.classes,
    assignments: x.assignments,
    tries: x.tries,
    suppressions: text.includes('faultline:') ? scanSuppressions(text) : [],
    hasSyntaxErrors: !!diags && diags.length > 0,
  };
}

export async function createTypeScriptAdapter(): Promise<SourceAdapter> {
  return { language: 'typescript', extract: extractTypeScript };
}
