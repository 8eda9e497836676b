// Find, read and validate the config: `.faultline.yml` (or .yaml/.json), `[tool.faultline]` in
// pyproject.toml, or the `"faultline"` key of package.json. Config is data only: nothing in the
// scanned tree is ever executed or imported. A bad config raises ConfigError naming the file and
// the key.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import picomatch from 'picomatch';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parseDocument } from 'yaml';
import { catalogSchema, expandBraces, MAX_BRACE_EXPANSIONS, patternProblem } from '../catalog/index.js';
import type { CatalogApi } from '../catalog/types.js';
import { CATEGORIES, type Priority, type RuntimeContext } from '../engine/types.js';
import schema from './schema.json' with { type: 'json' };

export interface FaultlineConfig {
  rules?: { select?: string[]; ignore?: string[]; 'extend-select'?: string[] };
  priorities?: Record<string, Priority>;
  catalog?: CatalogApi[];
  exclude?: string[];
  /** path glob (relative to the scan root) -> rule ids, names or categories not reported there */
  'per-file-ignores'?: Record<string, string[]>;
  compose?: { files?: string[] };
  tests?: 'skip' | 'report';
  /** findings in functions nothing in the repository mentions: left out (default) or reported */
  unreferenced?: 'skip' | 'report';
  'fail-on'?: Priority | 'none';
  'max-file-size'?: number;
  /** glob -> runtime context, first match wins (overrides the project model) */
  contexts?: Record<string, RuntimeContext>;
  /** context -> the highest priority reported there, or off */
  'context-priorities'?: Partial<Record<RuntimeContext, Priority | 'off'>>;
  /** context -> rules turned off there */
  'context-rules'?: Partial<Record<RuntimeContext, { ignore?: string[] }>>;
}

export class ConfigError extends Error {}

export { DEFAULT_FAIL_ON } from '../engine/types.js';

/** Globs per list (`exclude`, `per-file-ignores`, CLI --exclude): each costs time on every path. */
export const MAX_GLOBS = 10_000;

/** Dedicated config files, in the order they are looked for in one directory. */
export const CONFIG_NAMES = ['.faultline.yml', '.faultline.yaml', 'faultline.yml', '.faultline.json'];

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Whether a pyproject.toml / package.json in a directory holds faultline config (cheap text test first). */
function holdsConfig(path: string): boolean {
  if (!existsSync(path)) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  const toml = basename(path) === 'pyproject.toml';
  if (!(toml ? /\bfaultline\b/ : /"faultline"\s*:/).test(text)) return false;
  try {
    const data = (toml ? (parseToml(text).tool as unknown) : JSON.parse(text)) as unknown;
    return !!data && typeof data === 'object' && Object.hasOwn(data, 'faultline');
  } catch {
    return true; // mentions faultline but does not parse: loadConfig says why
  }
}

/**
 * From `start` up to the repository root (the first folder holding .git), the first directory
 * with a config; in it `.faultline.yml` (and its variants) wins over pyproject.toml
 * `[tool.faultline]`, which wins over package.json `"faultline"`.
 */
export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const n of CONFIG_NAMES) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
    for (const n of ['pyproject.toml', 'package.json']) {
      const p = join(dir, n);
      if (holdsConfig(p)) return p;
    }
    const parent = dirname(dir);
    if (existsSync(join(dir, '.git')) || parent === dir) return undefined;
    dir = parent;
  }
}

// `catalog:` entries are catalog APIs: the same schema as rules/catalog/*.yaml `apis:` entries
// compiled on the first config file read: a scan with none does not pay for it (about 130 ms)
let validator: ReturnType<Ajv['compile']> | undefined;
const validate = ((data: unknown) => {
  validator ??= new Ajv({ allErrors: true, strict: false }).addSchema(catalogSchema()).compile(schema);
  const ok = validator(data);
  validate.errors = validator.errors;
  return ok;
}) as ((data: unknown) => boolean) & { errors?: ReturnType<Ajv['compile']>['errors'] };

