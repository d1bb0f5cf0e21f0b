/**
 * Maps raw user or item ids (strings or numbers from the caller's data) to
 * dense indices 0..n-1 and back.
 *
 * Ids are keyed by their string form, so 42 and "42" are the same id: a model
 * trained from a CSV file (where every id is text) answers for 42 as well.
 * The first spelling seen is the one given back.
 */
import { invalid } from '../validate.js';

export type RawId = string | number;

export class IdMap {
  private readonly byKey = new Map<string, number>();
  private readonly ids: RawId[] = [];

  constructor(ids: Iterable<RawId> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Dense index of `id`, or undefined when the id is unknown. */
  index(id: RawId): number | undefined {
    return this.byKey.get(keyOf(id));
  }

  has(id: RawId): boolean {
    return this.byKey.has(keyOf(id));
  }

  /** Index of `id`, adding it at the end if new. */
  add(id: RawId): number {
    const key = checkedKey(id);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    const index = this.ids.length;
    this.byKey.set(key, index);
    this.ids.push(id);
    return index;
  }

  /** Raw id at a dense index. */
  id(index: number): RawId {
    const id = this.ids[index];
    if (id === undefined) throw invalid(`index in [0, ${this.ids.length})`, 'index', index);
    return id;
  }

  toArray(): RawId[] {
    return this.ids.slice();
  }

  /** A copy holding the first `size` ids (all by default): a snapshot that later additions do not change. */
  clone(size = this.ids.length): IdMap {
    return new IdMap(this.ids.slice(0, size));
  }
}

function keyOf(id: RawId): string {
  return typeof id === 'number' ? String(id) : id;
}

function checkedKey(id: unknown): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  throw invalid('a string or finite number id', 'id', id);
}
