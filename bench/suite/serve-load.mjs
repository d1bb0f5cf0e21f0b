#!/usr/bin/env node
// Load test of `mfrec serve` on the Online Retail model (ALS, default
// hyperparameters, 64 factors), over loopback, with autocannon:
// - ceiling: a bare fastify server whose one route returns a constant;
// - per route (GET /recommend/:user for known customers, POST /recommend
//   with a live anonymous cart of 3 products, GET /similar/:item), three
//   windows: quiet; while the model file is replaced 5 times (two models
//   saved alternately, written and renamed as save() does; the server's watch
//   reloads each); while a background retrain runs (the child process of
//   retrainInBackground, lib/serve/retrain-child.js, at niceness 10: reads
//   Online Retail, trains, saves over the file, which the server reloads;
//   restarted until the window ends).
// Cores: the server (and the training child, as retrainInBackground starts
// it from the server) is pinned to core 0 with taskset, the load generator
// (this process) to core 1, when taskset exists and there are 2+ cores.
//
//   npm run build && node bench/suite/serve-load.mjs [--seconds 8] [--connections 10] [--quick] [--json]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { ImplicitALS, readOnlineRetail } from '../../dist/index.js';
import { benchDir, log, repoRoot, runScript } from '../lib/common.mjs';

const RETAIL = path.join(repoRoot, 'data', 'online-retail-purchases.csv.gz');
const workDir = path.join(benchDir, '.data', 'serve');

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return availableParallelism() >= 2;
  } catch {
    return false;
  }
}

/** `cmd args` pinned to `core` and at `nice` when possible. */
function pinned(pin, core, nice, cmd, args) {
  const pre = [];
  if (pin) pre.push('taskset', '-c', String(core));
  if (nice) pre.push('nice', '-n', String(nice));
  return pre.length ? [pre[0], [...pre.slice(1), cmd, ...args]] : [cmd, args];
}

/** Starts a server process that prints its URL as its first stdout line. */
async function startServer(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => process.stderr.write(`  [server] ${d}`));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL`)));
  });
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${url}/health`).catch(() => undefined);
    if (r?.status === 200) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return { child, url };
}

async function stop(child) {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

/** The model file replaced as save() does it: a temporary file in the same folder, renamed over the target. */
function replaceWith(target, bytes) {
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, target);
}

async function modelVersion(url) {
  return (await (await fetch(`${url}/health`)).json()).model.version;
}

