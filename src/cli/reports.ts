// The reporting side of the command line: extra report files in one run (--sarif/--markdown/--json),
// --min-priority, --baseline, --diff-base, progress on a TTY, and the `baseline`, `rules`,
// `explain` and `init` subcommands. main.ts calls into this module at a few fixed points.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { applyBaseline, BaselineError, createBaseline, parseBaseline, serializeBaseline } from '../engine/baseline.js';
import { changedSince, DiffError, filterByDiff } from '../engine/diff.js';
import { findRule, loadRules } from '../engine/rules.js';
import { UsageError } from '../engine/scan.js';
import type { Priority, RuleMeta, ScanResult } from '../engine/types.js';
import { ruleHelpMarkdown } from '../docs/rule-doc.js';
import { rulesJson, rulesMarkdownTable, rulesTextTable } from '../docs/rule-table.js';
import { atLeast, parsePriority } from '../report/common.js';
import { buildSarif, DEFAULT_MAX_RESULTS } from '../report/sarif.js';
import type { SarifOptions } from '../report/sarif.js';
import { DEFAULT_FAIL_ON } from '../config/load.js';
import { FORMATS } from './formats.js';
import { writeReportFile } from './output.js';

export const DEFAULT_BASELINE = '.faultline-baseline.json';

export interface ReportCliOptions {
  /** the stdout format (`text` prints the filter notes on stderr) */
  format?: string;
  sarif?: string;
  markdown?: string;
  /** the short Markdown form for a pull-request comment (under 60,000 characters) */
  markdownSummary?: string;
  /** where the full report is read, for the summary's link */
  reportUrl?: string;
  /** URL prefix for absolute file links in Markdown (`https://github.com/o/r/blob/<sha>/`) */
  linkBase?: string;
  /** whole lines in the terminal */
  verbose?: boolean;
  json?: string;
  minPriority?: Priority;
  baseline?: string;
  diffBase?: string;
  maxResults?: number;
  sarifCategory?: string;
  sarifSecuritySeverity?: boolean;
  progress?: boolean;
  /** set by `faultline baseline`: write the findings as a baseline instead of reporting them */
  writeBaseline?: string;
}

/** What the reporters need beyond the result: set by the CLI from git and the environment. */
export interface ReportExtras {
  pathPrefix?: string;
  linkBase?: string;
  reportUrl?: string;
  notes?: string[];
  sarif?: SarifOptions;
  /** the scan root (absolute): file links of a report written elsewhere lead back to it */
  scanRoot?: string;
}

/**
 * The extras for a report written to `file`: with no repository URL to link to, a report written
 * inside the scan root links relative to the folder it lands in (`md/audit.md` links
 * `../src/app.py`). One written outside keeps root-relative links: a path climbing out of the
 * tree would depend on where it is checked out.
 */
export function extrasFor(extras: ReportExtras, cwd: string, file: string): ReportExtras {
  if (extras.linkBase || !extras.scanRoot) return extras;
  const up = relative(dirname(resolve(cwd, file)), extras.scanRoot).split(sep).join('/');
  if (!up || !/^(\.\.\/)*\.\.$/.test(up)) return extras;
  return { ...extras, linkBase: `${up}/` };
}

interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

