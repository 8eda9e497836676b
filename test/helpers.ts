// Test helpers: temp trees and an in-memory CLI run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../dist/cli/main.js';

export function makeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

export async function runCli(argv: string[], cwd: string, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io = {
    cwd,
    env: { ...env },
    stdout: { write: (s: string) => ((stdout += s), true), isTTY: false } as unknown as NodeJS.WriteStream,
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false } as unknown as NodeJS.WriteStream,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
