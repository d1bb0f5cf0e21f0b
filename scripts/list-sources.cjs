#!/usr/bin/env node
// Prints the C++ sources listed in native/sources.txt, one per line, for binding.gyp.
// `node scripts/list-sources.cjs kernels` prints only the kernel sources.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const only = process.argv[2];
const lines = fs
  .readFileSync(path.join(root, 'native', 'sources.txt'), 'utf8')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .filter((l) => !only || l.startsWith(`native/${only}/`));
process.stdout.write(lines.join('\n') + '\n');