function priorityArg(v: string): Priority {
  const p = parsePriority(v);
  if (!p) throw new InvalidArgumentError('must be p0, p1 or p2');
  return p;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Options of `faultline scan` that this module implements. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .option('--sarif <file>', 'also write SARIF 2.1.0 to this file (for GitHub code scanning)')
    .option('--markdown <file>', 'also write the Markdown audit to this file')
    .option('--markdown-summary <file>', 'also write the short Markdown form for a pull-request comment (under 60,000 characters)')
    .option('--report-url <url>', 'where the full report is read; the summary form links to it (default in GitHub Actions: the run page)')
    .option('--link-base <url>', 'prefix for absolute file links in Markdown, e.g. https://github.com/o/r/blob/<sha>/ (default: from GitHub Actions or the git remote)')
    .option('-v, --verbose', 'terminal output: whole lines and every location of a group')
    .option('--json <file>', 'also write the JSON report to this file')
    .option('--min-priority <priority>', 'report only findings at or above this priority: p0, p1 or p2 (default p2)', priorityArg)
    .option('--baseline <file>', 'report only findings that are not in this baseline (see `faultline baseline`)')
    .option('--diff-base <ref>', 'report only findings on lines changed since this git ref (merge-base with HEAD)')
    .option('--max-results <n>', `cap on SARIF results, P0 first (default ${DEFAULT_MAX_RESULTS})`, positiveInt)
    .option('--sarif-category <id>', 'write runs[0].automationDetails.id = "<id>/" (otherwise upload-sarif\'s category applies)')
    .option('--sarif-security-severity', 'add security-severity to SARIF rules (turns alerts into security alerts)')
    .option('--no-progress', 'never show the progress line');
}

/** Scan root relative to the git top level ("" outside git or at the top). */
export function gitPrefix(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-prefix'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Absolute file links for reports read on GitHub (job summary), from the Actions environment. */
export function githubLinkBase(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_REPOSITORY || !env.GITHUB_SHA) return undefined;
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  return `${server}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}/`;
}

/** The page of this Actions run (its job summary holds the full audit). */
export function githubRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

