/**
 * Strings from files (ids, model types, paths) may hold control characters:
 * printed raw, an escape sequence can rewrite the terminal, hide text or run
 * terminal commands. Everything printed for a human goes through
 * {@link printable}; JSON for machines through {@link printableJson}.
 */

/**
 * C0 controls, DEL, C1 controls (0x80–0x9f: 0x9b starts a sequence like ESC [),
 * the line and paragraph separators and the bidirectional overrides and
 * isolates (they reorder what follows on the line).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set less C0, which JSON.stringify already escapes inside strings (and uses, as line breaks, between them). */
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(c: string): string {
  return SHORT[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);
}

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `s` with every control character written as a visible escape (`\x1b`, `\n`, `\u202e`). */
export function printable(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * JSON text whose control characters are all `\uXXXX` escapes: `JSON.stringify`
 * escapes C0 only. Parses back to the same value.
 */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_AFTER_JSON, (c) => `\\u${hex(c, 4)}`);
}
