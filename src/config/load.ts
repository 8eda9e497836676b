// Find, read and validate .faultline.yml. Config is YAML/JSON data only: nothing in the scanned
// tree is ever executed or imported. A bad config raises ConfigError naming the file and the key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { expandBraces, MAX_BRACE_EXPANSIONS, patternProblem } from '../catalog/index.js';
import type { CatalogApi } from '../catalog/types.js';
import type { Priority, RuntimeContext } from '../engine/types.js';
import schema from './schema.json' with { type: 'json' };

export interface FaultlineConfig {
  rules?: { select?: string[]; ignore?: string[] };
  priorities?: Record<string, Priority>;
  catalog?: CatalogApi[];
  exclude?: string[];
  compose?: { files?: string[] };
  tests?: 'skip' | 'report';
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

export const CONFIG_NAMES = ['.faultline.yml', '.faultline.yaml', 'faultline.yml', '.faultline.json'];

/** From `start` up to the repository root (the first folder holding .git), the first config found. */
export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const n of CONFIG_NAMES) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
    const parent = dirname(dir);
    if (existsSync(join(dir, '.git')) || parent === dir) return undefined;
    dir = parent;
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

export function loadConfig(path: string): FaultlineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(`${path}: invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const data = (doc.toJS() ?? {}) as unknown;
  if (!validate(data)) {
    const e = validate.errors![0];
    const key = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
    const what =
      e.keyword === 'additionalProperties'
        ? `unknown key "${key ? key + '.' : ''}${(e.params as { additionalProperty: string }).additionalProperty}"`
        : `key "${key || '(root)'}" ${e.message}${e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : ''}`;
    throw new ConfigError(`${path}: ${what}`);
  }
  checkCatalogPatterns(path, data as FaultlineConfig);
  return data as FaultlineConfig;
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