/** `git@github.com:o/r.git` / `https://github.com/o/r.git` -> `https://github.com/o/r` (GitHub, GitLab, Bitbucket, Gitea alike). */
export function webUrlOfRemote(remote: string): string | undefined {
  const r = remote.trim();
  let m = /^git@([^:]+):(.+?)(?:\.git)?\/?$/.exec(r) ?? /^ssh:\/\/(?:[^@]+@)?([^/:]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(r);
  if (m) return `https://${m[1]}/${m[2]}`;
  m = /^https?:\/\/(?:[^@/]+@)?([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(r);
  return m ? `https://${m[1]}/${m[2]}` : undefined;
}

/**
 * File links from the repository's `origin` remote and HEAD, when HEAD is on a remote branch (so the
 * links resolve). GitLab spells the path `/-/blob/`.
 */
export function gitLinkBase(root: string): string | undefined {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const web = webUrlOfRemote(git('remote', 'get-url', 'origin'));
    if (!web) return undefined;
    const sha = git('rev-parse', 'HEAD');
    if (!git('branch', '-r', '--contains', sha)) return undefined;
    return `${web}${/gitlab/i.test(web) ? '/-' : ''}/blob/${sha}/`;
  } catch {
    return undefined;
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Applies --baseline, --diff-base and --min-priority to a scan result (in that order) and returns
 * the result to report with notes for the Markdown scope section. Errors are kept.
 */
export function prepareReport(result: ScanResult, o: ReportCliOptions, root: string, io: Pick<Io, 'cwd' | 'env'>): { result: ScanResult; extras: ReportExtras } {
  try {
    return filterResult(result, o, root, io);
  } catch (e) {
    if (e instanceof BaselineError || e instanceof DiffError) throw new UsageError(e.message);
    throw e;
  }
}

function filterResult(result: ScanResult, o: ReportCliOptions, root: string, io: Pick<Io, 'cwd' | 'env'>): { result: ScanResult; extras: ReportExtras } {
  let findings = result.findings;
  const notes: string[] = [];
  if (o.baseline) {
    const path = resolve(io.cwd, o.baseline);
    if (!existsSync(path)) throw new UsageError(`--baseline: ${o.baseline} does not exist (create it with \`faultline baseline -o ${o.baseline}\`)`);
    const split = applyBaseline(findings, parseBaseline(readFileSync(path, 'utf8'), o.baseline));
    findings = split.fresh;
    notes.push(`Baseline \`${o.baseline}\`: ${plural(split.known.length, 'known finding')} not shown.`);
    if (split.stale.length)
      notes.push(`${plural(split.stale.length, 'baseline entry', 'baseline entries')} no longer matched (fixed or out of scope); run \`faultline baseline\` to prune.`);
  }
  if (o.diffBase) {
    const info = changedSince(o.diffBase, root);
    const split = filterByDiff(findings, info);
    findings = split.changed;
    notes.push(`Only findings on lines changed since \`${o.diffBase}\` (merge base \`${info.base.slice(0, 12)}\`); ${plural(split.unchanged.length, 'finding')} on unchanged lines not shown.`);
  }
  if (o.minPriority && o.minPriority !== 'P2') {
    const kept = atLeast(findings, o.minPriority);
    notes.push(`Findings below ${o.minPriority} not shown: ${findings.length - kept.length}.`);
    findings = kept;
  }
  const pathPrefix = gitPrefix(root);
  const sarif: SarifOptions = { pathPrefix };
  if (o.maxResults) sarif.maxResults = o.maxResults;
  if (o.sarifCategory) sarif.category = o.sarifCategory;
  if (o.sarifSecuritySeverity) sarif.securitySeverity = true;
  return {
    result: findings === result.findings ? result : { ...result, findings },
    extras: {
      pathPrefix,
      linkBase: o.linkBase ? o.linkBase.replace(/\/?$/, '/') : (githubLinkBase(io.env) ?? gitLinkBase(root)),
      reportUrl: o.reportUrl ?? githubRunUrl(io.env),
      notes,
      sarif,
      scanRoot: resolve(root),
    },
  };
}

function writeOut(io: Pick<Io, 'cwd'>, file: string, text: string): void {
  writeReportFile(resolve(io.cwd, file), text, file);
}

/** --sarif / --markdown / --json: written beside the terminal output in the same run. */
export function writeExtraReports(result: ScanResult, rules: RuleMeta[], o: ReportCliOptions, extras: ReportExtras, io: Io): void {
  if ((o.format ?? 'text') === 'text') for (const note of extras.notes ?? []) io.stderr.write(`faultline: ${note.replace(/`/g, '')}\n`);
  const opts = { ...extras, color: false, root: io.cwd };
  if (o.json) writeOut(io, o.json, FORMATS.json(result, rules, opts));
  if (o.markdown) writeOut(io, o.markdown, FORMATS.markdown(result, rules, { ...opts, ...extrasFor(extras, io.cwd, o.markdown) }));
  if (o.markdownSummary) writeOut(io, o.markdownSummary, FORMATS['markdown-summary'](result, rules, { ...opts, ...extrasFor(extras, io.cwd, o.markdownSummary) }));
  if (o.sarif) {
    const { log, dropped } = buildSarif(result, rules, extras.sarif);
    writeOut(io, o.sarif, JSON.stringify(log, null, 2) + '\n');
    if (dropped) io.stderr.write(`faultline: SARIF capped at ${log.runs[0].results!.length} results; ${dropped} lower-priority findings left out (--max-results)\n`);
  }
}

/** `faultline baseline`: the scan's findings as a baseline file. */
export function writeBaselineFile(result: ScanResult, file: string, io: Io): number {
  writeOut(io, file, serializeBaseline(createBaseline(result.findings)));
  io.stderr.write(`faultline: wrote ${plural(result.findings.length, 'finding')} to ${file}; scan with --baseline ${file} to see only new ones\n`);
  return 0;
}

export interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/**
 * "files done / total" on stderr, only on a TTY, not in CI, and only once a scan has run for
 * `delayMs` (short scans print nothing). Redraws at most every 100 ms; `stop` clears the line.
 */
export function startProgress(io: Pick<Io, 'env' | 'stderr'>, enabled = true, delayMs = 2000, now: () => number = Date.now): Progress {
  const env = io.env;
  const quiet = !enabled || !io.stderr.isTTY || !!env.CI || env.GITHUB_ACTIONS === 'true' || env.TERM === 'dumb';
  if (quiet) return { update: () => {}, stop: () => {} };
  const start = now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const t = now();
      if (t - start < delayMs || (t - last < 100 && done < total)) return;
      last = t;
      shown = true;
      io.stderr.write(`\r\x1b[Kfaultline: ${done}/${total} files`);
    },
    stop() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

export const STARTER_CONFIG = `# faultline configuration: every key is optional.
# Reference: https://github.com/faultline-dev/faultline#configuration

# Lowest priority that makes \`faultline scan\` exit 1: P0, P1, P2 or none.
fail-on: ${DEFAULT_FAIL_ON}

rules:
  # Run only these rule ids, names or categories (default: all of them).
  # select: [timeout, pool, retry]
  # Turn rules off by id, name or category.
  ignore: []

# A different priority for a rule in this repository.
# priorities:
#   FL101: P1

# Paths to skip (globs), on top of .gitignore.
exclude:
  - "**/vendor/**"
  - "**/migrations/**"

# Test code is skipped by default; "report" reports it at P2.
tests: skip

# Teach faultline your own wrappers, e.g. an HTTP helper that takes a timeout keyword:
# catalog:
#   - language: python
#     match: [mycompany.http.get]
#     role: http.request
#     knobs:
#       timeout: { keys: [timeout], default: unbounded }
`;

type RunScan = (paths: string[], o: ReportCliOptions & Record<string, unknown>) => Promise<number>;

/** Adds `baseline`, `rules`, `explain` and `init`. `runScan` is main.ts's scan command. */
export function registerReportCommands(program: Command, io: Io, setExit: (code: number) => void, runScan: RunScan): void {
  const scanCmd = program.commands.find((c) => c.name() === 'scan');
  const baseline = program
    .command('baseline')
    .description(`record the current findings so later scans with --baseline report only new ones (default file ${DEFAULT_BASELINE})`)
    .argument('[paths...]', 'files or directories to scan')
    .option('-o, --output <file>', 'baseline file to write', DEFAULT_BASELINE);
  for (const opt of scanCmd?.options ?? []) {
    if (['--jobs', '--config', '--select', '--extend-select', '--ignore', '--exclude', '--root'].includes(opt.long ?? '')) baseline.addOption(opt);
  }
  baseline.action(async (paths: string[], o: Record<string, unknown>) => {
    setExit(await runScan(paths, { ...o, format: 'json', output: undefined, failOn: 'none', writeBaseline: o.output as string }));
  });

  program
    .command('rules')
    .description('list the rules')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .action((o: { format: string }) => {
      const rules = loadRules();
      io.stdout.write(o.format === 'json' ? rulesJson(rules) : o.format === 'markdown' ? rulesMarkdownTable(rules) + '\n' : rulesTextTable(rules));
    });

  program
    .command('explain')
    .description('print the documentation of a rule (id or name)')
    .argument('<rule>', 'rule id (FL101) or name (http-call-without-timeout)')
    .action((key: string) => {
      const rules = loadRules();
      const rule = findRule(rules, key);
      if (!rule) throw new UsageError(`unknown rule "${key}"; \`faultline rules\` lists them`);
      io.stdout.write(ruleHelpMarkdown(rule));
    });

  program
    .command('init')
    .description('write a starter .faultline.yml in the current directory')
    .option('--force', 'overwrite an existing file')
    .action((o: { force?: boolean }) => {
      const path = resolve(io.cwd, '.faultline.yml');
      if (existsSync(path) && !o.force) throw new UsageError('.faultline.yml already exists (use --force to overwrite)');
      writeReportFile(path, STARTER_CONFIG, '.faultline.yml');
      io.stderr.write('faultline: wrote .faultline.yml\n');
    });
}
