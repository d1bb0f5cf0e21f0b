#!/usr/bin/env node
// Prints 1 when OpenBLAS can be found through pkg-config, else 0 (for binding.gyp).
// MFREC_OPENBLAS=0 forces the built-in kernels, MFREC_OPENBLAS=1 insists on OpenBLAS.
'use strict';
const { spawnSync } = require('child_process');
const forced = process.env.MFREC_OPENBLAS;
if (forced === '0') {
  process.stdout.write('0');
  process.exit(0);
}
const r = spawnSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' });
const found = r.status === 0;
if (!found) {
  if (forced === '1') {
    process.stderr.write('mfrec: MFREC_OPENBLAS=1 but pkg-config cannot find openblas\n');
    process.exit(1);
  }
  process.stderr.write(
    'mfrec: OpenBLAS not found through pkg-config; building with the built-in kernels ' +
      "(install libopenblas-dev, or your platform's OpenBLAS, for faster training)\n",
  );
}
process.stdout.write(found ? '1' : '0');
