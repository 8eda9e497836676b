// `faultline model [paths]`: run the scan's analysis and print the project model it built.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadRules } from '../engine/rules.js';
import { scan, UsageError } from '../engine/scan.js';
import { renderModelJson, renderModelText } from '../report/model.js';
import type { FaultlineConfig } from '../config/load.js';

interface ModelIo {
  cwd: string;
  stdout: { write(s: string): unknown };
}

export function registerModelCommand(
  program: Command,
  io: ModelIo,
  setExit: (code: number) => void,
  setup: (paths: string[], o: { root?: string; config?: string }) => { root: string; config: FaultlineConfig },
  jobs: number,
): void {
  program
    .command('model')
    .description('print the project model: where each file runs and why, services and their code, process-wide defaults, shared root causes')
    .argument('[paths...]', 'files or directories to scan')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--all', 'list every file in text output (large repos are summarised by folder)')
    .option('-c, --config <file>', 'config file')
    .option('--root <dir>', 'directory that paths are relative to')
    .action(async (paths: string[], o: { format: string; all?: boolean; config?: string; root?: string }) => {
      const { root, config } = setup(paths, o);
      const result = await scan({ root, targets: paths.length ? paths.map((p) => resolve(io.cwd, p)) : [root], jobs, config, rules: loadRules() });
      if (!result.model) throw new UsageError('no model was built');
      io.stdout.write(o.format === 'json' ? renderModelJson(result.model) : renderModelText(result.model, { all: o.all }));
      setExit(0);
    });
}
