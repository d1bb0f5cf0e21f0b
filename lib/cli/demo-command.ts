/**
 * `mfrec demo`: the main job on the Online Retail purchases shipped with the
 * package. Holds out the last month, trains implicit ALS on the rest, shows
 * what a few customers bought and what mfrec recommends them, "bought this,
 * also bought" for a few products, and the held-out accuracy next to the
 * popularity baseline.
 */
import type { Command } from 'commander';
import { demoDataPath } from '../data/demo-data.js';
import type { Interactions } from '../data/interactions.js';
import type { RawId } from '../data/id-map.js';
import { readOnlineRetailByTime } from '../data/online-retail.js';
import { compareRanking } from '../eval/compare-ranking.js';
import type { Recommendation } from '../models/base/factor-model.js';
import { ImplicitALS } from '../models/als/implicit-als.js';
import type { IterationReport } from '../models/base/training.js';
import { buildReportData } from '../report/report-data.js';
import { writeReport } from '../report/write-report.js';
import { checkOutputPaths } from '../persist/output-paths.js';
import { printJson } from './output.js';
import { intArg } from './parse.js';
import { createProgress } from './progress.js';

interface DemoFlags {
  customers: number;
  k: number;
  json?: boolean;
  quiet?: boolean;
  report?: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train ALS on the embedded Online Retail purchases and show recommendations and held-out accuracy')
    .option('--customers <n>', 'customers to show', intArg(1, 50), 3)
    .option('--k <n>', 'recommendations per customer, and the metrics cut-off', intArg(1, 100), 10)
    .option('--json', 'machine-readable output')
    .option('--quiet', 'no progress bars')
    .option('--report <file>', 'also write an HTML report of the run (charts, examples with product names)')
    .action(async (flags: DemoFlags) => runDemo(flags));
}

async function runDemo(flags: DemoFlags): Promise<void> {
  await checkOutputPaths([{ flag: '--report', path: flags.report }], []);
  const progress = createProgress(!flags.json && !flags.quiet);
  const say = (line = '') => {
    if (!flags.json) process.stdout.write(line + '\n');
  };
  const started = Date.now();

  progress.start('loading', 1);
  const data = await readOnlineRetailByTime(demoDataPath(), { holdoutDays: 30 });
  progress.update(1);
  progress.stop();
  const { train, test, itemNames } = data;
  const name = (code: RawId) => itemNames.get(String(code)) || String(code);
  say(
    `Online Retail (UCI, CC BY 4.0): ${data.summary.kept} purchase lines of ${train.nUsers} customers and ${train.nItems} products before ` +
      `${new Date(data.cutoff * 1000).toISOString().slice(0, 10)}; the following 30 days are held out (${test.nnz} customer-product pairs).`,
  );

  // The report's training curve needs the loss, which costs about one extra CG step per iteration.
  const model = new ImplicitALS(flags.report ? { calculateLoss: true } : {});
  const iterations: IterationReport[] = [];
  progress.start('training ALS', model.params.iterations);
  const fitStarted = Date.now();
  await model.fit(train, {
    onIteration: (r) => {
      iterations.push(r);
      progress.update(r.iteration);
    },
  });
  progress.stop();
  const fitSeconds = (Date.now() - fitStarted) / 1000;
  say(`Trained implicit ALS (${model.params.factors} factors, ${model.params.iterations} iterations) in ${fitSeconds.toFixed(2)} s.`);

  const shown = pickCustomers(train, test, model, flags.customers).map(({ customer, recommended, boughtLater }) => ({
    customer,
    bought: topBought(train, customer, 5).map((code) => ({ item: code, name: name(code) })),
    recommended: recommended.map((r) => ({ item: r.item, name: name(r.item), score: r.score })),
    boughtLater,
  }));
  let ticks = 0;
  for (const c of shown) {
    say();
    say(`Customer ${c.customer} bought:`);
    for (const b of c.bought) say(`    ${b.name}`);
    say(`  mfrec recommends:`);
    const later = new Set(c.boughtLater);
    for (const r of c.recommended) {
      const hit = later.has(String(r.item));
      ticks += hit ? 1 : 0;
      say(`  ${hit ? '✓' : ' '} ${r.name}`);
    }
  }
  // The legend explains ticks that are on the screen, and how these customers came to be shown.
  if (ticks) say('  (✓: bought in the held-out month)');
  if (shown.length) for (const line of CHOSEN_LINES) say(`  ${line}`);

  const products = mostPopular(train, 3);
  const similar = products.map((code) => ({
    item: code,
    name: name(code),
    alsoBought: model.similarItems(code, { k: 4 }).map((s) => ({ item: s.item, name: name(s.item), score: s.score })),
  }));
  for (const p of similar) {
    say();
    say(`Bought "${p.name}", also bought:`);
    for (const s of p.alsoBought) say(`    ${s.name}`);
  }

  progress.start('evaluating', 1);
  const report = compareRanking({ als: model }, train, test, { k: flags.k });
  progress.update(1);
  progress.stop();
  const als = report.models.als!;
  const pop = report.models.popularity!;
  say();
  say(`Held-out month, ${report.users} customers, top ${flags.k} (training purchases filtered):`);
  say(`                 ALS   popularity`);
  for (const m of ['precision', 'recall', 'ndcg', 'map', 'hitRate'] as const) {
    say(`  ${m.padEnd(10)} ${als[m].toFixed(4).padStart(8)}   ${pop[m].toFixed(4).padStart(8)}`);
  }
  if (flags.report) {
    progress.start('writing the report', 1);
    const title = 'mfrec demo: implicit ALS on Online Retail purchases';
    await writeReport(flags.report, buildReportData({ model, train, test, iterations, itemNames, title, k: flags.k }));
    progress.update(1);
    progress.stop();
    say(`\nReport written to ${flags.report}.`);
  }
  const seconds = (Date.now() - started) / 1000;
  say(`\nDone in ${seconds.toFixed(1)} s.`);
  if (flags.json) {
    printJson({
      data: { ...data.summary, cutoff: data.cutoff, trainInteractions: train.nnz, testInteractions: test.nnz },
      fitSeconds,
      customers: shown,
      customersChosen: CHOSEN,
      similar,
      metrics: report,
      seconds,
    });
  }
}

