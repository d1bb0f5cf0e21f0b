/** An ids file: one user or item id per line, line n naming factor row n − 1. */
import { ErrorCodes, MfrecError } from '../errors.js';
import { readTextFile } from '../persist/read-text-file.js';

/** Large enough for tens of millions of ids; the file is read whole. */
const MAX_ID_FILE_BYTES = 1024 * 1024 * 1024;

/** The ids of `file`, which must hold exactly `rows` of them, each once, none blank. */
export async function readIdFile(file: string, rows: number, what: 'user' | 'item'): Promise<string[]> {
  const text = await readTextFile(file, `the ${what} ids file`, MAX_ID_FILE_BYTES);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const fail = (why: string) => new MfrecError(ErrorCodes.PARSE, `${file}: ${why}`);
  if (lines.length !== rows) throw fail(`${lines.length} ${what} ids, the model has ${rows} ${what} rows`);
  const first = new Map<string, number>();
  lines.forEach((id, n) => {
    if (id.trim() === '') throw fail(`line ${n + 1} is blank (one ${what} id per line)`);
    const earlier = first.get(id);
    if (earlier !== undefined) throw fail(`line ${n + 1}: ${what} id ${JSON.stringify(id.slice(0, 80))} is also on line ${earlier}`);
    first.set(id, n + 1);
  });
  return lines;
}
