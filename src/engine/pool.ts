// Runs file tasks on N worker threads. Workers pull small batches so a slow file does not hold
// up a whole share; results are re-sorted by the caller, so the job count never changes output.
//
// Containment: every file runs under a time budget. A worker still busy with one file when the
// budget runs out is terminated and replaced; the file gets an error entry and the rest of its
// batch goes back on the queue. A worker that dies (uncaught exception, out of memory, wasm abort)
// is handled the same way, and so is one that retires itself after a parser crash (wasm trap):
// its file keeps the error it reported, the rest of its batch goes to a fresh thread. Nothing a
// single file does can stall or fail the run, or change the results of other files. Workers that
// die before they are ready three times in a row (a broken install) end the run with an error per
// file rather than being respawned forever.
import { Worker } from 'node:worker_threads';
import type { FileResult, FileTask, ProcessorInit } from './process-file.js';

export interface PoolOptions {
  jobs: number;
  /** per-file analysis budget in milliseconds (0 = none) */
  budgetMs: number;
  onProgress?: (done: number, total: number) => void;
  /** worker heap limit in MB (default: Node's) */
  maxHeapMb?: number;
}

/** The result recorded for a file the analysis could not finish. */
export function failedResult(task: FileTask, message: string): FileResult {
  return { rel: task.rel, kind: task.kind, bytes: 0, lines: 0, findings: [], parsed: true, modules: [], error: { file: task.rel, message } };
}

/** 'ready' once loaded; a result per file; `retired` for the last file of a crashed thread */
type WorkerMessage = 'ready' | FileResult | { retired: FileResult };

interface Slot {
  worker: Worker;
  /** the batch in flight and how many of it are done */
  batch: FileTask[];
  done: number;
  /** when the file in progress started (ms, performance.now) */
  started: number;
  /** set once the slot was torn down, so late events are ignored */
  dead: boolean;
  /** the worker loaded and said 'ready' */
  ready: boolean;
}

/** workers in a row that die before they are ready: the next ones would too (a broken install) */
const MAX_START_FAILURES = 3;

export async function runTasks(tasks: Array<FileTask & { size: number }>, init: ProcessorInit, opts: PoolOptions): Promise<FileResult[]> {
  const results: FileResult[] = [];
  if (!tasks.length) return results;
  // Big files first: the tail of the run is then made of small files that balance well.
  const queue: FileTask[] = [...tasks]
    .sort((a, b) => b.size - a.size || (a.rel < b.rel ? -1 : 1))
    .map(({ abs, rel, kind, size }) => ({ abs, rel, kind, size }));
  const total = tasks.length;
  const workerCount = Math.max(1, Math.min(opts.jobs, Math.ceil(tasks.length / 4)));
  const batchSize = Math.max(1, Math.min(16, Math.floor(tasks.length / (workerCount * 8))));
  const budget = opts.budgetMs > 0 ? opts.budgetMs : 0;
  const kinds = [...new Set(tasks.map((t) => t.kind))].sort();

  return new Promise((resolvePromise) => {
    const slots = new Set<Slot>();
    let timer: NodeJS.Timeout | undefined;
    let startFailures = 0;
    const record = (r: FileResult) => {
      results.push(r);
      opts.onProgress?.(results.length, total);
    };
    const maybeFinish = () => {
      if (slots.size === 0 && queue.length === 0) {
        if (timer) clearInterval(timer);
        resolvePromise(results);
      }
    };
    /**
     * Tear a slot down and requeue the files of its batch not yet done. After a timeout or crash
     * (`message`) the file in progress fails; a retired worker has reported its last file itself.
     */
    const fail = (slot: Slot, message?: (task: FileTask) => string) => {
      if (slot.dead) return;
      slot.dead = true;
      slots.delete(slot);
      void slot.worker.terminate();
      const current = message ? slot.batch[slot.done] : undefined;
      if (current) record(failedResult(current, message!(current)));
      queue.unshift(...slot.batch.slice(message ? slot.done + 1 : slot.done));
      slot.batch = [];
      // a worker that cannot even start is not a file's fault: respawning it forever would hang
      // the scan, so after a few in a row every file left gets the error instead
      if (!slot.ready && message && ++startFailures >= MAX_START_FAILURES) {
        for (const task of queue.splice(0)) record(failedResult(task, `analysis could not start: ${message(task).replace(/^analysis crashed: /, '')}`));
      }
      if (queue.length) spawn();
      else maybeFinish();
    };
    const feed = (slot: Slot) => {
      slot.batch = queue.splice(0, batchSize);
      slot.done = 0;
      slot.started = performance.now();
      if (slot.batch.length) {
        slot.worker.postMessage(slot.batch);
        return;
      }
      slot.dead = true;
      slots.delete(slot);
      void slot.worker.terminate();
      maybeFinish();
    };
    const spawn = () => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { init, kinds },
        ...(opts.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb } } : {}),
      });
      const slot: Slot = { worker, batch: [], done: 0, started: 0, dead: false, ready: false };
      slots.add(slot);
      worker.on('message', (msg: WorkerMessage) => {
        if (slot.dead) return;
        if (typeof msg === 'object' && 'retired' in msg) {
          record(msg.retired);
          slot.done++;
          fail(slot);
          return;
        }
        if (msg === 'ready') {
          slot.ready = true;
          startFailures = 0;
        } else {
          record(msg);
          slot.done++;
          slot.started = performance.now();
          if (slot.done < slot.batch.length) return;
        }
        feed(slot);
      });
      worker.on('error', (e) => fail(slot, () => `analysis crashed: ${(e as Error).message}`));
      worker.on('exit', (code) => fail(slot, () => `analysis crashed: worker exited with code ${code}`));
    };
    for (let i = 0; i < workerCount; i++) spawn();
    if (budget) {
      timer = setInterval(
        () => {
          const now = performance.now();
          for (const slot of [...slots]) {
            if (slot.batch.length && slot.done < slot.batch.length && now - slot.started > budget)
              fail(slot, () => `analysis exceeded the ${budget / 1000} s budget`);
          }
        },
        Math.min(1000, Math.max(20, budget / 4)),
      );
    }
  });
}
