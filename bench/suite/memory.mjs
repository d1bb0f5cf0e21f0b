#!/usr/bin/env node
/**
 * Training's peak memory against the issue's target: "training S1 or S2 peaks
 * below 2× the size of the data's by-user plus by-item arrays plus the factors".
 *
 * Three fits, each in a FRESH Node process so that nothing but training (and
 * the data it is given) counts; the parser's own transient peak (about 1.3 GB
 * for S1) stays out:
 *   s1.explicit  ExplicitMF on S1, 64 factors, 2 epochs, 2 threads
 *   s2.als       ImplicitALS on S2, 64 factors, 2 iterations, CG, 2 threads
 *   s2.bpr       BPR on S2, 64 factors, 2 epochs, 2 threads
 *
 * How: a `prepare` child reads each data set once (bench/lib/datasets.mjs) and
 * writes its by-user CSR arrays (indptr, indices, values; no timestamps, which
 * no fit reads) and its raw ids to bench/.data/memory-*.{bin,json}. A `train`
 * child reads them straight into typed arrays (one allocation each, no
 * intermediate buffer), wraps them with Interactions.fromSparse, records RSS,
 * fits, and reports process.resourceUsage().maxRSS (its peak over its whole
 * life), the peak during fit alone (VmHWM reset just before fit through
 * /proc/self/clear_refs, when the kernel allows it) and RSS plus V8's
 * ArrayBuffer bytes at each stage: after import, after the data, at each
 * iteration report, after fit. A `baseline` child only imports the library
 * (the runtime's floor). The parent stays small (it never holds the data), so
 * no child inherits a large high-water mark through fork.
 *
 * The bound: 2 × (by-user CSR + by-item CSR as the library stores them:
 * Int32 indptr, Int32 indices, Float32 values; plus the user and item factor
 * matrices at Float32 and the biases the model has: user and item biases for
 * ExplicitMF, item biases for BPR, none for ALS).
 *
 *   npm run build && node bench/suite/memory.mjs [--quick] [--only s1.explicit,s2.als,s2.bpr]
 *     [--factors 64] [--iterations 2] [--threads 2] [--trace] [--json]
 *
 * --trace lists every typed array of 1 MB or more that a fit allocates, with
 * the library function that allocates it (a diagnosis: the global typed-array
 * constructors are replaced by recording subclasses, which may slow the fit).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, isMain, log, parseFlags, runScript } from '../lib/common.mjs';
import { sizesFor } from '../lib/datasets.mjs';

const self = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

const JOBS = {
  's1.explicit': { set: 's1', model: 'explicit', label: 'ExplicitMF on S1' },
  's2.als': { set: 's2', model: 'als', label: 'ImplicitALS (CG) on S2' },
  's2.bpr': { set: 's2', model: 'bpr', label: 'BPR on S2' },
};

// ---------------------------------------------------------------- the cache

function cacheBase(set, quick) {
  const size = sizesFor(quick)[set];
  const n = size.ratings ?? size.interactions;
  return path.join(benchDir, '.data', `memory-${set}-u${size.users}-i${size.items}-n${n}`);
}

/** Child: read the data set through the library's reader, write its CSR arrays and ids. */
async function prepare(set, quick) {
  const { s1Interactions, s2Source } = await import('../lib/datasets.mjs');
  const size = sizesFor(quick)[set];
  let data;
  let source;
  if (set === 's1') {
    data = await s1Interactions(size);
    source = 'bench/generators/generate-ratings.mjs ratings';
  } else {
    ({ interactions: data, source } = await s2Source(size));
  }
  const base = cacheBase(set, quick);
  mkdirSync(path.dirname(base), { recursive: true });
  const m = data.byUser;
  const tmp = `${base}.bin.${process.pid}`;
  const fd = openSync(tmp, 'w');
  for (const a of [m.indptr, m.indices, m.values]) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  closeSync(fd);
  renameSync(tmp, `${base}.bin`);
  const meta = { set, source, rows: m.rows, cols: m.cols, nnz: m.indices.length, users: data.users.toArray(), items: data.items.toArray() };
  writeFileSync(`${base}.json.${process.pid}`, JSON.stringify(meta));
  renameSync(`${base}.json.${process.pid}`, `${base}.json`);
  return { rows: m.rows, cols: m.cols, nnz: m.indices.length, source, parsePeakMB: process.resourceUsage().maxRSS / 1024 };
}

