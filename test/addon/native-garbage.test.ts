/**
 * The raw native bindings called directly with garbage: every binding must
 * either do its job or throw / reject with a typed error (an ERR_MFREC_ code);
 * the process must never crash. See test/helpers/native-garbage.ts for the
 * mutations tried.
 */
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/addon/loader.js';
import { BINDINGS, garbageCases, overflowCases, type GarbageCase } from '../helpers/native-garbage.js';

type Outcome = { kind: 'ok' } | { kind: 'error'; code: string };

async function outcome(c: GarbageCase): Promise<Outcome> {
  const fn = native()[c.binding] as (...a: unknown[]) => unknown;
  try {
    const r = fn(...c.args);
    if (r instanceof Promise) await r;
    return { kind: 'ok' };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { kind: 'error', code: typeof code === 'string' ? code : `untyped ${String(e)}` };
  }
}

describe('raw native bindings under garbage', () => {
  it('every binding accepts its valid call', async () => {
    for (const [binding, make] of Object.entries(BINDINGS)) {
      expect(await outcome({ binding, what: 'valid', args: make() }), binding).toEqual({ kind: 'ok' });
    }
  });

  it('every mutated call returns or fails with an ERR_MFREC_ code, never a crash or an untyped error', async () => {
    const tally = new Map<string, number>();
    let cases = 0;
    const untyped: string[] = [];
    for (const c of garbageCases()) {
      const o = await outcome(c);
      cases++;
      const key = o.kind === 'ok' ? 'ok' : o.code;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (o.kind === 'error' && !/^ERR_MFREC_[A-Z_]+$/.test(o.code)) untyped.push(`${c.binding}: ${c.what}: ${o.code}`);
    }
    expect(untyped).toEqual([]);
    if (process.env.MFREC_TALLY) process.stderr.write(`native garbage: ${cases} cases: ${JSON.stringify(Object.fromEntries(tally))}\n`);
    expect(cases).toBeGreaterThan(1000);
    // Most garbage is refused as a bad argument; nothing else may appear but the typed codes.
    expect(tally.get('ERR_MFREC_INVALID_ARGUMENT') ?? 0).toBeGreaterThan(cases / 2);
    expect([...tally.keys()].every((k) => k === 'ok' || k.startsWith('ERR_MFREC_'))).toBe(true);
  });

  it('sizes whose product would wrap around are refused before any array is touched', async () => {
    for (const c of overflowCases()) {
      const o = await outcome(c);
      expect(o, `${c.binding}: ${c.what}`).toEqual({ kind: 'error', code: 'ERR_MFREC_INVALID_ARGUMENT' });
    }
  });
});

describe('integer arguments of the raw bindings', () => {
  // Each binding's count fields: a fraction or NaN was truncated (1.5 -> 1, NaN -> 0) and used.
  const fields: Array<[string, string[]]> = [
    ['topkSync', ['k', 'factors', 'threads']],
    ['itemItemTopKSync', ['items', 'k', 'threads']],
    ['bprEpoch', ['users', 'items', 'factors', 'seed', 'epoch', 'threads']],
    ['alsGram', ['rows', 'factors']],
    ['bprFoldInUser', ['factors', 'iterations', 'seed']],
    ['bprFoldInItem', ['factors', 'iterations', 'seed', 'item']],
    ['scoreSplit', ['factors', 'query']],
    ['csrBuild', ['nRows', 'nCols', 'aggregate', 'threads']],
    ['parseChunk', ['length', 'delimiter', 'fields', 'userCol', 'itemCol', 'valueCol', 'timeCol', 'maxRecord', 'userCount', 'itemCount']],
    ['gatherIndices', ['n']],
  ];
  it.each(fields)('%s refuses a fraction, NaN or an infinity in each count, naming the field', async (binding, keys) => {
    for (const key of keys) {
      for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5]) {
        const args = BINDINGS[binding]!() as Array<Record<string, unknown>>;
        args[0]![key] = bad;
        const fn = native()[binding] as (...a: unknown[]) => unknown;
        let error: { code?: string; message?: string } = {};
        try {
          fn(...args);
        } catch (e) {
          error = e as typeof error;
        }
        expect([key, bad, error.code], String(error.message)).toEqual([key, bad, 'ERR_MFREC_INVALID_ARGUMENT']);
        expect(error.message).toContain(key);
      }
    }
  });
});
