// Loads rules/<category>/<name>.yaml, validates each against rules/rule.schema.json, and checks
// the cross-file invariants (unique ids and names, id prefix matching the category).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { Category, RuleMeta } from './types.js';

/** The package's own rules/ directory (dist/engine/ -> ../../rules). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

const ID_PREFIX: Record<Category, string> = {
  config: 'FL0',
  timeout: 'FL1',
  pool: 'FL2',
  retry: 'FL3',
  healthcheck: 'FL4',
  'permanent-failure': 'FL5',
  idempotency: 'FL6',
  durability: 'FL7',
  'circuit-breaker': 'FL8',
  'resource-limit': 'FL9',
};

export class RuleLoadError extends Error {}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'catalog') continue;
    if (statSync(p).isDirectory()) out.push(...listYaml(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

type Validator = ((data: unknown) => boolean) & { errors?: unknown };
const validators = new Map<string, Validator>();
function validate(dir: string): Validator {
  let v = validators.get(dir);
  if (!v) {
    const schema = JSON.parse(readFileSync(join(dir, 'rule.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    v = ajv.compile(schema) as unknown as Validator;
    validators.set(dir, v);
  }
  return v;
}

export function loadRules(dir: string = BUILTIN_RULES_DIR): RuleMeta[] {
  const rules: RuleMeta[] = [];
  const check = validate(dir);
  for (const file of listYaml(dir)) {
    const rel = relative(dir, file).split(sep).join('/');
    let data: unknown;
    try {
      data = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RuleLoadError(`${rel}: invalid YAML: ${(e as Error).message}`);
    }
    if (!check(data)) {
      const errs = (check.errors as Array<{ instancePath: string; message?: string }>)
        .map((e) => `${e.instancePath || '/'} ${e.message}`)
        .join('; ');
      throw new RuleLoadError(`${rel}: ${errs}`);
    }
    const rule = data as RuleMeta;
    const base = file.slice(file.lastIndexOf(sep) + 1).replace(/\.ya?ml$/, '');
    if (base !== rule.name) throw new RuleLoadError(`${rel}: file name must equal the rule name "${rule.name}"`);
    // a rule's code check is src/engine/checks/<rule name>.ts: `check:` says there is one, and names it
    if (rule.check !== undefined && rule.check !== rule.name)
      throw new RuleLoadError(`${rel}: check "${rule.check}" must be the rule name "${rule.name}" (src/engine/checks/${rule.name}.ts)`);
    if (!rule.id.startsWith(ID_PREFIX[rule.category]))
      throw new RuleLoadError(`${rel}: id ${rule.id} must start with ${ID_PREFIX[rule.category]} for category ${rule.category}`);
    rule.source = rel;
    rules.push(rule);
  }
  const seen = new Map<string, string>();
  for (const r of rules) {
    for (const key of [r.id, r.name]) {
      const prev = seen.get(key);
      if (prev) throw new RuleLoadError(`${r.source}: "${key}" is already used by ${prev}`);
      seen.set(key, r.source!);
    }
  }
  return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Find a rule by id or name (case-insensitive id). */
export function findRule(rules: RuleMeta[], key: string): RuleMeta | undefined {
  const k = key.trim();
  return rules.find((r) => r.id.toLowerCase() === k.toLowerCase() || r.name === k);
}
