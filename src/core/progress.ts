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

/** "12.3s", "1m05s", "2h07m": short durations for status lines and boards. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  // Rounded once, so 59.97 s is 1m00s rather than 60.0s, and 119.6 s 2m00s rather than 1m60s.
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** "1234/5856  276/s  ETA 17s": a rate and time left, measured from `started` (performance.now()). */
export function rateAndEta(done: number, total: number, started: number, unit = '/s'): string {
  const seconds = (performance.now() - started) / 1000;
  const rate = done / Math.max(seconds, 1e-9);
  return `${done}/${total}  ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}${unit}  ETA ${formatSeconds((total - done) / Math.max(rate, 1e-9))}`;
}
