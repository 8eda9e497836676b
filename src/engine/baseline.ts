// Baselines for adopting faultline on existing code: `faultline baseline` records the current
// findings; `--baseline FILE` then reports only findings that are not in it.
//
// Matching survives code moving around. First by the engine's fingerprint (rule + path + normalised
// line + enclosing function + occurrence: no line number, so edits above a finding keep it);
// then, for what is left, by rule + enclosing function + normalised code without the path, so a
// renamed or moved file keeps its baselined findings. Matching is one-to-one: a second copy of a
// baselined line is new.
import { createHash } from 'node:crypto';
import type { Finding } from './types.js';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  ruleId: string;
  file: string;
  fingerprint: string;
  /** hash of rule + context + normalised code line, independent of the path (moved files) */
  content?: string;
}

export interface Baseline {
  version: number;
  tool: 'faultline';
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

function normalise(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

/** Path-independent identity of a finding, from its first source line; undefined without a snippet. */
export function contentKey(f: Pick<Finding, 'ruleId' | 'symbol' | 'snippet'>): string | undefined {
  const first = f.snippet?.split(/\r\n|\r|\n/).find((l) => l.trim());
  if (!first) return undefined;
  return createHash('sha256')
    .update(`${f.ruleId}\0${f.symbol ?? ''}\0${normalise(first)}`)
    .digest('hex')
    .slice(0, 24);
}

function byKey(a: BaselineEntry, b: BaselineEntry): number {
  const ka = `${a.file}\0${a.ruleId}\0${a.fingerprint}`;
  const kb = `${b.file}\0${b.ruleId}\0${b.fingerprint}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function createBaseline(findings: readonly Finding[]): Baseline {
  const entries = findings.map((f) => {
    const e: BaselineEntry = { ruleId: f.ruleId, file: f.file, fingerprint: f.fingerprint };
    const content = contentKey(f);
    if (content) e.content = content;
    return e;
  });
  return { version: BASELINE_VERSION, tool: 'faultline', findings: entries.sort(byKey) };
}

export function serializeBaseline(b: Baseline): string {
  return JSON.stringify({ ...b, findings: [...b.findings].sort(byKey) }, null, 2) + '\n';
}

export function parseBaseline(text: string, name = 'baseline'): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${name}: not JSON: ${(e as Error).message}`);
  }
  const b = data as Partial<Baseline>;
  if (!b || typeof b !== 'object' || !Array.isArray(b.findings)) throw new BaselineError(`${name}: expected {"version", "findings": [...]}`);
  if (b.version !== BASELINE_VERSION) throw new BaselineError(`${name}: unsupported baseline version ${String(b.version)} (expected ${BASELINE_VERSION})`);
  for (const [i, e] of b.findings.entries()) {
    if (!e || typeof e.ruleId !== 'string' || typeof e.fingerprint !== 'string' || typeof e.file !== 'string')
      throw new BaselineError(`${name}: findings[${i}] needs string ruleId, file and fingerprint`);
  }
  return { version: BASELINE_VERSION, tool: 'faultline', findings: b.findings as BaselineEntry[] };
}

export interface BaselineSplit {
  /** findings not in the baseline: the ones to report */
  fresh: Finding[];
  /** findings the baseline covers */
  known: Finding[];
  /** baseline entries no finding matched any more (fixed, or the rule stopped firing) */
  stale: BaselineEntry[];
}

function take<K>(pool: Map<K, BaselineEntry[]>, key: K | undefined): BaselineEntry | undefined {
  if (key === undefined) return undefined;
  const list = pool.get(key);
  const e = list?.shift();
  if (list && !list.length) pool.delete(key);
  return e;
}

export function applyBaseline(findings: readonly Finding[], baseline: Baseline): BaselineSplit {
  const byFingerprint = new Map<string, BaselineEntry[]>();
  for (const e of baseline.findings) {
    const list = byFingerprint.get(e.fingerprint) ?? [];
    list.push(e);
    byFingerprint.set(e.fingerprint, list);
  }
  const used = new Set<BaselineEntry>();
  const matched = new Set<Finding>();
  for (const f of findings) {
    const e = take(byFingerprint, f.fingerprint);
    if (e) {
      used.add(e);
      matched.add(f);
    }
  }
  // second pass: same rule, function and code under another path
  const byContent = new Map<string, BaselineEntry[]>();
  for (const e of baseline.findings) {
    if (used.has(e) || !e.content) continue;
    const list = byContent.get(e.content) ?? [];
    list.push(e);
    byContent.set(e.content, list);
  }
  for (const f of findings) {
    if (matched.has(f)) continue;
    const e = take(byContent, contentKey(f));
    if (e) {
      used.add(e);
      matched.add(f);
    }
  }
  return {
    fresh: findings.filter((f) => !matched.has(f)),
    known: findings.filter((f) => matched.has(f)),
    stale: baseline.findings.filter((e) => !used.has(e)),
  };
}
