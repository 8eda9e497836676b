// Shared by the adapters: the text of a `faultline: ignore[...]` comment -> rules + reason.
// Adapters find the comments with their parser; this only reads the comment's text.

/** Parse one comment's text (marker included or not). Null when it is not a suppression. */
export function parseSuppressionComment(comment: string): { rules: string[]; reason: string } | null {
  const m = /faultline:\s*ignore(?:\[([^\]]*)\])?(.*)$/.exec(comment);
  if (!m) return null;
  const rules = (m[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const reason = m[2]
    .replace(/\*\/\s*$/, '')
    .replace(/^\s*(--|:|-|—)?\s*/, '')
    .trim();
  return { rules, reason };
}
