// Find, read and validate .faultline.yml. Config is YAML/JSON data only: nothing in the scanned
// tree is ever executed or imported. A bad config raises ConfigError naming the file and the key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { catalogSchema } from '../catalog/index.js';
import type { CatalogApi } from '../catalog/types.js';
import type { Priority } from '../engine/types.js';
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

// `catalog:` entries are catalog APIs: the same schema as rules/catalog/*.yaml `apis:` entries
const ajv = new Ajv({ allErrors: true, strict: false }).addSchema(catalogSchema());
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
  return data as FaultlineConfig;
}
