// SARIF 2.1.0 for GitHub code scanning (see /work/shared/reference/ecosystem.md §1, §6).
// One run, one constant driver name, rules from the rule YAML, repository-relative POSIX URIs,
// results capped (P0 first) with a notification saying what was dropped. Pure and deterministic.
import type * as Sarif from 'sarif';
import type { Finding, Priority, RuleMeta, ScanResult } from '../engine/types.js';
import { ruleHelpMarkdown, ruleHelpText, ruleSummary } from '../docs/rule-doc.js';
import { TOOL_NAME, TOOL_URL, displayPath, fixTitle, ruleDocUrl, sortFindings } from './common.js';

export interface SarifOptions {
  /** cap on results (GitHub keeps 5,000 and rejects more than 25,000 per run) */
  maxResults?: number;
  /** writes `automationDetails.id = "<category>/"`; off by default so upload-sarif's `category` wins */
  category?: string;
  /** add `security-severity` to the rules (turns the alerts into security alerts); off by default */
  securitySeverity?: boolean;
  /** prefix for every URI: the scan root relative to the repository root, e.g. `services/api` */
  pathPrefix?: string;
  /** ISO timestamp for `invocations[0].endTimeUtc`; none unless asked (stable output) */
  timestamp?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const DEFAULT_MAX_RESULTS = 5000;
export const FINGERPRINT_KEY = 'faultline/v1';

const LEVEL: Record<Priority, Sarif.Result.level> = { P0: 'error', P1: 'warning', P2: 'note' };
const PROBLEM_SEVERITY: Record<Priority, string> = { P0: 'error', P1: 'warning', P2: 'recommendation' };
const SECURITY_SEVERITY: Record<Priority, string> = { P0: '7.5', P1: '5.0', P2: '2.0' };
const PRECISION: Record<RuleMeta['confidence'], string> = { high: 'high', medium: 'medium', low: 'low' };
const TEXT_LIMIT = 1024;

function clip(text: string, limit = TEXT_LIMIT): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1).trimEnd()}…`;
}

/** SARIF2001: message texts end with a period (a colon does not count, unlike `period`). */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** `http-call-without-timeout` -> `HttpCallWithoutTimeout` */
export function pascalCase(slug: string): string {
  return slug
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** A relative URI reference: POSIX separators, each segment percent-encoded (spaces, #, %). */
export function fileUri(file: string, pathPrefix?: string): string {
  return displayPath(file, pathPrefix)
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function reportingDescriptor(rule: RuleMeta, opts: SarifOptions): Sarif.ReportingDescriptor {
  const tags = ['resilience', 'reliability', rule.category, rule.priority, ...rule.languages, ...(rule.docs.cwe ?? [])];
  const properties: Sarif.PropertyBag = {
    tags: [...new Set(tags)].slice(0, 10),
    precision: PRECISION[rule.confidence],
    'problem.severity': PROBLEM_SEVERITY[rule.priority],
    priority: rule.priority,
    category: rule.category,
    languages: [...rule.languages],
  };
  if (opts.securitySeverity) properties['security-severity'] = SECURITY_SEVERITY[rule.priority];
  return {
    id: rule.id,
    name: pascalCase(rule.name),
    shortDescription: { text: clip(rule.title) },
    fullDescription: { text: clip(`${ruleSummary(rule)} Fix: ${sentence(fixTitle(rule))}`) },
    defaultConfiguration: { level: LEVEL[rule.priority] },
    helpUri: ruleDocUrl(rule),
    help: { text: ruleHelpText(rule), markdown: ruleHelpMarkdown(rule) },
    properties,
  };
}

function sarifResult(f: Finding, ruleIndex: number, opts: SarifOptions): Sarif.Result {
  const properties: Sarif.PropertyBag = { priority: f.priority, category: f.category };
  if (f.symbol) properties.symbol = f.symbol;
  if (f.priorityReason) properties.priorityReason = f.priorityReason;
  if (f.blastRadius?.length) properties.blastRadius = [...f.blastRadius];
  if (f.context) properties.context = f.context;
  if (f.group) properties.group = f.group;
  const endLine = Math.max(f.endLine || f.line, f.line);
  const endColumn = endLine === f.line ? Math.max(f.endColumn || f.column + 1, f.column + 1) : Math.max(f.endColumn || 1, 1);
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.priority],
    message: { text: sentence(f.message) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(f.file, opts.pathPrefix) },
          region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column), endLine, endColumn },
        },
      },
    ],
    ...(f.related?.length
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i + 1,
            physicalLocation: {
              artifactLocation: { uri: fileUri(r.file, opts.pathPrefix) },
              region: { startLine: Math.max(1, r.line), startColumn: Math.max(1, r.column) },
            },
            ...(r.message ? { message: { text: r.message } } : {}),
          })),
        }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties,
  };
}

export interface SarifBuild {
  log: Sarif.Log;
  /** findings left out because of `maxResults` */
  dropped: number;
}

/**
 * Builds the log. `rules` should be every rule that ran (GitHub closes alerts of rules that stop
 * reporting); rules a finding names but the list lacks are added as minimal descriptors.
 */
export function buildSarif(result: ScanResult, rules: readonly RuleMeta[], opts: SarifOptions = {}): SarifBuild {
  const sorted = sortFindings(result.findings);
  const max = opts.maxResults ?? DEFAULT_MAX_RESULTS;
  const kept = sorted.slice(0, Math.max(0, max));
  const dropped = sorted.length - kept.length;

  const known = new Set(rules.map((r) => r.id));
  const descriptors = rules.map((r) => reportingDescriptor(r, opts));
  for (const f of kept) {
    if (known.has(f.ruleId)) continue;
    known.add(f.ruleId);
    descriptors.push({
      id: f.ruleId,
      name: pascalCase(f.ruleName),
      shortDescription: { text: f.ruleName },
      fullDescription: { text: `${f.ruleName} (${f.category}).` },
      defaultConfiguration: { level: LEVEL[f.priority] },
      help: { text: `${f.ruleId} ${f.ruleName}` },
      properties: { tags: ['resilience', f.category], category: f.category },
    });
  }
  descriptors.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const index = new Map(descriptors.map((d, i) => [d.id, i]));

  const notifications: Sarif.Notification[] = result.errors.map((e) => ({
    level: 'warning',
    message: { text: sentence(`Could not analyse ${e.file}: ${e.message}`) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(e.file, opts.pathPrefix) },
          ...(e.line ? { region: { startLine: e.line } } : {}),
        },
      },
    ],
  }));
  if (dropped > 0) {
    notifications.push({
      level: 'warning',
      message: {
        text: `${sorted.length} findings exceed the limit of ${max} results; the ${dropped} lowest-priority findings were left out. Use the JSON or Markdown report for the full list.`,
      },
    });
  }
  const invocation: Sarif.Invocation = { executionSuccessful: true };
  if (notifications.length) invocation.toolExecutionNotifications = notifications;
  if (opts.timestamp) invocation.endTimeUtc = opts.timestamp;

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: TOOL_NAME,
        semanticVersion: result.version,
        informationUri: TOOL_URL,
        rules: descriptors,
      },
    },
    invocations: [invocation],
    results: kept.map((f) => sarifResult(f, index.get(f.ruleId)!, opts)),
    columnKind: 'utf16CodeUnits',
  };
  if (opts.category) run.automationDetails = { id: `${opts.category.replace(/\/+$/, '')}/` };
  return { log: { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] }, dropped };
}

export function renderSarif(result: ScanResult, rules: readonly RuleMeta[], opts: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(result, rules, opts).log, null, 2) + '\n';
}
