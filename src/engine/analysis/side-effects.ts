// "Does this call create a row": shared by the checks that ask whether a handler's writes repeat
// on a second delivery or a client's retry (FL600, FL601). The method names, receivers and SQL
// are rule policy (the rules' options), matched on the call as written.
import type { CallFact } from '../../languages/types.js';

export interface WriteOptions {
  /** method names (last callee segment) that write to a store */
  writeMethods: string[];
  /** receivers (callee as written, before the method) that make `writeMethods` count, as a regex */
  writeReceiver: string;
  /** SQL that writes, in a string argument of any call */
  writeSql: string;
}

export function lastSegment(callee: string): string {
  const i = callee.lastIndexOf('.');
  return i < 0 ? callee : callee.slice(i + 1);
}

/** A predicate for calls that write: an ORM-like receiver's write method, or writing SQL in a string argument. */
export function writeCalls(o: WriteOptions): (c: CallFact) => boolean {
  const methods = new Set(o.writeMethods);
  const receiver = new RegExp(o.writeReceiver, 'i');
  const sql = new RegExp(o.writeSql, 'i');
  return (c) => {
    const method = lastSegment(c.callee);
    const recv = c.callee.slice(0, Math.max(0, c.callee.length - method.length - 1));
    if (methods.has(method) && recv && receiver.test(recv)) return true;
    return c.args.some((a) => a.kind === 'string' && sql.test(a.value));
  };
}
