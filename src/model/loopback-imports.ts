// The cross-module half of engine/analysis/loopback-urls.ts: a call whose URL starts at a name
// imported from a project module (OpenSign's twenty cloud functions all read `cloudServerUrl`
// from `Utils.js`, which is `'http://localhost:8080/app'`). The worker saw only the import; the
// model reads the module and finds the constant's literal, or its environment fallback.
import { envFallback, isLoopbackUrl } from '../engine/analysis/loopback-urls.js';
import { renderMessage } from '../engine/run-file.js';
import { PRIORITY_RANK, type Finding, type Priority } from '../engine/types.js';

const escape = (s: string) => s.replace(/[$]/g, '\\$');

/** The literal (or environment fallback) a module binds `name` to at its top level, if written once. */
export function constantIn(text: string, name: string): string | undefined {
  const n = escape(name);
  const decl = new RegExp(`^(?:export\\s+)?(?:const|let|var)\\s+${n}\\s*(?::[^=\\n]+)?=\\s*([^;\\n]+)|^${n}\\s*(?::[^=\\n]+)?=\\s*([^\\n]+)`, 'gm');
  const hits = [...text.matchAll(decl)];
  if (hits.length !== 1) return undefined;
  const rhs = (hits[0][1] ?? hits[0][2]).trim().replace(/;$/, '');
  const lit = /^(['"`])([^'"`$]*)\1$/.exec(rhs);
  return lit ? lit[2] : envFallback(rhs);
}

/**
 * Lower a finding whose URL starts at an imported constant that is this host's loopback, as the
 * rule's `loopback` spec says (`data.loopbackPriority`, `data.loopbackWhy`).
 */
export function settleImportedLoopback(f: Finding, resolve: (from: string, spec: string) => string | undefined, readText: ((rel: string) => string | undefined) | undefined): void {
  const at = f.data?.urlImport;
  if (!at || !readText) return;
  const [spec, name] = at.split('\0');
  const target = resolve(f.file, spec);
  const text = target ? readText(target) : undefined;
  const value = text ? constantIn(text, name) : undefined;
  if (value === undefined || !isLoopbackUrl(value)) return;
  const p = f.data!.loopbackPriority as Priority | undefined;
  f.data!.loopback = value;
  if (!p || PRIORITY_RANK[p] <= PRIORITY_RANK[f.priority]) return;
  f.priority = p;
  f.priorityReason = renderMessage(f.data!.loopbackWhy ?? '', f.data!);
}
