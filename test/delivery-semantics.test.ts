// What the fixture annotations cannot express: the priority FL600 gives a side effect by what
// delivers it again, the mechanism its message names, and the project model settling a Celery
// task or a taskiq task whose app or broker is configured in another module (FL600, FL356).
import { describe, expect, it } from 'vitest';
import { scanProjectMessages } from './fixture-harness.js';
import { makeTree } from './helpers.js';

async function findings(files: Record<string, string>, select: string[]) {
  const found = await scanProjectMessages(makeTree(files), select);
  return found
    .filter((f) => select.includes(f.ruleId))
    .map((f) => ({ at: `${f.file}:${f.line} ${f.ruleId} ${f.priority}`, message: f.message }))
    .sort((a, b) => (a.at < b.at ? -1 : 1));
}

const CHARGE_TASK =
  'import stripe\nfrom celery import shared_task\n\n@shared_task\ndef charge(order_id, amount):\n    stripe.PaymentIntent.create(amount=amount, currency="eur")\n';

describe('FL600: Celery delivery from the process-wide settings', () => {
  it('CELERY_TASK_ACKS_LATE in Django settings makes a shared_task redeliverable, and the message says where', async () => {
    const got = await findings({ 'shop/settings.py': 'CELERY_TASK_ACKS_LATE = True\n', 'billing/tasks.py': CHARGE_TASK }, ['FL600']);
    expect(got.map((g) => g.at)).toEqual(['billing/tasks.py:5 FL600 P0']);
    expect(got[0].message).toContain('`CELERY_TASK_ACKS_LATE = True` in shop/settings.py:1');
    expect(got[0].message).toContain('a worker lost mid-task');
  });

  it('a settings value that cannot be read keeps the finding at P2, never P0', async () => {
    const got = await findings(
      { 'shop/settings.py': 'import os\nCELERY_TASK_ACKS_LATE = os.environ.get("ACKS_LATE") == "1"\n', 'billing/tasks.py': CHARGE_TASK },
      ['FL600'],
    );
    expect(got.map((g) => g.at)).toEqual(['billing/tasks.py:5 FL600 P2']);
  });

  it('task options spread from a name not visible here (`**RETRY_OPTIONS`): P2, even for a payment', async () => {
    // openwisp's `@shared_task(bind=True, autoretry_for=(RequestException,), **API_TASK_RETRY_OPTIONS)`
    const got = await findings(
      {
        'shop/settings.py': 'CELERY_BROKER_URL = "redis://redis"\n',
        'billing/tasks.py': 'import stripe\nfrom celery import shared_task\nfrom .conf import OPTIONS\n\n@shared_task(bind=True, **OPTIONS)\ndef charge(self, amount):\n    stripe.PaymentIntent.create(amount=amount, currency="eur")\n',
      },
      ['FL600'],
    );
    expect(got.map((g) => g.at)).toEqual(['billing/tasks.py:6 FL600 P2']);
    expect(got[0].message).toContain('`**kwargs`');
  });

  it('no setting anywhere: Celery acks early and the task runs at most once', async () => {
    const got = await findings({ 'shop/settings.py': 'CELERY_BROKER_URL = "redis://redis"\n', 'billing/tasks.py': CHARGE_TASK }, ['FL600']);
    expect(got).toEqual([]);
  });

  it('late acks switched off in the settings: at most once', async () => {
    const got = await findings({ 'shop/settings.py': 'CELERY_TASK_ACKS_LATE = False\n', 'billing/tasks.py': CHARGE_TASK }, ['FL600']);
    expect(got).toEqual([]);
  });

  it('a bare @app.task on an app imported from its module takes that app\'s app.conf setting', async () => {
    const got = await findings(
      {
        'worker/app.py': 'from celery import Celery\napp = Celery("w")\napp.conf.update(task_acks_late=True)\n',
        'worker/tasks.py': 'import stripe\nfrom worker.app import app\n\n@app.task\ndef charge(amount):\n    stripe.Charge.create(amount=amount, currency="eur")\n',
      },
      ['FL600'],
    );
    expect(got.map((g) => g.at)).toEqual(['worker/tasks.py:5 FL600 P0']);
    expect(got[0].message).toContain('`task_acks_late=True` in worker/app.py:3');
  });
});

describe('FL600: TS/JS priority by what redelivers', () => {
  const HEAD = "import { Queue, Worker } from 'bullmq';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n";
  it('attempts on the adds of the queue keep a created record at P1; stalls alone lower it to P2', async () => {
    const got = await findings(
      {
        'src/jobs.ts':
          HEAD +
          "const q = new Queue('orders');\n" +
          "export const add = (id: string) => q.add('o', { id }, { attempts: 3 });\n" +
          "new Worker('orders', async (job) => { await prisma.order.create({ data: job.data }); });\n" +
          "new Worker('audit', async (job) => { await prisma.audit.create({ data: job.data }); });\n",
      },
      ['FL600'],
    );
    expect(got.map((g) => g.at)).toEqual(['src/jobs.ts:6 FL600 P1', 'src/jobs.ts:7 FL600 P2']);
    expect(got[0].message).toContain('`attempts: 3` on `q.add` (line 5)');
    expect(got[1].message).toContain('stalled job');
  });
});

describe('FL356: the broker module decides', () => {
  const TASK = 'import httpx\nfrom app.broker import broker\n\n@broker.task\nasync def push(x):\n    async with httpx.AsyncClient(timeout=5) as c:\n        await c.post("https://x.example.com", json=x)\n';
  it('a broker built with SimpleRetryMiddleware(default_retry_label=True) retries every task', async () => {
    const got = await findings(
      {
        'app/broker.py': 'from taskiq import SimpleRetryMiddleware\nfrom taskiq_redis import ListQueueBroker\nbroker = ListQueueBroker("redis://r").with_middlewares(SimpleRetryMiddleware(default_retry_label=True))\n',
        'app/tasks.py': TASK,
      },
      ['FL356'],
    );
    expect(got).toEqual([]);
  });

  it('a bare broker is named in the message', async () => {
    const got = await findings({ 'app/broker.py': 'from taskiq_redis import ListQueueBroker\nbroker = ListQueueBroker("redis://r")\n', 'app/tasks.py': TASK }, ['FL356']);
    expect(got.map((g) => g.at)).toEqual(['app/tasks.py:5 FL356 P1']);
    expect(got[0].message).toContain('`broker = ListQueueBroker("redis://r")` in app/broker.py:2');
  });
});
