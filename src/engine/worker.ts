// Worker thread: builds one processor (rules, catalog, adapters) and answers file batches.
import { parentPort, workerData } from 'node:worker_threads';
import { createProcessor, type FileTask, type ProcessorInit } from './process-file.js';

const processFile = await createProcessor(workerData as ProcessorInit);
parentPort!.on('message', async (batch: FileTask[]) => {
  const results = [];
  for (const task of batch) {
    try {
      results.push(await processFile(task));
    } catch (e) {
      results.push({
        rel: task.rel, kind: task.kind, bytes: 0, lines: 0, findings: [], parsed: true, modules: [],
        error: { file: task.rel, message: `internal error: ${(e as Error).message}` },
      });
    }
  }
  parentPort!.postMessage(results);
});
parentPort!.postMessage('ready');
