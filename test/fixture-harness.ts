// The fixture harness: finds the cases under fixtures/<rule-name>/, analyses each fixture file
// once with every rule (one shared processor for code, one compose analysis per file) and judges
// a rule's findings against the annotations (see annotations.ts).
//
// - A top-level file of fixtures/<rule-name>/ is its own root (its path is its base name). Code
//   files go through one in-process processor that holds every code rule, so rules, catalog and
//   parsers load once and each file is parsed once; compose files through the compose analysis.
//   A rule only ever looks at one file's facts, so its findings are the same as in a scan of that
//   file with only that rule enabled.
// - A subfolder is one project and goes through a real `scan()` with only the folder's rule
//   (discovery, workers, code summaries for compose, the system model): the few end-to-end runs.
//
// Engine access lives in this file only (rules by id/name, the per-file processor, the compose
// analysis, scan) so that engine refactors touch one place. FAULTLINE_RULES (ids or names,
// comma-separated) narrows the cases to those rules: `npm test -- FL101` sets it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { Catalog, readCatalogDir } from '../dist/catalog/index.js';
import { analyzeCompose } from '../dist/engine/compose.js';
import { classify } from '../dist/engine/discover.js';
import { createProcessor } from '../dist/engine/process-file.js';
import { BUILTIN_RULES_DIR, loadRules } from '../dist/engine/rules.js';
import { scan } from '../dist/engine/scan.js';
import { Suppressions } from '../dist/engine/suppress.js';
import type { RuleMeta, ScanError } from '../dist/engine/types.js';
import { addExpectations, emptyExpectations, keyOf, type Expectations } from './annotations.js';

export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

export const rules: RuleMeta[] = loadRules();
const idByRef = new Map<string, string>();
for (const r of rules) {
  idByRef.set(r.id.toUpperCase(), r.id);
  idByRef.set(r.name, r.id);
}
/** A rule's id from its id (any case) or name. */
export const idOf = (ref: string): string | undefined => idByRef.get(ref) ?? idByRef.get(ref.toUpperCase());

/** The rules FAULTLINE_RULES names (ids or names, comma- or space-separated); every rule when unset. */
export function rulesUnderTest(env: NodeJS.ProcessEnv = process.env): RuleMeta[] {
  const refs = (env.FAULTLINE_RULES ?? '').split(/[\s,]+/).filter(Boolean);
  if (!refs.length) return rules;
  const unknown = refs.filter((r) => !idOf(r));
  if (unknown.length) throw new Error(`FAULTLINE_RULES: unknown rule ${unknown.map((u) => `"${u}"`).join(', ')} (use a rule id such as FL101 or a name such as http-call-without-timeout)`);
  const ids = new Set(refs.map((r) => idOf(r)!));
  return rules.filter((r) => ids.has(r.id));
}

export type FileKind = 'python' | 'typescript' | 'compose';

/** How faultline reads a file named on the command line: by extension, and any YAML as compose. */
export function kindOf(path: string): FileKind | null {
  return (classify(basename(path), null) as FileKind | null) ?? (/\.ya?ml$/.test(path) ? 'compose' : null);
}

export interface FixtureCase {
  rule: RuleMeta;
  /** `<rule-name>/<entry>`, the test's title */
  title: string;
  /** the scan root: the rule's folder for a top-level file, the subfolder for a project */
  root: string;
  /** the file itself, or every file of the project (absolute) */
  files: string[];
  project: boolean;
}

export function walkFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walkFiles(p) : [p];
    });
}

/** Folders of fixtures/ that hold rule fixtures (not `_samples` and the like). */
export function fixtureFolders(): string[] {
  return readdirSync(FIXTURES)
    .filter((n) => !n.startsWith('_') && statSync(join(FIXTURES, n)).isDirectory())
    .sort();
}

