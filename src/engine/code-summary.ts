// What the compose analysis needs to know about one source file (CodeFileSummary): the
// top-level modules it imports (which clients it opens: postgres, redis, nats, ...), the names
// it imports and the calls it makes (enough to tell a JetStream broker from core NATS).
// The engine builds one per parsed source file, whether or not any code rule wanted the file.
import { fileImports } from '../languages/imports.js';
import type { FileFacts } from '../languages/types.js';
import type { CodeFileSummary } from './compose.js';

/** Import-resolved callees worth keeping: the compose pack only looks for JetStream use. */
const KEEP_CALL = /jetstream|key_value|object_store/i;

export function codeSummary(facts: FileFacts): CodeFileSummary {
  const imports = fileImports(facts.imports, facts.language);
  const calls = new Set<string>();
  for (const c of facts.calls) if (c.qualified && KEEP_CALL.test(c.qualified)) calls.add(c.qualified);
  return { path: facts.path, language: facts.language, modules: [...imports.packages].sort(), imports: [...imports.names].sort(), calls: [...calls].sort() };
}
