#!/usr/bin/env node
// Compiled business rules on the Online Retail ALS model (default
// hyperparameters, every purchase of the file): µs per synchronous
// recommend(user, { k: 10 }) call, one thread, median over rounds of the same
// users (the variants alternate round by round), for
// - no rules (the baseline);
// - an in-stock set of 2,927 allowed items, compiled once (target ≤ 1.2× the
//   baseline), and the same set as a per-call `candidates` list;
// - category caps (at most 2 per category; the category is the last word
//   of the product description, e.g. "BAG", "HOLDER", "WRAP"), diversity
//   (MMR, λ = 0.5, default pool 5k = 50), and all three together;
// - the time compileRules takes for the in-stock set with caps.
//
//   npm run build && node bench/suite/rules.mjs [--users 1000] [--runs 9] [--json]
//
// Data: ../shared/data/online-retail/online-retail.csv.gz (or MFREC_RETAIL).
import path from 'node:path';
import { ImplicitALS, readOnlineRetail } from '../../dist/index.js';
import { Rng } from '../../dist/random.js';
import { log, median, repoRoot, runScript } from '../lib/common.mjs';

const IN_STOCK = 2927;

/**
 * µs per call of each variant's `fn(user)` over `users`: rounds alternate
 * the variants (so a load change hits them alike), one warm-up round, then
 * the median of `runs` rounds per variant.
 */
function microsPerCall(users, runs, variants) {
  const round = (fn) => {
    const start = process.hrtime.bigint();
    for (const u of users) fn(u);
    return Number(process.hrtime.bigint() - start) / 1e3 / users.length;
  };
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let r = 0; r <= runs; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const t = round(fn);
      if (r > 0) times[name].push(t);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, ts]) => [name, median(ts)]));
}

export async function measure(flags) {
  const runs = Number(flags.runs ?? 9);
  const nUsers = Number(flags.users ?? (flags.quick ? 300 : 1000));
  const dir = process.env.MFREC_RETAIL ?? path.join(repoRoot, '..', 'shared', 'data', 'online-retail');
  const { interactions, itemNames } = await readOnlineRetail(path.join(dir, 'online-retail.csv.gz'));
  const model = await new ImplicitALS({ threads: 2 }).fit(interactions);
  const items = model.itemIds;
  log(`model: ${model.userIds.length} users, ${items.length} items, ${model.params.factors} factors`);
  model.setItemMetadata(
    items.map((item) => {
      const name = itemNames.get(String(item)) ?? '';
      const words = name.split(/\s+/).filter(Boolean);
      return { item, name, category: words[words.length - 1] ?? 'OTHER' };
    }),
  );

  // A seeded random in-stock set.
  const inStock = new Rng(7).shuffle(items.slice()).slice(0, IN_STOCK);
  const users = model.userIds.slice(0, nUsers);

  const compileStart = process.hrtime.bigint();
  const stockCapped = model.compileRules({ allowed: inStock, categoryCaps: { default: 2 } });
  const compileMs = Number(process.hrtime.bigint() - compileStart) / 1e6;
  const rules = {
    stock: model.compileRules({ allowed: inStock }),
    caps: model.compileRules({ categoryCaps: { default: 2 } }),
    diversity: model.compileRules({ diversity: { lambda: 0.5 } }),
    all: model.compileRules({ allowed: inStock, categoryCaps: { default: 2 }, diversity: { lambda: 0.5 } }),
  };

  const one = { k: 10, threads: 1 };
  const t = microsPerCall(users, runs, {
    base: (u) => model.recommend(u, one),
    stock: (u) => model.recommend(u, { ...one, rules: rules.stock }),
    listed: (u) => model.recommend(u, { ...one, candidates: inStock }),
    caps: (u) => model.recommend(u, { ...one, rules: rules.caps }),
    stockCaps: (u) => model.recommend(u, { ...one, rules: stockCapped }),
    diversity: (u) => model.recommend(u, { ...one, rules: rules.diversity }),
    all: (u) => model.recommend(u, { ...one, rules: rules.all }),
  });
  const { base, stock, listed, caps, stockCaps, diversity, all } = t;

  // How often caps change a list: share of users whose plain top 10 holds more than 2 of one category.
  let bitten = 0;
  for (const u of users) {
    const counts = new Map();
    for (const r of model.recommend(u, one)) counts.set(model.itemMetadata(r.item)?.category, (counts.get(model.itemMetadata(r.item)?.category) ?? 0) + 1);
    if (Math.max(...counts.values()) > 2) bitten++;
  }

  const note = `Online Retail ALS, ${items.length} items, ${model.params.factors} factors, ${users.length} users × ${runs} rounds, k=10, 1 thread`;
  log(`baseline ${base.toFixed(1)} µs; in-stock rules ${stock.toFixed(1)} µs (${(stock / base).toFixed(2)}×); candidates ${listed.toFixed(1)} µs`);
  return {
    name: 'rules',
    data: note,
    rows: [
      { id: 'rules.baseline', what: 'recommend, no rules', value: base, unit: 'µs/call', note },
      { id: 'rules.in-stock', what: `recommend, compiled in-stock rules (${IN_STOCK} allowed)`, value: stock, unit: 'µs/call' },
      { id: 'rules.in-stock-ratio', what: 'in-stock rules vs no rules (target ≤ 1.2)', value: stock / base, unit: '×' },
      { id: 'rules.candidates', what: `recommend, the same ${IN_STOCK} ids as a per-call candidates list`, value: listed, unit: 'µs/call' },
      {
        id: 'rules.caps',
        what: 'recommend, at most 2 per category',
        value: caps,
        unit: 'µs/call',
        note: `caps change ${((100 * bitten) / users.length).toFixed(0)}% of the lists`,
      },
      { id: 'rules.in-stock-caps', what: 'recommend, in-stock rules and at most 2 per category', value: stockCaps, unit: 'µs/call' },
      { id: 'rules.diversity', what: 'recommend, MMR λ = 0.5 over the best 50', value: diversity, unit: 'µs/call' },
      { id: 'rules.all', what: 'recommend, in stock + caps + MMR', value: all, unit: 'µs/call' },
      { id: 'rules.compile', what: 'compileRules, in-stock set with caps', value: compileMs, unit: 'ms' },
    ],
  };
}

await runScript(import.meta.url, ['users', 'runs'], measure);
