// The JSON contract: {"version","findings":[{ruleId,category,priority,file,line,column,endLine,
// endColumn,message,fingerprint,context[,group]}],"errors":[{file,message[,line]}]}. `context` is
// where the code runs (service, browser, cli, build, example, test); `group` is shared by the
// findings of one root cause. Sorted input, fixed key order, no timestamps: the same scan gives
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
    })),
    errors: result.errors.map((e) => (e.line ? { file: e.file, message: e.message, line: e.line } : { file: e.file, message: e.message })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