export function fixtureCases(rule: RuleMeta): FixtureCase[] {
  const dir = join(FIXTURES, rule.name);
  return readdirSync(dir)
    .sort()
    .map((n) => {
      const p = join(dir, n);
      const title = `${rule.name}/${n}`;
      if (statSync(p).isDirectory()) return { rule, title, root: p, files: walkFiles(p), project: true };
      if (!kindOf(p))
        throw new Error(`fixtures/${title}: not a source or compose file; files a scan reads beside the code (.env, package.json, a Dockerfile) go in a project subfolder`);
      return { rule, title, root: dir, files: [p], project: false };
    });
}

const posix = (p: string) => p.split('\\').join('/');

/** Annotations of the case's files for one rule, as `file:line ID` keys relative to the case's root. */
export function caseExpectations(c: FixtureCase, ruleId = c.rule.id): Expectations {
  const into = emptyExpectations();
  for (const f of c.files) addExpectations(into, posix(relative(c.root, f)), readFileSync(f, 'utf8'), idOf, (id) => id === ruleId);
  return into;
}

export interface Analysis {
  /** `file:line ID` of every finding, every rule */
  keys: string[];
  /** the same findings with their priority */
  findings: Array<{ file: string; line: number; ruleId: string; priority: string }>;
  errors: ScanError[];
}

const pick = (f: { file: string; line: number; ruleId: string; priority: string }) => ({ file: f.file, line: f.line, ruleId: f.ruleId, priority: f.priority });
const withKeys = (findings: Analysis['findings'], errors: ScanError[]): Analysis => ({ keys: findings.map((f) => keyOf(f.file, f.line, f.ruleId)), findings, errors });

// ---- the shared engine -------------------------------------------------------------------------

const codeRules = rules.filter((r) => r.languages.includes('python') || r.languages.includes('typescript'));
const composeRules = rules.filter((r) => r.languages.includes('compose'));
const catalogFiles = readCatalogDir(join(BUILTIN_RULES_DIR, 'catalog'));
let processor: ReturnType<typeof createProcessor> | undefined;
let catalog: Catalog | undefined;

/** One in-process processor with every code rule (what a scan's worker holds), built on first use. */
function codeProcessor() {
  return (processor ??= createProcessor({
    rulesDir: BUILTIN_RULES_DIR,
    ruleIds: codeRules.map((r) => r.id),
    extraApis: [],
    engine: { priorityOverrides: {}, includeTests: false },
    maxFileBytes: 2 * 1024 * 1024,
    preloaded: { rules: codeRules, catalogFiles },
  }));
}

/** One code file, every code rule; `rel` is the path the rules see. */
export async function analyseCodeFile(abs: string, rel: string): Promise<Analysis> {
  const kind = kindOf(abs);
  if (kind !== 'python' && kind !== 'typescript') throw new Error(`${abs}: not a code file`);
  const r = await (await codeProcessor())({ abs, rel, kind });
  // a finding that waits for a process-wide default (data.pendingOn: a Celery task whose app is
  // configured elsewhere) is dropped by the project model when no file sets it, as for a lone file;
  // one that first asks whether an imported name is a Celery app (data.pendingIf) stands as written,
  // and so does one that a default would only change (data.pendingMiss: 'keep')
  // and one kept only when a route in another module reaches it (data.unlessRequestReaches) has none
  const settled = r.findings.filter(
    (f) => (!f.data?.pendingOn || f.data.pendingMiss === 'keep' || (f.data.pendingIf && f.data.pendingIfMiss !== 'drop')) && f.data?.unlessRequestReaches !== 'drop',
  );
  return withKeys(settled.map(pick), r.error ? [r.error] : []);
}

/** Every code file under `dir` (default: `root`), paths relative to `root`, one at a time through the shared processor. */
export async function analyseCodeTree(root: string, dir = root): Promise<Analysis> {
  const all: Analysis = { keys: [], findings: [], errors: [] };
  for (const abs of walkFiles(dir)) {
    const kind = kindOf(abs);
    if (kind === 'compose') throw new Error(`${abs}: a tree with compose files needs scanProject()`);
    if (!kind) continue;
    const a = await analyseCodeFile(abs, posix(relative(root, abs)));
    all.keys.push(...a.keys);
    all.findings.push(...a.findings);
    all.errors.push(...a.errors);
  }
  return all;
}

