#!/usr/bin/env node
// The faultline CLI. A development checkout runs its tsc build (dist/, `npm run build:dist`); the
// npm package, and a checkout that was never built, run the committed bundle (action-dist/, the
// program the GitHub Action runs), which needs no node_modules and no build step.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  const { main } = await import(dist.href);
  process.exitCode = await main(process.argv.slice(2));
} else {
  await import('../action-dist/action/main.js');
}
