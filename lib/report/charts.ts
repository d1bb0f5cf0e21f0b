/**
 * The report's charts as Chart.js configurations (plain JSON), one list per
 * report. Which charts exist follows from the data: a section without data
 * has no charts. Tick and tooltip formats that need functions are named in
 * `format` and attached in the page.
 */
import type { ReportData } from './report-data.js';
import type { TrialParam } from './trials.js';
import { MODELS, modelType } from '../models/registry.js';

export type ChartSection = 'training' | 'accuracy' | 'trials' | 'distribution' | 'errors';

export interface ChartSpec {
  /** Unique within the report; the canvas is `chart-<id>`. */
  id: string;
  section: ChartSection;
  title: string;
  /** One or two sentences under the chart: how to read it. */
  note: string;
  config: { type: string; data: unknown; options: Record<string, unknown> };
  /** 'percent': values are shares shown as %. 'category': x positions index `categories`. */
  format?: { x?: 'category'; y?: 'percent' };
  categories?: string[];
}

export const COLORS = {
  model: '#2563eb',
  popularity: '#d97706',
  catalogue: '#9ca3af',
  validation: '#059669',
  best: '#dc2626',
  neutral: '#6b7280',
} as const;

export function modelName(type: string): string {
  const known = modelType(type);
  return known === undefined ? type : MODELS[known].label;
}

export function chartsFor(data: ReportData): ChartSpec[] {
  return [...trainingCharts(data), ...accuracyCharts(data), ...trialCharts(data), ...distributionCharts(data), ...errorCharts(data)];
}

function line(label: string, values: Array<number | null>, color: string, dashed = false) {
  return {
    label,
    data: values,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2,
    pointRadius: values.length > 40 ? 0 : 2,
    borderDash: dashed ? [6, 4] : [],
    spanGaps: true,
  };
}

/** Titled axes; x labels stay horizontal and are thinned out rather than rotated. */
function axes(x: string, y: string, extra: { x?: Record<string, unknown>; y?: Record<string, unknown> } = {}) {
  const { ticks: xTicks, ...xRest } = extra.x ?? {};
  return {
    x: { title: { display: true, text: x }, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 10, ...(xTicks as object) }, ...xRest },
    y: { title: { display: true, text: y }, ...extra.y },
  };
}

const legend = (show: boolean, lines = false) => ({
  legend: { display: show, position: 'bottom', labels: lines ? { usePointStyle: true, pointStyle: 'line', pointStyleWidth: 28 } : { boxWidth: 12 } },
});

function trainingCharts(data: ReportData): ChartSpec[] {
  const t = data.training;
  if (t === null) return [];
  const labels = t.map((p) => p.iteration);
  const out: ChartSpec[] = [];
  const has = (key: 'trainLoss' | 'trainRmse' | 'validationRmse') => t.some((p) => p[key] !== null);
  if (has('trainLoss')) {
    out.push({
      id: 'training-loss',
      section: 'training',
      title: 'Training loss',
      note: 'The objective the model minimises, after each iteration. It should fall and level off.',
      config: {
        type: 'line',
        data: {
          labels,
          datasets: [
            line(
              'training loss',
              t.map((p) => p.trainLoss),
              COLORS.model,
            ),
          ],
        },
        options: { scales: axes('iteration', 'loss'), plugins: legend(false) },
      },
    });
  }
  if (has('trainRmse') || has('validationRmse')) {
    const datasets = [];
    if (has('trainRmse'))
      datasets.push(
        line(
          'train RMSE',
          t.map((p) => p.trainRmse),
          COLORS.model,
        ),
      );
    if (has('validationRmse'))
      datasets.push(
        line(
          'validation RMSE',
          t.map((p) => p.validationRmse),
          COLORS.validation,
        ),
      );
    out.push({
      id: 'training-rmse',
      section: 'training',
      title: 'RMSE per epoch',
      note: 'Root mean squared rating error on the training ratings and, when given, on the validation ratings. A validation curve that turns up means overfitting.',
      config: { type: 'line', data: { labels, datasets }, options: { scales: axes('epoch', 'RMSE'), plugins: legend(datasets.length > 1, true) } },
    });
  }
  out.push({
    id: 'training-seconds',
    section: 'training',
    title: 'Time per iteration',
    note: 'Wall-clock seconds of each iteration.',
    config: {
      type: 'bar',
      data: { labels, datasets: [{ label: 'seconds', data: t.map((p) => p.seconds), backgroundColor: COLORS.catalogue }] },
      options: { scales: axes('iteration', 'seconds', { y: { beginAtZero: true } }), plugins: legend(false) },
    },
  });
  return out;
}

