/**
 * Text from an input file (ids, header names, bad lines) quoted in an error
 * or a warning: a terminal must show it, not obey it. Control characters
 * (C0, DEL, C1 such as the one-byte CSI 0x9b) and the bidirectional
 * overrides that can reorder what is shown become visible escapes; every
 * other character is kept as it is.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control or bidi character written as an escape (`\n`, `\t`, `\x1b`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
