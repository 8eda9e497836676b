// Sharding a scan across CI jobs: `--shard i/n` analyses the source files whose path hashes to
// shard i (a fixed function of the relative path, so every job agrees without talking), and
// writes a shard file: the raw per-file results. `faultline merge` reads the n shard files and
// finishes the scan as one run would: compose analysis and the system model (which need every
// compose file and every code file's imports), blast radius, sorting, then any report format.
// The merged report is byte-identical to an unsharded scan of the same tree with the same options.
import { createHash } from 'node:crypto';
import type { FileResult } from './process-file.js';
import { UsageError } from './scan.js';

export interface ShardSpec {
  /** 1-based */
  index: number;
  count: number;
}

export interface ShardFile {
  faultlineShard: 1;
  version: string;
  /** identifies the rule set and options: shards of different scans cannot be merged */
  key: string;
  index: number;
  count: number;
  results: FileResult[];
}

export function parseShard(v: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1024 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 <= i <= n <= 1024, got "${v}"`);
  return { index, count };
}

/** The shard (1-based) a relative path belongs to. */
export function shardOf(rel: string, count: number): number {
  return (createHash('sha1').update(rel).digest().readUInt32BE(0) % count) + 1;
}

export function serializeShard(s: ShardFile): string {
  return JSON.stringify(s) + '\n';
}

/** Check a set of shard files belongs to one scan and covers every shard once. */
export function combineShards(texts: Array<{ name: string; text: string }>): ShardFile {
  const shards: ShardFile[] = texts.map(({ name, text }) => {
    let s: ShardFile;
    try {
      s = JSON.parse(text) as ShardFile;
    } catch (e) {
      throw new UsageError(`${name}: not a shard file (${(e as Error).message})`);
    }
    if (s?.faultlineShard !== 1 || !Array.isArray(s.results)) throw new UsageError(`${name}: not a faultline shard file (write one with \`scan --shard i/n\`)`);
    return s;
  });
  if (!shards.length) throw new UsageError('merge: no shard files given');
  const [first] = shards;
  for (const s of shards) {
    if (s.version !== first.version || s.key !== first.key || s.count !== first.count)
      throw new UsageError('merge: the shard files come from different scans (faultline version, rules, options or shard count differ)');
  }
  const indices = shards.map((s) => s.index).sort((a, b) => a - b);
  const expected = Array.from({ length: first.count }, (_, i) => i + 1);
  if (indices.join(',') !== expected.join(','))
    throw new UsageError(`merge: expected shards 1..${first.count} once each, got ${indices.join(', ')}`);
  return {
    ...first,
    index: 0,
    results: shards.flatMap((s) => s.results),
  };
}
