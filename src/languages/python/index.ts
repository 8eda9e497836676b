// Python adapter: web-tree-sitter (wasm) -> FileFacts. One adapter per worker thread; `extract`
// is synchronous and frees every tree it creates.
import { createRequire } from 'node:module';
import { Language, Parser, Query } from 'web-tree-sitter';
import type { FileFacts, SourceAdapter } from '../types.js';
import { extractFacts, FACT_QUERY } from './extract.js';

const require = createRequire(import.meta.url);

let languagePromise: Promise<Language> | undefined;

/** Loads the grammar once per thread (each worker has its own module instance). */
function loadLanguage(): Promise<Language> {
  languagePromise ??= (async () => {
    await Parser.init();
    return Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  })();
  return languagePromise;
}

export async function createPythonAdapter(): Promise<SourceAdapter> {
  const language = await loadLanguage();
  const parser = new Parser();
  parser.setLanguage(language);
  const query = new Query(language, FACT_QUERY);
  const commentQuery = new Query(language, '(comment) @comment');
  return {
    language: 'python',
    extract(path: string, text: string): FileFacts {
      const tree = parser.parse(text);
      if (!tree) {
        // the parser gave up (only on cancellation); report no facts rather than throwing
        return emptyFacts(path, true);
      }
      try {
        return extractFacts(path, text, tree, query, commentQuery);
      } finally {
        tree.delete();
      }
    },
  };
}

function emptyFacts(path: string, hasSyntaxErrors: boolean): FileFacts {
  return {
    path,
    language: 'python',
    imports: [],
    exports: [],
    calls: [],
    functions: [],
    classes: [],
    assignments: [],
    tries: [],
    suppressions: [],
    hasSyntaxErrors,
  };
}
