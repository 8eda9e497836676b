// Writing reports where CI reads them. A write that fails (disk full, closed pipe, /dev/full) is a
// tool error, exit 2 with one line on stderr: exit 1 would read as "findings" and a stack trace
// helps nobody. Files are written synchronously; stdout is watched for the error event, which
// Node raises after the write call returns.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class OutputError extends Error {}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EPIPE: 'the reading end of the pipe was closed',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOENT: 'no such directory',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
};

export function describeWriteError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code) return REASONS[code] ? `${code} (${REASONS[code]})` : code;
  return ((e as Error)?.message ?? String(e)).split('\n')[0];
}

/** Write a report file (parent folders created); a failure is an OutputError naming the file. */
export function writeReportFile(path: string, text: string, shownAs = path): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new OutputError(`cannot write ${shownAs}: ${describeWriteError(e)}`);
  }
}

type Stream = NodeJS.WritableStream & { destroyed?: boolean; writableFinished?: boolean };

/**
 * Records the first error of a stream (stdout) so it neither crashes the process nor goes
 * unnoticed; `check` waits for queued writes and throws an OutputError if any failed.
 */
export function watchOutput(stream: Stream, name = 'stdout'): { check: () => Promise<void> } {
  let failed: unknown;
  const evented = typeof (stream as { on?: unknown }).on === 'function';
  const onError = (e: unknown) => (failed ??= e);
  if (evented) stream.on('error', onError);
  return {
    async check() {
      if (evented && failed === undefined && !stream.destroyed) {
        // an empty write calls back once everything queued before it is flushed (or failed)
        await new Promise<void>((resolve) => {
          try {
            stream.write('', (e?: Error | null) => {
              if (e) onError(e);
              resolve();
            });
          } catch (e) {
            onError(e);
            resolve();
          }
        });
      }
      if (failed !== undefined) throw new OutputError(`cannot write to ${name}: ${describeWriteError(failed)}`);
    },
  };
}
