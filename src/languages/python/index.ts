// Python adapter: web-tree-sitter (wasm) -> FileFacts. One adapter per worker thread; `extract`
// is synchronous and frees every tree it creates. A wasm trap (tree-sitter-python 0.25's scanner
// overflows its state buffer past ~510 indentation levels inside a string) corrupts the module's
// memory for the rest of the thread: it becomes an AdapterCrash and the adapter refuses all later
// files rather than return silently wrong facts.
import { createRequire } from 'node:module';
import { Language, Parser, Query } from 'web-tree-sitter';
import { AdapterCrash, type FileFacts, type SourceAdapter } from '../types.js';
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
  let trapped: string | undefined;
  const extract = (path: string, text: string): FileFacts => {
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
  };
  return {
    language: 'python',
    extract(path: string, text: string): FileFacts {
      if (trapped) throw new AdapterCrash(`the Python parser is unusable after an earlier trap (${trapped})`);
      try {
        return extract(path, text);
      } catch (e) {
        if (!(e instanceof WebAssembly.RuntimeError)) throw e;
        trapped = e.message;
        throw new AdapterCrash(`the Python parser trapped (${e.message})`);
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