/** Compose files on their own (no code beside them), every compose rule, inline suppressions applied. */
export function analyseComposeFiles(files: Array<{ path: string; text: string }>, readFile: (rel: string) => string | undefined = () => undefined): Analysis {
  const out = analyzeCompose({ files, rules: composeRules, catalog: (catalog ??= new Catalog(catalogFiles)), code: [], readFile });
  const findings: Analysis['findings'] = [];
  for (const d of out.drafts) {
    const rule = composeRules.find((r) => r.id === d.ruleId)!;
    if (new Suppressions(out.suppressions[d.file] ?? []).covers(rule, d.loc.line)) continue;
    // as scan() decides it: the rule's priority, lowered (never raised) by the draft's ('P2' > 'P0')
    const priority = d.priority && d.priority > rule.priority ? d.priority : rule.priority;
    findings.push({ file: d.file, line: d.loc.line, ruleId: d.ruleId, priority });
  }
  return withKeys(findings, out.errors);
}

/** A whole tree through `scan()` with these rules: discovery, workers, compose with code, the system model. */
export async function scanProject(root: string, select: string[]): Promise<Analysis> {
  const res = await scan({ root, targets: [root], jobs: 1, config: {}, rules, select });
  return withKeys(res.findings.map(pick), res.errors);
}

/** The same scan, with each finding's message (for tests that pin what a finding says). */
export async function scanProjectMessages(root: string, select: string[]): Promise<Array<{ file: string; line: number; ruleId: string; priority: string; message: string }>> {
  const res = await scan({ root, targets: [root], jobs: 1, config: {}, rules, select });
  return res.findings.map((f) => ({ ...pick(f), message: f.message }));
}

const analysed = new Map<string, Promise<Analysis>>();

/** The findings of a case (memoised: each file is analysed once however many tests ask). */
export function analyseCase(c: FixtureCase): Promise<Analysis> {
  const key = c.project ? `${c.root}\0${c.rule.id}` : c.files[0];
  let a = analysed.get(key);
  if (!a) {
    const [file] = c.files;
    const rel = basename(file);
    if (c.project) a = scanProject(c.root, [c.rule.id]);
    else if (kindOf(file) === 'compose') {
      const within = (r: string) => {
        const p = resolve(c.root, r);
        return !relative(c.root, p).startsWith('..') && statSync(p, { throwIfNoEntry: false })?.isFile() ? readFileSync(p, 'utf8') : undefined;
      };
      a = Promise.resolve(analyseComposeFiles([{ path: rel, text: readFileSync(file, 'utf8') }], within));
    } else a = analyseCodeFile(file, rel);
    analysed.set(key, a);
  }
  return a;
}

let scratch: string | undefined;
let scratchCount = 0;

/** Findings of a snippet as one file named `name` (a rule's docs example), every rule. */
export async function analyseSnippet(name: string, text: string): Promise<Analysis> {
  if (kindOf(name) === 'compose') return analyseComposeFiles([{ path: name, text }]);
  const dir = join((scratch ??= mkdtempSync(join(tmpdir(), 'faultline-snippets-'))), String(scratchCount++));
  mkdirSync(dir);
  writeFileSync(join(dir, name), text);
  return analyseCodeFile(join(dir, name), name);
}

/** Each finding of `rule` as line -> reported priority (the priorities annotations do not pin). */
export function prioritiesByLine(a: { findings: Array<{ line: number; ruleId: string; priority: string }> }, rule: string): Record<number, string> {
  return Object.fromEntries(a.findings.filter((f) => f.ruleId === rule).map((f) => [f.line, f.priority]));
}
