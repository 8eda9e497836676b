// The GitHub Action's logic: inputs (INPUT_* variables) -> one `faultline scan` run writing
// annotations to the log and the SARIF / Markdown / JSON files -> step outputs in $GITHUB_OUTPUT,
// the Markdown audit appended to $GITHUB_STEP_SUMMARY (cut under GitHub's 1 MiB limit).
// Everything it touches comes from the `env` passed in, so tests fake a runner with a plain object.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as shellParse, type ParseEntry } from 'shell-quote';
import { DEFAULT_FAIL_ON } from '../engine/types.js';
import { truncateMarkdown } from '../report/markdown.js';

/** GitHub refuses a step summary over 1 MiB; keep a margin for the note we add. */
export const SUMMARY_LIMIT = 1024 * 1024 - 8 * 1024;

type Env = Record<string, string | undefined>;

/** `core.getInput`: INPUT_<NAME> upper-cased; hyphens kept (JS actions) or turned into `_` (composite env). */
export function getInput(env: Env, name: string): string {
  const up = name.toUpperCase().replace(/ /g, '_');
  return (env[`INPUT_${up}`] ?? env[`INPUT_${up.replace(/-/g, '_')}`] ?? '').trim();
}

export function getBoolean(env: Env, name: string, fallback: boolean): boolean {
  const v = getInput(env, name).toLowerCase();
  if (!v) return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new Error(`input ${name}: expected true or false, got "${v}"`);
}

export interface ActionInputs {
  paths: string[];
  config: string;
  failOn: string;
  minPriority: string;
  baseline: string;
  diffBase: string;
  sarifFile: string;
  markdownFile: string;
  jsonFile: string;
  annotations: boolean;
  jobSummary: boolean;
  workingDirectory: string;
  extraArgs: string[];
}

function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

/**
 * `extra-args` split as a shell splits words: quotes and backslashes group and are removed
 * (`--exclude 'legacy/**'` is the glob legacy/**, not 'legacy/**' with its quotes), a `#` starts
 * a comment, a glob goes to faultline unexpanded. No shell runs them, so what a shell would
 * expand or run is an input error rather than a silent difference: `$NAME` outside single quotes
 * (use a `${{ }}` expression), pipes, redirections and `;`.
 */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let tokens: ParseEntry[];
  try {
    tokens = shellParse(s, (name): string => {
      throw new Error(`$${name} is not expanded (the arguments are not run by a shell); use a \${{ }} expression`);
    });
  } catch (e) {
    throw new Error(`input extra-args: ${(e as Error).message}`);
  }
  for (const t of tokens) {
    if (typeof t === 'string') out.push(t);
    else if ('comment' in t) break;
    else if (t.op === 'glob') out.push(t.pattern);
    else throw new Error(`input extra-args: "${t.op}" is not supported (the arguments are not run by a shell)`);
  }
  return out;
}

function priorityInput(env: Env, name: string, fallback: string, allowNone: boolean): string {
  const v = (getInput(env, name) || fallback).toUpperCase();
  if (['P0', 'P1', 'P2'].includes(v)) return v;
  if (allowNone && v === 'NONE') return 'none';
  throw new Error(`input ${name}: expected p0, p1, p2${allowNone ? ' or none' : ''}, got "${v.toLowerCase()}"`);
}

export function readInputs(env: Env): ActionInputs {
  return {
    paths: words(getInput(env, 'paths') || '.'),
    config: getInput(env, 'config'),
    failOn: priorityInput(env, 'fail-on', DEFAULT_FAIL_ON, true),
    minPriority: priorityInput(env, 'min-priority', 'p2', false),
    baseline: getInput(env, 'baseline'),
    diffBase: getInput(env, 'diff-base'),
    sarifFile: getInput(env, 'sarif-file'),
    markdownFile: getInput(env, 'markdown-file'),
    jsonFile: getInput(env, 'json-file'),
    annotations: getBoolean(env, 'annotations', true),
    jobSummary: getBoolean(env, 'job-summary', true),
    workingDirectory: getInput(env, 'working-directory') || '.',
    extraArgs: shellWords(getInput(env, 'extra-args')),
  };
}

