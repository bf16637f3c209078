import { printable } from '../text/escape.js';

/**
 * One live status line on a terminal (rewritten in place), silent when stdout is not a TTY
 * so CI logs keep only the lines printed with `line`.
 */
export class Progress {
  readonly #live: boolean;
  #shown = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    readonly quiet = false,
  ) {
    this.#live = !quiet && out.isTTY === true;
  }

  update(text: string): void {
    if (!this.#live) return;
    const width = this.out.columns ? this.out.columns - 1 : 100;
    this.out.write(`\r\x1b[2K${printable(text).slice(0, width)}`);
    this.#shown = true;
  }

  /** A permanent line (replacing the live one). */
  line(text: string): void {
    if (this.quiet) return;
    if (this.#shown) this.out.write('\r\x1b[2K');
    this.#shown = false;
    // Lines carry user data (experiment and run names, paths): shown, never obeyed, by the terminal.
    this.out.write(`${printable(text, { keepNewlines: true })}\n`);
  }
}

/** "1m05s", "12.3s": short durations for status lines. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
}

/** "1234/5856  276/s  ETA 17s": a rate and time left, measured from `started` (performance.now()). */
export function rateAndEta(done: number, total: number, started: number, unit = '/s'): string {
  const seconds = (performance.now() - started) / 1000;
  const rate = done / Math.max(seconds, 1e-9);
  return `${done}/${total}  ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}${unit}  ETA ${formatSeconds((total - done) / Math.max(rate, 1e-9))}`;
}
