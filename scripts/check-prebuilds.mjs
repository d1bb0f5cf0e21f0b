#!/usr/bin/env node
// Refuses a release unless every platform we claim has its prebuilt binary.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXPECTED = [
  'linux-x64/mfrec.node',
  'linux-arm64/mfrec.node',
  'linux-x64/mfrec.musl.node',
  'darwin-arm64/mfrec.node',
  'darwin-x64/mfrec.node',
  'win32-x64/mfrec.node',
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const missing = EXPECTED.filter((p) => {
  const f = path.join(root, 'prebuilds', p);
  return !existsSync(f) || statSync(f).size === 0;
});
if (missing.length > 0) {
  console.error(`check-prebuilds: missing ${missing.join(', ')}; refusing to publish`);
  process.exit(1);
}
console.log(`check-prebuilds: all ${EXPECTED.length} prebuilds present`);
