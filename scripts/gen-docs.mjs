#!/usr/bin/env node
// Regenerates docs/rules/*.md, docs/catalog-roles.md and the README's rule table from
// rules/**/*.yaml and rules/catalog/*.yaml (run after a build: `npm run docs`). With --check,
// changes nothing and exits 1 when anything is stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../dist/engine/rules.js';
import { readmeWithRules, ruleDocFiles } from '../dist/docs/generate.js';
import { catalogRolesPage } from '../dist/docs/catalog-roles.js';
import { readCatalogFiles } from '../dist/catalog/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const docsDir = join(root, 'docs', 'rules');
const readmePath = join(root, 'README.md');

const rules = loadRules(join(root, 'rules'));
const wanted = ruleDocFiles(rules);
const stale = [];

mkdirSync(docsDir, { recursive: true });
for (const [name, text] of wanted) {
  const path = join(docsDir, name);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  stale.push(`docs/rules/${name}`);
  if (!check) writeFileSync(path, text);
}
for (const name of readdirSync(docsDir)) {
  if (!name.endsWith('.md') || wanted.has(name)) continue;
  stale.push(`docs/rules/${name} (no such rule)`);
  if (!check) rmSync(join(docsDir, name));
}
const rolesPath = join(root, 'docs', 'catalog-roles.md');
const roles = catalogRolesPage(rules, readCatalogFiles(join(root, 'rules', 'catalog')));
if (!existsSync(rolesPath) || readFileSync(rolesPath, 'utf8') !== roles) {
  stale.push('docs/catalog-roles.md');
  if (!check) writeFileSync(rolesPath, roles);
}
const readme = readFileSync(readmePath, 'utf8');
const newReadme = readmeWithRules(readme, rules);
if (newReadme !== readme) {
  stale.push('README.md (rule table)');
  if (!check) writeFileSync(readmePath, newReadme);
}

if (check && stale.length) {
  console.error(`Stale generated docs (run \`npm run docs\`):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(stale.length ? `updated ${stale.length} file(s):\n  ${stale.join('\n  ')}` : `docs up to date (${rules.length} rules)`);
