#!/usr/bin/env node
// Validates faultline's SARIF with the Microsoft SARIF Multitool, in its default mode (JSON schema
// + SARIF1xxx/2xxx rules) and in GitHub mode (`--rule-kind Gh`, code scanning's ingestion rules).
// The multitool exits 0 even when it finds errors, so this reads its output log and fails on any
// result whose level is `error`. It also says nothing at all about a file it cannot deserialize
// (e.g. `"level": "fatal"`), so every file is first checked against the vendored JSON schema.
//
//   node scripts/validate-sarif.mjs                 # scan each fixtures/_samples/* and validate
//   node scripts/validate-sarif.mjs a.sarif b.sarif # validate these files
//
// Needs `npm run build:dist` first (it runs bin/faultline.js) and the devDependency
// @microsoft/sarif-multitool (its per-platform package carries a self-contained .NET binary).
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function schemaValidator() {
  const Ajv = require('ajv-draft-04');
  const addFormats = require('ajv-formats');
  const ajv = new (Ajv.default ?? Ajv)({ allErrors: true, strict: false });
  (addFormats.default ?? addFormats)(ajv);
  const check = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', 'sarif-schema-2.1.0.json'), 'utf8')));
  return (file) => (check(JSON.parse(readFileSync(file, 'utf8'))) ? [] : check.errors.map((e) => ({ level: 'error', ruleId: 'schema', text: `${e.instancePath} ${e.message}` })));
}

function multitoolBinary() {
  const pkg = `@microsoft/sarif-multitool-${process.platform}`;
  let dir;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed (npm ci installs it as an optional dependency of @microsoft/sarif-multitool)`);
  }
  const bin = join(dir, process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    // the package sets the executable bit in a postinstall script, which ignore-scripts skips
    chmodSync(bin, statSync(bin).mode | 0o111);
  }
  return bin;
}

/** Effective level of each result in a multitool output log. */
function problems(outFile) {
  const log = JSON.parse(readFileSync(outFile, 'utf8'));
  const out = [];
  for (const run of log.runs ?? []) {
    const rules = run.tool?.driver?.rules ?? [];
    for (const r of run.results ?? []) {
      const rule = r.ruleIndex !== undefined ? rules[r.ruleIndex] : rules.find((x) => x.id === r.ruleId);
      const level = r.level ?? rule?.defaultConfiguration?.level ?? 'warning';
      let text = r.message?.text;
      if (!text && r.message?.id) {
        const template = rule?.messageStrings?.[r.message.id]?.text ?? r.message.id;
        text = template.replace(/\{(\d+)\}/g, (_, i) => r.message.arguments?.[Number(i)] ?? '');
      }
      out.push({ level, ruleId: r.ruleId, text });
    }
    for (const inv of run.invocations ?? []) {
      for (const n of inv.toolExecutionNotifications ?? []) {
        if (n.level === 'error') out.push({ level: 'error', ruleId: 'tool', text: n.message?.text });
      }
    }
  }
  return out;
}

function validate(bin, file, kind, work) {
  const out = join(work, `${kind}-${Math.random().toString(36).slice(2)}.sarif`);
  const args = ['validate', file, '-o', out, '--log', 'ForceOverwrite'];
  if (kind !== 'Sarif') args.push('--rule-kind', kind);
  const run = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  if (run.error) throw run.error;
  if (!existsSync(out)) throw new Error(`multitool wrote no output for ${file} (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  return problems(out);
}

function sampleSarifs(work) {
  const samples = join(root, 'fixtures', '_samples');
  if (!existsSync(samples)) return [];
  const files = [];
  for (const name of readdirSync(samples).sort()) {
    const dir = join(samples, name);
    if (!statSync(dir).isDirectory()) continue;
    const file = join(work, `${name}.sarif`);
    const scan = spawnSync(process.execPath, [join(root, 'bin', 'faultline.js'), 'scan', dir, '--root', dir, '--format', 'sarif', '-o', file, '--fail-on', 'none', '--no-progress', '--no-cache'], {
      encoding: 'utf8',
    });
    if (scan.status !== 0 || !existsSync(file)) throw new Error(`faultline scan ${name} failed (exit ${scan.status}):\n${scan.stderr}`);
    files.push(file);
  }
  return files;
}

const work = mkdtempSync(join(tmpdir(), 'faultline-sarif-'));
let failed = 0;
try {
  const bin = multitoolBinary();
  const schemaErrors = schemaValidator();
  const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : sampleSarifs(work);
  if (!files.length) throw new Error('no SARIF files to validate');
  for (const file of files) {
    const invalid = schemaErrors(file);
    if (invalid.length) {
      console.log(`FAIL ${file} [schema]: ${invalid.length} errors`);
      for (const p of invalid) console.log(`     ${p.level} ${p.ruleId}: ${p.text}`);
      failed++;
      continue;
    }
    for (const kind of ['Sarif', 'Gh']) {
      const found = validate(bin, file, kind, work);
      const errors = found.filter((p) => p.level === 'error');
      const warnings = found.filter((p) => p.level === 'warning');
      const name = file.startsWith(work) ? file.slice(work.length + 1) : file;
      console.log(`${errors.length ? 'FAIL' : 'ok  '} ${name} [${kind === 'Sarif' ? 'default' : 'GitHub'}]: ${errors.length} errors, ${warnings.length} warnings`);
      for (const p of [...errors, ...warnings]) console.log(`     ${p.level} ${p.ruleId}: ${p.text}`);
      if (errors.length) failed++;
    }
  }
} catch (e) {
  console.error(`validate-sarif: ${e.message}`);
  failed++;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
