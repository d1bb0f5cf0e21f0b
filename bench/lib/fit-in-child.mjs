#!/usr/bin/env node
// One mfrec fit in a process of its own, so its peak resident set is the
// fit's (plus the data's) alone: the speed tables of bench/suite/item-item.mjs
// start it once per round, alternating with the reference's driver, which
// reads the same files.
//
//   node bench/lib/fit-in-child.mjs PREFIX ROWS COLS TYPE '{options}'
//
// PREFIX.indptr/.indices/.values: the raw by-user CSR arrays of
// bench/lib/reference-driver.mjs. TYPE is a registry model type; options go
// to its constructor. Prints one JSON line: fit seconds, the resident set
// peak with the data loaded (before the fit) and the peak after it, in MB.
import { readFileSync } from 'node:fs';
import { IdMap, Interactions } from '../../dist/index.js';
import { MODELS } from '../../dist/models/registry.js';
import { peakRssMB, seconds } from './common.mjs';

const [prefix, rowsText, colsText, type, optionsText] = process.argv.slice(2);
const rows = Number(rowsText);
const cols = Number(colsText);
const raw = (ext, Type) => {
  const bytes = readFileSync(`${prefix}.${ext}`);
  return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const byUser = { rows, cols, indptr: raw('indptr', Int32Array), indices: raw('indices', Int32Array), values: raw('values', Float32Array) };
const ids = (n) => new IdMap(Array.from({ length: n }, (_, i) => i));
const data = Interactions.fromSparse(ids(rows), ids(cols), byUser);
const traits = MODELS[type];
if (!traits) throw new Error(`unknown model type ${type} (known: ${Object.keys(MODELS).join(', ')})`);
const model = traits.create(JSON.parse(optionsText ?? '{}'));
const rssBeforeFitMB = peakRssMB();
const fitSeconds = await seconds(() => model.fit(data));
process.stdout.write(`${JSON.stringify({ model: type, fitSeconds, rssBeforeFitMB, peakRssMB: peakRssMB() })}\n`);