function load(url, seconds, connections, request) {
  return new Promise((resolve, reject) => {
    autocannon({ url, duration: seconds, connections, requests: [request] }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A background retrain loop on core 0 at niceness 10 until `until` (ms since epoch): the child of retrainInBackground, run as the server would run it. */
function retrainLoop(pin, modelFile, until, params) {
  const child = path.join(repoRoot, 'dist', 'serve', 'retrain-child.js');
  let runs = 0;
  const once = () =>
    new Promise((resolve, reject) => {
      const [cmd, args] = pinned(pin, 0, 10, process.execPath, [child]);
      const p = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let reply;
      p.on('message', (m) => (reply = m));
      p.once('spawn', () => p.send({ data: { onlineRetail: RETAIL }, model: { type: 'als', params }, out: modelFile }));
      p.once('exit', () => (reply?.ok ? resolve(reply) : reject(new Error(`retrain failed: ${reply?.message}`))));
    });
  return (async () => {
    const times = [];
    while (Date.now() < until) {
      const r = await once();
      runs++;
      times.push(r.seconds);
    }
    return { runs, seconds: times };
  })();
}

export async function measure(flags) {
  const seconds = Number(flags.seconds ?? (flags.quick ? 3 : 8));
  const connections = Number(flags.connections ?? 10);
  const pin = hasTaskset();
  if (pin) execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  mkdirSync(workDir, { recursive: true });
  const modelFile = path.join(workDir, 'retail.mfrec');
  log('training the Online Retail models (ALS, defaults, seeds 1 and 2)...');
  const retail = await readOnlineRetail(RETAIL);
  const a = await new ImplicitALS({ seed: 1 }).fit(retail.interactions);
  const b = await new ImplicitALS({ seed: 2 }).fit(retail.interactions);
  const fileA = path.join(workDir, 'retail-a.mfrec');
  const fileB = path.join(workDir, 'retail-b.mfrec');
  await a.save(fileA);
  await b.save(fileB);
  const bytes = [readFileSync(fileA), readFileSync(fileB)];
  const users = a.userIds.filter((u) => a.hasUser(u)).map(String);
  const items = a.itemIds.map(String);
  let n = 0;
  // Deterministic rotation over customers and products: every request asks for a different one.
  const pick = (list, step) => list[(n++ * step) % list.length];
  const routes = {
    'GET /recommend/:user (known customer)': {
      method: 'GET',
      setupRequest: (r) => ({ ...r, path: `/recommend/${encodeURIComponent(pick(users, 7919))}?k=10` }),
    },
    'POST /recommend (anonymous cart of 3)': {
      method: 'POST',
      path: '/recommend',
      headers: { 'content-type': 'application/json' },
      setupRequest: (r) => ({ ...r, body: JSON.stringify({ items: [pick(items, 104729), pick(items, 7919), pick(items, 15485863)], k: 10 }) }),
    },
    'GET /similar/:item': { method: 'GET', setupRequest: (r) => ({ ...r, path: `/similar/${encodeURIComponent(pick(items, 7919))}?k=10` }) },
  };

  const rows = [];
  const add = (what, result, extra = {}) => {
    const r = {
      what,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      errors: result.errors + result.non2xx + result.timeouts,
      ...extra,
    };
    rows.push(r);
    log(`${what}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, errors ${r.errors}${extra.note ? `, ${extra.note}` : ''}`);
    return r;
  };

  // The ceiling: bare fastify, same core, same client.
  const bare = `import Fastify from 'fastify'; const app = Fastify(); app.get('/', async () => ({ items: [] })); const url = await app.listen({ port: 0, host: '127.0.0.1' }); console.log(url); process.on('SIGTERM', () => app.close().then(() => process.exit(0)));`;
  const [bareCmd, bareArgs] = pinned(pin, 0, 0, process.execPath, ['--input-type=module', '-e', bare]);
  const ceiling = await startServer(bareCmd, bareArgs);
  await load(ceiling.url, 1, connections, { method: 'GET', path: '/' });
  const ceil = add('bare fastify route (constant)', await load(ceiling.url, seconds, connections, { method: 'GET', path: '/' }));
  await stop(ceiling.child);

  replaceWith(modelFile, bytes[0]);
  const [cmd, args] = pinned(pin, 0, 0, process.execPath, [path.join(repoRoot, 'bin', 'mfrec.js'), 'serve', modelFile, '--port', '0']);
  const server = await startServer(cmd, args);
  try {
    for (const [name, request] of Object.entries(routes)) {
      await load(server.url, 1, connections, request);
      const quiet = add(`${name}, quiet`, await load(server.url, seconds, connections, request));

      const before = await modelVersion(server.url);
      const swaps = (async () => {
        for (let s = 1; s <= 5; s++) {
          await new Promise((r) => setTimeout(r, (seconds * 1000) / 6));
          replaceWith(modelFile, bytes[s % 2]);
        }
      })();
      const reloading = await load(server.url, seconds, connections, request);
      await swaps;
      await new Promise((r) => setTimeout(r, 500));
      const reloads = (await modelVersion(server.url)) - before;
      add(`${name}, 5 hot reloads`, reloading, { note: `${reloads} reloads seen; p99 ${(reloading.latency.p99 / quiet.p99).toFixed(2)}× quiet`, reloads });

      const v0 = await modelVersion(server.url);
      const training = retrainLoop(pin, modelFile, Date.now() + seconds * 1000 - 500, { ...a.params, seed: 3 });
      const retraining = await load(server.url, seconds, connections, request);
      const trained = await training;
      await new Promise((r) => setTimeout(r, 500));
      const retrainReloads = (await modelVersion(server.url)) - v0;
      add(`${name}, background retrain`, retraining, {
        note: `${trained.runs} retrain(s) of ${trained.seconds.map((x) => x.toFixed(1)).join(', ')} s, ${retrainReloads} reload(s); p99 ${(retraining.latency.p99 / quiet.p99).toFixed(2)}× quiet`,
        reloads: retrainReloads,
      });
      // Back to the first model for the next route's quiet window.
      replaceWith(modelFile, bytes[0]);
      await new Promise((r) => setTimeout(r, 700));
    }
  } finally {
    await stop(server.child);
  }
  const summary = rows.map((r) => ({
    what: r.what,
    value: r.rps,
    unit: 'req/s',
    note: `p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, errors ${r.errors}, ${(r.rps / ceil.rps).toFixed(2)}× of the ceiling${r.note ? `; ${r.note}` : ''}`,
  }));
  return {
    name: 'serve-load',
    data: `Online Retail ALS (${a.userIds.length} users, ${items.length} items, 64 factors); ${seconds} s per window, ${connections} connections; ${pin ? 'server on core 0, load generator on core 1 (taskset)' : 'no pinning'}`,
    rows: summary,
    raw: rows,
  };
}

await runScript(import.meta.url, ['seconds', 'connections'], measure);
