// The command line: argv -> options -> engine -> reporter -> exit code. The only module that
// reads process.env, the working directory or writes to stdout/stderr.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { checkConfigRules, ConfigError, DEFAULT_FAIL_ON, findConfig, loadConfig, MAX_GLOBS, type FaultlineConfig } from '../config/load.js';
import { assertWorkTree, DiffError } from '../engine/diff.js';
import { CatalogError } from '../catalog/index.js';
import { RuleLoadError } from '../engine/rules.js';
import { loadRulesCached } from '../engine/cache.js';
import { scan, UsageError, VERSION } from '../engine/scan.js';
import { PRIORITY_RANK, type Priority, type ScanResult } from '../engine/types.js';
import { parsePriority } from '../report/common.js';
import { FORMATS } from './formats.js';
import { OutputError, watchOutput, writeReportFile } from './output.js';
import { addScaleOptions, registerMergeCommand, scaleScanOptions, type ScaleCliOptions } from './scale.js';
import { registerModelCommand } from './model.js';
import { addReportOptions, extrasFor, prepareReport, registerReportCommands, startProgress, writeBaselineFile, writeExtraReports, type ReportCliOptions } from './reports.js';

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

/** `--fail-on`: p0, p1, p2 (any case) or none. */
function failOnArg(v: string): Priority | 'none' {
  if (v.trim().toLowerCase() === 'none') return 'none';
  const p = parsePriority(v);
  if (!p) throw new InvalidArgumentError('must be p0, p1, p2 or none');
  return p;
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
  extendSelect?: string[];
  ignore?: string[];
  exclude?: string[];
  root?: string;
}

/**
 * Resolve the config for a scan: --config, else the nearest directory from the root up to the
 * repository root with .faultline.yml, pyproject.toml [tool.faultline] or package.json "faultline".
 */
export function resolveConfig(explicit: string | undefined, root: string, cwd: string): { config: FaultlineConfig; path?: string } {
  const path = explicit ? resolve(cwd, explicit) : findConfig(root);
  if (explicit && !existsSync(path!)) throw new ConfigError(`--config: ${explicit} does not exist`);
  return path ? { config: loadConfig(path), path } : { config: {} };
}

export function exitCodeFor(result: ScanResult, failOn: Priority | 'none'): number {
  if (failOn === 'none') return EXIT_OK;
  return result.findings.some((f) => PRIORITY_RANK[f.priority] <= PRIORITY_RANK[failOn]) ? EXIT_FINDINGS : EXIT_OK;
}

