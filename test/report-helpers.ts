// Hand-made rules and a scan result for the reporter tests (independent of the real rule pack).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Finding, RuleMeta, ScanResult } from '../src/engine/types.js';

export const RULES: RuleMeta[] = [
  {
    id: 'FL101',
    name: 'http-call-without-timeout',
    title: 'HTTP call without a timeout',
    category: 'timeout',
    priority: 'P0',
    confidence: 'high',
    languages: ['python', 'typescript'],
    message: '{callee} has no timeout: a slow server blocks this worker forever',
    fix: {
      title: 'Pass an explicit timeout to every call (connect and read).',
      code: { python: 'requests.get(url, timeout=(3.05, 10))', typescript: 'await fetch(url, { signal: AbortSignal.timeout(10_000) })' },
    },
    docs: {
      why: 'Without a timeout a request waits as long as the server keeps the socket open. One slow dependency then holds every worker thread.',
      impact: 'The calling service stops answering once all workers wait on the slow dependency, and its callers time out in turn.',
      examples: { python: { bad: 'requests.get(url)', good: 'requests.get(url, timeout=5)' } },
      limitations: 'Wrappers that set a timeout out of sight are not seen unless declared in the catalog.',
      references: ['https://requests.readthedocs.io/en/latest/user/advanced/#timeouts'],
      cwe: ['CWE-400'],
    },
    experiment: {
      break: 'Make the dependency accept connections but never answer (toxiproxy `timeout` toxic).',
      observe: 'Request latency and busy worker count of the caller.',
      pass: 'Calls fail after the timeout and the service keeps answering other requests.',
    },
  },
  {
    id: 'FL201',
    name: 'pool-without-acquire-timeout',
    title: 'Connection pool waits forever for a free connection',
    category: 'pool',
    priority: 'P1',
    confidence: 'medium',
    languages: ['typescript'],
    message: 'pg.Pool has no connectionTimeoutMillis: callers queue forever when the pool is exhausted',
    fix: { title: 'Set connectionTimeoutMillis on the pool.', code: { typescript: 'new Pool({ connectionTimeoutMillis: 5000 })' } },
    docs: { why: 'An exhausted pool makes every new query wait | without bound.' },
    experiment: { break: 'Hold all pool connections.', observe: 'Query latency.', pass: 'Queries fail fast.' },
  },
  {
    id: 'FL401',
    name: 'service-without-healthcheck',
    title: 'Service without a healthcheck',
    category: 'healthcheck',
    priority: 'P2',
    confidence: 'high',
    languages: ['compose'],
    message: 'service {service} has no healthcheck',
    fix: { title: 'Add a healthcheck that probes the service.', code: { compose: 'healthcheck:\n  test: ["CMD", "curl", "-f", "http://localhost/health"]' } },
    docs: { why: 'Docker reports the container as running while it is broken.' },
    experiment: { break: 'Stop the process inside the container.', observe: 'docker compose ps.', pass: 'The service shows unhealthy.' },
  },
];

function finding(partial: Partial<Finding> & Pick<Finding, 'ruleId' | 'file' | 'line'>): Finding {
  const rule = RULES.find((r) => r.id === partial.ruleId)!;
  return {
    ruleName: rule.name,
    category: rule.category,
    priority: rule.priority,
    column: 5,
    endLine: partial.line,
    endColumn: 30,
    message: rule.message,
    fingerprint: `${partial.ruleId}-${partial.file}-${partial.line}`,
    ...partial,
  };
}

export function sampleResult(): ScanResult {
  return {
    version: '0.1.0',
    findings: [
      finding({ ruleId: 'FL401', file: 'docker-compose.yml', line: 3, column: 3, symbol: 'api', message: 'service api has no healthcheck' }),
      finding({
        ruleId: 'FL101',
        file: 'api/app/client.py',
        line: 12,
        symbol: 'fetch_user',
        message: 'requests.get has no timeout: a slow server blocks this worker forever',
        snippet: '    resp = requests.get(f"{USERS}/users/{uid}")',
      }),
      finding({
        ruleId: 'FL101',
        file: 'web/src/my file#1.ts',
        line: 7,
        endLine: 9,
        endColumn: 4,
        message: 'fetch has no timeout: a slow server blocks this worker forever',
        snippet: 'const r = await fetch(url, {\n  method: "POST",\n});',
      }),
      finding({
        ruleId: 'FL201',
        file: 'web/src/db.ts',
        line: 4,
        priority: 'P2',
        priorityReason: 'in a script',
        snippet: 'const pool = new Pool();',
      }),
    ],
    errors: [{ file: 'api/app/broken.py', message: 'syntax error', line: 2 }],
    stats: { files: 6, skipped: { 'too large': 1 }, byLanguage: { python: { files: 3, bytes: 900 }, typescript: { files: 2, bytes: 500 }, compose: { files: 1, bytes: 300 } } },
    system: {
      services: [
        { name: 'api', file: 'docker-compose.yml', build: './api', dependsOn: ['db'], talksTo: ['db'], healthcheck: 'none', dependents: ['web'] },
        { name: 'web', file: 'docker-compose.yml', build: 'web', dependsOn: ['api'], talksTo: ['api'], healthcheck: 'ok', restart: 'unless-stopped', dependents: [] },
        { name: 'db', file: 'docker-compose.yml', image: 'postgres:16', dependsOn: [], talksTo: [], healthcheck: 'ok', restart: 'always', dependents: ['api', 'web'] },
      ],
    },
  };
}

/** A fresh git repository (branch main) in a temp folder; `git` runs there with a throwaway identity. */
export function tempGitRepo(prefix: string): { dir: string; git: (...args: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  return { dir, git };
}

// CommonJS packages whose default export NodeNext typing does not see through
const require = createRequire(import.meta.url);
type AjvClass = typeof import('ajv-draft-04').default;
const Ajv = require('ajv-draft-04') as AjvClass;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

let sarifValidator: ReturnType<InstanceType<AjvClass>['compile']> | undefined;

/** Validates a SARIF log against the vendored 2.1.0 schema; returns the error list (empty = valid). */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!sarifValidator) {
    const schemaUrl = new URL('../schemas/sarif-schema-2.1.0.json', import.meta.url);
    const schema = JSON.parse(readFileSync(schemaUrl, 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    sarifValidator = ajv.compile(schema);
  }
  return sarifValidator(log) ? [] : (sarifValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
