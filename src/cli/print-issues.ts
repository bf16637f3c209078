import type { ConfigIssue } from '../config/issues.js';

/** One issue as `file:line:col: message`, its code frame and hints, the way compilers print them. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.where;
  const head = !where ? issue.message : 'override' in where ? `${where.origin ?? '--set'} ${where.override}: ${issue.message}` : `${where.file}:${where.line}:${where.col}: ${issue.message}`;
  const frame = where && 'frame' in where && where.frame ? [where.frame] : [];
  return [head, ...frame, ...(issue.hints ?? []).map((h) => `  hint: ${h}`)].join('\n');
}

export function printIssues(issues: ConfigIssue[]): void {
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
}
