// Findings that need another module to be judged: a handler awaits a function imported from the
// project's own code (handler-awaits-without-deadline, FL124). The worker that checked the handler
// could not see that module; the worker that parsed the module wrote down what each importable
// function waits on (signals `reaches`). Here the two meet: the call is followed into its module,
// and one module further when the function there calls into a third; a finding whose target shows
// no network wait, or whose module was not scanned or parsed (a library, another repository), is
// dropped: unknown is not a finding.
import type { Catalog } from '../catalog/index.js';
import { LATE, LATE_HAZARD, moduleReaches, onlyLongLimits, type FunctionReach, type ModuleTarget, type NetworkWait } from '../engine/analysis/network-waits.js';
import { isTestPath } from '../engine/paths.js';
import type { Finding } from '../engine/types.js';
import { lateParser } from './late-parse.js';
import { resolveLocal } from './contexts.js';
import type { FileSignals } from './types.js';

/** how many modules away from the handler a wait may be found */
const MAX_MODULES = 2;

interface Hit {
  file: string;
  name: string;
  waits: NetworkWait[];
  /** the modules passed through before the one holding the waits */
  path: string[];
}

export function resolveReaches(findings: Finding[], files: Array<{ rel: string; kind: 'python' | 'typescript'; signals?: FileSignals }>): Finding[] {
  if (!findings.some((f) => f.data?.pending === 'reach' || f.data?.pending === 'budget')) return findings;
  const known = new Set(files.map((f) => f.rel));
  const byFile = new Map(files.map((f) => [f.rel, f]));
  const lookup = (file: string, name: string): FunctionReach | undefined => byFile.get(file)?.signals?.reaches?.find((r) => r.name === name);

  const unbounded = (w: NetworkWait) => w.limit !== 'explicit';
  const follow = (from: string, kind: 'python' | 'typescript', via: ModuleTarget[][], depth: number, path: string[], want = unbounded): Hit | undefined => {
    if (depth > MAX_MODULES) return undefined;
    for (const alternatives of via) {
      for (const t of alternatives) {
        const file = resolveLocal(from, t.module, known, kind);
        if (!file || file === from || path.includes(file)) continue;
        const r = lookup(file, t.name);
        if (!r) continue;
        const waits = r.waits.filter(want);
        if (waits.length) return { file, name: t.name, waits, path };
        const deeper = follow(file, kind, r.via, depth + 1, [...path, `\`${t.name}\` in ${file}`], want);
        if (deeper) return deeper;
        break; // the first candidate that resolves to a known function is the one
      }
    }
    return undefined;
  };
  /** Every explicit, literal timeout each call leads to (a call's candidates resolved to its first known function). */
  const timed = (w: NetworkWait) => w.limit === 'explicit' && w.seconds !== undefined;

  const out: Finding[] = [];
  for (const f of findings) {
    const d = f.data;
    if (d?.pending === 'budget') {
      const kind = byFile.get(f.file)?.kind;
      const budget = Number(d.budgetSeconds);
      let total = Number(d.seconds) || 0;
      let parts: string[] = [];
      let via: ModuleTarget[][] = [];
      try {
        parts = JSON.parse(d.localParts ?? '[]') as string[];
        via = JSON.parse(d.via ?? '[]') as ModuleTarget[][];
      } catch {
        continue;
      }
      for (const call of via) {
        const hit = kind ? follow(f.file, kind, [call], 1, [], timed) : undefined;
        for (const w of hit?.waits ?? []) {
          total += w.seconds!;
          parts.push(`\`${hit!.name} → ${w.callee}\` ${w.seconds} s (${hit!.file}:${w.line})`);
        }
      }
      if (!(total > budget)) continue;
      const totalText = `${Number.isInteger(total) ? total : total.toFixed(1)} s`;
      f.message = f.message.replace('{total}', totalText).replace('{parts}', parts.join(' + '));
      const { pending: _p, via: _v, localParts: _l, ...rest } = d;
      void _p;
      void _v;
      void _l;
      f.data = { ...rest, total: totalText, parts: parts.join(' + '), seconds: String(total) };
      out.push(f);
      continue;
    }
    if (d?.pending !== 'reach') {
      out.push(f);
      continue;
    }
    const kind = byFile.get(f.file)?.kind;
    let via: ModuleTarget[][] = [];
    try {
      via = JSON.parse(d.via ?? '[]') as ModuleTarget[][];
    } catch {
      via = [];
    }
    // `reachLimit: none`: only a wait nothing bounds counts (a periodic loop survives a slow round)
    const want = d.reachLimit === 'none' ? (w: NetworkWait) => w.limit === 'none' : unbounded;
    const hit = kind ? follow(f.file, kind, via, 1, [], want) : undefined;
    if (!hit) continue;
    const shown = hit.waits.slice(0, 2).map((w) => `\`${w.callee}\` (${hit.file}:${w.line}: ${w.note})`);
    const more = hit.waits.length > 2 ? ` and ${hit.waits.length - 2} more` : '';
    const through = [...hit.path, `\`${hit.name}\` in ${hit.file}`].join(' and ');
    const reach = `${shown.join(' and ')}${more} through ${through}`;
    f.message = f.message.replace('{reach}', reach);
    const { pending: _p, via: _v, hops: _h, reachLimit: _r, ...rest } = d;
    void _r;
    void _p;
    void _v;
    void _h;
    f.data = { ...rest, reach, reachedAt: JSON.stringify(hit.waits.map((w) => `${hit.file}:${w.line}`)) };
    if (onlyLongLimits(hit.waits)) {
      // the consequence the check wrote assumed a wait nothing ends
      if (typeof d.hazard === 'string' && d.hazard !== LATE_HAZARD) {
        f.message = f.message.replace(d.hazard, LATE_HAZARD);
        f.data.hazard = LATE_HAZARD;
      }
      if (f.priority !== 'P2') {
        f.priority = 'P2';
        f.priorityReason = LATE;
      }
    }
    const related = (f.related ??= []);
    for (const w of hit.waits.slice(0, 5)) related.push({ file: hit.file, line: w.line, column: 1, message: `network call reached from this handler: ${w.note}` });
    out.push(f);
  }
  return out;
}

