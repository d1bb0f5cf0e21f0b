/**
 * Business rules compiled once per catalogue and reused across calls
 * (`model.compileRules(spec)`, then `recommend(user, { rules })`): allowed
 * and excluded items as one bitmask over dense item indices, category codes
 * from the item metadata with a cap per code, and diversity (MMR). The
 * native top-K kernels apply them while selecting (native/kernels/ranking_rules.h).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { IdMap, RawId } from '../../data/id-map.js';
import type { RankingRulesArgs } from '../../addon/ranking-rules.js';
import { integer, invalid, knownOptions, MAX_K, number } from '../../validate.js';
import type { ItemCatalog } from './item-catalog.js';
import { rawIds } from './recommend-options.js';

export interface RankingRulesSpec {
  /** Only these items may be returned (an in-stock list, say). Ids the model does not know are skipped. Default: every item. */
  allowed?: ArrayLike<RawId>;
  /** Items never returned. Ids the model does not know are skipped. */
  exclude?: ArrayLike<RawId>;
  /**
   * At most this many results per category (the `category` field of the
   * item metadata, compared as text): `byCategory[category]`, else
   * `default`; items without a category, or of a category without a cap,
   * are not capped. Integers >= 0.
   */
  categoryCaps?: { default?: number; byCategory?: Record<string, number> };
  /**
   * Maximal marginal relevance: results are picked one by one from the
   * `pool` best-scored items (default 5k), each maximising
   * λ·relevance − (1−λ)·(largest similarity to an item already picked),
   * relevance being the score rescaled to [0, 1] over the pool. λ = 1 keeps
   * the ranking by score; smaller λ favours variety. Similarity is the
   * cosine of the item factors, or for item-to-item models the larger of the
   * two item-to-item weights (on the model's own scale). λ in [0, 1].
   */
  diversity?: { lambda: number; pool?: number };
}

/** How many candidates category caps re-rank before ranking a row again with a pool 8 times larger: k times this. */
const CAPS_POOL_PER_RESULT = 4;
/** Default MMR pool: k times this. */
const DIVERSITY_POOL_PER_RESULT = 5;

/**
 * Compiled rules: opaque, built by `model.compileRules`, valid for the
 * catalogue it was compiled against (a model whose items changed, by fit,
 * partialFitItems or forgetItem, or another model, refuses it).
 */
export class RankingRules {
  /** @internal */
  constructor(
    /** @internal */ readonly catalogue: IdMap,
    /** @internal */ readonly permit: Int32Array | undefined,
    /** @internal */ readonly category: Int32Array | undefined,
    /** @internal */ readonly caps: Int32Array | undefined,
    /** @internal */ readonly lambda: number | undefined,
    /** @internal */ readonly diversityPool: number | undefined,
    /** Number of items the rules let through (before category caps). */
    readonly permitted: number,
  ) {}
}

/** Compiles `spec` against the items of a model and their metadata. */
export function compileRankingRules(items: IdMap, catalog: ItemCatalog, spec: unknown): RankingRules {
  const o = knownOptions('compileRules', spec, ['allowed', 'exclude', 'categoryCaps', 'diversity']);
  const n = items.size;
  let permit: Int32Array | undefined;
  let permitted = n;
  if (o.allowed !== undefined || o.exclude !== undefined) {
    permit = new Int32Array(Math.ceil(n / 32));
    if (o.allowed === undefined) {
      for (let t = 0; t < n; t++) permit[t >>> 5]! |= 1 << (t & 31);
    } else {
      for (const t of indicesOf('allowed', o.allowed, items)) permit[t >>> 5]! |= 1 << (t & 31);
    }
    if (o.exclude !== undefined) for (const t of indicesOf('exclude', o.exclude, items)) permit[t >>> 5]! &= ~(1 << (t & 31));
    permitted = 0;
    for (let t = 0; t < n; t++) permitted += (permit[t >>> 5]! >>> (t & 31)) & 1;
  }
  const caps = o.categoryCaps === undefined ? undefined : categoryCodes(o.categoryCaps, items, catalog);
  let lambda: number | undefined;
  let pool: number | undefined;
  if (o.diversity !== undefined) {
    const d = knownOptions('diversity', o.diversity, ['lambda', 'pool']);
    lambda = number('diversity.lambda', d.lambda, { min: 0, max: 1 });
    pool = d.pool === undefined ? undefined : integer('diversity.pool', d.pool, 1, MAX_K);
  }
  return new RankingRules(items, permit, caps?.category, caps?.caps, lambda, pool, permitted);
}

/** Dense indices of the known ids of a list (unknown ids skipped). */
function indicesOf(name: string, ids: unknown, items: IdMap): number[] {
  const list = rawIds(name, ids);
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = items.index(list[i]!);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** Category code per item (−1: not capped) and the cap of each code. */
function categoryCodes(spec: unknown, items: IdMap, catalog: ItemCatalog): { category: Int32Array; caps: Int32Array } {
  const o = knownOptions('categoryCaps', spec, ['default', 'byCategory']);
  const fallback = o.default === undefined ? undefined : integer('categoryCaps.default', o.default, 0, MAX_K);
  const byCategory = new Map<string, number>();
  if (o.byCategory !== undefined) {
    if (o.byCategory === null || typeof o.byCategory !== 'object' || Array.isArray(o.byCategory))
      throw invalid('an object of caps by category', 'categoryCaps.byCategory', o.byCategory);
    for (const [name, cap] of Object.entries(o.byCategory as Record<string, unknown>)) {
      byCategory.set(name, integer(`categoryCaps.byCategory[${JSON.stringify(name)}]`, cap, 0, MAX_K));
    }
  }
  const codes = new Map<string, number>();
  const caps: number[] = [];
  const category = new Int32Array(items.size).fill(-1);
  for (let t = 0; t < items.size; t++) {
    const raw = catalog.category(items.id(t));
    if (raw === undefined || raw === null) continue;
    const name = String(raw);
    let code = codes.get(name);
    if (code === undefined) {
      const cap = byCategory.get(name) ?? fallback;
      if (cap === undefined) continue;
      code = caps.length;
      caps.push(cap);
      codes.set(name, code);
    }
    category[t] = code;
  }
  return { category, caps: Int32Array.from(caps) };
}

/** `value` as rules compiled for the catalogue `items`, else a typed error naming the option. */
export function checkRules(name: string, value: unknown, items: IdMap): RankingRules {
  if (!(value instanceof RankingRules)) throw invalid('rules from model.compileRules()', name, value);
  if (value.catalogue !== items) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name} were compiled for another catalogue (${value.catalogue.size} items; this model has ${items.size}): another model, or this one before its items changed. Compile them again with model.compileRules()`,
    );
  }
  return value;
}

/** The kernels' rules argument for a ranking of `k` results, or undefined without rules. */
export function rulesArgs(rules: RankingRules | undefined, k: number): RankingRulesArgs | undefined {
  if (rules === undefined) return undefined;
  const diverse = rules.lambda !== undefined;
  const perResult = diverse ? DIVERSITY_POOL_PER_RESULT : CAPS_POOL_PER_RESULT;
  const pool = Math.min(MAX_K, diverse && rules.diversityPool !== undefined ? Math.max(k, rules.diversityPool) : k * perResult);
  return { permit: rules.permit, category: rules.category, caps: rules.caps, lambda: rules.lambda, pool };
}
