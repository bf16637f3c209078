/**
 * What this process must close before it exits, whatever the way out (a signal, a closed
 * stdout, an uncaught error): its open runs and its worker processes. The entry points' exit
 * guard (exit-guard.ts) closes them; this module only keeps the list.
 */
export type Ending = { status: 'KILLED'; reason: string; signal?: NodeJS.Signals } | { status: 'FAILED'; error: unknown };

export interface Closable {
  /** e.g. `the run` or `run 2 of 4 (worker)`: for the message printed while closing. */
  readonly label: string;
  /** Where to say that it is being closed (the run's progress, which --quiet silences). */
  say(text: string): void;
  close(ending: Ending): Promise<void>;
}

const open = new Set<Closable>();

/** Adds `c` to what must be closed; returns the function that takes it off again. */
export function keepOpen(c: Closable): () => void {
  open.add(c);
  return () => void open.delete(c);
}

export const openClosables = (): readonly Closable[] => [...open];

/** Closes everything still open, waiting at most `timeoutMs` (a store that does not answer). */
export async function closeAll(ending: Ending, timeoutMs = 10_000): Promise<void> {
  const all = [...open];
  open.clear();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(all.map((c) => c.close(ending))),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
