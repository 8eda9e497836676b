// "Is this a logging call": the one answer for both adapters (HandlerFact.logOnly) and for the
// checks that ask whether an exception handler does anything but report (publish-failure-swallowed).
// The callee is a dotted path as written or import-resolved: `console.error`, `this.logger.warn`,
// `fastify.log.error`, `logging.getLogger().warning`, `structlog.get_logger(__name__).info`, `print`.

/** receivers that are loggers, compared case-insensitively (`LOGGER`, `Log`, `_logger`) */
export const LOGGER_NAMES: ReadonlySet<string> = new Set(['console', 'logger', 'log', '_logger', '_log', 'logging']);

/** methods that only report, on a receiver whose name mentions "log" (`audit_logger.warning`) */
export const LOG_METHODS: ReadonlySet<string> = new Set([
  'debug',
  'info',
  'warning',
  'warn',
  'error',
  'exception',
  'critical',
  'fatal',
  'log',
  'msg',
]);

/** standalone callees that only report a failure */
export const REPORTERS: ReadonlySet<string> = new Set([
  'print',
  'traceback.print_exc',
  'traceback.print_exception',
  'warnings.warn',
  'sentry_sdk.capture_exception',
  'capture_exception',
]);

const SELF = new Set(['this', 'self']);

/**
 * A call that only reports: a reporter (`print`, `traceback.print_exc`), any call on a logger
 * (`console.error`, `logger.warn`, `this.logger.error`, `req.log.info`, `logging.exception`), a
 * logger called directly (`log(...)`, `this.log(...)`, `self._log(...)`; not `Math.log(x)`), or a
 * logging method on something named like a logger (`structlog.get_logger().info`).
 */
export function isLoggingCall(callee: string): boolean {
  if (REPORTERS.has(callee)) return true;
  const segs = callee.split('.');
  const last = segs.length - 1;
  for (let i = 0; i < last; i++) if (LOGGER_NAMES.has(segs[i].toLowerCase())) return true;
  if (LOGGER_NAMES.has(segs[last].toLowerCase()) && (last === 0 || (last === 1 && SELF.has(segs[0])))) return true;
  if (last === 0 || !LOG_METHODS.has(segs[last])) return false;
  return /log/i.test(callee.slice(0, callee.length - segs[last].length - 1));
}
