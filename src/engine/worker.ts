// Worker thread: builds one processor (rules, catalog, adapters) and answers file batches, one
// message per file so the pool knows which file is in progress (for the per-file time budget).
// After a parser crash it sends that file's result as `{ retired }` and stops: the pool replaces
// the thread and requeues the rest of the batch, so no later file meets corrupt parser memory.
import { parentPort, workerData } from 'node:worker_threads';
import { failedResult } from './pool.js';
import { createProcessor, type FileTask, type ProcessorInit } from './process-file.js';

const { init, kinds } = workerData as { init: ProcessorInit; kinds: Array<FileTask['kind']> };
const processFile = await createProcessor(init);
await processFile.warm(kinds);
parentPort!.on('message', async (batch: FileTask[]) => {
  for (const task of batch) {
    let result;
    try {
      result = await processFile(task);
    } catch (e) {
      result = failedResult(task, `internal error: ${(e as Error).message}`);
    }
    if (processFile.crashed()) {
      parentPort!.postMessage({ retired: result });
      return;
    }
    parentPort!.postMessage(result);
  }
});
parentPort!.postMessage('ready');
