/**
 * A problem found in an experiment, located where the user can fix it: a file position or
 * a `--set` override. Validation collects all of them before reporting.
 */
export interface ConfigIssue {
  message: string;
  /** Where: a file position, or the override that brought the value in. */
  where?: { file: string; line: number; col: number; frame?: string } | { override: string; origin?: string };
  /** Extra lines: allowed values, did-you-mean, what to do. */
  hints?: string[];
}

/** Thrown by loading/validation with every issue found; the CLI prints them, never a stack. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}
