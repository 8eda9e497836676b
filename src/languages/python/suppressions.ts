// Suppression comments of the Python adapter: the text of one `# faultline: ignore[...]` comment.

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
