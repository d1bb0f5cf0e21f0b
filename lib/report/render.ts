/**
 * The report as one self-contained HTML page: styles, Chart.js, the data
 * (JSON) and the drawing script are all inline, so the file opens anywhere
 * without a network. Every string from the data is escaped.
 */
import { chartBundle } from './chart-bundle.js';
import { chartsFor, modelName, type ChartSection, type ChartSpec } from './charts.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml, jsonForScript } from './html.js';
import type { ComparisonRow, ExampleRow, ReportData } from './report-data.js';
import { isRatingModel } from '../models/registry.js';

/** Sections in page order; `wide`: two charts a row (charts with many labels), else three. */
const SECTIONS: Array<{ id: ChartSection; title: string; wide?: boolean; intro: (d: ReportData) => string }> = [
  { id: 'training', title: 'Training', intro: (d) => trainingIntro(d) },
  {
    id: 'accuracy',
    title: 'Accuracy at k',
    intro: (d) =>
      `Held-out interactions of ${fmtInt(d.ranking?.users ?? 0)} users, ranked among the items each user had not bought in training; ` +
      `${modelName(d.model.type)} against recommending the most popular items.`,
  },
  {
    id: 'trials',
    title: 'Tuning trials',
    intro: (d) => {
      const t = d.trials!;
      const fixed = Object.entries(t.fixed).map(([k, v]) => `${k} = ${v}`);
      return (
        `${t.trials.length} trials${t.failed ? ` (${t.failed} without a score)` : ''}, ${t.metric} (${t.higherIsBetter ? 'higher' : 'lower'} is better)` +
        (t.validation ? ` on the validation part: ${t.validation}` : '') +
        (fixed.length ? `; the same in every trial: ${fixed.join(', ')}` : '') +
        '.'
      );
    },
  },
  { id: 'distribution', title: 'What gets recommended', wide: true, intro: (d) => distributionIntro(d) },
  { id: 'errors', title: 'Rating errors', wide: true, intro: (d) => `${fmtInt(d.ratingErrors?.count ?? 0)} test ratings.` },
];

