// Runs against an installed copy of the package (no source tree, no build/):
// loads the addon from prebuilds/, trains, recommends, saves and loads.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExplicitMF, ImplicitALS, Interactions, libraryInfo, loadModel } from 'mfrec';

const require = createRequire(import.meta.url);
const root = path.dirname(require.resolve('mfrec/package.json'));
const addon = require('node-gyp-build').resolve(root);
assert.match(addon, /[\\/]prebuilds[\\/]/, `expected a prebuilt binary, loaded ${addon}`);

const users = [];
const items = [];
const ratings = [];
for (let u = 0; u < 40; u++) {
  for (let i = 0; i < 30; i++) {
    if ((u * 7 + i * 3) % 5 < 3) {
      users.push(`u${u}`);
      items.push(`i${i}`);
      ratings.push(u % 2 === i % 2 ? 5 : 1);
    }
  }
}
const data = Interactions.fromArrays(users, items, { values: ratings });
const liked = Interactions.fromArrays(
  users.filter((_, k) => ratings[k] === 5),
  items.filter((_, k) => ratings[k] === 5),
);

const als = await new ImplicitALS({ factors: 4, iterations: 10 }).fit(liked);
for (const r of als.recommend('u0', { k: 3 })) assert.equal(Number(String(r.item).slice(1)) % 2, 0, 'in-group recommendation');
const mf = await new ExplicitMF({ factors: 4, iterations: 50 }).fit(data);
assert.ok(mf.predict('u0', 'i2') > mf.predict('u0', 'i1'));

const file = path.join(mkdtempSync(path.join(tmpdir(), 'mfrec-packed-')), 'als.mfrec');
await als.save(file);
assert.deepEqual((await loadModel(file)).recommend('u1', { k: 3 }), als.recommend('u1', { k: 3 }));
const info = libraryInfo();
console.log(`packed smoke: ok (${path.relative(root, addon)}, ${info.blas})`);
