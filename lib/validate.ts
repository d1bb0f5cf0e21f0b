/**
 * Argument checks with one message template:
 * "Expected <what> for <name> but received <value> of type <type>".
 */
import { ErrorCodes, MfrecError } from './errors.js';

function describe(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value)} of type string`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object`;
  return `${String(value)} of type ${typeof value}`;
}

export function invalid(expected: string, name: string, value: unknown): MfrecError {
  return new MfrecError(ErrorCodes.INVALID_ARGUMENT, `Expected ${expected} for ${name} but received ${describe(value)}`);
}

export function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw invalid(`integer ${range}`, name, value);
  }
  return value;
}

export function number(name: string, value: unknown, opts: { min?: number; max?: number; exclusiveMin?: boolean } = {}): number {
  const { min = -Infinity, max = Infinity, exclusiveMin = false } = opts;
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    const parts: string[] = [];
    if (min !== -Infinity) parts.push(`${exclusiveMin ? '>' : '>='} ${min}`);
    if (max !== Infinity) parts.push(`<= ${max}`);
    throw invalid(`finite number${parts.length ? ' ' + parts.join(' and ') : ''}`, name, value);
  }
  return value as number;
}

export function boolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid('boolean', name, value);
  return value;
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`one of ${allowed.map((a) => `'${a}'`).join(', ')}`, name, value);
  }
  return value as T;
}

/**
 * Largest list length (k) any call accepts: dense item indices are Int32, so no
 * catalogue, and no list, is longer. A k above the catalogue size returns
 * every item that qualifies (recommend, similar); evaluation bounds k by the
 * catalogue instead (see {@link cutoff}).
 */
export const MAX_K = 2 ** 31 - 1;

/** The default cut-off of every top-k call. */
export const DEFAULT_K = 10;

/**
 * An evaluation cut-off k: an integer from 1 to the `nItems` items of the
 * data (a longer list cannot hold more items, and its arrays would only cost
 * memory and time), or up to the default {@link DEFAULT_K} on a smaller
 * catalogue. Undefined gives the default.
 */
export function cutoff(name: string, value: unknown, nItems: number): number {
  if (value === undefined) return DEFAULT_K;
  const max = Math.max(nItems, DEFAULT_K);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(`integer in [1, ${max}] (the data has ${nItems} items)`, name, value);
  }
  return value;
}

export function seed(name: string, value: unknown): number {
  return integer(name, value, 0, 0xffffffff);
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Checks that `options` is a plain object whose keys are all known; an unknown
 * key fails with a hint to the closest known one (`learningrate` → `learningRate`).
 */
export function knownOptions(where: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('an options object', where, options);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    let best = '';
    let bestDistance = Infinity;
    for (const k of known) {
      const dist = editDistance(key, k);
      if (dist < bestDistance) [best, bestDistance] = [k, dist];
    }
    const hint = bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean '${best}'?` : '';
    throw new MfrecError(ErrorCodes.UNKNOWN_OPTION, `Unknown option '${key}' for ${where}.${hint} Known options: ${known.join(', ')}`);
  }
  return options as Record<string, unknown>;
}
