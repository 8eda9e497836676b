// CI workflows as evidence of how a file runs: a script a GitHub Actions step runs
// (`run: python db/create_ci_test_db.py`) is CI tooling, not service code. Data only: the workflow
// is parsed as YAML, nothing in it is executed.
import { posix } from 'node:path';
import { parse } from 'yaml';
import { shellSplit } from '../languages/compose/service.js';

const PYTHON = /^(python|python3(\.\d+)?|py|uv|poetry|pipenv)$/;
const SCRIPT = /\.(py|[cm]?[jt]s)$/;
const MAX_BYTES = 512 * 1024;

/**
 * The scanned files each workflow step runs, with the workflow that runs them. `runners` are the
 * programs whose first file argument a command runs (node, ts-node, tsx …); python runs its file
 * or its `-m` module, also behind `uv run` / `poetry run`.
 */
export function workflowRuns(workflows: string[], known: ReadonlySet<string>, runners: ReadonlySet<string>, readText: (rel: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const wf of workflows) {
    const text = readText(wf);
    if (text === undefined || text.length > MAX_BYTES) continue;
    let doc: unknown;
    try {
      doc = parse(text, { maxAliasCount: 100 });
    } catch {
      continue; // a workflow that does not parse says nothing
    }
    const repo = wf.replace(/\.github\/workflows\/[^/]+$/, '').replace(/\/$/, '');
    const jobs = (doc as { jobs?: unknown })?.jobs;
    if (!jobs || typeof jobs !== 'object') continue;
    for (const job of Object.values(jobs as Record<string, unknown>)) {
      if (!job || typeof job !== 'object') continue;
      const j = job as { steps?: unknown; defaults?: { run?: { 'working-directory'?: unknown } } };
      const jobDir = typeof j.defaults?.run?.['working-directory'] === 'string' ? j.defaults.run['working-directory'] : '';
      if (!Array.isArray(j.steps)) continue;
      for (const step of j.steps) {
        const run = (step as { run?: unknown })?.run;
        if (typeof run !== 'string') continue;
        const wd = (step as { 'working-directory'?: unknown })['working-directory'];
        const dir = posix.join(repo, typeof wd === 'string' ? wd : jobDir);
        for (const file of commandFiles(run, dir, known, runners)) if (!out.has(file)) out.set(file, wf);
      }
    }
  }
  return out;
}

/** The scanned files the lines of one `run:` block start. */
function commandFiles(run: string, dir: string, known: ReadonlySet<string>, runners: ReadonlySet<string>): string[] {
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
        runner = PYTHON.test(w) ? 'python' : runners.has(w) ? 'node' : undefined;
        continue;
      }
      if (runner === 'python' && (w === 'run' || w === 'exec')) continue; // uv run / poetry run python x.py
      if (runner === 'python' && PYTHON.test(w)) continue;
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
