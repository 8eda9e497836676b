// Runs file tasks on N worker threads. Workers pull small batches so a slow file does not hold
// up a whole share; results are re-sorted by the caller, so the job count never changes output.
import { Worker } from 'node:worker_threads';
import { createProcessor, type FileResult, type FileTask, type ProcessorInit } from './process-file.js';

export async function runTasks(
  tasks: Array<FileTask & { size: number }>,
  init: ProcessorInit,
  jobs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  if (jobs <= 1 || tasks.length < 8) {
    const processFile = await createProcessor(init);
    for (const t of tasks) {
      try {
        results.push(await processFile({ abs: t.abs, rel: t.rel, kind: t.kind }));
      } catch (e) {
        results.push({ rel: t.rel, kind: t.kind, bytes: 0, lines: 0, findings: [], parsed: true, modules: [], error: { file: t.rel, message: `internal error: ${(e as Error).message}` } });
      }
      onProgress?.(results.length, tasks.length);
    }
    return results;
  }
  // Big files first: the tail of the run is then made of small files that balance well.
  const queue = [...tasks].sort((a, b) => b.size - a.size || (a.rel < b.rel ? -1 : 1));
  const workerCount = Math.min(jobs, Math.ceil(tasks.length / 4));
  const batchSize = Math.max(1, Math.min(16, Math.floor(tasks.length / (workerCount * 8))));
  return new Promise((resolvePromise, reject) => {
    let live = workerCount;
    const workers: Worker[] = [];
    const finish = () => {
      if (--live === 0) resolvePromise(results);
    };
    for (let i = 0; i < workerCount; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      workers.push(w);
      const feed = () => {
        const batch = queue.splice(0, batchSize).map(({ abs, rel, kind }) => ({ abs, rel, kind }));
        if (batch.length) w.postMessage(batch);
        else void w.terminate().then(finish);
      };
      w.on('message', (msg: 'ready' | FileResult[]) => {
        if (msg !== 'ready') {
          results.push(...msg);
          onProgress?.(results.length, tasks.length);
        }
        feed();
      });
      w.on('error', (e) => {
        for (const x of workers) void x.terminate();
        reject(e);
      });
    }
  });
}
