// The whole result of the last scan, reused when nothing it read has changed. The per-file cache
// spares the parsing; what is left of a re-scan is the project model, the compose analysis and the
// late passes, which read every file's signals again (two thirds of an unchanged re-scan of the
// 1.8 M-line bench corpus). The memo records what the scan looked at: every discovered file and
// manifest, and every other path the compose analysis, the model and the late passes read or
// looked for (a start script, a `.env`, a Dockerfile candidate that was absent). Any change in
// size or mtime, any file appearing or vanishing, or an mtime too close to the recording to be
// trusted (as in the per-file cache) re-runs the scan. One memo file per options key, rewritten
// by each scan, so edits do not pile up files.
import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { readCachedJson, storeCachedJson, RACY_MS } from './cache.js';
import type { ScanResult } from './types.js';

/** size and mtime of a path, or null when nothing is there */
export type Stamp = [number, number] | null;

interface Memo {
  /** digest of the discovered files and manifests with their stamps */
  state: string;
  /** when the memo was recorded (ms since epoch) */
  at: number;
  /** the other paths the scan read or looked for, absolute, with their stamps then */
  reads: Record<string, Stamp>;
  result: ScanResult;
}

export function stamp(abs: string): Stamp {
  try {
    const st = lstatSync(abs);
    return [st.size, st.mtimeMs];
  } catch {
    return null;
  }
}

/** Records every path the scan reads outside the discovered files. */
export class ReadLog {
  readonly reads = new Map<string, Stamp>();
  note(abs: string): void {
    if (!this.reads.has(abs)) this.reads.set(abs, stamp(abs));
  }
}

/** The discovered inputs as one digest, and the newest mtime among them. */
export function inputState(paths: string[]): { digest: string; newest: number } {
  const h = createHash('sha256');
  let newest = 0;
  for (const p of [...paths].sort()) {
    const s = stamp(p);
    h.update(`${p}\0${s ? `${s[0]}:${s[1]}` : '-'}\n`);
    if (s && s[1] > newest) newest = s[1];
  }
  return { digest: h.digest('hex'), newest };
}

const fresh = (s: Stamp, at: number) => !s || s[1] < at - RACY_MS;

/** The memoized result, when every input and every read is as it was and none was racily recorded. */
export function loadMemo(cacheDir: string, key: string, version: string, state: { digest: string }): ScanResult | undefined {
  const m = readCachedJson(cacheDir, 'result', key, version) as Memo | undefined;
  if (!m || typeof m !== 'object' || m.state !== state.digest || typeof m.at !== 'number' || !m.result || typeof m.reads !== 'object') return undefined;
  for (const [abs, was] of Object.entries(m.reads)) {
    const now = stamp(abs);
    if (!fresh(now, m.at) || (now === null) !== (was === null) || (now && was && (now[0] !== was[0] || now[1] !== was[1]))) return undefined;
  }
  return m.result;
}

export function saveMemo(cacheDir: string, key: string, version: string, state: { digest: string; newest: number }, log: ReadLog, result: ScanResult, at = Date.now()): void {
  // an input changed so recently that its mtime cannot tell the next change apart: nothing to reuse
  if (state.newest >= at - RACY_MS || [...log.reads.values()].some((s) => !fresh(s, at))) return;
  const memo: Memo = { state: state.digest, at, reads: Object.fromEntries(log.reads), result };
  storeCachedJson(cacheDir, 'result', key, version, memo);
}