/** The `faultline scan` command line for these inputs; file paths are absolute. */
export function scanArgs(inputs: ActionInputs, files: { json: string; markdown?: string; sarif?: string }): string[] {
  const args = ['scan', ...inputs.paths, '--format', inputs.annotations ? 'github' : 'text', '--fail-on', inputs.failOn];
  args.push('--min-priority', inputs.minPriority, '--json', files.json);
  if (files.markdown) args.push('--markdown', files.markdown);
  if (files.sarif) args.push('--sarif', files.sarif);
  if (inputs.config) args.push('--config', inputs.config);
  if (inputs.baseline) args.push('--baseline', inputs.baseline);
  if (inputs.diffBase) args.push('--diff-base', inputs.diffBase);
  return [...args, ...inputs.extraArgs];
}

export interface ActionIo {
  env: Env;
  /** where the action runs (GITHUB_WORKSPACE on a runner) */
  cwd: string;
  log: (line: string) => void;
  /** the script that runs `faultline scan` with `node`: src/action/main.ts's own file (dist or bundle) */
  cli: string;
}

function git(cwd: string, args: string[]): boolean {
  return spawnSync('git', args, { cwd, stdio: 'ignore' }).status === 0;
}

/** A shallow checkout may lack the base commit: fetch just that commit, as reviewdog does. */
function ensureCommit(cwd: string, ref: string, log: (l: string) => void): void {
  if (git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])) return;
  log(`faultline: fetching ${ref} for --diff-base`);
  if (!git(cwd, ['fetch', '--no-tags', '--depth=1', 'origin', ref])) log(`::warning::faultline could not fetch ${ref}; use actions/checkout with fetch-depth: 0`);
}

function counts(jsonPath: string): { findings: number; P0: number; P1: number; P2: number } {
  const data = JSON.parse(readFileSync(jsonPath, 'utf8')) as { findings: Array<{ priority: 'P0' | 'P1' | 'P2' }> };
  const c = { findings: data.findings.length, P0: 0, P1: 0, P2: 0 };
  for (const f of data.findings) c[f.priority]++;
  return c;
}

/** Runs the action; returns the process exit code (0 pass, 1 findings at fail-on, 2 error). */
export function runAction(io: ActionIo): number {
  const { env, log } = io;
  let inputs: ActionInputs;
  try {
    inputs = readInputs(env);
  } catch (e) {
    log(`::error title=faultline::${(e as Error).message}`);
    return 2;
  }
  const workdir = resolve(io.cwd, inputs.workingDirectory);
  const tmp = join(env.RUNNER_TEMP || tmpdir(), `faultline-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
  const files = {
    json: abs(inputs.jsonFile || join(tmp, 'faultline.json')),
    markdown: inputs.markdownFile ? abs(inputs.markdownFile) : inputs.jobSummary ? join(tmp, 'faultline.md') : undefined,
    sarif: inputs.sarifFile ? abs(inputs.sarifFile) : undefined,
  };
  if (inputs.diffBase) ensureCommit(workdir, inputs.diffBase, log);

  const run = spawnSync(process.execPath, [io.cli, ...scanArgs(inputs, files)], {
    cwd: workdir,
    env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (run.stdout) log(run.stdout.replace(/\n$/, ''));
  if (run.stderr) log(run.stderr.replace(/\n$/, ''));
  const code = run.status ?? 2;
  if (code === 2 || !existsSync(files.json)) {
    log(`::error title=faultline::the scan did not complete (exit ${code}${run.error ? `: ${run.error.message}` : ''})`);
    return 2;
  }

  const c = counts(files.json);
  const outputs: Record<string, string> = {
    findings: String(c.findings),
    p0: String(c.P0),
    p1: String(c.P1),
    p2: String(c.P2),
    'exit-code': String(code),
    'sarif-file': inputs.sarifFile,
    'markdown-file': inputs.markdownFile,
    'json-file': inputs.jsonFile,
  };
  if (env.GITHUB_OUTPUT) {
    appendFileSync(env.GITHUB_OUTPUT, Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join(''));
  }
  if (inputs.jobSummary && env.GITHUB_STEP_SUMMARY && files.markdown && existsSync(files.markdown)) {
    const md = readFileSync(files.markdown, 'utf8');
    mkdirSync(dirname(env.GITHUB_STEP_SUMMARY), { recursive: true });
    appendFileSync(
      env.GITHUB_STEP_SUMMARY,
      truncateMarkdown(md, SUMMARY_LIMIT, 'Job summary truncated to fit GitHub\'s 1 MiB limit; the full audit is in the Markdown, JSON and SARIF files.'),
    );
  }
  log(`faultline: ${c.findings} findings (P0 ${c.P0}, P1 ${c.P1}, P2 ${c.P2})`);
  if (code === 1) log(`faultline: failing the step: findings at or above ${inputs.failOn} (input fail-on); see the job summary`);
  return code;
}
