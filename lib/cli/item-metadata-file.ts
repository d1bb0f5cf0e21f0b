/**
 * Reads `--item-metadata FILE`: item metadata as CSV / TSV (a header row; the
 * `item` or `id` column names the item, every other non-empty field becomes
 * a metadata field: `name` and `category` as text, other fields that read as
 * decimal numbers as numbers) or JSON Lines (one object per line with an
 * `item` or `id` field). Every error names the file and line.
 */
import type { parse as CsvParse } from 'csv-parse/sync';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import { checkMetadata, MAX_CATALOG_BYTES } from '../models/base/item-catalog.js';
import { readTextFile } from '../persist/read-text-file.js';

export type MetadataRecord = Record<string, unknown> & { item: RawId };

const ID_FIELDS = ['item', 'id'];
const TEXT_FIELDS = new Set(['name', 'category']);
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function failure(file: string, line: number, what: string): MfrecError {
  return new MfrecError(ErrorCodes.PARSE, `${file} line ${line}: ${what}`);
}

export async function readItemMetadataFile(file: string): Promise<MetadataRecord[]> {
  const lower = file.toLowerCase();
  const format = lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? 'jsonl' : lower.endsWith('.csv') ? 'csv' : lower.endsWith('.tsv') ? 'tsv' : undefined;
  if (format === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--item-metadata ${file}: expected a .csv, .tsv or .jsonl file`);
  }
  // Text takes at most about as many bytes as the JSON the model would hold, plus quoting.
  const text = await readTextFile(file, '--item-metadata', 2 * MAX_CATALOG_BYTES);
  // The CSV parser is loaded here, by the few runs that pass a CSV or TSV file, not by every command.
  const rows = format === 'jsonl' ? jsonLines(file, text) : delimited(file, text, format === 'csv' ? ',' : '\t', (await import('csv-parse/sync')).parse);
  const firstLine = new Map<string, number>();
  return rows.map(({ line, fields }) => {
    const idField = ID_FIELDS.find((f) => fields[f] !== undefined && fields[f] !== '');
    if (idField === undefined) throw failure(file, line, 'no item id (an "item" or "id" field)');
    const id = fields[idField];
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id)))
      throw failure(file, line, `item id ${JSON.stringify(id)} is not a string or number`);
    const key = String(id);
    const earlier = firstLine.get(key);
    if (earlier !== undefined) throw failure(file, line, `item ${JSON.stringify(id)} already described on line ${earlier}`);
    firstLine.set(key, line);
    const { [idField]: _id, ...data } = fields;
    try {
      return { item: id, ...checkMetadata(`item ${JSON.stringify(id)}`, data) };
    } catch (e) {
      throw failure(file, line, (e as Error).message);
    }
  });
}

function jsonLines(file: string, text: string): Array<{ line: number; fields: Record<string, unknown> }> {
  const out: Array<{ line: number; fields: Record<string, unknown> }> = [];
  text.split('\n').forEach((raw, i) => {
    const body = raw.trim();
    if (body === '') return;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      throw failure(file, i + 1, `not valid JSON (${(e as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw failure(file, i + 1, 'expected a JSON object');
    out.push({ line: i + 1, fields: value as Record<string, unknown> });
  });
  return out;
}

function delimited(file: string, text: string, delimiter: string, parse: typeof CsvParse): Array<{ line: number; fields: Record<string, unknown> }> {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, delimiter, bom: true, skip_empty_lines: true, info: true, trim: true }) as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    throw failure(file, line, (e as Error).message.replace(/^Invalid Record Length: /, ''));
  }
  return records.map(({ record, info }) => {
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(record)) {
      if (value === '') continue;
      fields[name] = TEXT_FIELDS.has(name) || ID_FIELDS.includes(name) || !DECIMAL.test(value) ? value : Number(value);
    }
    return { line: info.lines, fields };
  });
}
