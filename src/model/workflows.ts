// CI workflows as evidence of how a file runs: a script a GitHub Actions step runs
// (`run: python db/create_ci_test_db.py`) is CI tooling, not service code. Data only: the workflow
// is parsed as YAML, nothing in it is executed.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parse } from 'yaml';
import { shellSplit } from '../languages/compose/service.js';

const SCRIPT = /\.(py|[cm]?[jt]s)$/;
const MAX_BYTES = 512 * 1024;

/**
 * The scanned files each workflow step runs, with the workflow that runs them. `runners` are the
 * programs whose first file argument a command runs (catalog `context-packages` role
 * `script-runner`: node, ts-node, tsx …; python, uv, poetry …): python runs its file or its `-m`
 * module, also behind `uv run` / `poetry run`.
 */
export interface WorkflowUse {
  /** scanned files a step runs -> the workflow */
  runs: Map<string, string>;
  /** compose files a step starts (`docker compose -f x.yml`, or `docker compose` / a script run in the folder a step enters) -> the workflow */
  stacks: Map<string, string>;
}

/** One `run:` step of a workflow: its script and the folder it runs in, relative to the repository the workflow belongs to. */
export type WorkflowStep = { run: string; dir: string };

/**
 * The parsed steps of each workflow text, by the text's hash: a re-scan reuses them instead of
 * parsing every workflow's YAML again (playwright's 24 workflows cost a quarter of a cached scan).
 * Plain data, so the scan can keep it in its cache directory.
 */
export type WorkflowStepMemo = Record<string, WorkflowStep[]>;
/** `prev`: what an earlier scan saved (validated here, it comes from disk); `next`: this scan's, to save */
export interface WorkflowStepCache { prev: WorkflowStepMemo; next: WorkflowStepMemo }

/** The `run:` steps of a workflow (none when it does not parse or has no jobs). */
function workflowSteps(text: string): WorkflowStep[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch {
    return []; // a workflow that does not parse says nothing
  }
  const jobs = (doc as { jobs?: unknown })?.jobs;
  if (!jobs || typeof jobs !== 'object') return [];
  const out: WorkflowStep[] = [];
  for (const job of Object.values(jobs as Record<string, unknown>)) {
    if (!job || typeof job !== 'object') continue;
    const j = job as { steps?: unknown; defaults?: { run?: { 'working-directory'?: unknown } } };
    const jobDir = typeof j.defaults?.run?.['working-directory'] === 'string' ? j.defaults.run['working-directory'] : '';
    if (!Array.isArray(j.steps)) continue;
    for (const step of j.steps) {
      const run = (step as { run?: unknown })?.run;
      if (typeof run !== 'string') continue;
      const wd = (step as { 'working-directory'?: unknown })['working-directory'];
      out.push({ run, dir: typeof wd === 'string' ? wd : jobDir });
    }
  }
  return out;
}

export function workflowRuns(
  workflows: string[],
  known: ReadonlySet<string>,
  runners: { node: ReadonlySet<string>; python: ReadonlySet<string> },
  readText: (rel: string) => string | undefined,
  composeFiles: readonly string[] = [],
  memo?: WorkflowStepCache,
): WorkflowUse {
  const out = new Map<string, string>();
  const stacks = new Map<string, string>();
  for (const wf of workflows) {
    const text = readText(wf);
    if (text === undefined || text.length > MAX_BYTES) continue;
    const key = memo ? createHash('sha256').update(text).digest('hex').slice(0, 32) : '';
    const saved = memo && Object.hasOwn(memo.prev, key) && Array.isArray(memo.prev[key]) ? memo.prev[key] : undefined;
    const steps = saved ?? workflowSteps(text);
    if (memo) memo.next[key] = steps;
    const repo = wf.replace(/\.github\/workflows\/[^/]+$/, '').replace(/\/$/, '');
    for (const step of steps) {
      if (typeof step?.run !== 'string' || typeof step.dir !== 'string') continue; // a cache entry we did not write
      const dir = posix.join(repo, step.dir);
      for (const file of commandFiles(step.run, dir, known, runners)) if (!out.has(file)) out.set(file, wf);
      for (const file of startedStacks(step.run, dir, repo, composeFiles)) if (!stacks.has(file)) stacks.set(file, wf);
    }
  }
  return { runs: out, stacks };
}

