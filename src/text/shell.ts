/** One argument as a POSIX shell reads it back unchanged: bare when it holds only safe characters, else single-quoted. */
export function shellWord(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
