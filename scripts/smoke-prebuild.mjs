#!/usr/bin/env node
// Proves the prebuilt binary for this platform and architecture, the way an
// installed package uses it. package.json, dist/ and prebuilds/<platform>-<arch>/
// are staged in a temporary folder without build/, so nothing but the prebuild
// can load. Through the compiled library it then checks: info(); an
// ImplicitALS and an ExplicitMF trained on planted two-group data recommend
// within each user's group; the native top-K agrees with its TypeScript twin.
// Architecture-independent: scripts/smoke-arm64.sh runs it under qemu-user.
//
//   npm run build:ts && node scripts/smoke-prebuild.mjs [--expect-openblas]
//
// --expect-openblas: fail unless the binary runs on OpenBLAS (Linux prebuilds
// link it statically). Prints "smoke: N passed, M failed"; exit code 1 on any failure.
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const expectOpenblas = process.argv.includes('--expect-openblas');
const target = `${process.platform}-${process.arch}`;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? `: ${detail}` : ''}`);
}

function fail(message) {
  console.error(`smoke-prebuild: ${message}`);
  process.exit(1);
}

if (!existsSync(path.join(root, 'dist', 'index.js'))) fail('dist/ is missing: run npm run build:ts first');
if (!existsSync(path.join(root, 'prebuilds', target))) fail(`prebuilds/${target}/ is missing`);

/** package.json + dist/ + this target's prebuilds, with the repository's node_modules linked in. */
function stage() {
  // The real path: the loader reports /private/var/... on macOS and long names on Windows.
  const dir = realpathSync.native(mkdtempSync(path.join(os.tmpdir(), 'mfrec-smoke-')));
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(root, 'prebuilds', target), path.join(dir, 'prebuilds', target), { recursive: true });
  // 'junction' lets Windows link a folder without privileges; elsewhere the type is ignored.
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  return dir;
}

/** Two groups of users who interact only with their own group's items: 'a' users with a0..a9, 'b' with b0..b9. */
function twoGroups(Rng, seed, valueFor) {
  const rng = new Rng(seed);
  const users = [];
  const items = [];
  const values = [];
  for (let u = 0; u < 40; u++) {
    const group = u < 20 ? 'a' : 'b';
    for (const itemGroup of ['a', 'b']) {
      for (let i = 0; i < 10; i++) {
        const value = valueFor(group === itemGroup, rng);
        if (value === undefined) continue;
        users.push(`${group}-user${u}`);
        items.push(`${itemGroup}${i}`);
        values.push(value);
      }
    }
  }
  return { users, items, values };
}

/** Every user's top recommendations (as many as unseen own-group items remain, at most 3) stay in the group. */
function recommendsInGroup(model, data) {
  const seen = new Map();
  data.users.forEach((u, j) => {
    if (!seen.has(u)) seen.set(u, new Set());
    seen.get(u).add(data.items[j]);
  });
  const wrong = [];
  let users = 0;
  for (const [user, items] of seen) {
    const group = user[0];
    const unseenOwn = 10 - [...items].filter((i) => i[0] === group).length;
    if (unseenOwn === 0) continue;
    users++;
    for (const r of model.recommend(user, { k: Math.min(3, unseenOwn) })) {
      if (String(r.item)[0] !== group) wrong.push(`${user} -> ${r.item}`);
    }
  }
  return { users, wrong };
}

/** A random top-K problem; integer entries make every score exact, so native and twin must agree bit for bit. */
function topkProblem(Rng, seed, users, items, factors, k, integers) {
  const rng = new Rng(seed);
  const draw = () => (integers ? rng.below(5) - 2 : rng.uniform() * 2 - 1);
  const query = Float32Array.from({ length: users * factors }, draw);
  const targetVectors = Float32Array.from({ length: items * factors }, draw);
  const indptr = new Int32Array(users + 1);
  const indices = [];
  for (let r = 0; r < users; r++) {
    for (let i = 0; i < items; i++) if (rng.uniform() < 0.2) indices.push(i);
    indptr[r + 1] = indices.length;
  }
  return {
    query,
    rows: Int32Array.from({ length: users }, (_, r) => r),
    offset: 0,
    target: targetVectors,
    factors,
    filterIndptr: indptr,
    filterIndices: Int32Array.from(indices),
    excludeSelf: false,
    k,
    threads: 2,
    items: new Int32Array(users * k),
    scores: new Float32Array(users * k),
  };
}

function fresh(args) {
  return { ...args, items: new Int32Array(args.items.length), scores: new Float32Array(args.scores.length) };
}

/** Positions where native and twin disagree: padding must match, scores agree within float rounding. */
function topkDisagreements(nat, twin, exact) {
  const bad = [];
  for (let j = 0; j < nat.items.length; j++) {
    const sameItem = nat.items[j] === twin.items[j];
    const padding = nat.items[j] === -1 || twin.items[j] === -1;
    const close = exact ? nat.scores[j] === twin.scores[j] : Math.abs(nat.scores[j] - twin.scores[j]) < 1e-4;
    if ((padding && !sameItem) || (exact && !sameItem) || !close) {
      bad.push(`[${j}] native ${nat.items[j]}:${nat.scores[j]} twin ${twin.items[j]}:${twin.scores[j]}`);
    }
  }
  return bad;
}

const dir = stage();
try {
  const load = (p) => import(pathToFileURL(path.join(dir, 'dist', p)).href);
  const mfrec = await load('index.js');
  const { Rng } = await load('random.js');
  const { topkBinding } = await load('addon/topk.js');
  const { topkTwin } = await load('twins/topk.js');

  // Which binary loads: node-gyp-build's choice, and the file the process actually mapped.
  const require = createRequire(path.join(dir, 'package.json'));
  const resolved = require('node-gyp-build').resolve(dir);
  const info = mfrec.libraryInfo();
  console.log(`smoke-prebuild: ${JSON.stringify(info)}`);
  const prebuildDir = path.join(dir, 'prebuilds', target) + path.sep;
  const inPrebuilds = (f) => (process.platform === 'win32' ? f.toLowerCase().startsWith(prebuildDir.toLowerCase()) : f.startsWith(prebuildDir));
  check(`resolves the ${target} prebuild`, inPrebuilds(resolved), path.relative(dir, resolved));
  const mapped = process.report?.getReport().sharedObjects?.filter((f) => f.endsWith('.node')) ?? [];
  check('the process mapped that prebuild', mapped.some(inPrebuilds), mapped.join(', '));
  check(`info() reports ${target}`, info.platform === target && info.napiVersion === 8, `${info.platform}, N-API ${info.napiVersion}`);
  if (expectOpenblas) check('runs on OpenBLAS', info.openblas === true && info.blas.startsWith('OpenBLAS'), info.blas);

  // Implicit feedback: each user saw about half of the own group's items. Two
  // factors hold the group structure and little else, so the ranking does not
  // hinge on rounding that differs between CPUs (passes for 40 of 40 seeds on x64).
  const implicit = twoGroups(Rng, 1, (own, rng) => (own && rng.uniform() < 0.5 ? 1 : undefined));
  const implicitData = mfrec.Interactions.fromArrays(implicit.users, implicit.items);
  for (const solver of ['cg', 'cholesky']) {
    const als = await new mfrec.ImplicitALS({ factors: 2, iterations: 10, solver, threads: 2, seed: 7 }).fit(implicitData);
    const { users, wrong } = recommendsInGroup(als, implicit);
    check(`ImplicitALS (${solver}) recommends within the group for ${users} users`, users > 30 && wrong.length === 0, wrong.join(', '));
  }

  // Ratings: about 5 for the own group's items, about 1 for the other group's, half of the pairs rated.
  const ratings = twoGroups(Rng, 2, (own, rng) => (rng.uniform() < 0.5 ? (own ? 5 : 1) + 0.2 * rng.normal() : undefined));
  const ratingData = mfrec.Interactions.fromArrays(ratings.users, ratings.items, { values: ratings.values });
  const reports = [];
  const mf = await new mfrec.ExplicitMF({ factors: 4, iterations: 60, learningRate: 0.05, threads: 2, seed: 7 }).fit(ratingData, {
    onIteration: (r) => reports.push(r),
  });
  const first = reports[0]?.trainRmse;
  const last = reports.at(-1)?.trainRmse;
  check('ExplicitMF training RMSE falls below 0.5', reports.length === 60 && last < 0.5 && last < first, `${first} -> ${last}`);
  const { users: mfUsers, wrong: mfWrong } = recommendsInGroup(mf, ratings);
  check(`ExplicitMF recommends within the group for ${mfUsers} users`, mfUsers > 30 && mfWrong.length === 0, mfWrong.join(', '));

  // The native top-K kernel against its TypeScript twin (seen filter on, two threads).
  for (const [name, exact] of [
    ['random floats', false],
    ['integers, exact ties', true],
  ]) {
    const args = topkProblem(Rng, exact ? 4 : 3, 30, 600, 8, 10, exact);
    const nat = fresh(args);
    topkBinding().topkSync(nat);
    const twin = fresh(args);
    topkTwin(twin);
    const bad = topkDisagreements(nat, twin, exact);
    check(`native top-K equals the TypeScript twin (${name})`, bad.length === 0, bad.slice(0, 5).join('; '));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
