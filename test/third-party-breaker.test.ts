// FL802's priority split, which fixture annotations cannot express: P1 in HTTP request handlers
// (the user waits), P2 in service code, task workers and scripts; off a request path an SDK whose
// own timeout and retries are bounded (openai, anthropic) only when a route reaches the call.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseCodeFile, analyseCodeTree, FIXTURES, scanProjectMessages } from './fixture-harness.js';

const DIR = join(FIXTURES, 'third-party-call-without-breaker');

/** FL802's findings in a fixture file or folder, paths relative to the rule's folder */
async function priorities(target: string): Promise<string[]> {
  const result = target.includes('.') ? await analyseCodeFile(join(DIR, target), target) : await analyseCodeTree(DIR, join(DIR, target));
  return result.findings.filter((f) => f.ruleId === 'FL802').map((f) => `${f.file}:${f.line} ${f.priority}`).sort();
}

describe('third-party-call-without-breaker priorities', () => {
  it('P1 in FastAPI routes, P2 in a service class method', async () => {
    expect(await priorities('bad.py')).toEqual(['bad.py:16 P1', 'bad.py:22 P1', 'bad.py:42 P1', 'bad.py:49 P1']);
  });

  it("says so when only the SDK's own timeout bounds the wait (stripe-python's 80 s) and retries are missing", async () => {
    expect(await priorities('billing.py')).toEqual(['billing.py:12 P1']);
    const said = (await scanProjectMessages(DIR, ['FL802'])).find((f) => f.file === 'billing.py');
    expect(said?.message).toContain("no retry policy, and only the library's default timeout (80 s (default http client))");
  });

  it('P2 in Celery and taskiq tasks', async () => {
    expect(await priorities('tasks.py')).toEqual(['tasks.py:14 P2', 'tasks.py:20 P2', 'tasks.py:27 P2', 'tasks.py:47 P2']);
  });

  it("quiet in a script whose SDK keeps its own timeout and retries (openai's 600 s, 2 retries)", async () => {
    expect(await priorities('cli.py')).toEqual([]);
  });

  it('off a request path, an SDK with its own timeout and retries is reported only when a route in another module reaches the call', async () => {
    const service = 'from openai import AsyncOpenAI\n\nclass Assistant:\n    def __init__(self):\n        self.llm = AsyncOpenAI()\n\n    async def reply(self, prompt):\n        return await self.llm.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])\n';
    const route = 'from fastapi import FastAPI\nfrom app.assistant import Assistant\n\napp = FastAPI()\nbot = Assistant()\n\n@app.post("/chat")\nasync def chat(prompt: str):\n    return await bot.reply(prompt)\n';
    const { makeTree } = await import('./helpers.js');
    const { scan } = await import('../dist/engine/scan.js');
    const found = async (files: Record<string, string>) => {
      const root = makeTree(files);
      const r = await scan({ root, targets: [root], jobs: 1, config: { rules: { select: ['FL802'] } } });
      return r.findings.map((f) => `${f.file}:${f.line} ${f.priority}`);
    };
    expect(await found({ 'app/__init__.py': '', 'app/assistant.py': service })).toEqual([]);
    expect(await found({ 'app/__init__.py': '', 'app/assistant.py': service, 'app/main.py': route })).toEqual(['app/assistant.py:8 P2']);
  });

  it('P1 in Express routes (inline and by name) and Next.js route files, P2 in a class method', async () => {
    expect(await priorities('bad.ts')).toEqual(['bad.ts:12 P1', 'bad.ts:21 P1', 'bad.ts:29 P2', 'bad.ts:38 P2']);
    expect(await priorities('next')).toEqual(['next/app/api/pay/route.ts:5 P1', 'next/app/api/title/route.ts:8 P1']);
  });
});
