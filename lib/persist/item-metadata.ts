/**
 * Item metadata in a model file: the header's optional `itemMetadata`
 * section, a list of [item id, metadata object] pairs (written by
 * ItemCatalog.toJSON). Files without it load with an empty catalog.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { ItemCatalog } from '../models/base/item-catalog.js';

/** The catalog a header section describes, checked like setItemMetadata's input; CORRUPT_FILE names what is wrong. */
export function decodeItemMetadata(section: unknown, source: string): ItemCatalog | undefined {
  if (section === undefined) return undefined;
  const bad = (what: string): MfrecError => new MfrecError(ErrorCodes.CORRUPT_FILE, `${source}: inconsistent model file: item metadata ${what}`);
  if (!Array.isArray(section)) throw bad('is not a list');
  const entries = new Map<string | number, Record<string, unknown>>();
  section.forEach((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw bad(`entry ${i} is not an [id, metadata] pair`);
    const [id, data] = pair as [unknown, unknown];
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) throw bad(`entry ${i} has an invalid id`);
    if (entries.has(id)) throw bad(`entry ${i} repeats id ${JSON.stringify(id)}`);
    entries.set(id, data as Record<string, unknown>);
  });
  try {
    return ItemCatalog.from(entries, 'item metadata');
  } catch (e) {
    throw bad(`is invalid: ${(e as Error).message}`);
  }
}
