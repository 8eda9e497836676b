// Content-based fingerprints: rule + path + the normalised source line + the enclosing
// function/service + an occurrence counter for identical lines. Not the line number, so adding
// lines above a finding keeps its fingerprint (baselines and SARIF alerts survive code moving).
import { createHash } from 'node:crypto';

export function normaliseLine(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

export class FingerprintMaker {
  private readonly seen = new Map<string, number>();
  make(ruleId: string, path: string, lineText: string, context: string | undefined): string {
    const base = `${ruleId}\0${path}\0${context ?? ''}\0${normaliseLine(lineText)}`;
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return createHash('sha256').update(`${base}\0${n}`).digest('hex').slice(0, 32);
  }
}
