/**
 * `npm test` and `npm run demo` install the dependencies first when
 * node_modules does not match package-lock.json (scripts/ensure-built.mjs).
 * The check itself, on hand-made lock files; scripts/newcomer.sh runs the
 * whole thing on a fresh clone.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleDependencies as stale } from '../../scripts/stale-dependencies.mjs';
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Packages = Record<string, { version?: string; optional?: boolean; link?: boolean }>;

function checkout(lock: Packages | undefined, installed: Packages | string | undefined): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mfrec-stale-'));
  dirs.push(root);
  if (lock) writeFileSync(path.join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: lock }));
  if (installed !== undefined) {
    mkdirSync(path.join(root, 'node_modules'));
    const text = typeof installed === 'string' ? installed : JSON.stringify({ lockfileVersion: 3, packages: installed });
    writeFileSync(path.join(root, 'node_modules', '.package-lock.json'), text);
  }
  return root;
}

const lock: Packages = {
  '': { version: '0.1.0' },
  'node_modules/commander': { version: '14.0.3' },
  'node_modules/@esbuild/win32-x64': { version: '0.25.0', optional: true },
};

describe('staleDependencies', () => {
  it('asks for an install on a fresh clone (no node_modules)', () => {
    expect(stale(checkout(lock, undefined))).toBe('nothing installed by npm yet');
  });

  it("is satisfied when every locked package is installed at its version (other platforms' optional ones may be absent)", () => {
    expect(stale(checkout(lock, { 'node_modules/commander': { version: '14.0.3' } }))).toBe('');
  });

  it('asks for an install when a package is missing or at another version than the lock file', () => {
    expect(stale(checkout(lock, {}))).toBe('node_modules/commander is missing');
    expect(stale(checkout(lock, { 'node_modules/commander': { version: '13.1.0' } }))).toBe('node_modules/commander is 13.1.0, package-lock.json says 14.0.3');
  });

  it("asks for an install when npm's record of node_modules is unreadable", () => {
    expect(stale(checkout(lock, '{ truncated'))).toBe('node_modules/.package-lock.json is unreadable');
  });

  it('matches this checkout (installed before the tests ran)', () => {
    expect(stale(path.resolve(__dirname, '..', '..'))).toBe('');
  });
});
