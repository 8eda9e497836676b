// Syntax helpers of the TypeScript/JavaScript adapter: the compiler module, node unwrapping and
// names, and a file's text and locations. Everything that reads a ts.Node's shape without
// knowing what the adapter does with it.
import { createRequire } from 'node:module';
import type * as ts from 'typescript';
import { LineIndex } from '../line-index.js';
import type { Loc } from '../types.js';

// require() rather than `import`: an ESM import of the 9 MB CommonJS compiler makes Node run its
// export lexer over the whole file in every worker (≈3 % of a scan).
export const tsr: typeof ts = createRequire(import.meta.url)('typescript');
export const SK = tsr.SyntaxKind;
/** internal but stable helper behind Node.getStart(); fall back to the public API if it moves */
const skipTrivia = (tsr as unknown as { skipTrivia?: (text: string, pos: number) => number }).skipTrivia;
export const EMPTY: never[] = [];
Object.freeze(EMPTY);
export const MAX_TEXT = 200;

export function normalizeModule(m: string): string {
  return m.startsWith('node:') ? m.slice(5) : m;
}

export function unwrap(e: ts.Expression): ts.Expression {
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

export function unwrapAwait(e: ts.Expression): ts.Expression {
  e = unwrap(e);
  while (e.kind === SK.AwaitExpression) e = unwrap((e as ts.AwaitExpression).expression);
  return e;
}

export function isFunctionLike(n: ts.Node): n is ts.FunctionExpression | ts.ArrowFunction {
  return n.kind === SK.ArrowFunction || n.kind === SK.FunctionExpression;
}

export function propName(n: ts.PropertyName | ts.BindingName | undefined): string | undefined {
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

export function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = (n as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!mods) return false;
  for (const m of mods) if (m.kind === kind) return true;
  return false;
}

export function requireModule(e: ts.Expression): string | undefined {
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

/**
 * A callee as a dotted path for the logging predicate: `console.error`, `this.logger.warn`,
 * `getLogger().info` (calls in the receiver written `()`); undefined when part of it is dynamic.
 */
export function dottedText(e: ts.Expression): string | undefined {
  e = unwrap(e);
  switch (e.kind) {
    case SK.Identifier:
      return (e as ts.Identifier).text;
    case SK.ThisKeyword:
      return 'this';
    case SK.PropertyAccessExpression: {
      const pa = e as ts.PropertyAccessExpression;
      const base = dottedText(pa.expression);
      return base === undefined ? undefined : base + '.' + pa.name.text;
    }
    case SK.CallExpression: {
      const base = dottedText((e as ts.CallExpression).expression);
      return base === undefined ? undefined : base + '()';
    }
    default:
      return undefined;
  }
}

/** A file's text with its locations: 1-based lines and UTF-16 columns (the facts contract). */
export class SourceText {
  readonly lines: LineIndex;
  constructor(
    readonly sf: ts.SourceFile,
    readonly text: string,
  ) {
    this.lines = new LineIndex(text);
  }

  start(n: ts.Node): number {
    return skipTrivia ? skipTrivia(this.text, n.pos) : n.getStart(this.sf);
  }

  loc(n: ts.Node): Loc {
    return this.lines.loc(this.start(n), n.end);
  }

  /** the node's text, clipped to MAX_TEXT characters */
  slice(n: ts.Node): string {
    const s = this.start(n);
    const t = this.text.slice(s, Math.min(n.end, s + MAX_TEXT));
    return n.end - s > MAX_TEXT ? t + '…' : t;
  }
}
