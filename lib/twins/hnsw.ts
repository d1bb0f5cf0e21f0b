/**
 * Pure-TypeScript twin of native/kernels/hnsw.cc: the same level draws, the
 * same one-thread build (distances in the same float operations and lanes,
 * the same neighbour selection, ties broken by node index) and the same
 * search, so a seeded one-thread native build can be checked link for link
 * and a search result for result. Test oracle; too slow for real catalogues.
 */
import type { HnswBuildArgs, HnswGraphArrays, HnswSearchArgs } from '../addon/hnsw.js';
import { laneDot } from '../addon/sgd.js';
import { Rng } from '../random.js';
import { topkTwin } from './topk.js';

const f = Math.fround;
export const HNSW_MAX_LEVEL = 15;

/** (distance, node), ordered by distance then node: a total order, as in C++. */
type Near = [number, number];
const before = (a: Near, b: Near): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** A binary heap whose top is the first element under `first`. */
class Heap {
  private readonly a: Near[] = [];
  constructor(private readonly first: (x: Near, y: Near) => boolean) {}
  get size(): number {
    return this.a.length;
  }
  top(): Near {
    return this.a[0]!;
  }
  push(e: Near): void {
    const a = this.a;
    a.push(e);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.first(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Near {
    const a = this.a;
    const out = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && this.first(a[l + 1]!, a[l]!) ? l + 1 : l;
        if (!this.first(a[c]!, a[i]!)) break;
        [a[c], a[i]] = [a[i]!, a[c]!];
        i = c;
      }
    }
    return out;
  }
  /** Every element, nearest first (empties the heap). */
  drainNearestFirst(): Near[] {
    const out: Near[] = [];
    while (this.size > 0) out.push(this.pop());
    return this.first === before ? out : out.reverse();
  }
}
const nearestFirst = (): Heap => new Heap(before);
const farthestFirst = (): Heap => new Heap((x, y) => before(y, x));

export function hnswLevelsTwin(n: number, m: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const levels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let l = 0;
    while (l < HNSW_MAX_LEVEL && rng.below(m) === 0) l++;
    levels[i] = l;
  }
  return levels;
}

/** upper offsets and the length of links, as hnsw_layout. */
export function hnswLayoutTwin(m: number, levels: Int32Array): { upper: Int32Array; length: number } {
  const upper = new Int32Array(levels.length);
  let total = levels.length * (1 + 2 * m);
  for (let i = 0; i < levels.length; i++) {
    upper[i] = total;
    total += levels[i]! * (1 + m);
  }
  return { upper, length: total };
}

function blockOf(g: HnswGraphArrays, node: number, level: number): number {
  return level === 0 ? node * (1 + 2 * g.m) : g.upper[node]! + (level - 1) * (1 + g.m);
}

function linksAt(g: HnswGraphArrays, node: number, level: number): number[] {
  const b = blockOf(g, node, level);
  return Array.from(g.links.subarray(b + 1, b + 1 + g.links[b]!));
}

/** Builds the graph into a.links one node at a time; returns the entry node. */
export function hnswBuildTwin(a: HnswBuildArgs): number {
  const n = a.levels.length;
  const d = a.factors;
  const g = a;
  g.links.fill(0);
  if (n === 0) return -1;
  const inner = (i: number, j: number): number => {
    let s = laneDot(a.target, i * d, a.target, j * d, d);
    if (a.colBias) s = f(s + f(a.colBias[i]! * a.colBias[j]!));
    if (a.colScale) s = f(f(s * a.colScale[i]!) * a.colScale[j]!);
    return s;
  };
  const extra = new Float32Array(n);
  let m2 = 0;
  for (let j = 0; j < n; j++) {
    extra[j] = inner(j, j);
    m2 = Math.max(m2, extra[j]!);
  }
  for (let j = 0; j < n; j++) extra[j] = f(Math.sqrt(Math.max(0, f(m2 - extra[j]!))));
  const distance = (i: number, j: number): number => f(m2 - f(inner(i, j) + f(extra[i]! * extra[j]!)));

  const select = (sorted: Near[], cap: number): Near[] => {
    if (sorted.length <= cap) return sorted;
    const kept: Near[] = [];
    for (const e of sorted) {
      if (kept.length >= cap) break;
      if (kept.every((k) => !(distance(e[1], k[1]) < e[0]))) kept.push(e);
    }
    return kept;
  };
  const setLinks = (node: number, level: number, chosen: Near[]): void => {
    const b = blockOf(g, node, level);
    g.links[b] = chosen.length;
    chosen.forEach((e, i) => (g.links[b + 1 + i] = e[1]));
  };
  const searchLayer = (c: number, ep: number, level: number): Near[] => {
    const visited = new Set<number>([ep]);
    const candidates = nearestFirst();
    const results = farthestFirst();
    const start: Near = [distance(c, ep), ep];
    candidates.push(start);
    results.push(start);
    while (candidates.size > 0) {
      const next = candidates.top();
      if (next[0] > results.top()[0]) break;
      candidates.pop();
      for (const nb of linksAt(g, next[1], level)) {
        if (visited.has(nb)) continue;
        visited.add(nb);
        const e: Near = [distance(c, nb), nb];
        if (results.size < a.efConstruction || before(e, results.top())) {
          candidates.push(e);
          results.push(e);
          if (results.size > a.efConstruction) results.pop();
        }
      }
    }
    return results.drainNearestFirst();
  };

  let entry = 0;
  let maxLevel = a.levels[0]!;
  for (let c = 1; c < n; c++) {
    const level = a.levels[c]!;
    let ep = entry;
    let epD = distance(c, ep);
    for (let l = maxLevel; l > level; l--) {
      for (let changed = true; changed; ) {
        changed = false;
        for (const nb of linksAt(g, ep, l)) {
          const dd = distance(c, nb);
          if (dd < epD) {
            epD = dd;
            ep = nb;
            changed = true;
          }
        }
      }
    }
    for (let l = Math.min(level, maxLevel); l >= 0; l--) {
      const found = searchLayer(c, ep, l);
      ep = found[0]![1];
      const chosen = select(found, g.m);
      setLinks(c, l, chosen);
      for (const [, nb] of chosen) {
        const b = blockOf(g, nb, l);
        const cap = l === 0 ? 2 * g.m : g.m;
        const count = g.links[b]!;
        if (count < cap) {
          g.links[b + 1 + count] = c;
          g.links[b] = count + 1;
          continue;
        }
        const all: Near[] = [[distance(nb, c), c], ...linksAt(g, nb, l).map((x): Near => [distance(nb, x), x])];
        all.sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
        setLinks(nb, l, select(all, cap));
      }
    }
    if (level > maxLevel) {
      entry = c;
      maxLevel = level;
    }
  }
  return entry;
}

