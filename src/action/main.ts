// Entry point of the GitHub Action (action.yml runs `node dist/action/main.js`).
import { runAction } from './run.js';

process.exitCode = runAction({ env: process.env, cwd: process.cwd(), log: (line) => process.stdout.write(`${line}\n`) });