const STRIDE = 97;
const CHOSEN_LINES = [
  'Customers shown: the first, in a fixed order spread over all customers, with 10+ purchases before',
  'the held-out month, 3+ in it, and one of these 5 recommendations among them. The accuracy below covers every customer.',
];
const CHOSEN = CHOSEN_LINES.join(' ');

/**
 * Customers worth showing: a real history, purchases in the held-out month,
 * and a hit in their top 5 (so the ✓ has something to mark). Users are
 * visited with a stride (u, u + 97, ...; then from 1, 2, ...), so the ones
 * shown are spread over the id order rather than the first few.
 */
function pickCustomers(train: Interactions, test: Interactions, model: ImplicitALS, n: number) {
  const out: Array<{ customer: RawId; recommended: Recommendation[]; boughtLater: string[] }> = [];
  const m = train.byUser;
  for (let start = 0; start < STRIDE && out.length < n; start++) {
    for (let u = start; u < m.rows && out.length < n; u += STRIDE) {
      const history = m.indptr[u + 1]! - m.indptr[u]!;
      const later = test.byUser.indptr[u + 1]! - test.byUser.indptr[u]!;
      if (history < 10 || later < 3) continue;
      const customer = train.users.id(u);
      const boughtLater = heldOut(test, customer).map((code) => String(code));
      const recommended = model.recommend(customer, { k: 5 });
      if (recommended.some((r) => boughtLater.includes(String(r.item)))) out.push({ customer, recommended, boughtLater });
    }
  }
  return out;
}

function topBought(train: Interactions, customer: RawId, n: number): RawId[] {
  const u = train.users.index(customer)!;
  const m = train.byUser;
  const row = Array.from({ length: m.indptr[u + 1]! - m.indptr[u]! }, (_, j) => m.indptr[u]! + j);
  row.sort((a, b) => m.values[b]! - m.values[a]! || a - b);
  return row.slice(0, n).map((k) => train.items.id(m.indices[k]!));
}

function heldOut(test: Interactions, customer: RawId): RawId[] {
  const u = test.users.index(customer);
  if (u === undefined || u >= test.nUsers) return [];
  const m = test.byUser;
  return Array.from(m.indices.subarray(m.indptr[u]!, m.indptr[u + 1]!), (i) => test.items.id(i));
}

function mostPopular(train: Interactions, n: number): RawId[] {
  const byItem = train.byItem;
  const order = Array.from({ length: byItem.rows }, (_, i) => i);
  order.sort((a, b) => byItem.indptr[b + 1]! - byItem.indptr[b]! - (byItem.indptr[a + 1]! - byItem.indptr[a]!) || a - b);
  return order.slice(0, n).map((i) => train.items.id(i));
}
