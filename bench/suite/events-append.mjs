#!/usr/bin/env node
// The event log's append (lib/events/event-log.ts): batches of 100 events
// appended by 1, 8 and 64 concurrent writers for a few seconds each, into a
// fresh log on the bench folder's disk. Each append resolves only after its
// fsync; writers that wait together share one (group commit), so batches
// per fsync and throughput grow with concurrency while one fsync bounds the
// latency. Reported: batches/s, events/s, batches per fsync, append latency
// p50 and p99 (ms).
//
//   npm run build && node bench/suite/events-append.mjs [--seconds 3] [--quick]
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EventLog } from '../../dist/index.js';
import { benchDir, log, runScript } from '../lib/common.mjs';

const BATCH = 100;

function batchOf(writer, seq) {
  return Array.from({ length: BATCH }, (_, i) => ({
    user: `w${writer}-u${i % 17}`,
    item: `i${(seq * BATCH + i) % 5000}`,
    type: 'view',
    time: 1_700_000_000_000 + seq,
  }));
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function measure(writers, seconds) {
  const dir = path.join(benchDir, '.data', 'events-append', `w${writers}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const events = await EventLog.open(dir);
  const latencies = [];
  const stopAt = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let seq = 0; performance.now() < stopAt; seq++) {
        const t = performance.now();
        await events.append(batchOf(w, seq));
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const syncs = events.syncs;
  await events.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { batchesPerS: latencies.length / elapsed, perSync: latencies.length / syncs, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

runScript(import.meta.url, ['seconds'], async (flags) => {
  const seconds = Number(flags.seconds ?? (flags.quick ? 1 : 3));
  const rows = [];
  for (const writers of [1, 8, 64]) {
    log(`events-append: ${writers} writer(s), ${seconds} s`);
    const m = await measure(writers, seconds);
    const label = `${writers} writer${writers > 1 ? 's' : ''}`;
    rows.push({ what: `${label}: batches/s`, value: m.batchesPerS, unit: `batches of ${BATCH}` });
    rows.push({ what: `${label}: events/s`, value: m.batchesPerS * BATCH, unit: 'events' });
    rows.push({ what: `${label}: batches per fsync`, value: m.perSync, unit: 'batches' });
    rows.push({ what: `${label}: append p50 / p99`, value: m.p50, unit: 'ms', note: `p99 ${m.p99.toFixed(1)} ms` });
  }
  return { name: 'event log append (fsync per group)', rows };
});
