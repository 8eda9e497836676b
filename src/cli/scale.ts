// The scaling side of the command line: the result cache (--cache/--no-cache/--cache-dir), the
// per-file time budget (--file-budget), sharding (--shard i/n) and `faultline merge`.
// main.ts calls into this module at a few fixed points.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_FILE_BUDGET_MS, type ScanOptions } from '../engine/scan.js';
import { CACHE_DIR_NAME } from '../engine/discover.js';
import { insideRoot, unsafeInsideRoot } from '../engine/safe-path.js';
import { combineShards, parseShard, serializeShard, type ShardFile } from '../engine/shard.js';
import { writeReportFile } from './output.js';

export const DEFAULT_CACHE_DIR = CACHE_DIR_NAME;

export interface ScaleCliOptions {
  /** false with --no-cache; default: on, except when CI is set */
  cache?: boolean;
  cacheDir?: string;
  fileBudget?: number;
  shard?: string;
  output?: string;
  /** set by `faultline merge` */
  merged?: ShardFile;
}

interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (0 = no budget)');
  return n;
}

/** Options of `faultline scan` that this module implements. */
export function addScaleOptions(cmd: Command): Command {
  return cmd
    .option('--cache', 'reuse results of unchanged files (default on, off when CI is set)')
    .option('--no-cache', 'analyse every file afresh and leave the cache alone')
    .option('--cache-dir <dir>', `where the result cache lives (default <root>/${DEFAULT_CACHE_DIR})`)
    .option('--file-budget <seconds>', `per-file analysis time budget (default ${DEFAULT_FILE_BUDGET_MS / 1000}; 0 = none)`, seconds)
    .option('--shard <i/n>', 'analyse only shard i of n and write a shard file for `faultline merge` (see README)');
}

/** Engine options for the cache, budget and shard flags. A shard writes its file from here. */
export function scaleScanOptions(o: ScaleCliOptions, root: string, io: Io): Partial<ScanOptions> {
  const inCi = !!io.env.CI && io.env.CI !== 'false' && io.env.CI !== '0';
  const cacheOn = !o.merged && (o.cache === undefined ? !inCi : o.cache);
  let cacheDir = cacheOn ? (o.cacheDir ? resolve(io.cwd, o.cacheDir) : join(root, DEFAULT_CACHE_DIR)) : undefined;
  // Inside the root the scanned repository controls the path: a symlink there (even a committed
  // `.faultline-cache -> ../elsewhere`) would make the scan write and prune files outside it. A
  // --cache-dir outside the root is the user's own choice and used as given.
  const unsafe = cacheDir && insideRoot(root, cacheDir) ? unsafeInsideRoot(root, cacheDir) : undefined;
  if (unsafe) {
    io.stderr.write(`faultline: not using the cache directory ${cacheDir}: ${unsafe}; scanning without a cache\n`);
    cacheDir = undefined;
  }
  const out: Partial<ScanOptions> = {
    ...(cacheDir ? { cacheDir } : {}),
    ...(o.fileBudget !== undefined ? { fileBudgetMs: o.fileBudget * 1000 } : {}),
    ...(o.merged ? { merged: o.merged } : {}),
  };
  if (o.shard) {
    const spec = parseShard(o.shard);
    out.shard = {
      ...spec,
      onResults: (file) => {
        const text = serializeShard(file);
        if (o.output) writeReportFile(resolve(io.cwd, o.output), text, o.output);
        else io.stdout.write(text);
      },
    };
  }
  return out;
}

type RunScan = (paths: string[], o: Record<string, unknown>) => Promise<number>;

/** `faultline merge shard-*.json`: finish a sharded scan and report it like one run. */
export function registerMergeCommand(program: Command, io: Io, setExit: (code: number) => void, runScan: RunScan): void {
  const scanCmd = program.commands.find((c) => c.name() === 'scan');
  const merge = program
    .command('merge')
    .description('combine the shard files of `scan --shard i/n` (run in the same checkout, with the same options) into one report')
    .argument('<shards...>', 'shard files, one per shard')
    .option('--paths <paths...>', 'the paths the shards scanned (default: the current directory)');
  const skip = new Set(['--shard', '--cache', '--no-cache', '--cache-dir', '--file-budget', '--jobs']);
  for (const opt of scanCmd?.options ?? []) if (!skip.has(opt.long ?? '')) merge.addOption(opt);
  merge.action(async (shards: string[], o: Record<string, unknown>) => {
    const merged = combineShards(shards.map((s) => ({ name: s, text: readFileSync(resolve(io.cwd, s), 'utf8') })));
    setExit(await runScan((o.paths as string[] | undefined) ?? [], { ...o, jobs: 1, merged }));
  });
}