function accuracyCharts(data: ReportData): ChartSpec[] {
  const r = data.ranking;
  if (r === null) return [];
  const name = modelName(data.model.type);
  const metrics = [
    { key: 'precision', label: 'Precision@k', note: 'Share of the top k that the user bought in the test period (divided by k).' },
    { key: 'recall', label: 'Recall@k', note: "Share of the user's test-period items found in the top k." },
    { key: 'ndcg', label: 'NDCG@k', note: 'Ranking quality: hits near the top count more (log2 discount), 1 is a perfect list.' },
  ] as const;
  return metrics.map((m) => ({
    id: `${m.key}-at-k`,
    section: 'accuracy' as const,
    title: m.label,
    note: m.note,
    config: {
      type: 'line',
      data: {
        labels: r.curves.model.ks,
        datasets: [line(name, r.curves.model[m.key], COLORS.model), line('popularity', r.curves.popularity[m.key], COLORS.popularity, true)],
      },
      options: { scales: axes('k', m.label.replace('@k', ''), { y: { beginAtZero: true } }), plugins: legend(true, true) },
    },
  }));
}

function trialCharts(data: ReportData): ChartSpec[] {
  const t = data.trials;
  if (t === null) return [];
  return t.params.map((p, j) => {
    const position = (v: number | string | undefined): number | null => {
      if (v === undefined) return null;
      if (p.kind === 'number') return typeof v === 'number' ? v : null;
      return p.categories.indexOf(String(v));
    };
    const points = (best: boolean) =>
      t.trials
        .filter((trial) => trial.score !== null && (trial.id === t.best) === best)
        .map((trial) => ({ x: position(trial.params[p.name]), y: trial.score, trial: trial.id }))
        .filter((pt) => pt.x !== null);
    const datasets = [
      { label: 'trial', data: points(false), backgroundColor: COLORS.model + 'b3', borderColor: COLORS.model, pointRadius: 4 },
      { label: 'best', data: points(true), backgroundColor: COLORS.best, borderColor: COLORS.best, pointRadius: 7, pointStyle: 'rectRot' },
    ];
    const spec: ChartSpec = {
      id: `trial-${j + 1}-${slug(p.name)}`,
      section: 'trials',
      title: `${t.metric} against ${p.name}`,
      note: trialNote(p, t.higherIsBetter),
      config: {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: axes(p.name, t.metric, {
            x: xAxis(
              p,
              [...points(false), ...points(true)].map((pt) => pt.x!),
            ),
            y: { grace: '10%' },
          }),
          plugins: legend(true),
        },
      },
    };
    if (p.kind === 'category') {
      spec.format = { x: 'category' };
      spec.categories = p.categories;
    }
    return spec;
  });
}

/** The x axis of a trial chart, padded so no point sits on the frame. Category positions get integer ticks in the page. */
function xAxis(p: TrialParam, xs: number[]): Record<string, unknown> {
  if (p.kind === 'category') return { type: 'linear', min: -0.5, max: p.categories.length - 0.5 };
  if (xs.length === 0) return { type: p.logScale ? 'logarithmic' : 'linear' };
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (p.logScale) {
    const pad = (Math.log10(hi) - Math.log10(lo)) * 0.08;
    return { type: 'logarithmic', min: 10 ** (Math.log10(lo) - pad), max: 10 ** (Math.log10(hi) + pad), grid: { display: true } };
  }
  // Linear axes get room through grace, which keeps the end ticks at round numbers.
  return { type: 'linear', grace: hi > lo ? '8%' : 1, grid: { display: true } };
}

