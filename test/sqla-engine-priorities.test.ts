// Priorities the fixture annotations cannot express: FL122 is P1 only for a NullPool engine whose
// driver connect has no timeout (a raw connect per checkout), P2 otherwise; FL150's script clause
// wins over its per-API P1 clauses.
import { describe, expect, it } from 'vitest';
import { scanProject } from './fixture-harness.js';
import { makeTree } from './helpers.js';

async function findings(files: Record<string, string>, select: string[]) {
  // priorities depend on where the code runs: the whole scan, project model included
  const r = await scanProject(makeTree(files), select);
  return r.findings.filter((f) => select.includes(f.ruleId)).map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.priority}`).sort();
}

const HEAD = 'from sqlalchemy import create_engine\nfrom sqlalchemy.pool import NullPool\n';

describe('FL122 priorities', () => {
  it('NullPool without a libpq connect timeout is P1; the same engine pooled is P2', async () => {
    const got = await findings(
      {
        'app/db.py':
          HEAD +
          'a = create_engine("postgresql://db/app", poolclass=NullPool)\n' +
          'b = create_engine("postgresql://db/app")\n' +
          'c = create_engine("postgresql://db/app?connect_timeout=5", poolclass=NullPool)\n',
      },
      ['FL122'],
    );
    expect(got).toEqual(['app/db.py:3 FL122 P1', 'app/db.py:4 FL122 P2', 'app/db.py:5 FL122 P2']);
  });

  it('a URL from configuration is reported at P2 for the statement side only', async () => {
    const got = await findings({ 'app/db.py': HEAD + 'e = create_engine(settings.DATABASE_URL, poolclass=NullPool)\n' }, ['FL122']);
    expect(got).toEqual(['app/db.py:3 FL122 P2']);
  });
});

describe('FL150 adjust order', () => {
  it('psycopg2.connect is P1 in a service and not reported in tools/ (developer tooling: timeouts off)', async () => {
    const src = 'import psycopg2\nconn = psycopg2.connect(host="db", dbname="app")\n';
    const got = await findings({ 'app/db.py': src, 'tools/dump.py': src }, ['FL150']);
    expect(got).toEqual(['app/db.py:2 FL150 P1']);
  });
});