/** The config data in a file and where in it the config lives (for messages). */
function readData(path: string): { data: unknown; where: string } {
  const text = readText(path);
  const name = basename(path);
  if (name === 'pyproject.toml') {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (e) {
      const line = e instanceof TomlError ? ` at line ${e.line}` : '';
      throw new ConfigError(`${path}: invalid TOML${line}: ${(e as Error).message.split('\n')[0].replace(/^Invalid TOML document: /, '')}`);
    }
    const tool = doc.tool as Record<string, unknown> | undefined;
    return { data: tool?.faultline ?? {}, where: ' in [tool.faultline]' };
  }
  if (name === 'package.json') {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    return { data: doc?.faultline ?? {}, where: ' in "faultline"' };
  }
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(`${path}: invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) ?? {}, where: '' };
  } catch (e) {
    // yaml refuses alias bombs ("billion laughs") while building the value
    const why = /alias/i.test((e as Error).message) ? 'too many YAML aliases (an alias bomb?)' : (e as Error).message.split('\n')[0];
    throw new ConfigError(`${path}: invalid YAML: ${why}`);
  }
}

const PRIORITY_KEYS = /^[pP][0-2]$/;

/** `p1` is accepted wherever a priority is: normalise to `P1` after validation. */
function normalise(data: FaultlineConfig): FaultlineConfig {
  const out: FaultlineConfig = { ...data };
  if (out['fail-on'] && PRIORITY_KEYS.test(out['fail-on'])) out['fail-on'] = out['fail-on'].toUpperCase() as Priority;
  else if (out['fail-on']) out['fail-on'] = out['fail-on'].toLowerCase() as 'none';
  if (out.priorities) out.priorities = Object.fromEntries(Object.entries(out.priorities).map(([k, p]) => [k, p.toUpperCase() as Priority]));
  if (out['context-priorities'])
    out['context-priorities'] = Object.fromEntries(
      Object.entries(out['context-priorities']).map(([k, p]) => [k, p === 'off' ? p : (p.toUpperCase() as Priority)]),
    );
  return out;
}

/** Globs that picomatch cannot compile are config errors, not a crash later in discovery. */
function checkGlobs(path: string, key: string, globs: string[]): void {
  for (const g of globs) {
    try {
      picomatch(g, { dot: true });
    } catch (e) {
      throw new ConfigError(`${path}: key "${key}": glob "${g.slice(0, 80)}" is invalid: ${(e as Error).message}`);
    }
  }
}

export function loadConfig(path: string): FaultlineConfig {
  const { data, where } = readData(path);
  if (!validate(data)) {
    const e = validate.errors![0];
    // a JSON pointer: `/` inside a key (a glob under per-file-ignores) is written ~1
    const key = e.instancePath
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((k, i) => (/^[\w-]+$/.test(k) ? (i ? `.${k}` : k) : `[${k}]`))
      .join('');
    const what =
      e.keyword === 'additionalProperties'
        ? `unknown key "${key ? key + '.' : ''}${(e.params as { additionalProperty: string }).additionalProperty}"`
        : `key "${key || '(root)'}" ${e.message}${e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : ''}`;
    throw new ConfigError(`${path}: ${what}${where}`);
  }
  const config = normalise(data as FaultlineConfig);
  checkGlobs(path, 'exclude', config.exclude ?? []);
  checkGlobs(path, 'per-file-ignores', Object.keys(config['per-file-ignores'] ?? {}));
  checkCatalogPatterns(path, config);
  return config;
}

/**
 * Rule references in the config (`priorities`, `per-file-ignores`, `rules.select/ignore`) name
 * rules that exist: checked once the rules are loaded, so the error can name the file.
 */
export function checkConfigRules(
  config: FaultlineConfig,
  rules: ReadonlyArray<{ id: string; name: string; category: string }>,
  path: string,
): void {
  const known = (k: string, categories: boolean) =>
    rules.some((r) => r.id.toLowerCase() === k.toLowerCase() || r.name === k || (categories && (r.category === k || k.toUpperCase() === 'ALL' || (CATEGORIES as readonly string[]).includes(k))));
  for (const id of Object.keys(config.priorities ?? {}))
    if (!known(id, false)) throw new ConfigError(`${path}: priorities: unknown rule "${id}" (\`faultline rules\` lists them)`);
  for (const [glob, ids] of Object.entries(config['per-file-ignores'] ?? {}))
    for (const id of ids)
      if (!known(id, true)) throw new ConfigError(`${path}: per-file-ignores[${glob}]: unknown rule or category "${id}" (\`faultline rules\` lists them)`);
  for (const key of ['select', 'ignore', 'extend-select'] as const)
    for (const id of config.rules?.[key] ?? [])
      if (!known(id, true)) throw new ConfigError(`${path}: rules.${key}: unknown rule or category "${id}" (\`faultline rules\` lists them)`);
}

/** All catalog patterns from one config, expanded: each one is a lookup on every call site. */
const MAX_CONFIG_PATTERNS = 10 * MAX_BRACE_EXPANSIONS;

/** `catalog[].match` patterns expand `{a,b}`: bound them before anything does (a bomb hangs the scan). */
function checkCatalogPatterns(path: string, cfg: FaultlineConfig): void {
  let total = 0;
  for (const [i, api] of (cfg.catalog ?? []).entries()) {
    for (const [j, m] of api.match.entries()) {
      const problem = patternProblem(m);
      if (problem) throw new ConfigError(`${path}: key "catalog.${i}.match.${j}" ${problem}`);
      total += expandBraces(m).length;
      if (total > MAX_CONFIG_PATTERNS)
        throw new ConfigError(`${path}: key "catalog" has more than ${MAX_CONFIG_PATTERNS} match patterns after \`{a,b}\` expansion (at catalog.${i}.match.${j})`);
    }
  }
}