function trialNote(p: TrialParam, higherIsBetter: boolean): string {
  const scale = p.logScale ? ' (log scale)' : '';
  return `Each point is one trial${scale}; the highlighted one is the best (${higherIsBetter ? 'higher' : 'lower'} is better).`;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-');
}

function distributionCharts(data: ReportData): ChartSpec[] {
  const r = data.ranking;
  if (r === null) return [];
  const name = modelName(data.model.type);
  const out: ChartSpec[] = [];
  const { edges, counts } = r.scores;
  if (edges.length > 1) {
    const shares = counts.map((c) => {
      const total = c.reduce((s, x) => s + x, 0);
      return c.map((x) => (total > 0 ? x / total : 0));
    });
    out.push({
      id: 'score-distribution',
      section: 'distribution',
      title: `${name} scores`,
      note: `Scores of the top-${data.k} recommendations, and of the items users actually bought in the test period (each as a share of its own count).`,
      config: {
        type: 'bar',
        data: {
          labels: binLabels(edges),
          datasets: [
            { label: `top-${data.k} recommendations`, data: shares[0], backgroundColor: COLORS.model + 'cc' },
            { label: 'bought in test period', data: shares[1], backgroundColor: COLORS.validation + 'cc' },
          ],
        },
        options: {
          scales: axes('score', 'share', { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } }, y: { beginAtZero: true } }),
          plugins: legend(true),
          datasets: { bar: { categoryPercentage: 1, barPercentage: 0.95 } },
        },
      },
      format: { y: 'percent' },
    });
  }
  const d = r.popularityDeciles;
  out.push({
    id: 'popularity-deciles',
    section: 'distribution',
    title: 'Where recommendations fall in the long tail',
    note:
      'Items split into ten equal groups by training popularity. Bars: each group’s share of the training purchases, ' +
      `of the ${name} top-${data.k} lists and of the popularity top-${data.k} lists.`,
    config: {
      type: 'bar',
      data: {
        labels: d.training.map((_, j) => String(j + 1)),
        datasets: [
          { label: 'training purchases', data: d.training, backgroundColor: COLORS.catalogue },
          { label: name, data: d.model, backgroundColor: COLORS.model },
          { label: 'popularity', data: d.popularity, backgroundColor: COLORS.popularity },
        ],
      },
      options: { scales: axes('popularity decile (1: the most popular 10% of items)', 'share', { y: { beginAtZero: true } }), plugins: legend(true) },
    },
    format: { y: 'percent' },
  });
  return out;
}

function errorCharts(data: ReportData): ChartSpec[] {
  const e = data.ratingErrors;
  if (e === null || e.residuals.edges.length < 2) return [];
  return [
    {
      id: 'rating-errors',
      section: 'errors',
      title: 'Rating errors',
      note: 'Predicted minus actual rating on the test ratings: centred on 0 and narrow is good.',
      config: {
        type: 'bar',
        data: {
          labels: binLabels(e.residuals.edges),
          datasets: [{ label: 'test ratings', data: e.residuals.counts[0], backgroundColor: COLORS.model + 'cc' }],
        },
        options: {
          scales: axes('predicted − actual', 'ratings', { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } }, y: { beginAtZero: true } }),
          plugins: legend(false),
          datasets: { bar: { categoryPercentage: 1, barPercentage: 0.95 } },
        },
      },
    },
  ];
}

/** Bin centres with as many decimals as the bin width needs. */
function binLabels(edges: number[]): string[] {
  const width = edges.length > 1 ? edges[1]! - edges[0]! : 1;
  const decimals = Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(width))));
  return edges.slice(0, -1).map((lo, j) => ((lo + edges[j + 1]!) / 2).toFixed(decimals));
}
