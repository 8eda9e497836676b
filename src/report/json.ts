// The JSON contract: {"version","findings":[{ruleId,category,priority,file,line,column,endLine,
// endColumn,message,fingerprint,context[,group][,entryPoints,entryPointCount]}],"errors":[{file,
// message[,line]}]}. `context` is where the code runs (service, browser, cli, build, example,
// test); `group` is shared by the findings of one root cause; `entryPoints` are the routes,
// webhooks, consumers, tasks, schedules and commands whose code reaches the finding (at most 10,
// nearest first; `entryPointCount` counts them all). Sorted input, fixed key order, no timestamps: the same scan gives
// the same bytes. Fields are added, never renamed or removed.
import type { ScanResult } from '../engine/types.js';

export function renderJson(result: ScanResult): string {
  const out = {
    version: result.version,
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      category: f.category,
      priority: f.priority,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      fingerprint: f.fingerprint,
      context: f.context ?? 'service',
      ...(f.group ? { group: f.group } : {}),
      ...(f.entryPoints?.length
        ? { entryPoints: f.entryPoints.map((e) => ({ kind: e.kind, label: e.label, file: e.file, line: e.line, hops: e.hops })), entryPointCount: f.entryPointCount ?? f.entryPoints.length }
        : {}),
    })),
    errors: result.errors.map((e) => (e.line ? { file: e.file, message: e.message, line: e.line } : { file: e.file, message: e.message })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