/** The search of hnsw_search, row by row, with topkTwin as the exact fallback. */
export function hnswSearchTwin(a: HnswSearchArgs): void {
  const fct = a.factors;
  const n = a.levels.length;
  const k = a.k;
  const ef = Math.max(a.ef, k);
  const fewCandidates = a.candidates !== undefined && a.candidates.length * 8 <= n;
  for (let r = 0; r < a.rows.length; r++) {
    const row = a.rows[r]!;
    const seen = a.filterIndptr && a.filterIndices ? new Set(a.filterIndices.subarray(a.filterIndptr[row]!, a.filterIndptr[row + 1]!)) : undefined;
    const candidates = a.candidates ? new Set(a.candidates) : undefined;
    const exclude = new Set(a.exclude ?? []);
    const qualifies = (j: number): boolean =>
      (candidates === undefined || candidates.has(j)) && !exclude.has(j) && !(seen?.has(j) ?? false) && !(a.excludeSelf && j === row);
    const add = f((a.rowOffset ? a.rowOffset[row]! : 0) + f(a.offset));
    const hasAdd = a.rowOffset !== undefined || f(a.offset) !== 0;
    const distance = (j: number): number => {
      let s = laneDot(a.query, row * fct, a.target, j * fct, fct);
      if (a.colScale) s = f(s * a.colScale[j]!);
      if (a.rowScale) s = f(s * a.rowScale[row]!);
      if (a.colBias) s = f(s + a.colBias[j]!);
      if (hasAdd) s = f(s + add);
      return -s;
    };
    const bound = Math.max(0, (a.candidates ? a.candidates.length : n) - (a.exclude?.length ?? 0) - (a.excludeSelf ? 1 : 0) - (seen?.size ?? 0));
    const wanted = Math.min(k, bound);
    let found: Near[] = [];
    if (n > 0 && !fewCandidates) {
      let ep = a.entry;
      let epD = distance(ep);
      for (let l = a.levels[a.entry]!; l > 0; l--) {
        for (let changed = true; changed; ) {
          changed = false;
          for (const nb of linksAt(a, ep, l)) {
            const dd = distance(nb);
            if (dd < epD) {
              epD = dd;
              ep = nb;
              changed = true;
            }
          }
        }
      }
      found = searchBottom(a, ep, epD, ef, distance, qualifies);
    }
    if (n === 0 || fewCandidates || found.length < wanted) {
      topkTwin({ ...a, rows: Int32Array.of(row), items: a.items.subarray(r * k, (r + 1) * k), scores: a.scores.subarray(r * k, (r + 1) * k) });
      continue;
    }
    for (let i = 0; i < k; i++) {
      a.items[r * k + i] = i < found.length ? found[i]![1] : -1;
      a.scores[r * k + i] = i < found.length ? -found[i]![0] : -Infinity;
    }
  }
}

function searchBottom(g: HnswGraphArrays, ep: number, epD: number, ef: number, distance: (j: number) => number, qualifies: (j: number) => boolean): Near[] {
  const n = g.levels.length;
  const visited = new Set<number>([ep]);
  const candidates = nearestFirst();
  const results = farthestFirst();
  candidates.push([epD, ep]);
  if (qualifies(ep) && !Number.isNaN(epD)) results.push([epD, ep]);
  const budget = Math.max(ef * 64, Math.floor(n / 8));
  while (candidates.size > 0) {
    const next = candidates.top();
    if (results.size >= ef && next[0] > results.top()[0]) break;
    candidates.pop();
    for (const nb of linksAt(g, next[1], 0)) {
      if (visited.has(nb)) continue;
      visited.add(nb);
      const e: Near = [distance(nb), nb];
      if (Number.isNaN(e[0])) continue;
      if (results.size < ef || before(e, results.top())) {
        candidates.push(e);
        if (qualifies(nb)) {
          results.push(e);
          if (results.size > ef) results.pop();
        }
      }
    }
    if (visited.size > budget) break;
  }
  return results.drainNearestFirst();
}
