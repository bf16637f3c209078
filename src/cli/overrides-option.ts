/** The `--set key.path=value` option shared by the commands that read experiments. */
export const setOption = {
  type: 'string',
  array: true,
  default: [] as string[],
  describe: 'override a value, e.g. --set train.epochs=3 (YAML value; repeatable)',
} as const;
