/**
 * MfrecError.code is typed ErrorCode, but the native addon builds its errors
 * from C++ string literals that the type checker never sees: every code those
 * sources raise must be one of ErrorCodes, or a `switch (e.code)` would miss it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../lib/index.js';

function nativeSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return nativeSources(p);
    return /\.(cc|h)$/.test(e.name) ? [p] : [];
  });
}

describe('error codes raised by the native addon', () => {
  it('are all members of ErrorCodes', () => {
    const known = new Set<string>(Object.values(ErrorCodes));
    const raised = new Set<string>();
    for (const file of nativeSources(path.resolve(__dirname, '..', '..', 'native', 'bindings'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/"(ERR_MFREC_[A-Z_]+)"/g)) raised.add(m[1]!);
    }
    expect(raised.size).toBeGreaterThan(0);
    expect([...raised].filter((c) => !known.has(c))).toEqual([]);
  });

  it('are spelled once, in native/bindings/errors.h, which maps every C++ exception to them', () => {
    const spelled = nativeSources(path.resolve(__dirname, '..', '..', 'native'))
      .filter((file) => /"ERR_MFREC_[A-Z_]+"/.test(readFileSync(file, 'utf8')))
      .map((file) =>
        path
          .relative(path.resolve(__dirname, '..', '..'), file)
          .split(path.sep)
          .join('/'),
      );
    expect(spelled).toEqual(['native/bindings/errors.h']);
  });
});