// ------------------------------------------------------------ measurements

/** VmRSS, VmHWM, RssAnon, RssFile of this process, in MB (Linux; empty elsewhere). */
function procStatus() {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s*(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return {};
  }
}

/** Resets VmHWM (and so getrusage's max RSS of this mm) to the current RSS. */
function resetPeak() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function snapshot(stage) {
  const u = process.memoryUsage();
  const s = procStatus();
  return {
    stage,
    rssMB: u.rss / MB,
    hwmMB: s.hwm,
    anonMB: s.anon,
    fileMB: s.file,
    arrayBuffersMB: u.arrayBuffers / MB,
    heapUsedMB: u.heapUsed / MB,
    heapTotalMB: u.heapTotal / MB,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Child: import the library only (the RSS floor of any of the fits). */
async function baseline() {
  const start = snapshot('start');
  await import('../../dist/index.js');
  return { stages: [start, snapshot('imported')], maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** Reads `length` elements of type `Ctor` at `offset` of `fd` straight into a new typed array. */
function readArray(fd, Ctor, length, offset) {
  const a = new Ctor(length);
  const bytes = new Uint8Array(a.buffer);
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), offset + done);
    if (n <= 0) throw new Error('memory cache: short read');
    done += n;
  }
  return a;
}

/**
 * Diagnosis (--trace): replaces the global typed-array constructors with
 * subclasses that record every allocation of 1 MB or more (bytes, RSS and
 * V8 ArrayBuffer bytes just after it, and the first frames of its stack in
 * dist/), before the library is imported. Views (subarray) allocate nothing
 * and are skipped. Native allocations (std::vector in the kernels) do not
 * show here; they show in RSS only.
 */
function traceTypedArrays(trace) {
  for (const C of [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array]) {
    const Traced = class extends C {
      constructor(...args) {
        super(...args);
        const view = args[0] instanceof ArrayBuffer || args[0] instanceof SharedArrayBuffer;
        if (!view && this.byteLength >= MB) {
          const frames = (new Error().stack ?? '')
            .split('\n')
            .slice(2)
            .filter((l) => l.includes('/dist/') || l.includes('/bench/suite/memory.mjs'))
            .slice(0, 3)
            .map((l) =>
              l
                .trim()
                .replace(/^at /, '')
                .replace(/\(?file:\/\/[^)]*\/(dist|bench)\//, '$1/')
                .replace(/\)$/, ''),
            );
          const u = process.memoryUsage();
          trace.push({ type: C.name, mb: this.byteLength / MB, rssMB: u.rss / MB, arrayBuffersMB: u.arrayBuffers / MB, at: frames.join(' < ') });
        }
      }
    };
    Object.defineProperty(Traced, 'name', { value: C.name });
    globalThis[C.name] = Traced;
  }
}

/** Child: load the cached data, fit one model, report RSS at each stage. */
async function train(job, quick, factors, iterations, threads, traced) {
  const trace = traced ? [] : undefined;
  if (trace) traceTypedArrays(trace);
  const stages = [snapshot('start')];
  const lib = await import('../../dist/index.js');
  stages.push(snapshot('imported'));
  const { set, model } = JOBS[job];
  const base = cacheBase(set, quick);
  const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
  const users = new lib.IdMap(meta.users);
  const items = new lib.IdMap(meta.items);
  meta.users = meta.items = undefined;
  const fd = openSync(`${base}.bin`, 'r');
  const indptr = readArray(fd, Int32Array, meta.rows + 1, 0);
  const indices = readArray(fd, Int32Array, meta.nnz, indptr.byteLength);
  const values = readArray(fd, Float32Array, meta.nnz, indptr.byteLength + indices.byteLength);
  closeSync(fd);
  const data = lib.Interactions.fromSparse(users, items, { rows: meta.rows, cols: meta.cols, indptr, indices, values });
  globalThis.gc?.();
  stages.push(snapshot('data (by user) + id maps'));
  const beforeFitMaxMB = process.resourceUsage().maxRSS / 1024;
  const peakReset = resetPeak();

  // With --trace, a full GC after each iteration's snapshot shows how much of
  // what the fit holds is still reachable (the rest is garbage V8 has not collected).
  const onIteration = (r) => {
    stages.push(snapshot(`iteration ${r.iteration} reported`));
    if (trace && globalThis.gc) {
      globalThis.gc();
      stages.push(snapshot(`iteration ${r.iteration}, after gc()`));
    }
  };
  const options = { factors, iterations, threads };
  const t0 = performance.now();
  let m;
  if (model === 'explicit') m = await new lib.ExplicitMF(options).fit(data, { onIteration });
  else if (model === 'als') m = await new lib.ImplicitALS({ ...options, solver: 'cg' }).fit(data, { onIteration });
  else m = await new lib.BPR(options).fit(data, { onIteration });
  const fitSeconds = (performance.now() - t0) / 1000;
  const fitPeakMB = procStatus().hwm;
  stages.push(snapshot('after fit'));
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  if (!m) throw new Error('no model');
  return {
    job,
    source: meta.source,
    shape: { users: meta.rows, items: meta.cols, nnz: meta.nnz },
    factors,
    iterations,
    threads,
    fitSeconds,
    stages,
    beforeFitMaxMB,
    peakReset,
    fitPeakMB: peakReset ? fitPeakMB : undefined,
    maxRssMB,
    trace,
  };
}

// --------------------------------------------------------------- the bound

/** Bytes of the data both ways plus the model's factor and bias arrays. */
export function boundBytes(model, { users, items, nnz }, factors) {
  const byUser = 4 * (users + 1) + 8 * nnz;
  const byItem = 4 * (items + 1) + 8 * nnz;
  const factorBytes = 4 * (users + items) * factors;
  const biasBytes = model === 'explicit' ? 4 * (users + items) : model === 'bpr' ? 4 * items : 0;
  const size = byUser + byItem + factorBytes + biasBytes;
  return { byUser, byItem, factorBytes, biasBytes, size, bound: 2 * size };
}

function runChild(args) {
  const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * MB,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const factors = Number(flags.factors ?? 64);
  const iterations = Number(flags.iterations ?? 2);
  const threads = Number(flags.threads ?? 2);
  const jobs = flags.only ? String(flags.only).split(',') : Object.keys(JOBS);
  for (const j of jobs) if (!JOBS[j]) throw new Error(`unknown job ${j} (known: ${Object.keys(JOBS).join(', ')})`);
  const q = quick ? ['--quick'] : [];

  for (const set of new Set(jobs.map((j) => JOBS[j].set))) {
    const base = cacheBase(set, quick);
    if (existsSync(`${base}.bin`) && existsSync(`${base}.json`)) continue;
    log(`preparing ${set} (read once, cached in ${path.relative(process.cwd(), base)}.bin)...`);
    const p = runChild(['prepare', '--set', set, ...q]);
    log(`  ${p.rows} × ${p.cols} × ${p.nnz} (${p.source}); reader's peak RSS ${p.parsePeakMB.toFixed(0)} MB (not counted)`);
  }

  const rows = [];
  const b = runChild(['baseline', ...q]);
  const floor = b.maxRssMB;
  log(`baseline (Node + library): peak RSS ${floor.toFixed(1)} MB`);
  rows.push({
    id: 'memory.baseline.rss',
    what: 'baseline: start Node, import the library',
    value: floor,
    unit: 'MB peak RSS',
    note: 'the runtime floor under every figure below',
  });

  const details = [];
  const sources = new Set();
  for (const job of jobs) {
    const { model, label } = JOBS[job];
    const args = ['train', '--job', job, '--factors', String(factors), '--iterations', String(iterations), '--threads', String(threads), ...q];
    const r = runChild(flags.trace ? [...args, '--trace'] : args);
    sources.add(`${JOBS[job].set.toUpperCase()}: ${r.source}`);
    const bd = boundBytes(model, r.shape, factors);
    const peak = r.maxRssMB;
    const bound = bd.bound / MB;
    const dataStage = r.stages.find((s) => s.stage.startsWith('data'));
    const atIteration = r.stages.filter((s) => s.stage.endsWith('reported'));
    const fitArrays = Math.max(...atIteration.map((s) => s.arrayBuffersMB)) - dataStage.arrayBuffersMB;
    log(
      `${job}: ${label}, ${r.shape.users} × ${r.shape.items} × ${r.shape.nnz}: peak ${peak.toFixed(0)} MB` +
        ` (fit alone ${r.fitPeakMB?.toFixed(0) ?? '?'} MB; before fit ${dataStage.rssMB.toFixed(0)} MB), bound ${bound.toFixed(0)} MB` +
        ` (2 × [${(bd.byUser / MB).toFixed(0)} by user + ${(bd.byItem / MB).toFixed(0)} by item + ${((bd.factorBytes + bd.biasBytes) / MB).toFixed(0)} factors]),` +
        ` ratio ${(peak / bound).toFixed(2)}; fit ${r.fitSeconds.toFixed(1)} s`,
    );
    for (const s of r.stages) {
      log(
        `    ${s.stage.padEnd(26)} RSS ${s.rssMB.toFixed(0).padStart(5)} MB  HWM ${s.hwmMB.toFixed(0).padStart(5)}  ArrayBuffers ${s.arrayBuffersMB.toFixed(0).padStart(5)}  V8 heap ${s.heapUsedMB.toFixed(0).padStart(4)}/${s.heapTotalMB.toFixed(0)}`,
      );
    }
    const what = `${label}, k=${factors}, ${iterations} ${model === 'als' ? 'iterations' : 'epochs'}, ${threads} threads`;
    // The target is about the full-size sets: at --quick sizes the Node floor
    // dominates, so those figures get ids of their own that no target reads.
    const id = `memory${quick ? '.quick' : ''}.${job}`;
    const shapeNote = `${r.shape.users.toLocaleString('en-US')} × ${r.shape.items.toLocaleString('en-US')} × ${r.shape.nnz.toLocaleString('en-US')}`;
    rows.push({
      id: `${id}.peak`,
      what: `${what}: peak RSS (fresh process)`,
      value: peak,
      unit: 'MB',
      note: `fit alone ${r.fitPeakMB?.toFixed(0) ?? '–'} MB; ${shapeNote}`,
    });
    rows.push({
      id: `${id}.bound`,
      what: `${label}: bound 2 × (by user + by item + factors)`,
      value: bound,
      unit: 'MB',
      note: `2 × (${(bd.byUser / MB).toFixed(1)} + ${(bd.byItem / MB).toFixed(1)} + ${((bd.factorBytes + bd.biasBytes) / MB).toFixed(1)}) MB`,
    });
    rows.push({ id: `${id}.ratio`, what: `${label}: peak / bound`, value: peak / bound, unit: '×', note: '≤ 1 meets the target' });
    rows.push({
      id: `${id}.before-fit`,
      what: `${label}: RSS with the data loaded, before fit`,
      value: dataStage.rssMB,
      unit: 'MB',
      note: `by-user arrays ${(bd.byUser / MB).toFixed(0)} MB + id maps + the floor`,
    });
    rows.push({
      id: `${id}.fit-arrays`,
      what: `${label}: typed arrays fit added (V8 ArrayBuffer bytes, at the largest iteration report, minus before fit)`,
      value: fitArrays,
      unit: 'MB',
      note: `factors and biases alone ${((bd.factorBytes + bd.biasBytes) / MB).toFixed(0)} MB`,
    });
    for (const t of r.trace ?? []) {
      log(
        `    + ${t.type} ${t.mb.toFixed(1).padStart(7)} MB  → RSS ${t.rssMB.toFixed(0).padStart(5)}  ArrayBuffers ${t.arrayBuffersMB.toFixed(0).padStart(5)}  ${t.at}`,
      );
    }
    details.push({ ...r, boundBytes: bd });
  }
  return {
    name: 'training memory',
    data: `${quick ? '--quick sizes' : 'full sizes'}; ${[...sources].join('; ')}`,
    rows,
    details,
    // The parent holds no data: the figure that matters is the largest fit's.
    peakRssMB: Math.max(...rows.filter((r) => r.id.endsWith('.peak')).map((r) => r.value), floor),
  };
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const f = parseFlags(argv, ['child', 'set', 'job', 'factors', 'iterations', 'threads', 'quick', 'trace']);
    const quick = Boolean(f.quick);
    let out;
    if (f.child === 'prepare') out = await prepare(f.set, quick);
    else if (f.child === 'baseline') out = await baseline();
    else out = await train(f.job, quick, Number(f.factors), Number(f.iterations), Number(f.threads), Boolean(f.trace));
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    await runScript(import.meta.url, ['only', 'factors', 'iterations', 'threads', 'trace'], measure);
  }
}
