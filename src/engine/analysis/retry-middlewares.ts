// Brokers and their retry middleware as one file shows them (catalog section `retry-middlewares`:
// taskiq). A task is retried only when its broker carries a retry middleware and the task is
// labelled, or the middleware labels every task. Shared by FL356 (in the broker's own file) and
// the project model (the broker module's answer is process-wide for the task modules).
import type { RetryMiddlewares } from '../../catalog/types.js';
import type { CallFact, FileFacts } from '../../languages/types.js';
import { truth, type Setting } from './task-frameworks.js';

export interface BrokerFile {
  /** module-level names bound to a broker built here, with the line */
  brokers: Array<{ name: string; line: number; text: string }>;
  /** the first retry middleware built in the file */
  middleware?: CallFact;
  /** whether the middleware retries unlabelled tasks: 'absent' without a middleware */
  byDefault: Setting;
}

const rootOf = (q: string | null) => (q ?? '').split('(')[0];

/** The brokers this file builds and the retry middleware it gives them, for one catalog entry. */
export function brokerFile(facts: FileFacts, e: RetryMiddlewares): BrokerFile {
  const broker = new RegExp(e.broker);
  const notBroker = e.notBroker ? new RegExp(e.notBroker) : undefined;
  const isBroker = (c: CallFact | undefined) => !!c && broker.test(rootOf(c.qualified)) && !notBroker?.test(rootOf(c.qualified));
  const brokers: BrokerFile['brokers'] = [];
  for (const a of facts.assignments) {
    if (a.scope.functionId !== undefined || a.scope.classId !== undefined || a.value.kind !== 'call' || !/^\w+$/.test(a.target)) continue;
    const c = facts.calls[a.value.callId];
    if (!isBroker(c)) continue;
    const text = a.value.text.length > 60 ? `${a.value.text.slice(0, 57)}...` : a.value.text;
    brokers.push({ name: a.target, line: a.loc.line, text: `${a.target} = ${text}` });
  }
  const middleware = facts.calls.find((c) => c.qualified !== null && e.middlewares.includes(c.qualified));
  let byDefault: Setting = 'absent';
  if (middleware) byDefault = middleware.kwargsOpen ? 'unknown' : truth(middleware.kwargs[e.defaultLabel]);
  return { brokers, ...(middleware ? { middleware } : {}), byDefault };
}
