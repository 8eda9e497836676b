// `faultline model`: what the project model decided, as JSON (for tests and tools) or text (for
// a person asking "why did this finding get that priority?"). Pure functions of the model.
import { posix } from 'node:path';
import { RUNTIME_CONTEXTS } from '../engine/types.js';
import type { ProjectModel } from '../model/types.js';

export function renderModelJson(model: ProjectModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

export interface ModelTextOptions {
  /** list every file; otherwise folders are summarised once a repo has more than `limit` files */
  all?: boolean;
  limit?: number;
}

export function renderModelText(model: ProjectModel, opts: ModelTextOptions = {}): string {
  const out: string[] = [];
  const files = Object.entries(model.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const counts = RUNTIME_CONTEXTS.map((c) => [c, files.filter(([, d]) => d.context === c).length] as const).filter(([, n]) => n);
  out.push(`Contexts of ${files.length} source file${files.length === 1 ? '' : 's'}: ${counts.map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  const limit = opts.limit ?? 200;
  if (opts.all || files.length <= limit) {
    for (const [f, d] of files) out.push(`  ${d.context.padEnd(8)} ${f}  (${d.evidence[0]})`);
  } else {
    // one line per folder and context, with the evidence most of its files share
    const by = new Map<string, { n: number; why: Map<string, number> }>();
    for (const [f, d] of files) {
      const key = `${posix.dirname(f)}\0${d.context}`;
      const e = by.get(key) ?? { n: 0, why: new Map() };
      e.n++;
      e.why.set(d.evidence[0], (e.why.get(d.evidence[0]) ?? 0) + 1);
      by.set(key, e);
    }
    for (const [key, e] of [...by].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [dir, ctx] = key.split('\0');
      const why = [...e.why].sort((a, b) => b[1] - a[1])[0][0];
      out.push(`  ${ctx.padEnd(8)} ${dir}/ (${e.n} file${e.n === 1 ? '' : 's'}; ${why})`);
    }
    out.push(`  (folders summarised; --all lists every file)`);
  }
  const compose = Object.entries(model.composeFiles).sort(([a], [b]) => (a < b ? -1 : 1));
  if (compose.length) {
    out.push('', `Compose files (${compose.length}):`);
    for (const [f, d] of compose) out.push(`  ${d.kind.padEnd(12)} ${f}  -> ${d.context} (${d.evidence[0]})`);
  }
  if (model.services.length) {
    out.push('', `Services (${model.services.length}):`);
    for (const s of model.services)
      out.push(`  ${s.name} [${s.kind}] ${s.file}${s.codeRoots.length ? `  code: ${s.codeRoots.map((r) => r || '.').join(', ')}` : ''}${s.command ? `  command: ${s.command}` : ''}`);
  }
  if (model.defaults.length) {
    out.push('', `Process-wide defaults (${model.defaults.length}):`);
    for (const d of model.defaults) out.push(`  ${d.file}:${d.line}  ${d.text}  -> ${d.library} ${d.knob} ${d.state}, for ${d.scope || '.'}/`);
  }
  const eps = model.entryPoints ?? [];
  if (eps.length) {
    const kinds = (['webhook', 'http', 'consumer', 'task', 'schedule', 'cli'] as const).map((k) => [k, eps.filter((e) => e.kind === k).length] as const).filter(([, n]) => n);
    out.push('', `Entry points (${eps.length}: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}):`);
    const shown = opts.all || eps.length <= limit ? eps : eps.slice(0, limit);
    for (const e of shown) out.push(`  ${e.kind.padEnd(8)} ${e.label}  ${e.file}:${e.line}${e.fn ? ` ${e.fn}` : ''}${e.services.length ? `  [${e.services.join(', ')}]` : ''}`);
    if (shown.length < eps.length) out.push(`  (${eps.length - shown.length} more; --all lists every one)`);
  }
  const flows = model.flows ?? [];
  if (flows.length) {
    const label = new Map(eps.map((e) => [e.id, e.label]));
    out.push('', `Work handed from one entry point to another (${flows.length}):`);
    for (const f of flows.slice(0, opts.all ? flows.length : limit)) out.push(`  ${label.get(f.from) ?? f.from} -> ${label.get(f.to) ?? f.to}  (enqueued at ${f.file}:${f.line})`);
  }
  const guards = model.guards ?? [];
  if (guards.length) {
    out.push('', `Guardrails set in code (${guards.length}):`);
    for (const g of guards.slice(0, opts.all ? guards.length : limit)) out.push(`  ${g.kind.padEnd(8)} ${g.text}  ${g.file}:${g.line}${g.count > 1 ? ` (x${g.count})` : ''}`);
  }
  const unused = model.unreferenced ?? [];
  if (unused.length) {
    out.push('', `Code nothing calls, findings left out (${unused.length}; config \`unreferenced: report\` reports them):`);
    for (const u of unused) out.push(`  ${u.file}:${u.line}  ${u.name}()  ${u.findings} finding${u.findings === 1 ? '' : 's'}`);
  }
  const byCallers = model.callerBounded ?? [];
  if (byCallers.length) {
    out.push('', `Waits every caller bounds with a deadline, findings left out (${byCallers.length}):`);
    for (const b of byCallers) out.push(`  ${b.file}:${b.line}  ${b.ruleId}  under ${b.by}`);
  }
  if (model.groups.length) {
    out.push('', `Root causes shared by several findings (${model.groups.length}):`);
    for (const g of model.groups) out.push(`  ${g.ruleId} ${g.kind} x${g.count}  ${g.file}:${g.line}  ${g.title}`);
  }
  return out.join('\n') + '\n';
}
