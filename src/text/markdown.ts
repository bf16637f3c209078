import { printable } from './escape.js';

/**
 * Text for a GitHub-flavoured Markdown table cell, shown as written: control characters as
 * escapes, and every character Markdown would act on backslash-escaped (the backslash first,
 * so a name holding `\|` keeps both). `|` ends a cell even inside code, so it is always escaped.
 */
export function markdownText(text: string): string {
  return printable(text).replace(/[\\`*_[\]<>|~&#]/g, (c) => `\\${c}`);
}

/**
 * A code span for a table cell: delimited by more backticks than the text's longest run of
 * them (CommonMark's rule), with `|` escaped, which GFM tables undo inside code as well.
 */
export function codeSpan(text: string): string {
  const shown = printable(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick needs a space inside its fence; CommonMark strips one on each side.
  const pad = longest > 0 ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** A GFM table from cells that are already Markdown (see markdownText, codeSpan). */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