/**
 * The compose files a `run:` block starts, below the repository root: named with `-f`, or in the
 * folder the step works in or `cd`s into (lnbits' `cd docker/regtest && ./start-regtest`, which runs
 * `docker compose up` there). The root's own compose file is what users run, even when CI starts
 * it too, so it is never a CI stack here.
 */
function startedStacks(run: string, stepDir: string, repo: string, composeFiles: readonly string[]): string[] {
  const out = new Set<string>();
  const norm = (p: string) => posix.normalize(p === '' ? '.' : p).replace(/^\.$/, '');
  const root = norm(repo);
  const inDir = (dir: string) => composeFiles.filter((c) => norm(posix.dirname(c)) === norm(dir));
  let cwd = stepDir;
  for (const line of run.split(/\r?\n/)) {
    if (line.includes('${{')) continue;
    let prev = '';
    let composeCmd = false;
    const words: string[] = [];
    for (const t of shellSplit(line)) {
      if (!('word' in t)) { prev = ''; composeCmd = false; continue; }
      const w = t.word;
      words.push(w);
      if (prev === 'cd' && !w.startsWith('-') && !w.includes('$')) {
        cwd = w.startsWith('/') ? '\0outside' : posix.join(cwd, w); // an absolute path is outside the repository
        if (norm(cwd) !== root) for (const c of inDir(cwd)) out.add(c);
      }
      if (w === 'docker-compose' || (prev === 'docker' && w === 'compose')) composeCmd = true;
      if (composeCmd && (prev === '-f' || prev === '--file') && !w.includes('$')) {
        const file = norm(posix.join(cwd, w));
        if (composeFiles.includes(file) && norm(posix.dirname(file)) !== root) out.add(file);
      }
      prev = w;
    }
    if (composeCmd && !words.includes('-f') && !words.includes('--file') && norm(cwd) !== root) for (const c of inDir(cwd)) out.add(c);
  }
  if (norm(stepDir) !== root) for (const c of inDir(stepDir)) if (/\bdocker(-|\s+)compose\b/.test(run)) out.add(c);
  return [...out];
}

/** The scanned files the lines of one `run:` block start. */
function commandFiles(run: string, dir: string, known: ReadonlySet<string>, runners: { node: ReadonlySet<string>; python: ReadonlySet<string> }): string[] {
  const python = (w: string) => runners.python.has(w.replace(/(\d)\.\d+$/, '$1'));
  const out: string[] = [];
  const at = (p: string) => {
    const rel = posix.normalize(posix.join(dir, p.replace(/^\.\//, '')));
    return rel.startsWith('..') ? undefined : rel;
  };
  for (const line of run.split(/\r?\n/)) {
    if (line.includes('${{')) continue; // an expression the runner fills in: not a path we can read
    let runner: 'python' | 'node' | undefined;
    let module = false;
    for (const t of shellSplit(line)) {
      if (!('word' in t)) { runner = undefined; continue; }
      const w = t.word;
      if (!runner) {
        runner = python(w) ? 'python' : runners.node.has(w) ? 'node' : undefined;
        continue;
      }
      if (runner === 'python' && (w === 'run' || w === 'exec')) continue; // uv run / poetry run python x.py
      if (runner === 'python' && python(w)) continue;
      if (runner === 'python' && w === '-m') { module = true; continue; }
      if (w.startsWith('-')) continue;
      if (module) {
        const base = w.replace(/\./g, '/');
        for (const cand of [`${base}.py`, `${base}/__main__.py`]) {
          const rel = at(cand);
          if (rel && known.has(rel)) out.push(rel);
        }
      } else if (SCRIPT.test(w)) {
        const rel = at(w);
        if (rel && known.has(rel)) out.push(rel);
      }
      runner = undefined;
      module = false;
    }
  }
  return out;
}
