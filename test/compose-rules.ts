// The compose rules and the catalog, read directly (so these tests do not depend on every other
// rule file in the tree being valid at the moment they run).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Catalog, readCatalogDir } from '../src/catalog/index.js';
import type { CodeFileSummary } from '../src/engine/compose.js';
import type { RuleMeta } from '../src/engine/types.js';
import { fileImports, readImports } from '../src/languages/imports.js';

export const ROOT = join(import.meta.dirname, '..');

export function composeRules(): RuleMeta[] {
  const dir = join(ROOT, 'rules');
  const out: RuleMeta[] = [];
  for (const cat of readdirSync(dir).sort()) {
    if (cat === 'catalog' || !statSync(join(dir, cat)).isDirectory()) continue;
    for (const f of readdirSync(join(dir, cat)).sort()) {
      if (!/^compose-.*\.ya?ml$/.test(f)) continue;
      const rule = parse(readFileSync(join(dir, cat, f), 'utf8')) as RuleMeta;
      if (rule.languages.includes('compose')) out.push({ ...rule, source: `${cat}/${f}` });
    }
  }
  return out;
}

export const catalog = new Catalog(readCatalogDir(join(ROOT, 'rules', 'catalog')));

/**
 * A code file's summary from its import lines, without parsing (what the gates read): the engine
 * builds the same shape from the adapter's import facts (src/engine/code-summary.ts).
 */
export function textCodeSummary(path: string, text: string): CodeFileSummary | undefined {
  const language = path.endsWith('.py') ? 'python' : /\.[cm]?[jt]sx?$/.test(path) ? 'typescript' : undefined;
  if (!language) return undefined;
  const imports = fileImports(readImports(text, language), language);
  return { path, language, modules: [...imports.packages].sort(), imports: [...imports.names].sort() };
}
