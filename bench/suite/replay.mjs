#!/usr/bin/env node
// The retrain loop replayed on Online Retail: the last 30 calendar days (UTC,
// by invoice date) arrive day by day as purchase events (one per invoice line
// of a customer and a product). Two arms start from the same ALS model
// (defaults) trained on every purchase before the 30 days:
//   static: that model, never changed;
//   loop:   RetrainLoop on a ModelHandle over a temporary model file, fed from
//           an in-memory array of the days replayed so far: after each day a
//           partial update (runOnce('partial')), every 7th day a full retrain
//           instead (runOnce('full'), the pre-period purchases as baseData,
//           the default 30-day half-life), each judged by the default
//           recentEventsGate (200 most recent events held out, P@10, margin 0).
// Each day, every customer who buys that day (known to the model or not: an
// unknown one gets the cold-start fallback, as the service serves them) gets
// 10 recommendations (filterSeen) from each arm's model as it stood at the
// start of the day; precision@10 against the products they bought that day.
// Writes both curves and the loop's decisions to bench/.results/replay.json
// and the plot to bench/figures/replay.svg (--out NAME: .results/NAME.json and .svg).
//
//   npm run build && node bench/suite/replay.mjs [--days 30] [--full-every 7] [--seed N] [--out replay]
//
// Online Retail is read from ../shared/data/online-retail (or MFREC_RETAIL),
// else from the compact copy in data/.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImplicitALS, readInteractions, scanOnlineRetail } from '../../dist/index.js';
import { ModelHandle, RetrainLoop, recentEventsGate } from '../../dist/serve/index.js';
import { benchDir, log, repoRoot, runScript } from '../lib/common.mjs';

const DAY_MS = 86_400_000;
const K = 10;
/** One purchase counts 1, so event values are invoices per pair, as in the base data file. */
const WEIGHTS = { purchase: 1 };
const BASE_READ = { delimiter: ',', header: true, userCol: 'user', itemCol: 'item', valueCol: 'orders', timeCol: null };

function retailFile() {
  const shared = path.join(process.env.MFREC_RETAIL ?? path.join(repoRoot, '..', 'shared', 'data', 'online-retail'), 'online-retail.csv.gz');
  return existsSync(shared) ? shared : path.join(repoRoot, 'data', 'online-retail-purchases.csv.gz');
}

/** One purchase event per (invoice, product) line, time in ms, oldest first. */
async function purchaseEvents(file) {
  const events = [];
  const lines = new Set();
  await scanOnlineRetail(file, (r) => {
    const key = `${r.invoice}\t${r.stockCode}`;
    if (lines.has(key)) return;
    lines.add(key);
    events.push({ user: r.customer, item: r.stockCode, type: 'purchase', time: r.time * 1000 });
  });
  return events.sort((a, b) => a.time - b.time);
}

/** The base data as a CSV of (customer, product, invoices): what the start model and the full retrains read. */
async function writeBaseFile(file, events) {
  const orders = new Map();
  for (const e of events) {
    const key = `${e.user},${e.item}`;
    orders.set(key, (orders.get(key) ?? 0) + 1);
  }
  const lines = ['user,item,orders'];
  for (const [key, n] of orders) lines.push(`${key},${n}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return orders.size;
}

/** Adds to `baskets` (customer → products) what each customer bought in `events`. */
function addTo(baskets, events) {
  for (const e of events) {
    let b = baskets.get(e.user);
    if (!b) baskets.set(e.user, (b = new Set()));
    b.add(e.item);
  }
  return baskets;
}

const basketsOf = (events) => addTo(new Map(), events);

/**
 * Each buyer's top K from `model`. Over the day's buyers: mean precision@K
 * against what they bought, mean precision@K counting only products they had
 * not bought before the day (filterSeen hides the earlier ones from an arm
 * that has learned them), and how many buyers the model knows (not served
 * from the cold-start fallback).
 */
function scoreDay(model, baskets, history) {
  let all = 0;
  let fresh = 0;
  let known = 0;
  const lists = new Map();
  for (const [user, bought] of baskets) {
    const recs = model.recommend(user, { k: K, filterSeen: true });
    if (recs.length > 0 && recs[0].source === 'model') known++;
    const before = history.get(user);
    for (const r of recs) {
      if (!bought.has(r.item)) continue;
      all++;
      if (!before?.has(r.item)) fresh++;
    }
    lists.set(user, recs.map((r) => r.item).join(','));
  }
  return { precision: all / (K * baskets.size), newItems: fresh / (K * baskets.size), known, lists };
}

/** How many buyers get a different list from the two arms. */
function changedLists(a, b) {
  let n = 0;
  for (const [user, list] of a) if (b.get(user) !== list) n++;
  return n;
}

function wholeNumber(flag, value, min) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be a whole number >= ${min}, got ${value}`);
  return n;
}

