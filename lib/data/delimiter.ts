/**
 * The delimiters a reader understands. Kept apart from the byte-level splitter
 * (line-source.ts) because the public read options name this type, and the
 * published declarations must not pull in Node's Buffer with it.
 */

/** Supported delimiters; ' ' stands for runs of spaces and tabs. */
export type Delimiter = ',' | '\t' | ';' | '|' | ' ' | '::';
export const DELIMITERS: readonly Delimiter[] = [',', '\t', ';', '|', ' ', '::'];
