#!/usr/bin/env node
/**
 * How big one machine goes: training time and peak memory of ImplicitALS (CG),
 * BPR and ExplicitMF (SGD) as the data grows, and `mfrec recommend --all` over
 * a million users.
 *
 * Data: the S2 shape (bench/generators/generate-counts.mjs) at ×0.25 … ×4 its
 * 17.5M non-zeros, grown the generator's way (users and pairs × f, items × √f,
 * so every user keeps ~49 items); ×2 and ×4 are generated with explicit sizes.
 * Every point runs in fresh child processes, so each peak is that step's alone:
 *   prepare   generates the CSV (cached in bench/.data/), reads it with
 *             readInteractions (the read phase: time and peak RSS), writes the
 *             by-user arrays and ids to bench/.data/scale-*.{bin,json};
 *   train     loads those arrays straight into typed arrays, builds the by-item
 *             copy (the layout phase), fits (the fit phase: setup, seconds per
 *             iteration, the median of the iterations after the first), and
 *             reports its peak RSS over its whole life (process.resourceUsage);
 *   baseline  imports the library only: the floor subtracted for bytes per interaction;
 *   recommend builds a model file of synthetic factors (bench/lib/synthetic-factors.mjs)
 *             with --users users, --items items and ~49 seen items per user,
 *             then times `mfrec recommend --all --k 10 --out FILE` in a child
 *             whose VmHWM is polled from /proc (its peak RSS);
 *   mfrec train at the scales of --cli-at (default ×1): the whole command in one
 *             process (read, one iteration, save), time and polled peak RSS.
 * Before each child the parent predicts its peak (read: 3 × the CSV bytes;
 * train: the memory.mjs bound, 2 × (by user + by item + factors)) and skips the
 * point, saying why, if that exceeds --limit-gb or the memory available now.
 * ExplicitMF trains on log(1 + plays) (raw play counts up to 10^5 are no
 * ratings); its cost per epoch does not depend on the values.
 *
 * Writes bench/.results/scale.json and the plot bench/figures/scale.svg
 * (--out NAME: bench/.results/NAME.json and NAME.svg).
 *
 *   npm run build && node bench/standalone/scale.mjs [--scales 0.25,0.5,1,2,4] [--models als,bpr,sgd]
 *     [--factors 64] [--threads 2] [--iterations 3] [--users 1000000] [--items 100000] [--no-recommend] [--limit-gb 24]
 *     [--cli-at 1] [--cli-models als,bpr] [--out NAME] [--replot]
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, fmt, isMain, log, median, numberList, parseFlags, repoRoot } from '../lib/common.mjs';
import { boundBytes } from '../suite/memory.mjs';
import { plotScale } from './scale-plot.mjs';

const self = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;
const GB = 1024 * MB;
const S2 = { users: 360_000, items: 160_000, pairs: 17_500_000 };
/** Read-phase peak above the floor per CSV byte: 2.1–2.8 measured on S2 ×0.25–×1, with a margin; it only decides whether to launch. */
const READ_PEAK_PER_CSV_BYTE = 3;

export const MODELS = {
  als: { label: 'ImplicitALS (CG)', unit: 'iteration', memoryModel: 'als' },
  bpr: { label: 'BPR', unit: 'epoch', memoryModel: 'bpr' },
  sgd: { label: 'ExplicitMF (SGD)', unit: 'epoch', memoryModel: 'explicit' },
};

/** The S2 shape at `f` times its non-zeros. */
export function s2Shape(f) {
  return { users: Math.round(S2.users * f), items: Math.round(S2.items * Math.sqrt(f)), pairs: Math.round(S2.pairs * f) };
}

function cacheBase(shape) {
  return path.join(benchDir, '.data', `scale-u${shape.users}-i${shape.items}-n${shape.pairs}`);
}

// ------------------------------------------------------------------ children

