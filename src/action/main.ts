// Entry point of the GitHub Action, and of the committed bundle (action-dist/action/main.js, built
// by scripts/build-action.mjs) that both the Action and the npm package run. One file plays three
// parts so that the bundle is one file:
// - run as `node main.js` with no arguments: the Action (action.yml's `main`);
// - run with arguments, or imported by bin/faultline.js: the faultline CLI. The Action runs its
//   scan as `node main.js scan …` in a child process, so a scan that crashes or exits early still
//   leaves the Action to report it;
// - in a worker thread: the scan worker (the bundle's worker.js imports this file, because the
//   pool starts `./worker.js` beside the module that holds it).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const self = fileURLToPath(import.meta.url);
const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

if (!isMainThread) {
  await import('../engine/worker.js');
} else if (process.argv.length === 2 && process.argv[1] && real(process.argv[1]) === real(self)) {
  const { runAction } = await import('./run.js');
  process.exitCode = runAction({
    env: process.env,
    cwd: process.cwd(),
    log: (line) => process.stdout.write(`${line}\n`),
    cli: self,
  });
} else {
  const { main } = await import('../cli/main.js');
  process.exitCode = await main(process.argv.slice(2));
}
