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

/** One rule's schema and file invariants; `rel` is its file under the rules folder. */
function checkRule(check: Validator, rel: string, data: unknown): RuleMeta {
  if (!check(data)) {
    const errs = (check.errors as Array<{ instancePath: string; message?: string }>)
      .map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ');
    throw new RuleLoadError(`${rel}: ${errs}`);
  }
  const rule = data as RuleMeta;
  const base = rel.slice(rel.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
  if (base !== rule.name) throw new RuleLoadError(`${rel}: file name must equal the rule name "${rule.name}"`);
  // a rule's code check is src/engine/checks/<rule name>.ts: `check:` says there is one, and names it
  if (rule.check !== undefined && rule.check !== rule.name)
    throw new RuleLoadError(`${rel}: check "${rule.check}" must be the rule name "${rule.name}" (src/engine/checks/${rule.name}.ts)`);
  if (!rule.id.startsWith(ID_PREFIX[rule.category]))
    throw new RuleLoadError(`${rel}: id ${rule.id} must start with ${ID_PREFIX[rule.category]} for category ${rule.category}`);
  // a gate that does not compile would fail in every worker, file after file: refuse it here
  const gates = Array.isArray(rule.gate) ? rule.gate : Object.values(rule.gate ?? {}).flat();
  for (const g of gates) {
    try {
      new RegExp(g);
    } catch (e) {
      throw new RuleLoadError(`${rel}: gate ${JSON.stringify(g)} is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  rule.source = rel;
  return rule;
}

/** The cross-file invariants (unique ids and names); sorted by id. */
function finish(rules: RuleMeta[]): RuleMeta[] {
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

const relOf = (dir: string, file: string) => relative(dir, file).split(sep).join('/');

export function loadRules(dir: string = BUILTIN_RULES_DIR): RuleMeta[] {
  const check = validate(dir);
  return finish(
    listYaml(dir).map((file) => {
      const rel = relOf(dir, file);
      let data: unknown;
      try {
        data = parseYaml(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new RuleLoadError(`${rel}: invalid YAML: ${(e as Error).message}`);
      }
      return checkRule(check, rel, data);
    }),
  );
}

/**
 * Rules that `loadRules(dir)` returned once and something stored (the rules cache, which lives in
 * a directory anyone may have written): checked again with the same schema and invariants, and
 * exactly one rule per rule file of `dir`. Throws RuleLoadError when they are not.
 */
export function checkLoadedRules(dir: string, data: unknown): RuleMeta[] {
  if (!Array.isArray(data)) throw new RuleLoadError('not a list of rules');
  const check = validate(dir);
  const files = new Set(listYaml(dir).map((f) => relOf(dir, f)));
  if (data.length !== files.size) throw new RuleLoadError(`${data.length} rules for ${files.size} rule files`);
  return finish(
    data.map((d: unknown) => {
      const { source, ...rule } = (d && typeof d === 'object' ? d : {}) as { source?: unknown };
      if (typeof source !== 'string' || !files.delete(source)) throw new RuleLoadError(`no rule file ${JSON.stringify(source)}, or listed twice`);
      return checkRule(check, source, rule);
    }),
  );
}

/** Find a rule by id or name (case-insensitive id). */
export function findRule(rules: RuleMeta[], key: string): RuleMeta | undefined {
  const k = key.trim();
  return rules.find((r) => r.id.toLowerCase() === k.toLowerCase() || r.name === k);
}
