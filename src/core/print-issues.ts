import type { ConfigIssue } from '../config/issues.js';
import { maskSecrets } from '../config/secrets.js';

/** One issue as `file:line:col: message`, its code frame and hints, the way compilers print them. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.where;
  const head = !where ? issue.message : 'override' in where ? `${where.origin ?? '--set'} ${where.override}: ${issue.message}` : `${where.file}:${where.line}:${where.col}: ${issue.message}`;
  const frame = where && 'frame' in where && where.frame ? [where.frame] : [];
  return maskSecrets([head, ...frame, ...(issue.hints ?? []).map((h) => `  hint: ${h}`)].join('\n'));
}

/** Past this many, the rest are counted, not printed: 16,000 misspelt keys help no one scrolled past. */
export const MAX_PRINTED_ISSUES = 50;

export function printIssues(issues: ConfigIssue[]): void {
  const shown = issues.slice(0, MAX_PRINTED_ISSUES);
  process.stderr.write(shown.map((issue) => `${formatIssue(issue)}\n`).join(''));
  const rest = issues.length - shown.length;
  if (rest > 0) process.stderr.write(`... and ${rest.toLocaleString('en-US')} more\n`);
}
