// Hand-made rules and a scan result for the reporter tests (independent of the real rule pack).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Finding, RuleMeta, ScanResult } from '../src/engine/types.js';
import type { ProjectModel } from '../src/model/types.js';

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

type WithData = Finding & { data?: Record<string, string> };

/**
 * The sample result with what the project model adds (contexts, a shared-client group, the values
 * each message was rendered from, process-wide defaults), as the engine will attach it.
 */
export function modelResult(): ScanResult & { model: ProjectModel } {
  const r = sampleResult();
  const [compose, py, ts, pool] = r.findings as WithData[];
  compose.data = { service: 'api' };
  compose.context = 'service';
  py.context = 'service';
  py.data = { callee: 'requests.get', api: 'requests.get', default: 'none' };
  ts.context = 'browser';
  ts.priority = 'P2';
  ts.priorityReason = 'browser code: a stalled request hangs one page, not a server';
  ts.data = { callee: 'fetch', api: 'fetch' };
  pool.context = 'cli';
  // three call sites of one shared client, one root cause
  const shared: WithData[] = [20, 31, 44].map((line, i) =>
    finding({
      ruleId: 'FL101',
      file: `api/app/${['orders', 'billing', 'users'][i]}.py`,
      line,
      symbol: `call_${i}`,
      context: 'service',
      group: 'g-shared-session',
      message: '`session.get` has no timeout (library default: none: waits forever)',
      snippet: '    session.get(url)',
    }),
  );
  shared.forEach((f) => (f.data = { callee: 'session.get', api: 'requests.Session().get' }));
  r.findings.push(...shared);
  return {
    ...r,
    model: {
      files: {
        'api/app/client.py': { context: 'service', evidence: ['imports fastapi'] },
        'web/src/my file#1.ts': { context: 'browser', evidence: ['imports react'] },
        'web/src/db.ts': { context: 'cli', evidence: ['package.json bin'] },
      },
      composeFiles: { 'docker-compose.yml': { context: 'service', evidence: ['stack'], kind: 'stack' } },
      services: [{ name: 'api', file: 'docker-compose.yml', codeRoots: ['api'], kind: 'long-running' }],
      defaults: [{ library: 'axios', knob: 'timeout', text: 'axios.defaults.timeout = 5000', state: 'set', file: 'web/src/http.ts', line: 3, scope: 'web' }],
      groups: [
        {
          id: 'g-shared-session',
          ruleId: 'FL101',
          kind: 'shared-client',
          title: 'One `requests.Session()` without a timeout, used by 3 call sites',
          file: 'api/app/http.py',
          line: 5,
          count: 3,
        },
      ],
    },
  };
}

const HOSTILE = [
  '<script>alert(1)</script>',
  '</details><img src=x onerror=alert(1)>',
  '@octocat',
  'a|b`c``d',
  '[x](javascript:alert(1))',
  '**bold** _em_ <b>b</b>',
  '# heading',
];

/**
 * A large result: `n` findings over every rule of `rules`, in files and compose services whose names
 * and snippets try to inject HTML, close a <details>, break a table or @-mention someone.
 */