/** The complete HTML page for `data`. */
export function renderReport(data: ReportData): string {
  const charts = chartsFor(data);
  const bundle = chartBundle();
  const sections = SECTIONS.map((s) =>
    chartSection(
      s,
      data,
      charts.filter((c) => c.section === s.id),
    ),
  ).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mfrec ${escapeHtml(data.mfrecVersion)}, Chart.js ${escapeHtml(bundle.version)}">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">${escapeHtml(modelName(data.model.type))} · generated ${escapeHtml(data.generatedAt.replace('T', ' ').slice(0, 16))} UTC · mfrec ${escapeHtml(data.mfrecVersion)}</p>
</header>
<p id="chart-error" class="error" hidden></p>
${warnings(data)}
${summary(data)}
${comparisonTable(data)}
${sections}
${trialTable(data)}
${examples(data)}
${parameters(data)}
</main>
<script type="application/json" id="mfrec-report-data">${jsonForScript({ report: data, charts })}</script>
<script>${bundle.source}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function chartSection(s: (typeof SECTIONS)[number], data: ReportData, charts: ChartSpec[]): string {
  if (charts.length === 0) return '';
  const figures = charts
    .map(
      (c) => `<figure class="chart">
<figcaption>${escapeHtml(c.title)}</figcaption>
<div class="plot"><canvas id="chart-${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></div>
<p class="note">${escapeHtml(c.note)}</p>
</figure>`,
    )
    .join('\n');
  return `<section id="${s.id}">
<h2>${escapeHtml(s.title)}</h2>
<p class="intro">${escapeHtml(s.intro(data))}</p>
<div class="grid${s.wide ? ' wide' : ''}">
${figures}
</div>
</section>
`;
}

/** The data problems found, first thing on the page: no figure below may be read without them. */
function warnings(d: ReportData): string {
  if (d.warnings.length === 0) return '';
  const items = d.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('');
  return `<section id="data-warnings" class="warning" role="alert"><h2>Warning: these figures are not an honest held-out measure</h2><ul>${items}</ul></section>`;
}

function summary(d: ReportData): string {
  // The model's own counts: the training data given may differ (then the banner above says so).
  const cards: Array<[string, string]> = [
    ['model', d.model.factors > 0 ? `${modelName(d.model.type)}, ${d.model.factors} factors` : `${modelName(d.model.type)} (item-to-item)`],
    ['model users × items', `${fmtInt(d.model.users)} × ${fmtInt(d.model.items)}`],
    ['model training interactions', fmtInt(d.model.interactions)],
    ['test interactions', fmtInt(d.data.testInteractions)],
  ];
  if (d.ratingErrors) cards.push(['test RMSE', d.ratingErrors.rmse.toFixed(4)], ['test MAE', d.ratingErrors.mae.toFixed(4)]);
  const tiles = cards
    .map(([label, value]) => `<div class="tile"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div></div>`)
    .join('');
  const table = metricTable(d);
  return `<section class="summary"><div class="tiles${table ? '' : ' wide'}">${tiles}</div>${table}</section>`;
}

function metricTable(d: ReportData): string {
  const r = d.ranking;
  if (r === null) return '';
  const at = d.k - 1;
  const name = modelName(d.model.type);
  const rows: Array<[string, number, number]> = [
    [`precision@${d.k}`, r.curves.model.precision[at]!, r.curves.popularity.precision[at]!],
    [`recall@${d.k}`, r.curves.model.recall[at]!, r.curves.popularity.recall[at]!],
    [`NDCG@${d.k}`, r.curves.model.ndcg[at]!, r.curves.popularity.ndcg[at]!],
    [`MAP@${d.k}`, r.curves.model.map[at]!, r.curves.popularity.map[at]!],
    [`hit rate@${d.k}`, r.curves.model.hitRate[at]!, r.curves.popularity.hitRate[at]!],
    [`coverage@${d.k}`, r.coverage.model, r.coverage.popularity],
  ];
  const body = rows
    .map(([label, m, p]) => {
      const cell = (x: number, better: boolean) => `<td class="num${better ? ' better' : ''}">${x.toFixed(4)}</td>`;
      return `<tr><th scope="row">${escapeHtml(label)}</th>${cell(m, m > p)}${cell(p, p > m)}</tr>`;
    })
    .join('');
  return `<table class="metrics"><caption>Held-out accuracy, ${fmtInt(r.users)} users</caption>
<thead><tr><th></th><th scope="col">${escapeHtml(name)}</th><th scope="col">popularity</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** Every family measured on the same split, best value of each column marked: the page's answer to "which model?". */
function comparisonTable(d: ReportData): string {
  const rows = d.comparison;
  if (rows === null || rows.length === 0) return '';
  const columns: Array<[string, (r: ComparisonRow) => number | null, 'max' | 'min']> = [
    [`precision@${d.k}`, (r) => r.precision, 'max'],
    [`recall@${d.k}`, (r) => r.recall, 'max'],
    [`NDCG@${d.k}`, (r) => r.ndcg, 'max'],
    [`MAP@${d.k}`, (r) => r.map, 'max'],
    [`hit rate@${d.k}`, (r) => r.hitRate, 'max'],
    [`coverage@${d.k}`, (r) => r.coverage, 'max'],
    ['fit seconds', (r) => r.fitSeconds, 'min'],
    ['RMSE', (r) => r.rmse, 'min'],
  ];
  const bestOf = columns.map(([, get, better]) => {
    const values = rows.map(get).filter((x): x is number => x !== null);
    return values.length === 0 ? null : better === 'max' ? Math.max(...values) : Math.min(...values);
  });
  const head = ['model', ...columns.map(([name]) => name)].map((h, j) => `<th scope="col"${j > 0 ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => {
      const cells = columns.map(([name, get], j) => {
        const x = get(r);
        if (x === null) return '<td class="num">–</td>';
        return `<td class="num${x === bestOf[j] ? ' better' : ''}">${name === 'fit seconds' ? x.toFixed(2) : x.toFixed(4)}</td>`;
      });
      return `<tr${r.model === d.model.type ? ' class="best"' : ''}><th scope="row">${escapeHtml(r.label)}</th>${cells.join('')}</tr>`;
    })
    .join('');
  return `<section id="comparison"><h2>Models compared</h2>
<p class="intro">Every model trained with its defaults on the same training data and measured on the same held-out data; the rest of this page details ${escapeHtml(modelName(d.model.type))}, the best by NDCG@${d.k}.</p>
<table class="data"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></section>
`;
}

function trainingIntro(d: ReportData): string {
  const t = d.training ?? [];
  const seconds = t.reduce((s, p) => s + p.seconds, 0);
  return `${t.length} iterations in ${seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(2)} s`}.`;
}

function distributionIntro(d: ReportData): string {
  const r = d.ranking;
  if (r === null) return '';
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `The top-${d.k} lists of the ${fmtInt(r.users)} evaluated users cover ${pct(r.coverage.model)} of the catalogue ` +
    `(popularity: ${pct(r.coverage.popularity)}); ${pct(r.popularityDeciles.model[0]!)} of the recommendations come from the most popular 10% of items.`
  );
}

function trialTable(d: ReportData): string {
  const t = d.trials;
  if (t === null || t.trials.length === 0) return '';
  const names = [...t.params.map((p) => p.name)];
  const scored = t.trials.filter((x) => x.score !== null);
  scored.sort((a, b) => (t.higherIsBetter ? b.score! - a.score! : a.score! - b.score!));
  const shown = scored.slice(0, 10);
  const head = ['trial', ...names, t.metric, 'seconds'].map((h, j) => `<th scope="col"${j > 0 ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const rows = shown
    .map((x) => {
      const cells = [
        `<td>${escapeHtml(x.id)}</td>`,
        ...names.map((n) => `<td class="num">${escapeHtml(fmtValue(x.params[n]))}</td>`),
        `<td class="num">${x.score!.toPrecision(4)}</td>`,
        `<td class="num">${x.seconds === null ? '' : x.seconds.toFixed(2)}</td>`,
      ];
      return `<tr${x.id === t.best ? ' class="best"' : ''}>${cells.join('')}</tr>`;
    })
    .join('');
  return `<section id="trial-table"><h2>Best trials</h2>
<table class="data"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>
${scored.length > shown.length ? `<p class="note">${shown.length} of ${scored.length} scored trials shown.</p>` : ''}</section>
`;
}

function examples(d: ReportData): string {
  if (d.examples.length === 0) return '';
  const list = (items: string[]) => `<ol>${items.join('')}</ol>`;
  // Explicit data are ratings, implicit data purchases (or other signals of interest).
  const did = isRatingModel(d.model.type) ? 'rated' : 'bought';
  const row = (e: ExampleRow) =>
    `<tr><td class="user">${escapeHtml(e.user)}<div class="sub">${e.heldOutCount} ${did} later</div></td>` +
    `<td>${list(e.bought.map((b) => `<li title="${escapeHtml(b.item)}">${escapeHtml(b.name)}</li>`))}</td>` +
    `<td>${list(
      e.recommended.map(
        (r) =>
          `<li${r.heldOut ? ' class="hit"' : ''} title="${escapeHtml(r.item)}${r.score === null ? '' : ` · score ${r.score.toPrecision(3)}`}">` +
          `${escapeHtml(r.name)}${r.heldOut ? ` <span class="tick" aria-label="${did} later">✓</span>` : ''}</li>`,
      ),
    )}</td></tr>`;
  // The legend explains ticks that are in the table: none, no legend.
  const ticks = d.examples.some((e) => e.recommended.some((r) => r.heldOut));
  return `<section id="examples"><h2>Example recommendations</h2>
<p class="intro">What a few users ${did} in training (largest value first), and the model’s top ${d.k} among the items they had not ${did}.${ticks ? ` ✓: ${did} in the test period.` : ''}</p>
<table class="data examples"><thead><tr><th scope="col">user</th><th scope="col">${did}</th><th scope="col">recommended</th></tr></thead>
<tbody>${d.examples.map(row).join('')}</tbody></table></section>
`;
}

function parameters(d: ReportData): string {
  const pairs = Object.entries(d.model.params)
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</dd></div>`)
    .join('');
  return `<section id="parameters"><h2>Hyperparameters</h2><dl class="params">${pairs}</dl>
<p class="note">Model: ${fmtInt(d.model.users)} users and ${fmtInt(d.model.items)} items.</p></section>
`;
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

function fmtValue(v: number | string | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

const STYLE = `
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff; --page: #f6f7f9; --model: #2563eb; --hit: #059669; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
.meta, .intro, .note, .sub { color: var(--muted); }
.meta { margin: 0 0 20px; }
h2 { font-size: 18px; margin: 32px 0 4px; }
.intro { margin: 0 0 12px; }
.error { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; padding: 10px 14px; border-radius: 6px; }
.warning { background: #fef2f2; color: #991b1b; border: 2px solid #dc2626; padding: 12px 16px; border-radius: 8px; margin: 0 0 20px; }
.warning h2 { margin: 0 0 6px; font-size: 17px; }
.warning ul { margin: 0; padding-left: 20px; }
.summary { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.tiles { display: grid; grid-template-columns: repeat(2, minmax(170px, 1fr)); gap: 10px; flex: 1 1 360px; }
.tiles.wide { grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 17px; font-weight: 600; margin-top: 2px; }
table { border-collapse: collapse; background: var(--panel); }
.metrics { flex: 0 1 420px; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.metrics caption { text-align: left; padding: 0 0 6px; color: var(--muted); }
.metrics th, .metrics td { padding: 5px 14px; border-bottom: 1px solid var(--line); text-align: left; }
.metrics td.num, .metrics thead th { text-align: right; font-variant-numeric: tabular-nums; }
.metrics td.better { font-weight: 700; }
.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px; }
.grid.wide { grid-template-columns: repeat(2, minmax(0, 1fr)); }
@media (max-width: 900px) { .grid, .grid.wide { grid-template-columns: minmax(0, 1fr); } }
.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px 8px; min-width: 0; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.plot { position: relative; height: 240px; }
.chart .note { font-size: 12px; margin: 8px 0 0; }
table.data { width: 100%; border: 1px solid var(--line); }
table.data th, table.data td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
table.data thead th { background: #f9fafb; font-weight: 600; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tr.best td { background: #fef2f2; font-weight: 600; }
.examples ol { margin: 0; padding-left: 20px; }
.examples td { width: 40%; }
.examples td.user { width: 20%; font-weight: 600; }
.examples .sub { font-weight: 400; font-size: 12px; }
.examples li.hit { color: var(--hit); font-weight: 600; }
.tick { color: var(--hit); }
.params { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 6px; margin: 0; }
.params div { display: flex; justify-content: space-between; gap: 8px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
.params dt { color: var(--muted); }
.params dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
`;