function kb(text, name) {
  return Number(new RegExp(`^${name}:\\s*(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
}

/** Resets this process's VmHWM to its current RSS (Linux; false where the kernel refuses). */
function resetPeak() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function hwmMB() {
  return kb(readFileSync('/proc/self/status', 'utf8'), 'VmHWM');
}

/** Child: generate (cached), read with the library's reader, write the by-user arrays. */
async function prepare(f) {
  const { ensureCountsFile } = await import('../generators/generate-counts.mjs');
  const { readInteractions } = await import('../../dist/index.js');
  const shape = s2Shape(f);
  let t = performance.now();
  const file = await ensureCountsFile(shape);
  const generateSeconds = (performance.now() - t) / 1000;
  globalThis.gc?.();
  const peakReset = resetPeak();
  t = performance.now();
  const { interactions: data } = await readInteractions(file, { userCol: 0, itemCol: 1, valueCol: 2 });
  const readSeconds = (performance.now() - t) / 1000;
  const readPeakMB = peakReset ? hwmMB() : process.resourceUsage().maxRSS / 1024;
  const base = cacheBase(shape);
  const m = data.byUser;
  const fd = openSync(`${base}.bin.${process.pid}`, 'w');
  for (const a of [m.indptr, m.indices, m.values]) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  closeSync(fd);
  renameSync(`${base}.bin.${process.pid}`, `${base}.bin`);
  const meta = { rows: m.rows, cols: m.cols, nnz: m.indices.length, users: data.users.toArray(), items: data.items.toArray() };
  writeFileSync(`${base}.json.${process.pid}`, JSON.stringify(meta));
  renameSync(`${base}.json.${process.pid}`, `${base}.json`);
  return {
    f,
    file: path.basename(file),
    csvBytes: statSync(file).size,
    generateSeconds,
    readSeconds,
    readPeakMB,
    peakReset,
    rows: m.rows,
    cols: m.cols,
    nnz: m.indices.length,
  };
}

/** Reads `length` elements of `Ctor` at byte `offset` of `fd` into a new typed array (no intermediate buffer). */
function readArray(fd, Ctor, length, offset) {
  const a = new Ctor(length);
  const bytes = new Uint8Array(a.buffer);
  for (let done = 0; done < bytes.length; ) {
    const n = readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), offset + done);
    if (n <= 0) throw new Error('scale cache: short read');
    done += n;
  }
  return a;
}

/** Child: load the cached arrays, lay out by item, fit one model; times and peak RSS. */
async function train(f, model, factors, threads, iterations) {
  const lib = await import('../../dist/index.js');
  const base = cacheBase(s2Shape(f));
  const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
  const users = new lib.IdMap(meta.users);
  const items = new lib.IdMap(meta.items);
  meta.users = meta.items = undefined;
  let t = performance.now();
  const fd = openSync(`${base}.bin`, 'r');
  const indptr = readArray(fd, Int32Array, meta.rows + 1, 0);
  const indices = readArray(fd, Int32Array, meta.nnz, indptr.byteLength);
  const values = readArray(fd, Float32Array, meta.nnz, indptr.byteLength + indices.byteLength);
  closeSync(fd);
  if (model === 'sgd') for (let k = 0; k < values.length; k++) values[k] = Math.log1p(values[k]);
  const data = lib.Interactions.fromSparse(users, items, { rows: meta.rows, cols: meta.cols, indptr, indices, values });
  const loadSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  void data.byItem;
  const layoutSeconds = (performance.now() - t) / 1000;
  const options = { factors, iterations, threads };
  const m = model === 'als' ? new lib.ImplicitALS({ ...options, solver: 'cg' }) : model === 'bpr' ? new lib.BPR(options) : new lib.ExplicitMF(options);
  const perIteration = [];
  // CPU seconds of the whole process (all threads) between iteration reports:
  // on a shared machine the work done, where wall time also counts the waiting.
  const cpuPerIteration = [];
  let cpu = process.cpuUsage();
  const onIteration = (r) => {
    const now = process.cpuUsage();
    cpuPerIteration.push((now.user + now.system - cpu.user - cpu.system) / 1e6);
    cpu = now;
    perIteration.push(r.seconds);
  };
  t = performance.now();
  await m.fit(data, { onIteration });
  const fitSeconds = (performance.now() - t) / 1000;
  const steady = (xs) => (xs.length >= 3 ? xs.slice(1) : xs);
  return {
    f,
    model,
    loadSeconds,
    layoutSeconds,
    fitSeconds,
    setupSeconds: fitSeconds - perIteration.reduce((a, b) => a + b, 0),
    perIteration,
    secondsPerIteration: median(steady(perIteration)),
    cpuPerIteration,
    cpuSecondsPerIteration: median(steady(cpuPerIteration)),
    peakMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Child: import the library only. */
async function baseline() {
  await import('../../dist/index.js');
  return { peakMB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Child: an ImplicitALS model file of synthetic factors: `users` × `items`,
 * `factors` factors, each user with ~49 distinct seen items drawn from S2's
 * item popularity (so `recommend --all` filters seen items as it would).
 */
async function makeModel(file, users, items, factors) {
  const { IdMap, ImplicitALS } = await import('../../dist/index.js');
  const { Recommender } = await import('../../dist/models/base/recommender.js');
  const { syntheticFactors, ITEM_NORMS, USER_NORMS } = await import('../lib/synthetic-factors.mjs');
  const { DistinctItems, PowerLaw, Rng, userCounts } = await import('../generators/synthetic-files.mjs');
  const rng = new Rng(5);
  const counts = userCounts(rng, users, items, users * 49, 0.4);
  const picker = new DistinctItems(rng, new PowerLaw(items, 1.2, 50));
  const indptr = new Int32Array(users + 1);
  for (let u = 0; u < users; u++) indptr[u + 1] = indptr[u] + counts[u];
  const indices = new Int32Array(indptr[users]);
  const itemPopularity = new Float32Array(items);
  for (let u = 0; u < users; u++) {
    const row = indices.subarray(indptr[u], indptr[u + 1]);
    for (let k = 0; k < row.length; k++) itemPopularity[(row[k] = picker.draw(u))]++;
    row.sort();
  }
  const state = {
    factors,
    users: new IdMap(Array.from({ length: users }, (_, u) => u + 1)),
    items: new IdMap(Array.from({ length: items }, (_, i) => i + 1)),
    userFactors: syntheticFactors(users, factors, USER_NORMS, 7, 2),
    itemFactors: syntheticFactors(items, factors, ITEM_NORMS, 7, 1),
    seen: { rows: users, cols: items, indptr, indices, values: new Float32Array(indices.length).fill(1) },
    itemPopularity,
  };
  await Recommender.restore(new ImplicitALS({ factors }), state).save(file);
  return { users, items, factors, seen: indices.length, modelBytes: statSync(file).size };
}

/** Runs `node args` with stdout discarded; resolves with wall seconds and the peak RSS polled from /proc. */
function timedWithPeak(args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    let peak = 0;
    // VmHWM only grows, so a poll every 100 ms misses at most the last 100 ms.
    // An exited child not yet reaped has no VmHWM line (NaN): such a poll is ignored.
    const poll = setInterval(() => {
      try {
        const hwm = kb(readFileSync(`/proc/${child.pid}/status`, 'utf8'), 'VmHWM');
        if (hwm > peak) peak = hwm;
      } catch {
        // the child has just exited
      }
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}`));
      else resolve({ seconds: (performance.now() - start) / 1000, peakMB: peak });
    });
  });
}

