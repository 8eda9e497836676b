// The knob reader's per-spelling "no limit" values (catalog `disabledByKey`): SQLAlchemy's
// pool_size=0 lifts every cap, max_overflow=-1 lifts the overflow cap, max_overflow=0 is a cap.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../dist/catalog/index.js';
import type { CatalogApi } from '../dist/catalog/types.js';
import { readKnob } from '../dist/engine/knobs.js';
import { createPythonAdapter } from '../dist/languages/python/index.js';

const api: CatalogApi = {
  language: 'python',
  match: ['sqlalchemy.create_engine'],
  role: 'db.pool',
  knobs: {
    'max-connections': {
      keys: ['max_overflow', 'pool_size', 'poolclass'],
      default: 'bounded',
      disabledByKey: { max_overflow: [-1], pool_size: [0] },
    },
    timeout: { keys: ['pool_timeout'], default: 'bounded', disabledBy: [null] },
  },
};
const catalog = new Catalog([{ apis: [api] }]);

async function read(args: string, knob = 'max-connections') {
  const adapter = await createPythonAdapter();
  const facts = adapter.extract('app.py', `from sqlalchemy import create_engine\ne = create_engine("postgresql://db/app"${args})\n`);
  const call = facts.calls.find((c) => c.qualified === 'sqlalchemy.create_engine')!;
  const r = readKnob(call, api, knob, facts, catalog);
  return { state: r.state, key: r.key };
}

describe('disabledByKey', () => {
  it('pool_size=0 disables the knob even with a bounded max_overflow', async () => {
    expect(await read(', pool_size=0')).toEqual({ state: 'disabled', key: 'pool_size' });
    expect(await read(', max_overflow=10, pool_size=0')).toEqual({ state: 'disabled', key: 'pool_size' });
  });
  it('max_overflow=-1 disables it, whatever pool_size says', async () => {
    expect(await read(', pool_size=10, max_overflow=-1')).toEqual({ state: 'disabled', key: 'max_overflow' });
  });
  it('values are per key: max_overflow=0 and pool_size=-1 are limits', async () => {
    expect((await read(', max_overflow=0')).state).toBe('set');
    expect((await read(', pool_size=-1, max_overflow=5')).state).toBe('set');
    expect((await read(', pool_size=5, max_overflow=0')).state).toBe('set');
  });
  it('keys without an entry keep using disabledBy', async () => {
    expect((await read(', pool_timeout=None', 'timeout')).state).toBe('disabled');
    expect((await read(', pool_timeout=10', 'timeout')).state).toBe('set');
  });
});
