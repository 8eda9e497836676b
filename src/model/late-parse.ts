// Files no rule wanted are sometimes needed after all (calls through a shared client, the callers
// of a finding, the module a handler awaits into). The model parses them on the main thread, once
// each, with adapters created on first use. One reader for all three passes.
import { join } from 'node:path';
import type { FileFacts, SourceAdapter } from '../languages/types.js';

export type LateParser = (file: { rel: string; kind: 'python' | 'typescript' }) => Promise<FileFacts | undefined>;

/** Facts of a scanned file read now; undefined when it cannot be read or does not parse (its error is the worker's to report). */
export function lateParser(rootAbs: string, read: (abs: string) => string | null): LateParser {
  const adapters: Partial<Record<'python' | 'typescript', SourceAdapter>> = {};
  return async (file) => {
    const text = read(join(rootAbs, file.rel));
    if (text === null) return undefined;
    const adapter = (adapters[file.kind] ??=
      file.kind === 'python'
        ? await (await import('../languages/python/index.js')).createPythonAdapter()
        : await (await import('../languages/typescript/index.js')).createTypeScriptAdapter());
    try {
      return adapter.extract(file.rel, text);
    } catch {
      return undefined;
    }
  };
}
