// TypeScript/JavaScript adapter: one TypeScript 6 parse and one walk per file -> FileFacts.
// syntax.ts reads nodes, visitor.ts walks the tree and records facts, values.ts builds Values,
// bindings.ts resolves names through imports, bindings and instances after the walk.
import type * as ts from 'typescript';
import type { FileFacts, SourceAdapter } from '../types.js';
import { scanSuppressions } from './suppressions.js';
import { SourceText, tsr } from './syntax.js';
import { Visitor } from './visitor.js';

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

export function extractTypeScript(path: string, text: string): FileFacts {
  const sf = tsr.createSourceFile(
    path,
    text,
    { languageVersion: tsr.ScriptTarget.Latest, jsDocParsingMode: tsr.JSDocParsingMode.ParseNone },
    false,
    scriptKindFor(path),
  );
  const x = new Visitor(new SourceText(sf, text));
  x.run();
  const diags = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics;
  return {
    path,
    language: 'typescript',
    imports: x.imports,
    exports: x.exports,
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
