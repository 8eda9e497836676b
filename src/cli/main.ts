// The command line: argv -> options -> engine -> reporter -> exit code. The only module that
// reads process.env, the working directory or writes to stdout/stderr.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, findConfig, loadConfig, type FaultlineConfig } from '../config/load.js';
import { RuleLoadError } from '../engine/rules.js';
import { loadRulesCached } from '../engine/cache.js';
import { scan, UsageError, VERSION } from '../engine/scan.js';
import { PRIORITY_RANK, type Priority, type ScanResult } from '../engine/types.js';
import { FORMATS } from './formats.js';
import { addScaleOptions, registerMergeCommand, scaleScanOptions, type ScaleCliOptions } from './scale.js';
import { addReportOptions, prepareReport, registerReportCommands, startProgress, writeBaselineFile, writeExtraReports, type ReportCliOptions } from './reports.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;


export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return !!stream.isTTY && env.TERM !== 'dumb';
}

function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('must be an integer from 1 to 64');
  return n;
}

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** The scan root: --root, else the working directory when every path is inside it, else the single directory given. */
export function chooseRoot(paths: string[], rootOpt: string | undefined, cwd: string): string {
  if (rootOpt) return resolve(cwd, rootOpt);
  const abs = paths.map((p) => resolve(cwd, p));
  if (abs.every((p) => !relative(cwd, p).startsWith('..') && !isAbsolute(relative(cwd, p)))) return cwd;
  return abs.length === 1 ? abs[0] : cwd;
}

export interface ScanCliOptions extends ReportCliOptions, ScaleCliOptions {
  format: string;
  output?: string;
  failOn: Priority | 'none';
  jobs: number;
  config?: string;
  select?: string[];
  ignore?: string[];
  exclude?: string[];
  root?: string;
}

/** Resolve the config for a scan: --config, else .faultline.yml from the root up to the repository root. */
export function resolveConfig(explicit: string | undefined, root: string, cwd: string): { config: FaultlineConfig; path?: string } {
  const path = explicit ? resolve(cwd, explicit) : findConfig(root);
  return path ? { config: loadConfig(path), path } : { config: {} };
}

export function exitCodeFor(result: ScanResult, failOn: Priority | 'none'): number {
  if (failOn === 'none') return EXIT_OK;
  return result.findings.some((f) => PRIORITY_RANK[f.priority] <= PRIORITY_RANK[failOn]) ? EXIT_FINDINGS : EXIT_OK;
}

export async function runScan(paths: string[], o: ScanCliOptions, io = defaultIo()): Promise<number> {
  const root = chooseRoot(paths, o.root, io.cwd);
  const { config } = resolveConfig(o.config, root, io.cwd);
  const scale = scaleScanOptions(o, root, io);
  const rules = loadRulesCached(scale.cacheDir, VERSION);
  const render = FORMATS[o.format];
  if (!render) throw new UsageError(`unknown format "${o.format}" (one of: ${Object.keys(FORMATS).join(', ')})`);
  const progress = startProgress(io, o.progress !== false);
  const result = await scan({
    root,
    targets: paths.length ? paths.map((p) => resolve(io.cwd, p)) : [root],
    jobs: o.jobs,
    rules,
    config,
    select: o.select,
    ignore: o.ignore,
    exclude: o.exclude,
    onProgress: progress.update,
    ...scale,
  });
  progress.stop();
  if (o.shard) return EXIT_OK; // the shard file is written; `faultline merge` reports
  if (o.writeBaseline) return writeBaselineFile(result, o.writeBaseline, io);
  const { result: shown, extras } = prepareReport(result, o, root, io);
  const toFile = !!o.output;
  const tty = !toFile && !!io.stdout.isTTY;
  const text = render(shown, rules, { color: !toFile && useColor(io.stdout, io.env), root, width: tty ? io.stdout.columns : undefined, verbose: o.verbose, ...extras });
  if (o.output) writeFileSync(resolve(io.cwd, o.output), text);
  else io.stdout.write(text);
  writeExtraReports(shown, rules, o, extras, io);
  const failOn = o.failOn ?? config['fail-on'] ?? 'P2';
  return exitCodeFor(shown, failOn);
}

export function defaultIo() {
  return { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
}

export function buildProgram(io = defaultIo(), setExit: (code: number) => void = () => {}): Command {
  const program = new Command('faultline')
    .description('Static resilience auditor: finds the timeout nobody set, the pool that waits forever, the queue that loses messages.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const scanCommand = program
    .command('scan', { isDefault: true })
    .description('scan files and directories (default: the current directory)')
    .argument('[paths...]', 'files or directories to scan')
    .addOption(new Option('-f, --format <format>', 'output format').default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <priority>', 'exit 1 when a finding at or above this priority remains').choices(['P0', 'P1', 'P2', 'none']),
    )
    .option('-j, --jobs <n>', 'worker threads, one per core by default', parseJobs, availableParallelism())
    .option('-c, --config <file>', 'config file (default: .faultline.yml found from the root up to the repository root)')
    .option('--select <rules>', 'only these rule ids, names or categories (comma-separated)', list)
    .option('--ignore <rules>', 'turn off these rule ids, names or categories (comma-separated)', list)
    .option('--exclude <glob>', 'exclude paths matching this glob (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--root <dir>', 'directory that output paths are relative to')
    .action(async (paths: string[], o: ScanCliOptions) => {
      setExit(await runScan(paths, o, io));
    });
  addReportOptions(scanCommand);
  addScaleOptions(scanCommand);
  registerReportCommands(program, io, setExit, (paths, o) => runScan(paths, o as unknown as ScanCliOptions, io));
  registerMergeCommand(program, io, setExit, (paths, o) => runScan(paths, o as unknown as ScanCliOptions, io));
  return program;
}

export async function main(argv: string[], io = defaultIo()): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    if (e instanceof ConfigError || e instanceof UsageError || e instanceof RuleLoadError) {
      io.stderr.write(`faultline: ${e.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr.write(`faultline: internal error: ${(e as Error).stack ?? e}\n`);
    return EXIT_ERROR;
  }
}
