// Runs after `tsc` (npm run build:dist): validates every built-in catalog file against
// rules/catalog.schema.json and writes dist/catalog/validated.json with the hash of the schema and
// of each file with its parsed data, so a scan skips compiling the schema (about 200 ms) and
// parsing the YAML (about 100 ms) for files that have not changed since. A file that fails validation is not stamped (the scan then reports it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG_SCHEMA_URL, CATALOG_STAMP_URL, readCatalogFiles, sha1, stampReplacer } from '../dist/catalog/index.js';

const dir = fileURLToPath(new URL('../rules/catalog/', import.meta.url));
const files = {};
try {
  for (const f of readCatalogFiles(dir, { trustStamp: false })) files[f.name] = { sha: f.sha, data: f.data };
} catch (e) {
  // an invalid catalog: leave no stamp, so every scan validates and names the problem
  console.error(`stamp-catalog: not stamped: ${e.message}`);
  writeFileSync(CATALOG_STAMP_URL, JSON.stringify({ dir, schema: '', files: {} }));
  process.exit(0);
}
writeFileSync(CATALOG_STAMP_URL, JSON.stringify({ dir, schema: sha1(readFileSync(CATALOG_SCHEMA_URL, 'utf8')), files }, stampReplacer));
