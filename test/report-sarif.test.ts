import { describe, expect, it } from 'vitest';
import { buildSarif, fileUri, pascalCase, renderSarif } from '../src/report/sarif.js';
import { ruleHelpMarkdown } from '../src/docs/rule-doc.js';
import { RULES, sampleResult, sarifSchemaErrors } from './report-helpers.js';
import type { Finding } from '../src/engine/types.js';
import { join } from 'node:path';
import { loadRules } from '../src/engine/rules.js';

describe('SARIF reporter', () => {
  it('produces one schema-valid run with rules from the rule metadata', () => {
    const { log, dropped } = buildSarif(sampleResult(), RULES);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(dropped).toBe(0);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('faultline');
    expect(run.tool.driver.semanticVersion).toBe('0.1.0');
    expect(run.automationDetails).toBeUndefined();
    const rule = run.tool.driver.rules!.find((r) => r.id === 'FL101')!;
    expect(rule.name).toBe('HttpCallWithoutTimeout');
    expect(rule.shortDescription!.text).toBe('HTTP call without a timeout');
    expect(rule.fullDescription!.text).toMatch(/^Without a timeout a request waits/);
    expect(rule.help!.markdown).toBe(ruleHelpMarkdown(RULES[0]));
    expect(rule.helpUri).toMatch(/docs\/rules\/http-call-without-timeout\.md$/);
    expect(rule.defaultConfiguration!.level).toBe('error');
    expect(rule.properties!.tags).toEqual(expect.arrayContaining(['timeout', 'P0', 'python', 'CWE-400']));
    expect(rule.properties!.tags!.length).toBeLessThanOrEqual(10);
    expect(rule.properties!.precision).toBe('high');
    expect(rule.properties!['problem.severity']).toBe('error');
    expect(rule.properties!['security-severity']).toBeUndefined();
  });

  it('maps priorities to levels, sorts P0 first and points at 1-based regions with relative POSIX URIs', () => {
    const run = buildSarif(sampleResult(), RULES).log.runs[0];
    const results = run.results!;
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ['FL101', 'error'],
      ['FL101', 'error'],
      ['FL401', 'note'],
      ['FL201', 'note'],
    ]);
    for (const r of results) {
      expect(run.tool.driver.rules![r.ruleIndex!].id).toBe(r.ruleId);
      expect(r.message.text).toMatch(/\.$/);
      const loc = r.locations![0].physicalLocation!;
      expect(loc.region!.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region!.startColumn).toBeGreaterThanOrEqual(1);
      expect(loc.artifactLocation!.uri).not.toMatch(/^(\.\/|\/)|\\/);
      expect(r.partialFingerprints!['faultline/v1']).toBeTruthy();
      expect(r.partialFingerprints!.primaryLocationLineHash).toBeUndefined();
    }
    const spaced = results.find((r) => r.locations![0].physicalLocation!.artifactLocation!.uri!.startsWith('web/src/my'))!;
    expect(spaced.locations![0].physicalLocation!.artifactLocation!.uri).toBe('web/src/my%20file%231.ts');
    expect(spaced.locations![0].physicalLocation!.region).toEqual({ startLine: 7, startColumn: 5, endLine: 9, endColumn: 4 });
    // parse errors become tool notifications, not results
    expect(run.invocations![0].toolExecutionNotifications![0].message.text).toMatch(/broken\.py: syntax error\.$/);
  });

  it('caps results by priority and says what it dropped', () => {
    const result = sampleResult();
    const { log, dropped } = buildSarif(result, RULES, { maxResults: 2 });
    expect(dropped).toBe(2);
    expect(log.runs[0].results!.map((r) => r.level)).toEqual(['error', 'error']);
    const notes = log.runs[0].invocations![0].toolExecutionNotifications!.map((n) => n.message.text);
    expect(notes.some((t) => /4 findings exceed the limit of 2 results; the 2 lowest-priority/.test(t!))).toBe(true);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('writes security-severity, automationDetails, timestamps and path prefixes only when asked', () => {
    const { log } = buildSarif(sampleResult(), RULES, { securitySeverity: true, category: 'audit/', timestamp: '2026-01-01T00:00:00Z', pathPrefix: 'services/' });
    expect(log.runs[0].tool.driver.rules![0].properties!['security-severity']).toBe('7.5');
    expect(log.runs[0].automationDetails).toEqual({ id: 'audit/' });
    expect(log.runs[0].invocations![0].endTimeUtc).toBe('2026-01-01T00:00:00Z');
    expect(log.runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri).toMatch(/^services\//);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('is byte-stable and keeps results: [] for a clean scan', () => {
    const a = renderSarif(sampleResult(), RULES);
    const shuffled = sampleResult();
    shuffled.findings.reverse();
    expect(renderSarif(shuffled, [...RULES].reverse())).toBe(a);
    const empty = { ...sampleResult(), findings: [] as Finding[], errors: [] };
    const log = JSON.parse(renderSarif(empty, RULES));
    expect(log.runs[0].results).toEqual([]);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('adds a minimal descriptor for a finding whose rule is not in the list', () => {
    const { log } = buildSarif(sampleResult(), RULES.slice(0, 1));
    const ids = log.runs[0].tool.driver.rules!.map((r) => r.id);
    expect(ids).toEqual(['FL101', 'FL201', 'FL401']);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('describes every real rule within GitHub limits', () => {
    const rules = loadRules(join(import.meta.dirname, '..', 'rules'));
    const { log } = buildSarif({ ...sampleResult(), findings: [], errors: [] }, rules);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const descriptors = log.runs[0].tool.driver.rules!;
    expect(descriptors.map((d) => d.id)).toEqual(rules.map((r) => r.id).sort());
    for (const d of descriptors) {
      expect(d.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(d.shortDescription!.text.length).toBeLessThanOrEqual(1024);
      expect(d.fullDescription!.text.length).toBeLessThanOrEqual(1024);
      expect(d.fullDescription!.text).toMatch(/[.!?]$/);
      expect(d.help!.text.length).toBeGreaterThan(0);
      expect(d.properties!.tags!.length).toBeLessThanOrEqual(10);
    }
  });

  it('encodes URIs and names', () => {
    expect(fileUri('a\\b c.py')).toBe('a/b%20c.py');
    expect(fileUri('./x/50%.py', './sub')).toBe('sub/x/50%25.py');
    expect(pascalCase('http-call-without-timeout')).toBe('HttpCallWithoutTimeout');
  });

  it('the schema check rejects a Windows path', () => {
    const { log } = buildSarif(sampleResult(), RULES);
    log.runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri = 'C:\\src\\a.py';
    expect(sarifSchemaErrors(log).join('\n')).toMatch(/uri-reference/);
  });
});