export function syntheticResult(n: number, rules: readonly RuleMeta[]): ScanResult {
  const findings: Finding[] = [];
  const services: NonNullable<ScanResult['system']>['services'] = [];
  for (let i = 0; i < 12; i++) {
    const name = i < HOSTILE.length ? `svc${i}${HOSTILE[i]}` : `svc${i}`;
    services.push({
      name,
      file: 'compose.yaml',
      image: ['redis:7', 'postgres:16', 'nats:2.10', 'node:20'][i % 4],
      build: i % 4 === 3 ? `services/s${i}` : undefined,
      dependsOn: i > 0 ? [services[0].name] : [],
      talksTo: [],
      healthcheck: (['none', 'ok', 'weak', 'image-default'] as const)[i % 4],
      restart: i % 2 ? 'always' : undefined,
      dependents: [],
    });
  }
  services[0].dependents = services.slice(1).map((s) => s.name);
  for (let i = 0; i < n; i++) {
    // half of them one rule, as in real repositories (the HTTP timeout rule dominates)
    const rule = i % 2 === 0 ? (rules.find((r) => r.id === 'FL101') ?? rules[0]) : rules[i % rules.length];
    const compose = rule.languages.includes('compose') && !rule.languages.includes('python');
    const py = rule.languages.includes('python');
    const svc = services[i % services.length];
    const hostile = HOSTILE[i % HOSTILE.length];
    const file = compose ? 'compose.yaml' : `services/s${(i % 3) * 4 + 3}/${hostile.replace(/[/\s]/g, '_')}${i % 13}.${py ? 'py' : 'ts'}`;
    const priority = (['P0', 'P1', 'P2'] as const)[i % 3];
    findings.push({
      ruleId: rule.id,
      ruleName: rule.name,
      category: rule.category,
      priority,
      file,
      line: 10 + i,
      column: 3,
      endLine: 10 + i,
      endColumn: 20,
      message: `${compose ? `Service \`${svc.name}\`` : `\`${hostile}\``} ${hostile} has a problem ${i}`,
      fingerprint: `fp-${i}`,
      symbol: compose ? svc.name : `fn_${hostile}`,
      group: i % 7 === 0 && !compose ? `g-${rule.id}-${i % 3}` : undefined,
      snippet: `x = call("${hostile}")\n</details>\n\`\`\`\nend`,
      context: compose ? undefined : (['service', 'browser', 'cli', 'test'] as const)[i % 4],
      priorityReason: i % 11 === 0 ? `reason ${hostile}` : undefined,
    });
  }
  return {
    version: '0.1.0',
    findings,
    errors: [{ file: `bad${HOSTILE[0]}.py`, message: `cannot parse ${HOSTILE[1]}` }],
    stats: { files: 400, skipped: {}, byLanguage: { python: { files: 200, bytes: 1 }, typescript: { files: 180, bytes: 1 }, compose: { files: 1, bytes: 1 } } },
    system: { services },
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

// markdown-it stands in for GitHub's renderer: raw HTML allowed (as GitHub allows it), GFM tables on
const MarkdownIt = require('markdown-it') as typeof import('markdown-it').default;
const md = new MarkdownIt({ html: true, linkify: false });

/** The tags a faultline report may produce once rendered; anything else came from the scanned repository. */
const ALLOWED_TAGS = new Set(['a', 'blockquote', 'br', 'code', 'details', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li', 'ol', 'p', 'pre', 'strong', 'summary', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul']);

/**
 * Renders Markdown to HTML and lists what is wrong with it: tags outside the allowed set, attributes
 * other than href/id/class/style(align), <details> that do not balance, `@name` outside code.
 */
export function htmlProblems(markdown: string): string[] {
  const html = md.render(markdown);
  const problems: string[] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const [, close, name, attrs] = m;
    const tag = name.toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) problems.push(`tag <${close}${tag}${attrs}>`);
    for (const a of attrs.matchAll(/([a-zA-Z-]+)\s*=/g)) if (!['href', 'id', 'class', 'style'].includes(a[1].toLowerCase())) problems.push(`attribute ${a[1]} on <${tag}>`);
    if (/href="(?!https?:|#|[^":]*(?:$|[/?#]))/.test(attrs)) problems.push(`link ${attrs}`);
    if (tag === 'details') {
      if (!close) stack.push('details');
      else if (stack.pop() !== 'details') problems.push('</details> without <details>');
    }
  }
  if (stack.length) problems.push(`${stack.length} <details> left open`);
  const text = html.replace(/<code[^>]*>[\s\S]*?<\/code>/g, '').replace(/<[^>]+>/g, '');
  for (const m of text.matchAll(/(^|[^\w\u200B])@[A-Za-z0-9][\w-]*/g)) problems.push(`mention ${m[0].trim()}`);
  return problems;
}

type Countable = Pick<Finding, 'ruleId' | 'priority' | 'category'> & Partial<Pick<Finding, 'entryPoints' | 'entryPointCount'>>;

/**
 * Every count the audit's headline and summaries state, checked against the findings they describe:
 * the header, the summary sentence, the priority × category table, each top risk, each "fix first"
 * row and its total, each priority and rule heading, the score table and the summary form's rule table.
 * Returns what disagrees (empty = all counts match).
 */
export function countProblems(markdown: string, findings: readonly Countable[]): string[] {
  const problems: string[] = [];
  const count = (pred: (f: Countable) => boolean) => findings.filter(pred).length;
  const by = (p: string) => count((f) => f.priority === p);
  const expectEq = (what: string, got: number, want: number) => {
    if (got !== want) problems.push(`${what}: says ${got}, findings say ${want}`);
  };
  const header = /· (\d+) findings? \(P0 (\d+) · P1 (\d+) · P2 (\d+)\)/.exec(markdown);
  if (findings.length) {
    if (!header) problems.push('no header counts');
    else {
      expectEq('header total', +header[1], findings.length);
      ['P0', 'P1', 'P2'].forEach((p, i) => expectEq(`header ${p}`, +header[i + 2], by(p)));
    }
    const sentence = /This audit found (\d+) resilience hazards?: (.*)\./.exec(markdown);
    if (!sentence) problems.push('no summary sentence');
    else {
      expectEq('summary total', +sentence[1], findings.length);
      for (const p of ['P0', 'P1', 'P2']) {
        const m = new RegExp(`\\*\\*(\\d+) ${p}\\*\\*`).exec(sentence[2]);
        expectEq(`summary ${p}`, m ? +m[1] : 0, by(p));
      }
    }
  }
  // priority x category table
  const table = /\| Priority \| (.*) \| Total \|\n\|[-:|]+\|\n((?:\|.*\|\n)+)/.exec(markdown);
  if (table) {
    const cats = table[1].split(' | ');
    for (const row of table[2].trim().split('\n')) {
      const cells = row.split('|').slice(1, -1).map((c) => c.trim().replace(/\*/g, ''));
      const p = cells[0];
      const match = (f: Countable, c: string) => (p === 'All' || f.priority === p) && f.category === c;
      cats.forEach((c, i) => expectEq(`table ${p} ${c}`, cells[i + 1] === '·' ? 0 : +cells[i + 1], count((f) => match(f, c))));
      expectEq(`table ${p} total`, +cells[cats.length + 1], p === 'All' ? findings.length : by(p));
    }
  }
  // top risks: "**title** — P0 · FL101 · 3 findings"
  for (const m of markdown.matchAll(/— (P[012]) · (FL\d+) · (\d+) findings?/g))
    expectEq(`top risk ${m[2]} ${m[1]}`, +m[3], count((f) => f.ruleId === m[2] && f.priority === m[1]));
  // headings: "### P0: … (n)" and "#### FL101 · title (n)" in that priority
  let section = '';
  for (const line of markdown.split('\n')) {
    const ph = /^### (P[012]): .* \((\d+)\)$/.exec(line);
    if (ph) {
      section = ph[1];
      expectEq(`section ${ph[1]}`, +ph[2], by(ph[1]));
      continue;
    }
    const rh = /^#### (FL\d+) · .* \((\d+)\)$/.exec(line);
    if (rh) expectEq(`rule ${rh[1]} under ${section}`, +rh[2], count((f) => f.ruleId === rh[1] && f.priority === section));
    if (/^## /.test(line) && !/^## Findings/.test(line)) section = '';
  }
  // fix first: rows close "2 P0, 1 P1 (FL101)"; total "These N changes close X of Y findings (a of the b P0s)"
  let closed = 0;
  // a row may close root causes of several rules at one place: `2 P0, 1 P1 (FL150, FL550, FL151)`
  const fixRows = markdown.match(/^\| \d+ \| .* \| [SML] \| .* \((FL\d+(?:, FL\d+)*)\) \|$/gm) ?? [];
  for (const row of fixRows) {
    const closes = /\| [SML] \| (.*) \((FL\d+(?:, FL\d+)*)\) \|$/.exec(row)!;
    for (const part of closes[1].split(', ')) closed += +part.split(' ')[0];
  }
  // "(3 of the 9 P0s)", "(all 6 P0s among them)", "(the P0 among them)"
  const total = /(?:These \d+ changes close|This change closes) (\d+) of (\d+) findings?(?: \((?:(\d+) of the (\d+) P0s|all (\d+) P0s among them|(the) P0 among them)\))?/.exec(markdown);
  if (total) {
    expectEq('fix first closes', +total[1], closed);
    expectEq('fix first of', +total[2], findings.length);
    if (total[4]) expectEq('fix first P0 total', +total[4], by('P0'));
    if (total[5]) expectEq('fix first P0 total', +total[5], by('P0'));
    if (total[6]) expectEq('fix first P0 total', 1, by('P0'));
  }
  // "They come down to N changes": the fix-first rows plus "the other N changes"
  const comeTo = /They come down to (\d+) changes?/.exec(markdown);
  const rest = /(?:The other|has the other) (\d+) changes?/.exec(markdown);
  if (comeTo && total) expectEq('changes in the summary and in fix first', +comeTo[1], fixRows.length + (rest ? +rest[1] : 0));
  if (/Each is its own change\./.test(markdown) && total) expectEq('one change per finding in fix first', findings.length, fixRows.length + (rest ? +rest[1] : 0));
  // scores
  for (const m of markdown.matchAll(/^\| .* \(`([a-z-]+)`\) \| \*\*\d+\*\* [a-z ]+ \| (\d+) \| (\d+) \| (\d+) \| \d+ \|$/gm))
    ['P0', 'P1', 'P2'].forEach((p, i) => expectEq(`score ${m[1]} ${p}`, +m[i + 2], count((f) => f.category === m[1] && f.priority === p)));
  // top risks: "Reached from `POST /x`, `task y` and 2 more entry points." names exactly the entry points of those findings
  for (const m of markdown.matchAll(/— (P[012]) · (FL\d+) · \d+ findings?[^\n]*? Reached from (.*?)\. (?:Services hit|\[Details\])/g)) {
    const fs = findings.filter((f) => f.ruleId === m[2] && f.priority === m[1]);
    const labels = new Set(fs.flatMap((f) => (f.entryPoints ?? []).map((e) => e.label)));
    const truncated = fs.some((f) => (f.entryPointCount ?? 0) > (f.entryPoints ?? []).length);
    const named = [...m[3].matchAll(/`([^`]+)`/g)].map((x) => x[1].replace(/\\(.)/g, '$1'));
    for (const n of named) if (!labels.has(n)) problems.push(`top risk ${m[2]} ${m[1]} names entry point ${n}, its findings do not`);
    const more = /and (\d+) more entry points?$/.exec(m[3]);
    if (!truncated) expectEq(`top risk ${m[2]} ${m[1]} entry points`, named.length + (more ? +more[1] : 0), labels.size);
  }
  // paths through code: "4 findings on this path (1 P0, 3 P1)" adds up
  for (const m of markdown.matchAll(/(\d+) findings on this path \(([^)]*)\)/g)) {
    const parts = m[2].split(', ').reduce((s, x) => s + +x.split(' ')[0], 0);
    expectEq('code path findings', parts, +m[1]);
  }
  // summary form: "| FL101 title | 1 | 2 | 3 | location |"
  for (const m of markdown.matchAll(/^\| (FL\d+) [^|]*(?:\\\|[^|]*)* \| (\d+) \| (\d+) \| (\d+) \| \[/gm))
    ['P0', 'P1', 'P2'].forEach((p, i) => expectEq(`rule table ${m[1]} ${p}`, +m[i + 2], count((f) => f.ruleId === m[1] && f.priority === p)));
  return problems;
}
