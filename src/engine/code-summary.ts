// What the compose analysis needs to know about one source file (CodeFileSummary): the
// top-level modules it imports (which clients it opens: postgres, redis, nats, ...), the names
// it imports and the calls it makes (enough to tell a JetStream broker from core NATS).
// The engine builds one per parsed source file, whether or not any code rule wanted the file.
import type { FileFacts } from '../languages/types.js';
import type { CodeFileSummary } from './compose.js';

function topModule(module: string, language: 'python' | 'typescript'): string | null {
  if (module.startsWith('.') || module.startsWith('/')) return null;
  if (language === 'python') return module.split('.')[0];
  const parts = module.split('/');
  return module.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Import-resolved callees worth keeping: the compose pack only looks for JetStream use. */
const KEEP_CALL = /jetstream|key_value|object_store/i;

export function codeSummary(facts: FileFacts): CodeFileSummary {
  const modules = new Set<string>();
  const imports = new Set<string>();
  for (const i of facts.imports) {
    const top = topModule(i.module, facts.language);
    if (top) modules.add(top);
    if (!i.module.startsWith('.')) imports.add(i.name ? `${i.module}.${i.name}` : i.module);
  }
  const calls = new Set<string>();
  for (const c of facts.calls) if (c.qualified && KEEP_CALL.test(c.qualified)) calls.add(c.qualified);
  return { path: facts.path, language: facts.language, modules: [...modules].sort(), imports: [...imports].sort(), calls: [...calls].sort() };
}
