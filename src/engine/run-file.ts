// One source file's facts -> findings: run every applicable rule, then priorities (`adjust`,
// config overrides, test code), suppressions, messages and fingerprints. Pure: no I/O.
import picomatch from 'picomatch';
import type { Catalog } from '../catalog/index.js';
import { fileImports, readImports } from '../languages/imports.js';
import type { FileFacts, Scope } from '../languages/types.js';
import type { Check, FileContext, Matcher, RuleContext } from './api.js';
import { FingerprintMaker } from './fingerprint.js';
import { checkOf } from './checks/index.js';
import { Suppressions } from './suppress.js';
import { PRIORITY_RANK, type Finding, type FindingDraft, type Priority, type RuleMeta } from './types.js';

export interface CompiledRule {
  meta: RuleMeta;
  run: (ctx: RuleContext) => FindingDraft[];
  /** per-language text gate; null = always run */
  gate: Record<'python' | 'typescript', Gate | null>;
  adjust: Array<{ test: (d: FindingDraft, file: FileContext) => boolean; priority: Priority | 'skip'; why?: string }>;
}

export interface EngineOptions {
  /** config `priorities:` overrides, by rule id */
  priorityOverrides: Record<string, Priority>;
  /** report findings in test code (at P2) instead of skipping it */
  includeTests: boolean;
}