// -------------------------------------------------------------------- parent

function runChild(args) {
  const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * MB,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

function availableMB() {
  return kb(readFileSync('/proc/meminfo', 'utf8'), 'MemAvailable');
}

/** A reason to skip a child predicted to peak at `predictedMB`, or undefined when it fits. */
function skipReason(predictedMB, limitMB) {
  const free = availableMB();
  if (predictedMB > limitMB) return `predicted peak ${fmt(predictedMB)} MB exceeds the ${fmt(limitMB / 1024)} GB limit`;
  if (predictedMB > 0.9 * free) return `predicted peak ${fmt(predictedMB)} MB exceeds 90% of the ${fmt(free)} MB available now`;
  return undefined;
}

/**
 * Least-squares fit of peak − baseline = a·nnz + b·factors·(users + items) (both
 * coefficients in bytes) over the measured points.
 */
export function fitBytes(points, factors) {
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let sxz = 0;
  let syz = 0;
  for (const p of points) {
    const x = p.nnz;
    const y = factors * (p.users + p.items);
    const z = p.bytes;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    sxz += x * z;
    syz += y * z;
  }
  const det = sxx * syy - sxy * sxy;
  const both = { perInteraction: (sxz * syy - syz * sxy) / det, perFactorRow: (syz * sxx - sxz * sxy) / det };
  if (both.perInteraction >= 0 && both.perFactorRow >= 0) return both;
  // nnz and users + items grow almost together on this shape, so the two-term
  // fit can swing negative: then the one term that stays positive alone.
  return both.perInteraction < 0 ? { perInteraction: 0, perFactorRow: syz / syy } : { perInteraction: sxz / sxx, perFactorRow: 0 };
}

/** The largest S2-shaped nnz whose predicted training peak (baseline + fit) stays within `budgetBytes`. */
export function largestFitting(fit, baselineBytes, factors, budgetBytes) {
  const cost = (f) => {
    const s = s2Shape(f);
    return baselineBytes + fit.perInteraction * s.pairs + fit.perFactorRow * factors * (s.users + s.items);
  };
  let lo = 0;
  let hi = 1;
  while (cost(hi) < budgetBytes && hi < 2 ** 40) hi *= 2;
  for (let r = 0; r < 60; r++) {
    const mid = (lo + hi) / 2;
    if (cost(mid) < budgetBytes) lo = mid;
    else hi = mid;
  }
  return s2Shape(lo);
}

/**
 * End to end: `mfrec train CSV --model M --iterations 1` in one process (read,
 * layout, one iteration, save), its wall time and polled peak RSS, to show
 * what the reader leaves behind on top of the fit. ExplicitMF is left out by
 * default: the CLI would train it on the raw play counts.
 */
async function cliTrain(read, models, factors, threads, limitMB) {
  const csv = path.join(benchDir, '.data', read.file);
  const out = path.join(tmpdir(), `mfrec-scale-train-${process.pid}.mfrec`);
  const cli = path.join(repoRoot, 'bin', 'mfrec.js');
  const runs = {};
  for (const model of models) {
    const fitMB = boundBytes(MODELS[model].memoryModel, { users: read.rows, items: read.cols, nnz: read.nnz }, factors).bound / MB;
    const reason = skipReason((READ_PEAK_PER_CSV_BYTE * read.csvBytes) / MB + fitMB, limitMB);
    if (reason) {
      runs[model] = { skipped: reason };
      continue;
    }
    const type = { als: 'als', bpr: 'bpr', sgd: 'explicit' }[model];
    const args = [cli, 'train', csv, '--model', type, '--factors', String(factors), '--iterations', '1', '--threads', String(threads)];
    try {
      runs[model] = await timedWithPeak([...args, '--user-col', '0', '--item-col', '1', '--value-col', '2', '--quiet', '--out', out]);
    } finally {
      rmSync(out, { force: true });
    }
    log(`×${read.f} mfrec train --model ${type} --iterations 1: ${fmt(runs[model].seconds)} s, peak ${fmt(runs[model].peakMB)} MB`);
  }
  return runs;
}

/**
 * Per model: (peak − baseline)/nnz at every point, the least-squares fit of
 * peak − baseline, and the largest S2-shaped data that fits in 24 and 256 GB
 * (the library also caps one data set at 2^31 − 1 interactions).
 */
export function capacityOf(result) {
  const capacity = {};
  const floor = result.baselineMB;
  for (const model of result.models) {
    const pts = result.points
      .filter((p) => p.fits[model])
      .map((p) => ({ nnz: p.nnz, users: p.users, items: p.items, bytes: (p.fits[model].peakMB - floor) * MB }));
    if (pts.length < 2) continue;
    const fit = fitBytes(pts, result.factors);
    const entry = { fit, bytesPerInteraction: pts.map((p) => p.bytes / p.nnz) };
    for (const gb of [24, 256]) entry[`${gb}GB`] = largestFitting(fit, floor * MB, result.factors, gb * GB);
    capacity[model] = entry;
    log(
      `${model}: (peak − baseline)/nnz ${entry.bytesPerInteraction.map(fmt).join(', ')} bytes;` +
        ` fit ${fmt(fit.perInteraction)} B × nnz + ${fmt(fit.perFactorRow)} B × factors × (users + items);` +
        ` fits 24 GB up to ${fmt(entry['24GB'].pairs)} nnz, 256 GB up to ${fmt(entry['256GB'].pairs)} nnz`,
    );
  }
  return capacity;
}

async function measure(flags) {
  const scales = numberList(flags.scales, [0.25, 0.5, 1, 2, 4]);
  const models = flags.models ? String(flags.models).split(',') : Object.keys(MODELS);
  for (const m of models) if (!MODELS[m]) throw new Error(`unknown model ${m} (known: ${Object.keys(MODELS).join(', ')})`);
  const factors = Number(flags.factors ?? 64);
  const threads = Number(flags.threads ?? 2);
  const iterations = Number(flags.iterations ?? 3);
  const limitMB = Number(flags['limit-gb'] ?? 24) * 1024;
  const cliAt = numberList(flags['cli-at'], [1]);
  const cliModels = flags['cli-models'] ? String(flags['cli-models']).split(',') : ['als', 'bpr'];
  const started = new Date();
  const result = { started: started.toISOString(), factors, threads, iterations, scales, models, points: [], skipped: [], recommend: undefined };

  const floor = runChild(['baseline']).peakMB;
  result.baselineMB = floor;
  log(`baseline (Node + library): ${floor.toFixed(0)} MB`);

  for (const f of scales) {
    const shape = s2Shape(f);
    const base = cacheBase(shape);
    const csvGuess = shape.pairs * 16.3;
    const readReason = skipReason(floor + (READ_PEAK_PER_CSV_BYTE * csvGuess) / MB, limitMB);
    if (readReason) {
      result.skipped.push({ f, step: 'read', reason: readReason });
      log(`×${f}: read skipped: ${readReason}`);
      continue;
    }
    const read = runChild(['prepare', '--f', String(f)]);
    log(
      `×${f}: ${read.rows} × ${read.cols} × ${read.nnz}, CSV ${fmt(read.csvBytes / MB)} MB (generated in ${fmt(read.generateSeconds)} s);` +
        ` read ${fmt(read.readSeconds)} s, peak ${fmt(read.readPeakMB)} MB`,
    );
    const point = { f, users: read.rows, items: read.cols, nnz: read.nnz, read, fits: {} };
    result.points.push(point);
    for (const model of models) {
      const predicted = floor + boundBytes(MODELS[model].memoryModel, point, factors).bound / MB;
      const reason = skipReason(predicted, limitMB);
      if (reason) {
        result.skipped.push({ f, step: model, reason });
        log(`×${f} ${model}: skipped: ${reason}`);
        continue;
      }
      const r = runChild([
        'train',
        '--f',
        String(f),
        '--model',
        model,
        '--factors',
        String(factors),
        '--threads',
        String(threads),
        '--iterations',
        String(iterations),
      ]);
      r.predictedMB = predicted;
      point.fits[model] = r;
      log(
        `×${f} ${model}: load ${fmt(r.loadSeconds)} s, layout ${fmt(r.layoutSeconds)} s, setup ${fmt(r.setupSeconds)} s,` +
          ` ${fmt(r.secondsPerIteration)} s/${MODELS[model].unit} (${r.perIteration.map(fmt).join(', ')}; CPU ${fmt(r.cpuSecondsPerIteration)} s), peak ${fmt(r.peakMB)} MB (predicted ≤ ${fmt(predicted)})`,
      );
    }
    rmSync(`${base}.bin`, { force: true });
    if (cliAt.includes(f)) point.cli = await cliTrain(read, cliModels, factors, threads, limitMB);
  }

  result.capacity = capacityOf(result);

  if (!flags['no-recommend']) {
    const users = Number(flags.users ?? 1_000_000);
    const items = Number(flags.items ?? 100_000);
    const file = path.join(tmpdir(), `mfrec-scale-${process.pid}.mfrec`);
    const out = path.join(tmpdir(), `mfrec-scale-${process.pid}.csv`);
    try {
      const made = runChild(['make-model', '--file', file, '--users', String(users), '--items', String(items), '--factors', String(factors)]);
      const cli = path.join(repoRoot, 'bin', 'mfrec.js');
      const run = await timedWithPeak([cli, 'recommend', '--model-file', file, '--all', '--k', '10', '--threads', String(threads), '--out', out, '--quiet']);
      result.recommend = { ...made, ...run, usersPerSecond: users / run.seconds, outBytes: statSync(out).size };
      log(
        `recommend --all: ${users} users × ${items} items, k 10, seen filtered (${made.seen} seen), model file ${fmt(made.modelBytes / MB)} MB:` +
          ` ${fmt(run.seconds)} s (${fmt(users / run.seconds)} users/s, load included), peak ${fmt(run.peakMB)} MB, output ${fmt(result.recommend.outBytes / MB)} MB`,
      );
    } finally {
      rmSync(file, { force: true });
      rmSync(out, { force: true });
    }
  }

  result.finished = new Date().toISOString();
  // The committed plot is the default run's; a named run (--out NAME) keeps its plot beside its JSON.
  const out = flags.out ?? 'scale';
  mkdirSync(path.join(benchDir, '.results'), { recursive: true });
  writeFileSync(path.join(benchDir, '.results', `${out}.json`), `${JSON.stringify(result, null, 1)}\n`);
  const plotDir = flags.out === undefined ? path.join(benchDir, 'figures') : path.join(benchDir, '.results');
  mkdirSync(plotDir, { recursive: true });
  writeFileSync(path.join(plotDir, `${out}.svg`), plotScale(result));
  return result;
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const c = parseFlags(argv, ['child', 'f', 'model', 'factors', 'threads', 'iterations', 'file', 'users', 'items']);
    let out;
    if (c.child === 'prepare') out = await prepare(Number(c.f));
    else if (c.child === 'train') out = await train(Number(c.f), c.model, Number(c.factors), Number(c.threads), Number(c.iterations));
    else if (c.child === 'make-model') out = await makeModel(c.file, Number(c.users), Number(c.items), Number(c.factors));
    else out = await baseline();
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    const known = [
      'scales',
      'models',
      'factors',
      'threads',
      'iterations',
      'users',
      'items',
      'no-recommend',
      'limit-gb',
      'cli-at',
      'cli-models',
      'replot',
      'out',
    ];
    const flags = parseFlags(argv, known);
    if (flags.replot) {
      // Refits and redraws from the last run's JSON.
      const result = JSON.parse(readFileSync(path.join(benchDir, '.results', 'scale.json'), 'utf8'));
      result.capacity = capacityOf(result);
      writeFileSync(path.join(benchDir, '.results', 'scale.json'), `${JSON.stringify(result, null, 1)}\n`);
      writeFileSync(path.join(benchDir, 'figures', 'scale.svg'), plotScale(result));
    } else {
      await measure(flags);
    }
  }
}
