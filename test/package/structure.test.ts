/**
 * The shape of lib/, held by reading the sources:
 * the addon is typed in one place, the twins stay off the production path,
 * and no TypeScript file grows past 400 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = path.resolve(import.meta.dirname, '..', '..', 'lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sources(lib).map((file) => ({ name: path.relative(lib, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));

/** Module specifiers a file imports (static imports and re-exports). */
function imports(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
}

describe('lib/ structure', () => {
  it('has no TypeScript file over 400 lines', () => {
    const long = files.filter((f) => f.text.split('\n').length > 401).map((f) => f.name);
    expect(long).toEqual([]);
  });

  it('types the addon in one place: only lib/addon/loader.ts casts it', () => {
    const casting = files.filter((f) => /native\(\) as unknown as/.test(f.text)).map((f) => f.name);
    expect(casting).toEqual(['addon/loader.ts']);
  });

  it('keeps the twins off the production path: only the backend tables import them', () => {
    const users = files.filter((f) => !f.name.startsWith('twins/') && imports(f.text).some((s) => s.includes('/twins/'))).map((f) => f.name);
    expect(users.sort()).toEqual([
      'models/als/backend.ts',
      'models/bpr/backend.ts',
      'models/ease/backend.ts',
      'models/explicit/backend.ts',
      'models/item-item/backend.ts',
    ]);
  });

  it('keeps the twins apart from the models: they import nothing from lib/models', () => {
    const twinImports = files.filter((f) => f.name.startsWith('twins/')).flatMap((f) => imports(f.text).filter((s) => s.includes('/models/')));
    expect(twinImports).toEqual([]);
  });

  it('reaches the addon only through lib/addon', () => {
    const outside = files.filter((f) => !f.name.startsWith('addon/') && /node-gyp-build|\.node['"]/.test(f.text)).map((f) => f.name);
    expect(outside).toEqual([]);
  });
});
