// The JSON contract: {"version","findings":[{ruleId,category,priority,file,line,column,endLine,
// endColumn,message,fingerprint}],"errors":[{file,message[,line]}]}. Sorted input, fixed key order,
// no timestamps: the same scan gives the same bytes.
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
    })),
    errors: result.errors.map((e) => (e.line ? { file: e.file, message: e.message, line: e.line } : { file: e.file, message: e.message })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
