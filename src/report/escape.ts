// Escaping for text that came from the scanned repository (service names, commands, paths, code,
// messages rendered from its values) before it goes into Markdown read on GitHub: it must not open
// HTML, close a <details>, start a list or heading, break a table, or @-mention anyone.
// Pure. Everything the reports print from the repository goes through one of these.

const ZWSP = '\u200B';

/** `@name` would notify a GitHub user or team: a zero-width space after the `@` stops that. */
function noMention(s: string): string {
  return s.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWSP}`);
}

/**
 * Plain inline text: every character Markdown or HTML could read as syntax is escaped, newlines
 * become spaces. For names and free text shown outside code.
 */
export function mdText(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  return noMention(
    flat
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // inline only: with [ and ] escaped no link can form, so ( ) # + ! stay readable
      .replace(/([\\`*_[\]|~])/g, '\\$1'),
  );
}

/**
 * An inline code span holding any text: the fence is longer than any backtick run inside, padded
 * when the text starts or ends with a backtick, newlines become spaces. In a table cell, `|` is
 * escaped too (GFM splits cells before it parses code spans).
 */
export function mdCode(s: string, inTable = false): string {
  let t = s.replace(/[\r\n]+/g, ' ');
  if (inTable) t = t.replace(/\|/g, '\\|');
  if (!t.trim()) return mdText(s) || '""';
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^`|`$/.test(t) || (/^ .* $/.test(t) && t.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * A sentence written by a rule and filled with values from the repository: its `code spans` stay
 * code (each re-fenced so a backtick in a value cannot end it early), the text between them is
 * escaped as plain text, except the emphasis and punctuation rules use on purpose are left alone
 * when they are our own (`**`, `:`), which mdText also keeps readable.
 */
export function mdMessage(s: string, inTable = false): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  const out: string[] = [];
  let last = 0;
  // a code span: a run of backticks, text without that run, the same run
  const re = /(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (const m of flat.matchAll(re)) {
    out.push(plain(flat.slice(last, m.index), inTable));
    out.push(mdCode(m[2].replace(/^ (.*) $/, '$1'), inTable));
    last = m.index + m[0].length;
  }
  out.push(plain(flat.slice(last), inTable));
  return out.join('');
}

/** Text between code spans of a rule message: what could become markup is escaped, the rest kept. */
function plain(s: string, inTable: boolean): string {
  let t = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]~])/g, '\\$1');
  if (inTable) t = t.replace(/\|/g, '\\|');
  return noMention(t);
}

/** Text inside raw HTML (a `<summary>`): HTML-escaped, no mentions. */
export function htmlText(s: string): string {
  return noMention(s.replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
}

/** A link target: http(s) or relative only; characters that could end the destination are encoded. */
export function mdHref(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^https?:\/\//i.test(url)) return '#';
  return url.replace(/[\s()<>"'`\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A fenced code block whose fence is longer than any backtick run inside the code. */
export function mdCodeBlock(code: string, info = ''): string {
  const body = code.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info.replace(/[^\w+-]/g, '')}\n${body}\n${fence}`;
}

/** An id for an HTML anchor, made only of safe characters. */
export function anchorId(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
