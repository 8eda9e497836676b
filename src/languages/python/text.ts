// Small text helpers of the Python adapter: log-call recognition and suppression comments.

const LOG_METHODS = new Set([
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
const REPORTERS = new Set([
  'print',
  'traceback.print_exc',
  'traceback.print_exception',
  'warnings.warn',
  'sentry_sdk.capture_exception',
  'capture_exception',
]);

/**
 * `logger.error`, `self.log.warning`, `logging.exception`, `structlog.get_logger().info`, `print`:
 * a call that only reports. The receiver must look like a logger (its text mentions "log").
 */
export function isLogCallee(callee: string): boolean {
  if (REPORTERS.has(callee)) return true;
  const dot = callee.lastIndexOf('.');
  if (dot < 0) return false;
  return LOG_METHODS.has(callee.slice(dot + 1)) && /log/i.test(callee.slice(0, dot));
}

/** `# faultline: ignore[FL101, other-rule] reason` -> rules + reason; [] rules when malformed */
export function parseSuppression(comment: string): { rules: string[]; reason: string } | undefined {
  const m = /faultline:\s*ignore\b(.*)$/.exec(comment);
  if (!m) return undefined;
  const rest = m[1];
  const bracket = /^\[([^\]]*)\]\s*(.*)$/.exec(rest);
  if (!bracket) return { rules: [], reason: rest.trim() };
  const rules = bracket[1]
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  return { rules, reason: bracket[2].trim() };
}
