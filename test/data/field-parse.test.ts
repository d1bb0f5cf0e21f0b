import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdInterner, parseDate, parseNumber, parseTime } from '../../lib/data/field-parse.js';
import { IdMap } from '../../lib/data/id-map.js';

function bytes(text: string): [Buffer, number, number] {
  // Padding around the field checks that spans are honoured.
  const b = Buffer.from(`##${text}##`);
  return [b, 2, b.length - 2];
}

const num = (text: string): number => parseNumber(...bytes(text));
const date = (text: string): number => parseDate(...bytes(text));

describe('parseNumber', () => {
  it('equals Number() on decimal renderings of doubles', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 12 }), (x, digits) => {
        for (const text of [String(x), x.toFixed(digits), x.toPrecision(digits + 1)]) {
          expect(num(text)).toBe(Number(text));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('equals Number() on short digit strings with a point anywhere', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[+-]?\d{1,17}(\.\d{0,17})?$/), (text) => {
        expect(num(text)).toBe(Number(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('is NaN for anything but a decimal number', () => {
    for (const text of ['', '-', '.', '+.', '1..2', '0x1A', 'Infinity', '-inf', 'NaN', '1e', '1,5', '12abc', '١٢']) {
      expect(num(text)).toBeNaN();
    }
    expect(num(' 42 ')).toBe(42);
    expect(num('1e3')).toBe(1000);
    expect(num('-2.5E-3')).toBe(-0.0025);
  });
});

describe('parseDate', () => {
  it('agrees with Date.parse on random UTC instants', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0001-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        const iso = new Date(ms).toISOString(); // 0001-...-..T..:..:..sssZ
        expect(date(iso)).toBeCloseTo(ms / 1000, 6);
        const spaced = iso.slice(0, 19).replace('T', ' ');
        expect(date(spaced)).toBe(Math.floor(ms / 1000));
        expect(date(iso.slice(0, 10))).toBe(Math.floor(ms / 86_400_000) * 86_400);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles leap years and offsets, and rejects impossible dates', () => {
    expect(date('2000-02-29')).toBe(Date.UTC(2000, 1, 29) / 1000);
    expect(date('1900-02-29')).toBeNaN();
    expect(date('2011-04-31')).toBeNaN();
    expect(date('2011-12-09T12:00-05:30')).toBe(Date.UTC(2011, 11, 9, 17, 30) / 1000);
    for (const bad of ['2011-12-09x', '2011-12-09 1:00', '2011-12-09 12:60', '2011-12-09T', '2011/12/09', '2011-12-09 12:00:00.']) {
      expect(date(bad)).toBeNaN();
    }
  });

  it('takes a whole-hour offset written ±HH, as PostgreSQL writes timestamptz', () => {
    expect(date('2010-12-01 08:26:00+00')).toBe(Date.UTC(2010, 11, 1, 8, 26) / 1000);
    expect(date('2010-12-01 08:26:00.5-03')).toBe(Date.UTC(2010, 11, 1, 11, 26, 0, 500) / 1000);
    for (const bad of ['2010-12-01 08:26:00+0', '2010-12-01 08:26:00+24', '2010-12-01 08:26:00+0a', '2010-12-01 08:26:00+00:']) {
      expect(date(bad)).toBeNaN();
    }
  });

  it('parseTime takes numbers as written and dates as epoch seconds', () => {
    expect(parseTime(...bytes('1427784002'))).toBe(1427784002);
    expect(parseTime(...bytes(' 1970-01-02 '))).toBe(86400);
    expect(parseTime(...bytes('soon'))).toBeNaN();
  });
});

describe('IdInterner', () => {
  it('gives canonical integers and their text the same index, and other spellings their own', () => {
    const map = new IdMap([5, 'x']);
    const interner = new IdInterner(map);
    const idx = (text: string, quoted = 0): number => interner.intern(Buffer.from(text), 0, Buffer.byteLength(text), quoted);
    expect(idx('5')).toBe(0);
    expect(idx('x')).toBe(1);
    expect(idx('05')).toBe(2);
    expect(idx('5.0')).toBe(3);
    expect(idx('5')).toBe(0);
    expect(idx('123456789012')).toBe(4);
    expect(idx('9999999')).toBe(5);
    expect(idx('9999999')).toBe(5);
    expect(idx('a""b', 2)).toBe(6);
    expect(map.toArray()).toEqual([5, 'x', '05', '5.0', '123456789012', '9999999', 'a"b']);
  });
});
