// Exports of a TS/JS module (ExportFact): ES `export` declarations and modifiers, default
// exports, re-exports, and CommonJS `module.exports` / `exports.x` assignments. Type-only
// exports are left out: they bind nothing at run time.
import type * as ts from 'typescript';
import type { ExportFact, Value } from '../types.js';
import { SK, hasModifier, normalizeModule, propName, unwrap, type SourceText } from './syntax.js';
import type { Path } from './values.js';

/** `export { a as b }`, `export { a } from './m'`, `export * from './m'`, `export * as ns from './m'` */
export function exportDeclaration(d: ts.ExportDeclaration, src: SourceText): ExportFact[] {
  if (d.isTypeOnly) return [];
  const spec = d.moduleSpecifier;
  const from = spec && spec.kind === SK.StringLiteral ? normalizeModule((spec as ts.StringLiteral).text) : undefined;
  if (spec && from === undefined) return [];
  const clause = d.exportClause;
  if (!clause) return from === undefined ? [] : [{ name: '*', from, loc: src.loc(d) }];
  if (clause.kind === SK.NamespaceExport) {
    const out: ExportFact = { name: propName(clause.name) ?? '*', local: '*', loc: src.loc(d) };
    if (from !== undefined) out.from = from;
    return [out];
  }
  const out: ExportFact[] = [];
  for (const el of clause.elements) {
    if (el.isTypeOnly) continue;
    const name = propName(el.name);
    const local = propName(el.propertyName ?? el.name);
    if (name === undefined || local === undefined) continue;
    const fact: ExportFact = { name, local, loc: src.loc(el) };
    if (from !== undefined) fact.from = from;
    out.push(fact);
  }
  return out;
}

/** The names a declaration binds: `const { a, b: [c] } = …` -> a, c */
function boundNames(name: ts.BindingName, out: string[]): string[] {
  if (name.kind === SK.Identifier) out.push(name.text);
  else for (const el of name.elements) if (el.kind !== SK.OmittedExpression) boundNames(el.name, out);
  return out;
}

/** `export const/let/var …`, `export [default] function|class|enum …`; [] when not exported. */
export function exportedDeclaration(
  n: ts.VariableStatement | ts.FunctionDeclaration | ts.ClassDeclaration | ts.EnumDeclaration,
  src: SourceText,
  fnValue?: Value,
): ExportFact[] {
  if (!hasModifier(n, SK.ExportKeyword) || hasModifier(n, SK.DeclareKeyword)) return [];
  const loc = src.loc(n);
  if (n.kind === SK.VariableStatement) {
    return declaredNames((n as ts.VariableStatement).declarationList).map((name) => ({ name, local: name, loc }));
  }
  const local = (n as ts.FunctionDeclaration).name?.text;
  if (hasModifier(n, SK.DefaultKeyword)) {
    const fact: ExportFact = { name: 'default', loc };
    if (local) fact.local = local;
    else if (fnValue) fact.value = fnValue;
    return [fact];
  }
  return local ? [{ name: local, local, loc }] : [];
}

function declaredNames(list: ts.VariableDeclarationList): string[] {
  const out: string[] = [];
  for (const d of list.declarations) boundNames(d.name, out);
  return out;
}

/** `export default <expr>` / `export = <expr>` */
export function exportAssignment(n: ts.ExportAssignment, src: SourceText, value: Value): ExportFact {
  const e = unwrap(n.expression);
  const fact: ExportFact = { name: 'default', loc: src.loc(n) };
  if (e.kind === SK.Identifier) fact.local = (e as ts.Identifier).text;
  else fact.value = value;
  return fact;
}

/**
 * CommonJS: `module.exports = x` (default), `module.exports = { a, b: c }` (one per key),
 * `exports.x = y` / `module.exports.x = y`. `right` is the assigned expression, `value` its Value.
 */
export function commonJsExports(path: Path, right: ts.Expression, value: Value, src: SourceText, at: ts.Node): ExportFact[] {
  if (path.root.k !== 'id') return [];
  const segs = path.root.name === 'module' && path.segs[0] === 'exports' ? path.segs.slice(1) : path.root.name === 'exports' ? path.segs : undefined;
  if (!segs || segs.length > 1) return [];
  const loc = src.loc(at);
  const e = unwrap(right);
  const one = (name: string, v: Value, expr: ts.Expression): ExportFact => {
    const u = unwrap(expr);
    return u.kind === SK.Identifier ? { name, local: (u as ts.Identifier).text, loc } : { name, value: v, loc };
  };
  if (segs.length === 1) return [one(segs[0], value, right)];
  if (e.kind !== SK.ObjectLiteralExpression || value.kind !== 'object') return [one('default', value, right)];
  const out: ExportFact[] = [];
  for (const p of (e as ts.ObjectLiteralExpression).properties) {
    if (p.kind === SK.ShorthandPropertyAssignment) out.push({ name: p.name.text, local: p.name.text, loc: src.loc(p) });
    else if (p.kind === SK.PropertyAssignment || p.kind === SK.MethodDeclaration) {
      const key = propName(p.name);
      const v = key === undefined ? undefined : value.props[key];
      if (key === undefined || !v) continue;
      if (p.kind === SK.PropertyAssignment && unwrap(p.initializer).kind === SK.Identifier) {
        out.push({ name: key, local: (unwrap(p.initializer) as ts.Identifier).text, loc: src.loc(p) });
      } else out.push({ name: key, value: v, loc: src.loc(p) });
    }
  }
  return out;
}