function name(flag, value) {
  if (typeof value !== 'string' || !/^[\w.-]+$/.test(value)) throw new Error(`${flag} must be a file name (letters, digits, . _ -), got ${value}`);
  return value;
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

export async function measure(flags = {}) {
  const days = wholeNumber('--days', flags.days ?? 30, 2);
  const fullEvery = wholeNumber('--full-every', flags['full-every'] ?? 7, 1);
  const out = flags.out === undefined ? 'replay' : name('--out', flags.out);
  const seed = flags.seed === undefined ? undefined : wholeNumber('--seed', flags.seed, 0);
  const started = performance.now();
  const events = await purchaseEvents(retailFile());
  const lastDay = Math.floor(events[events.length - 1].time / DAY_MS) * DAY_MS;
  const start = lastDay - (days - 1) * DAY_MS;
  const before = events.filter((e) => e.time < start);
  const work = await mkdtemp(path.join(tmpdir(), 'mfrec-replay-'));
  try {
    const baseFile = path.join(work, 'base.csv');
    const basePairs = await writeBaseFile(baseFile, before);
    const { interactions: base } = await readInteractions(baseFile, BASE_READ);
    log(`base: ${before.length} purchase events, ${basePairs} pairs, ${base.nUsers} customers × ${base.nItems} products`);
    const staticModel = await new ImplicitALS(seed === undefined ? {} : { seed }).fit(base);
    const modelFile = path.join(work, 'model.mfrec');
    await staticModel.save(modelFile);
    const handle = await ModelHandle.open(modelFile);
    const history = addTo(new Map(), before);
    const replayed = [];
    const loop = new RetrainLoop({
      handle,
      events: () => replayed,
      partialEvery: 0,
      fullEvery: 0,
      baseData: { file: baseFile, read: BASE_READ },
      weights: WEIGHTS,
      gate: recentEventsGate(),
      since: start,
    });
    const curve = [];
    try {
      for (let d = 0; d < days; d++) {
        const from = start + d * DAY_MS;
        const today = events.filter((e) => e.time >= from && e.time < from + DAY_MS);
        const date = new Date(from).toISOString().slice(0, 10);
        const row = { day: d + 1, date, events: today.length, buyers: 0 };
        if (today.length > 0) {
          const baskets = basketsOf(today);
          const s = scoreDay(staticModel, baskets, history);
          const l = scoreDay(handle.model, baskets, history);
          Object.assign(row, {
            buyers: baskets.size,
            static: s.precision,
            loop: l.precision,
            staticNew: s.newItems,
            loopNew: l.newItems,
            knownStatic: s.known,
            knownLoop: l.known,
            changedLists: changedLists(s.lists, l.lists),
          });
        }
        addTo(history, today);
        replayed.push(...today);
        const kind = (d + 1) % fullEvery === 0 ? 'full' : 'partial';
        const t0 = performance.now();
        const decision = await loop.runOnce(kind);
        row.decision = { ...decision, seconds: (performance.now() - t0) / 1000 };
        delete row.decision.at;
        log(`${date}: ${row.buyers} buyers, P@10 static ${fmt4(row.static)} loop ${fmt4(row.loop)}; ${kind} ${decision.outcome} (${decision.reason})`);
        curve.push(row);
      }
    } finally {
      loop.stop();
      await handle.close();
      await staticModel.dispose?.();
    }
    const scored = curve.filter((r) => r.buyers > 0);
    const summary = {
      days: scored.length,
      buyers: scored.reduce((s, r) => s + r.buyers, 0),
      meanStatic: mean(scored.map((r) => r.static)),
      meanLoop: mean(scored.map((r) => r.loop)),
      meanStaticNew: mean(scored.map((r) => r.staticNew)),
      meanLoopNew: mean(scored.map((r) => r.loopNew)),
      changedLists: scored.reduce((s, r) => s + r.changedLists, 0),
      accepted: curve.filter((r) => r.decision.outcome === 'accepted').length,
      refused: curve.filter((r) => r.decision.outcome === 'refused').length,
      seconds: (performance.now() - started) / 1000,
    };
    const result = { period: `${curve[0].date} to ${curve[curve.length - 1].date}`, baseEvents: before.length, summary, curve };
    await mkdir(path.join(benchDir, '.results'), { recursive: true });
    await writeFile(path.join(benchDir, '.results', `${out}.json`), `${JSON.stringify(result, null, 1)}\n`);
    // The committed plot is the default run's; a named run keeps its plot beside its JSON.
    const plotDir = flags.out === undefined ? path.join(benchDir, 'figures') : path.join(benchDir, '.results');
    await mkdir(plotDir, { recursive: true });
    await writeFile(path.join(plotDir, `${out}.svg`), plot(curve, summary, result.period));
    return {
      name: 'replay',
      data: `Online Retail, ${result.period} replayed (${scored.length} days with purchases, ${summary.buyers} customer-days), ${before.length} purchase events before`,
      rows: [
        { what: 'static mean daily precision@10', value: summary.meanStatic, unit: '' },
        { what: 'loop mean daily precision@10', value: summary.meanLoop, unit: '' },
        { what: 'static mean daily precision@10, new products only', value: summary.meanStaticNew, unit: '' },
        { what: 'loop mean daily precision@10, new products only', value: summary.meanLoopNew, unit: '' },
        { what: 'buyers whose lists differ between the arms', value: summary.changedLists, unit: `of ${summary.buyers}` },
        { what: 'loop runs accepted', value: summary.accepted, unit: 'runs' },
        { what: 'loop runs refused', value: summary.refused, unit: 'runs' },
        { what: 'wall time', value: summary.seconds, unit: 's' },
      ],
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function fmt4(x) {
  return x === undefined ? '-' : x.toFixed(4);
}

/** A self-contained SVG: both daily curves, full-retrain days marked, refused runs as open markers. */
function plot(curve, summary, period) {
  const W = 760;
  const H = 380;
  const m = { left: 60, right: 20, top: 40, bottom: 60 };
  const scored = curve.filter((r) => r.buyers > 0);
  const top = Math.ceil(Math.max(...scored.flatMap((r) => [r.static, r.loop])) * 20) / 20;
  const x = (day) => m.left + ((day - 1) / (curve.length - 1)) * (W - m.left - m.right);
  const y = (p) => H - m.bottom - (p / top) * (H - m.top - m.bottom);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img">`);
  out.push(`<title>Precision@10 per day, model trained once against the retrain loop (${period})</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">Online Retail, ${period}: precision@10 of each day's recommendations</text>`);
  for (let k = 0; k <= 5; k++) {
    const p = (top * k) / 5;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(p)}" y2="${y(p)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${y(p) + 4}" text-anchor="end">${p.toFixed(2)}</text>`);
  }
  for (const r of curve) {
    if ((r.day - 1) % 3 === 0) out.push(`<text x="${x(r.day)}" y="${H - m.bottom + 16}" text-anchor="middle">${r.date.slice(5)}</text>`);
    if (r.decision.kind === 'full') {
      // The full retrain runs after day r.day: it serves from the next day on.
      const at = x(r.day + 0.5);
      out.push(`<line x1="${at}" x2="${at}" y1="${m.top}" y2="${H - m.bottom}" stroke="#999" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${at}" y="${m.top - 4}" text-anchor="middle" fill="#666">full ${r.decision.outcome}</text>`);
    }
  }
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="black"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="black"/>`);
  out.push(`<text x="${W / 2}" y="${H - m.bottom + 34}" text-anchor="middle">day (UTC date, MM-DD)</text>`);
  out.push(`<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">precision@10</text>`);
  const arms = [
    { key: 'static', colour: '#1f77b4', label: `static (trained once), mean ${summary.meanStatic.toFixed(4)}` },
    { key: 'loop', colour: '#d62728', label: `loop (daily partial, weekly full), mean ${summary.meanLoop.toFixed(4)}` },
  ];
  for (const arm of arms) {
    out.push(
      `<polyline fill="none" stroke="${arm.colour}" stroke-width="2" points="${scored.map((r) => `${x(r.day).toFixed(1)},${y(r[arm.key]).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const r of scored) out.push(`<circle cx="${x(r.day).toFixed(1)}" cy="${y(r[arm.key]).toFixed(1)}" r="3" fill="${arm.colour}"/>`);
  }
  arms.forEach((arm, k) => {
    const ly = H - 14;
    const lx = m.left + k * 340;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${arm.colour}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${arm.label}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

await runScript(import.meta.url, ['days', 'full-every', 'seed', 'out'], measure);
