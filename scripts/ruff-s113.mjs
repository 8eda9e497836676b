// Ruff's S113 (request-without-timeout) over a list of files, in one process: the comparison
// point for faultline's Python throughput. Prints {"files","findings","errors"}.
import { readFileSync } from 'node:fs';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const files = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const ws = new Workspace({ lint: { select: ['S113'] } }, PositionEncoding.Utf16);
let findings = 0;
let errors = 0;
for (const f of files) {
  try {
    const diags = ws.check(readFileSync(f, 'utf8'));
    for (const d of diags) if (d.code === 'S113') findings++;
  } catch {
    errors++;
  }
}
console.log(JSON.stringify({ files: files.length, findings, errors }));