/**
 * Modules a pending finding leads into that no rule had parsed (a service module that only
 * imports other project modules) are parsed now, once, for what their functions reach; then the
 * modules those lead into, up to two modules from the handler. The result objects are the cached
 * ones (`reachesRead` marks them), so the next scan does not parse them again.
 */
export async function collectReaches(
  rootAbs: string,
  files: Array<{ rel: string; kind: 'python' | 'typescript'; parsed: boolean; signals?: FileSignals }>,
  findings: Finding[],
  catalog: Catalog,
  read: (abs: string) => string | null,
): Promise<string[]> {
  const pending = findings.filter((f) => f.data?.pending === 'reach' || f.data?.pending === 'budget');
  if (!pending.length) return [];
  const known = new Set(files.map((f) => f.rel));
  const byFile = new Map(files.map((f) => [f.rel, f]));
  const changed: string[] = [];
  const parse = lateParser(rootAbs, read);
  let frontier: Array<{ from: string; via: ModuleTarget[][] }> = [];
  for (const f of pending) {
    try {
      frontier.push({ from: f.file, via: JSON.parse(f.data?.via ?? '[]') as ModuleTarget[][] });
    } catch {
      /* a malformed draft has nothing to follow */
    }
  }
  const seen = new Set<string>();
  for (let depth = 1; depth <= MAX_MODULES && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { from, via } of frontier) {
      const kind = byFile.get(from)?.kind;
      if (!kind) continue;
      for (const t of via.flat()) {
        const rel = resolveLocal(from, t.module, known, kind);
        const file = rel ? byFile.get(rel) : undefined;
        if (!file?.signals || isTestPath(file.rel)) continue;
        if (!file.parsed && !file.signals.reachesRead && !seen.has(file.rel)) {
          seen.add(file.rel);
          const facts = await parse(file);
          if (!facts) continue;
          const reaches = moduleReaches(facts, catalog);
          file.signals.reachesRead = true;
          if (reaches.length) file.signals.reaches = reaches;
          changed.push(file.rel);
        }
        const r = file.signals.reaches?.find((x) => x.name === t.name);
        if (r?.via.length) next.push({ from: file.rel, via: r.via });
      }
    }
    frontier = next;
  }
  return changed;
}
