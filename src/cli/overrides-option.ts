import { ConfigError } from '../config/issues.js';
import type { Override } from '../config/locate.js';
import { parseOverrides } from '../config/overrides.js';

/** The `--set key.path=value` option shared by the commands that read experiments. */
export const setOption = {
  type: 'string',
  array: true,
  default: [] as string[],
  describe: 'override a value, e.g. --set train.epochs=3 (YAML value; repeatable)',
} as const;

export function overridesFrom(texts: readonly string[]): Override[] {
  const { overrides, issues } = parseOverrides(texts);
  if (issues.length > 0) throw new ConfigError(issues);
  return overrides;
}