export const lowerOf = (a: Priority, b: Priority): Priority => (PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A file's text plus, computed on first use, the modules it imports. */
export class GateInput {
  private mods?: Set<string>;
  /** each gate's answer for this file */
  readonly verdicts = new Map<Gate, boolean>();
  constructor(
    readonly text: string,
    readonly lang: 'python' | 'typescript',
  ) {}
  get modules(): Set<string> {
    return (this.mods ??= fileImports(readImports(this.text, this.lang), this.lang).modules);
  }
}

/**
 * Passes when the file imports one of `modules` ("@aws-sdk/*" = any module under that scope),
 * mentions one of `globals`, or matches `regex`. Import lines, not bare words: "http" is in every
 * docstring with a URL, `import http` is not.
 */
export class Gate {
  private readonly exact: Set<string>;
  private readonly prefixes: string[];
  private readonly globals: RegExp | null;
  constructor(modules: string[], globals: string[], private readonly regex: RegExp | null = null) {
    this.exact = new Set(modules.filter((m) => !m.endsWith('*')));
    this.prefixes = modules.filter((m) => m.endsWith('*')).map((m) => m.slice(0, -1));
    this.globals = globals.length ? new RegExp(`\\b(?:${globals.map(escapeRe).join('|')})\\b`) : null;
  }
  /** Whether the file passes; remembered on the input, since the same file is asked twice (before parsing, and per rule after). */
  test(input: GateInput): boolean {
    let hit = input.verdicts.get(this);
    if (hit === undefined) input.verdicts.set(this, (hit = this.evaluate(input)));
    return hit;
  }
  private evaluate(input: GateInput): boolean {
    if (this.regex?.test(input.text)) return true;
    if (this.exact.size || this.prefixes.length) {
      for (const m of input.modules) {
        if (this.exact.has(m)) return true;
        for (const p of this.prefixes) if (m.startsWith(p)) return true;
      }
    }
    return this.globals !== null && this.globals.test(input.text);
  }
}

/** Build the text gate of a rule for one language; null = the rule looks at every file. */
function buildGate(meta: RuleMeta, catalog: Catalog, lang: 'python' | 'typescript'): Gate | null {
  const gate = Array.isArray(meta.gate) ? meta.gate : meta.gate?.[lang];
  if (gate?.length) {
    const regex = new RegExp(gate.join('|'));
    // `gate` and `gateRoles` together: a file passes on either (route files, and the client modules they import)
    const words = meta.gateRoles ? catalog.gateWords(meta.gateRoles, lang) : undefined;
    if (words === null) return null;
    return new Gate(words?.modules ?? [], words?.globals ?? [], regex);
  }
  const call = (meta.match?.call ?? (meta.gateRoles ? { roles: meta.gateRoles } : undefined)) as { role?: string; roles?: string[] } | undefined;
  if (!call) return null;
  const roles = call.roles ?? (call.role ? [call.role] : []);
  const words = catalog.gateWords(roles, lang);
  if (!words) return null;
  return new Gate(words.modules, words.globals);
}

function compileAdjust(meta: RuleMeta): CompiledRule['adjust'] {
  return (meta.adjust ?? []).map((a) => {
    const w = a.when as Record<string, unknown>;
    const globs = w.path ? picomatch(w.path as string[], { dot: true }) : undefined;
    const test = (d: FindingDraft, f: FileContext): boolean => {
      if (globs && !globs(f.path)) return false;
      if (w.script !== undefined && f.isScript !== w.script) return false;
      if (w.browser !== undefined && f.isBrowser !== w.browser) return false;
      const s = d.where?.scope;
      if (w['in-loop'] !== undefined && (s?.inLoop ?? false) !== w['in-loop']) return false;
      if (w['in-async'] !== undefined && (s?.inAsync ?? false) !== w['in-async']) return false;
      if (w.awaited !== undefined && (s?.awaited ?? false) !== w.awaited) return false;
      if (w.floating !== undefined && (s?.floating ?? false) !== w.floating) return false;
      if (w['in-function'] !== undefined && (s?.functionId !== undefined) !== w['in-function']) return false;
      if (w['api-tag'] !== undefined && !(d.where?.apiTags ?? []).includes(w['api-tag'] as string)) return false;
      return true;
    };
    return { test, priority: a.priority, why: a.why };
  });
}

/** A matcher keyword or check name: a module of matchers/ or checks/, never a path. */
const MODULE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function moduleName(meta: RuleMeta, name: string | undefined): string {
  if (name === undefined || !MODULE_NAME.test(name)) throw new Error(`rule ${meta.id}: ${JSON.stringify(name)} is not a matcher or check name`);
  return name;
}

/** Load the matcher or check behind each rule (modules are resolved by name). */
/**
 * One client built again under the same name in the same function, on another path of the same
 * setup (briefer's `pgPool = new pg.Pool(…)`, then the same again without SSL in the `catch` of
 * its first connect): one object at a time, so one finding, at the first build, with the rebuild
 * as a related location. Only a rebuild in a `catch`/`except`, and only when both builds draw the
 * same finding (a rebuild that sets what the first lacks leaves both to stand).
 */
function rebuilt(drafts: FindingDraft[], facts: FileFacts, path: string): { folded: Set<FindingDraft>; also: Map<FindingDraft, NonNullable<Finding['related']>> } {
  const folded = new Set<FindingDraft>();
  const also = new Map<FindingDraft, NonNullable<Finding['related']>>();
  if (drafts.length < 2) return { folded, also };
  const first = new Map<string, FindingDraft>();
  const scopes = new Map<FindingDraft, Scope>();
  for (const d of drafts) {
    const call = facts.calls.find((c) => c.loc.line === d.loc.line && c.loc.column === d.loc.column && c.qualified);
    if (!call) continue;
    const bound = facts.assignments.find((a) => a.value.kind === 'call' && a.value.callId === call.id && !a.augmented);
    if (!bound || bound.scope.functionId === undefined) continue;
    const key = `${call.qualified}\0${bound.target}\0${bound.scope.functionId}\0${d.message}\0${JSON.stringify(d.data ?? {})}`;
    const was = first.get(key);
    if (!was) {
      first.set(key, d);
      scopes.set(d, call.scope);
      continue;
    }
    // the rebuild is a fallback: in the handler of a try the first build is not handling (three
    // commands run one after another through one `p` are three commands)
    const fallback = call.scope.tries.some((t) => t.part === 'handler' && !scopes.get(was)?.tries.some((u) => u.tryId === t.tryId && u.part === 'handler'));
    if (!fallback) continue;
    folded.add(d);
    also.set(was, [...(also.get(was) ?? []), { file: d.file ?? path, line: d.loc.line, column: d.loc.column, message: `the same \`${bound.target}\` built again on another path` }]);
  }
  return { folded, also };
}

export async function compileRules(rules: RuleMeta[], catalog: Catalog): Promise<CompiledRule[]> {
  const out: CompiledRule[] = [];
  for (const meta of rules) {
    if (!meta.languages.includes('python') && !meta.languages.includes('typescript')) continue;
    let run: CompiledRule['run'];
    if (meta.match) {
      const [keyword, spec] = Object.entries(meta.match)[0];
      const mod = (await import(`./matchers/${moduleName(meta, keyword)}.js`)) as { default: Matcher };
      run = (ctx) => mod.default(spec, ctx);
    } else {
      const check = checkOf(meta) as Check | undefined;
      if (!check) throw new Error(`rule ${meta.id}: no code check named "${meta.check}" (src/engine/checks/index.ts)`);
      run = check;
    }
    out.push({
      meta,
      run,
      gate: { python: buildGate(meta, catalog, 'python'), typescript: buildGate(meta, catalog, 'typescript') },
      adjust: compileAdjust(meta),
    });
  }
  return out;
}

/** Does any rule want this file? (cheap text test before parsing) */
export function fileWanted(rules: CompiledRule[], input: GateInput): boolean {
  if (input.text.includes('faultline:')) return true; // suppressions must be checked for reasons
  const lang = input.lang;
  return rules.some((r) => r.meta.languages.includes(lang) && (r.gate[lang] === null || r.gate[lang]!.test(input)));
}

export function renderMessage(template: string, data: Record<string, string> | undefined): string {
  return template.replace(/\{([a-zA-Z_][\w-]*)\}/g, (m, k: string) => (data && k in data ? data[k] : m));
}

/** Decide a draft's priority: config override, then the rule's first matching `adjust`, then test code. */
export function decidePriority(
  rule: CompiledRule,
  draft: FindingDraft,
  file: FileContext,
  opts: EngineOptions,
): { priority: Priority; reason?: string } | null {
  let priority: Priority = opts.priorityOverrides[rule.meta.id] ?? draft.priority ?? rule.meta.priority;
  let reason = draft.priorityReason;
  if (draft.priority && PRIORITY_RANK[draft.priority] < PRIORITY_RANK[rule.meta.priority]) priority = rule.meta.priority; // drafts may only lower
  for (const a of rule.adjust) {
    if (!a.test(draft, file)) continue;
    if (a.priority === 'skip') return null;
    const next = lowerOf(priority, a.priority);
    // the reason belongs to what set the priority: an adjust that lowers nothing keeps the draft's
    if (next !== priority || !reason) reason = a.why ?? reason;
    priority = next;
    break;
  }
  if (file.isTest) {
    if (!opts.includeTests) return null;
    priority = 'P2';
    reason = 'test code';
  }
  return { priority, reason };
}

export interface FileAnalysis {
  findings: Finding[];
}

/** Run the compiled rules over one file's facts. */
export function analyzeFacts(
  facts: FileFacts,
  text: string,
  file: FileContext,
  rules: CompiledRule[],
  catalog: Catalog,
  opts: EngineOptions,
  /** the input the caller already gated the file with (its imports and gate answers are reused) */
  gateInput: GateInput = new GateInput(text, facts.language),
): Finding[] {
  const lang = facts.language;
  const lines = text.split(/\r\n|\r|\n/);
  const supp = new Suppressions(facts.suppressions);
  const fp = new FingerprintMaker();
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (!rule.meta.languages.includes(lang)) continue;
    const gate = rule.gate[lang];
    if (gate && !gate.test(gateInput) && !rule.meta.runsOnEveryFile) continue;
    const ctx: RuleContext = { facts, text, file, rule: rule.meta, catalog };
    let drafts: FindingDraft[];
    try {
      drafts = rule.run(ctx);
    } catch (e) {
      throw new Error(`rule ${rule.meta.id} (${rule.meta.name}) failed: ${(e as Error).message}`);
    }
    const again = rebuilt(drafts, facts, file.path);
    for (const d of drafts) {
      if (again.folded.has(d)) continue;
      const p = decidePriority(rule, d, file, opts);
      if (!p) continue;
      if (supp.covers(rule.meta, d.loc.line)) continue;
      const symbol =
        d.symbol ?? (d.where?.scope?.functionId !== undefined ? facts.functions[d.where.scope.functionId]?.qualifiedName : undefined);
      const lineText = lines[d.loc.line - 1] ?? '';
      const endLine = Math.min(d.loc.endLine, d.loc.line + 5);
      findings.push({
        ruleId: rule.meta.id,
        ruleName: rule.meta.name,
        category: rule.meta.category,
        priority: p.priority,
        file: file.path,
        line: d.loc.line,
        column: d.loc.column,
        endLine: d.loc.endLine,
        endColumn: d.loc.endColumn,
        message: renderMessage(d.message, d.data),
        fingerprint: fp.make(rule.meta.id, file.path, lineText, symbol),
        symbol,
        priorityReason: p.reason,
        ...(d.data ? { data: d.data } : {}),
        ...(again.also.has(d) ? { related: again.also.get(d) } : {}),
        snippet: lines.slice(d.loc.line - 1, endLine).join('\n'),
      });
    }
  }
  return findings;
}
