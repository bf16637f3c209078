/**
 * User data (run and experiment names, tags, paths, class names) made safe where exp shows it.
 * A name is data, never a command: on a terminal an escape sequence in it could clear the screen
 * or rewrite earlier lines, and in SVG/HTML most control characters are forbidden outright.
 */

/** What a terminal acts on: C0 controls, DEL, C1 controls, and the bidi overrides that reorder text. */
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text for the terminal with every control character shown as an escape (`\x1b`, `\n`).
 * `keepNewlines` leaves line breaks alone: for whole messages, whose lines are exp's own.
 */
export function printable(text: string, opts: { keepNewlines?: boolean } = {}): string {
  return text.replace(TERMINAL_CONTROLS, (c) => {
    if (c === '\n' && opts.keepNewlines) return c;
    const code = c.codePointAt(0)!;
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/**
 * Characters XML 1.0 does not allow even as references (all C0 controls but tab, LF, CR; lone
 * surrogates; U+FFFE, U+FFFF) replaced with U+FFFD, so an SVG parser (librsvg in sharp) or an
 * XHTML reader never rejects a document for a name in it.
 */
export function xmlChars(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