export async function runScan(paths: string[], o: ScanCliOptions, io = defaultIo()): Promise<number> {
  // a typo in a path must not read as a clean scan
  for (const p of paths) if (!existsSync(resolve(io.cwd, p))) throw new UsageError(`${p}: no such file or directory`);
  const root = chooseRoot(paths, o.root, io.cwd);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${o.root ?? root}: not a directory`);
  if ((o.exclude?.length ?? 0) > MAX_GLOBS) throw new UsageError(`--exclude: at most ${MAX_GLOBS} globs, got ${o.exclude!.length}`);
  const render = FORMATS[o.format];
  if (!render) throw new UsageError(`unknown format "${o.format}" (one of: ${Object.keys(FORMATS).join(', ')})`);
  const { config, path: configPath } = resolveConfig(o.config, root, io.cwd);
  // fail before a long scan, not after it
  if (o.diffBase) {
    try {
      assertWorkTree(root);
    } catch (e) {
      throw e instanceof DiffError ? new UsageError(e.message) : e;
    }
  }
  const scale = scaleScanOptions(o, root, io);
  const rules = loadRulesCached(scale.cacheDir, VERSION);
  if (configPath) checkConfigRules(config, rules, configPath);
  const progress = startProgress(io, o.progress !== false);
  const result = await scan({
    root,
    targets: paths.length ? paths.map((p) => resolve(io.cwd, p)) : [root],
    jobs: o.jobs,
    rules,
    config,
    select: o.select,
    extendSelect: o.extendSelect,
    ignore: o.ignore,
    exclude: o.exclude,
    onProgress: progress.update,
    ...scale,
  });
  progress.stop();
  for (const w of result.warnings ?? []) io.stderr.write(`faultline: warning: ${w}\n`);
  if (o.shard) return EXIT_OK; // the shard file is written; `faultline merge` reports
  if (o.writeBaseline) return writeBaselineFile(result, o.writeBaseline, io);
  const { result: shown, extras } = prepareReport(result, o, root, io);
  const toFile = !!o.output;
  const tty = !toFile && !!io.stdout.isTTY;
  const text = render(shown, rules, { color: !toFile && useColor(io.stdout, io.env), root, width: tty ? io.stdout.columns : undefined, verbose: o.verbose, ...(o.output ? extrasFor(extras, io.cwd, o.output) : extras) });
  if (o.output) writeReportFile(resolve(io.cwd, o.output), text, o.output);
  else io.stdout.write(text);
  writeExtraReports(shown, rules, o, extras, io);
  const failOn = o.failOn ?? config['fail-on'] ?? DEFAULT_FAIL_ON;
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
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(FORMATS)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <priority>', `exit 1 when a finding at or above this priority remains: p0, p1, p2 or none (default: config \`fail-on\`, else ${DEFAULT_FAIL_ON.toLowerCase()})`).argParser(failOnArg),
    )
    .addOption(new Option('-j, --jobs <n>', 'worker threads').argParser(parseJobs).default(availableParallelism(), 'one per core'))
    .option('-c, --config <file>', 'config file (default: the nearest .faultline.yml, pyproject.toml [tool.faultline] or package.json "faultline", from the root up to the repository root)')
    .option('--select <rules>', 'only these rule ids, names or categories (comma-separated; default: every rule that is not opt-in)', list)
    .option('--extend-select <rules>', 'also run these rule ids, names or categories: how opt-in rules such as resource-limit are turned on', list)
    .option('--ignore <rules>', 'turn off these rule ids, names or categories (comma-separated)', list)
    .option('--exclude <glob>', 'exclude paths matching this glob (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--root <dir>', 'directory that output paths are relative to')
    .action(async (paths: string[], o: ScanCliOptions) => {
      setExit(await runScan(paths, o, io));
    });
  addReportOptions(scanCommand);
  addScaleOptions(scanCommand);
  scanCommand.addHelpText('after', SCAN_HELP);
  registerReportCommands(program, io, setExit, (paths, o) => runScan(paths, o as unknown as ScanCliOptions, io));
  registerMergeCommand(program, io, setExit, (paths, o) => runScan(paths, o as unknown as ScanCliOptions, io));
  registerModelCommand(program, io, setExit, (paths, o) => {
    const root = chooseRoot(paths, o.root, io.cwd);
    return { root, config: resolveConfig(o.config, root, io.cwd).config };
  }, availableParallelism());
  return program;
}

const SCAN_HELP = `
Formats (-f):
  text      findings with file:line:col, priority and rule (default)
  json      the JSON contract: version, findings, errors
  sarif     SARIF 2.1.0 for GitHub code scanning
  markdown  a resilience audit report
  github    GitHub Actions annotations (workflow commands)

Exit codes:
  0  no reported finding at or above --fail-on (default ${DEFAULT_FAIL_ON.toLowerCase()})
  1  at least one reported finding at or above --fail-on
  2  usage or config error, missing path, unwritable output, internal error

Config: -c FILE, else the nearest .faultline.yml, then pyproject.toml [tool.faultline], then
package.json "faultline", looked for from the scan root up to the repository root.
`;

export async function main(argv: string[], io = defaultIo()): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  const stdout = watchOutput(io.stdout);
  try {
    await program.parseAsync(argv, { from: 'user' });
    await stdout.check();
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    if (e instanceof ConfigError || e instanceof UsageError || e instanceof RuleLoadError || e instanceof OutputError || e instanceof CatalogError) {
      io.stderr.write(`faultline: ${e.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr.write(`faultline: internal error: ${(e as Error).stack ?? e}\n`);
    return EXIT_ERROR;
  }
}
