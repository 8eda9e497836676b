// Every temporary tree the tests make (helpers, CLI children, scan workers) lands in one directory
// per run, removed at the end: os.tmpdir() reads TMPDIR, and the test forks inherit it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-tests-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // the hardening tests nest directories past PATH_MAX, which rmSync cannot unlink; rm walks
      // them relative to each parent
      spawnSync('rm', ['-rf', dir]);
    }
  };
}
