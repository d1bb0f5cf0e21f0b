/**
 * Item metadata: a small JSON object per item id (name, category, price,
 * stock, anything a shop shows or filters on). A model holds one catalog,
 * saved with it; the same class serves as a sidecar for data that changes
 * faster than the model (stock), updated in memory without touching a file.
 *
 * Ids are keyed by their string form, as in IdMap: 42 and "42" are one item.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import { invalid } from '../../validate.js';
import { rawId } from './recommend-options.js';

/** One item's metadata: any JSON object; `name` a string, `category` a string or number, `price` a finite number when present. */
export type ItemMetadata = Record<string, unknown> & { name?: string; category?: string | number; price?: number };

/** Metadata as given to setItemMetadata / updateItemMetadata: a Map by item id, or records with an `item` field. */
export type ItemMetadataInput = Map<RawId, Record<string, unknown>> | ReadonlyArray<Record<string, unknown> & { item: RawId }>;

/** Largest JSON text of one item's metadata, in bytes: metadata is for small facts, not documents. */
export const MAX_ITEM_METADATA_BYTES = 16 * 1024;
/** Largest JSON text of a whole catalog, in bytes: it travels in the model file's header. */
export const MAX_CATALOG_BYTES = 64 * 1024 * 1024;

const keyOf = (id: RawId): string => (typeof id === 'number' ? String(id) : id);

interface Entry {
  id: RawId;
  data: ItemMetadata;
  bytes: number;
}

export class ItemCatalog {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  /** A catalog holding `input` (see {@link set}). */
  static from(input: ItemMetadataInput, where = 'ItemCatalog.from'): ItemCatalog {
    const catalog = new ItemCatalog();
    catalog.set(input, where);
    return catalog;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The metadata of `item` (a copy), or undefined when it has none. */
  get(item: RawId): ItemMetadata | undefined {
    const e = this.entries.get(keyOf(rawId('item', item)));
    return e === undefined ? undefined : structuredClone(e.data);
  }

  /** The category of `item`, or undefined (the rules' category caps read it). */
  category(item: RawId): string | number | undefined {
    return this.entries.get(keyOf(item))?.data.category;
  }

  /**
   * Replaces every entry with `input`. Checked as a whole first: an invalid
   * entry (message naming its position and field) leaves the catalog as it was.
   */
  set(input: ItemMetadataInput, where = 'setItemMetadata'): this {
    this.install(checkInput(input, where), where, true);
    return this;
  }

  /**
   * Merges `input` into the entries: each given field replaces that field of
   * the item's metadata (a field set to null is removed); items without
   * metadata get it. Other items and fields stay. All or nothing.
   */
  update(input: ItemMetadataInput, where = 'updateItemMetadata'): this {
    const merged = checkInput(input, where).map(({ id, data }) => {
      const next: ItemMetadata = { ...(this.entries.get(keyOf(id))?.data ?? {}) };
      for (const [field, value] of Object.entries(data)) {
        if (value === null) delete next[field];
        else next[field] = value;
      }
      return { id, data: next, bytes: jsonBytes(next) };
    });
    for (const e of merged) if (e.bytes > MAX_ITEM_METADATA_BYTES) throw tooLarge(where, e.id, e.bytes);
    this.install(merged, where, false);
    return this;
  }

  /** Drops `item`'s metadata; true when it had some. */
  delete(item: RawId): boolean {
    const key = keyOf(rawId('item', item));
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.totalBytes -= e.bytes;
    return this.entries.delete(key);
  }

  /** Every entry as [id, metadata] pairs (copies), in insertion order: what a model file stores. */
  toJSON(): Array<[RawId, ItemMetadata]> {
    return Array.from(this.entries.values(), (e) => [e.id, structuredClone(e.data)]);
  }

  /** A copy that later changes of either catalog do not reach. */
  clone(): ItemCatalog {
    const copy = new ItemCatalog();
    for (const [key, e] of this.entries) copy.entries.set(key, { ...e, data: structuredClone(e.data) });
    copy.totalBytes = this.totalBytes;
    return copy;
  }

  /** Adds `list` (over the current entries, or in place of them with `replace`), once the size limit is checked. */
  private install(list: Entry[], where: string, replace: boolean): void {
    let total = replace ? 0 : this.totalBytes;
    for (const e of list) total += e.bytes - (replace ? 0 : (this.entries.get(keyOf(e.id))?.bytes ?? 0));
    if (total > MAX_CATALOG_BYTES) {
      throw new MfrecError(
        ErrorCodes.INVALID_ARGUMENT,
        `${where}: item metadata would take ${total} bytes of JSON, more than the ${MAX_CATALOG_BYTES} a model holds`,
      );
    }
    if (replace) this.entries.clear();
    for (const e of list) this.entries.set(keyOf(e.id), e);
    this.totalBytes = total;
  }
}

function tooLarge(where: string, id: RawId, bytes: number): MfrecError {
  return new MfrecError(
    ErrorCodes.INVALID_ARGUMENT,
    `${where}: metadata of item ${JSON.stringify(id)} takes ${bytes} bytes of JSON, more than ${MAX_ITEM_METADATA_BYTES}`,
  );
}

function jsonBytes(data: unknown): number {
  return Buffer.byteLength(JSON.stringify(data));
}

/** The entries of `input`, each checked: a JSON object with typed well-known fields, within the size limit. */
function checkInput(input: unknown, where: string): Entry[] {
  const pairs: Array<[string, unknown, unknown]> = [];
  if (input instanceof Map) {
    for (const [id, data] of input) pairs.push([`${where}: item ${JSON.stringify(id)}`, id, data]);
  } else if (Array.isArray(input)) {
    input.forEach((record: unknown, i) => {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) throw invalid('an object with an item field', `${where}[${i}]`, record);
      const { item, ...data } = record as Record<string, unknown>;
      pairs.push([`${where}[${i}]`, item, data]);
    });
  } else {
    throw invalid('a Map of item id to metadata, or an array of { item, ...metadata }', where, input);
  }
  const first = new Map<string, string>();
  return pairs.map(([name, id, data]) => {
    const item = rawId(`${name} id`, id);
    const earlier = first.get(keyOf(item));
    if (earlier !== undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${name}: item ${JSON.stringify(item)} is given twice (also ${earlier})`);
    first.set(keyOf(item), name);
    const checked = checkMetadata(name, data);
    const bytes = jsonBytes(checked);
    if (bytes > MAX_ITEM_METADATA_BYTES) throw tooLarge(where, item, bytes);
    return { id: item, data: checked, bytes };
  });
}

/** A plain JSON object (a deep copy of it), its well-known fields typed. */
export function checkMetadata(name: string, data: unknown): ItemMetadata {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid('a metadata object', name, data);
  const d = data as Record<string, unknown>;
  // Checked before the JSON copy, which would turn NaN or Infinity into null.
  if (d.name !== undefined && d.name !== null && typeof d.name !== 'string') throw invalid('a string', `${name} name`, d.name);
  if (d.category !== undefined && d.category !== null && typeof d.category !== 'string' && !(typeof d.category === 'number' && Number.isFinite(d.category)))
    throw invalid('a string or finite number', `${name} category`, d.category);
  if (d.price !== undefined && d.price !== null && (typeof d.price !== 'number' || !Number.isFinite(d.price)))
    throw invalid('a finite number', `${name} price`, d.price);
  let copy: ItemMetadata;
  try {
    copy = JSON.parse(JSON.stringify(data)) as ItemMetadata;
  } catch (e) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${name}: metadata must be JSON (${(e as Error).message})`, { cause: e });
  }
  return copy;
}
