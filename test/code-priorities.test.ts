// Priorities of code rules that the fixture annotations do not pin.
import { describe, expect, it } from 'vitest';
import { analyseSnippet } from './fixture-harness.js';

const byLine = (a: { findings: Array<{ line: number; ruleId: string; priority: string }> }, rule: string) =>
  Object.fromEntries(a.findings.filter((f) => f.ruleId === rule).map((f) => [f.line, f.priority]));

describe('code rule priorities', () => {
  it('FL550: a client ended in the function that opens it is P2; a long-lived one keeps P0', async () => {
    const a = await analyseSnippet(
      'db.ts',
      [
        "import { Client, Pool } from 'pg';",
        'const pool = new Pool();',
        'export async function createDatabase() {',
        '  const client = new Client();',
        '  try {',
        '    await client.connect();',
        "    await client.query('CREATE DATABASE app');",
        '  } finally {',
        '    await client.end();',
        '  }',
        '}',
        'export async function leaks() {',
        '  const other = new Client();',
        '  await other.connect();',
        '  return 1;',
        '}',
        'export const q = () => pool.query("select 1");',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL550')).toEqual({ 2: 'P0', 4: 'P2', 13: 'P0' });
  });
});
