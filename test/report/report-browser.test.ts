/**
 * Opens generated reports in headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core; nothing is downloaded) and checks that every
 * chart was drawn, nothing failed and nothing was fetched. Screenshots go to
 * test-output/. Skipped where Chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM, launchHeadlessChromium, TEST_OUTPUT, type HeadlessBrowser } from '../helpers/headless-chromium.js';
import { skipWithout } from '../helpers/system-servers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import { randomSplit } from '../../lib/data/split.js';
import { ExplicitMF } from '../../lib/models/explicit/explicit-mf.js';
import { ImplicitALS } from '../../lib/models/als/implicit-als.js';
import type { IterationReport } from '../../lib/models/base/training.js';
import { chartsFor } from '../../lib/report/charts.js';
import { buildReportData, type ReportData } from '../../lib/report/report-data.js';
import { writeReport } from '../../lib/report/write-report.js';
import { checkerboard } from '../helpers/implicit-data.js';

const outputDir = TEST_OUTPUT;
const HOSTILE_NAME = `<img src=x onerror="window.__injected=1">Mug & "cup"`;

async function alsReport(): Promise<ReportData> {
  const { train, test } = randomSplit(checkerboard(3), { testFraction: 0.3, seed: 2 });
  const model = new ImplicitALS({ factors: 4, iterations: 6, threads: 1, seed: 5, calculateLoss: true });
  const iterations: IterationReport[] = [];
  await model.fit(train, { onIteration: (r) => iterations.push(r) });
  const names = new Map(train.items.toArray().map((id) => [String(id), `Product ${id}`]));
  names.set('a0', HOSTILE_NAME);
  const trials = [
    { id: 1, params: { factors: 4, regularization: 0.01, solver: 'cg' }, score: 0.21, seconds: 0.4, iterations: 6 },
    { id: 2, params: { factors: 8, regularization: 0.1, solver: 'cholesky' }, score: 0.25, seconds: 0.6, iterations: 6 },
    { id: 3, params: { factors: 16, regularization: 1, solver: 'cg' }, score: 0.19, seconds: 0.9, iterations: 6 },
    { id: 4, params: { factors: 8, regularization: 0.03, solver: 'cg' }, score: null },
  ];
  const validation = { kind: 'time', testFraction: 0.2 } as const;
  return buildReportData({
    model,
    train,
    test,
    iterations,
    itemNames: names,
    trials: { metric: 'ndcg@10', validation, trials },
    title: 'ALS on a checkerboard',
  });
}

async function explicitReport(): Promise<ReportData> {
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  for (let u = 0; u < 40; u++) {
    for (let i = 0; i < 25; i++) {
      if ((u * 5 + i * 7) % 4 === 0) continue;
      users.push(`u${u}`);
      items.push(`i${i}`);
      values.push(u % 2 === i % 2 ? 5 : 1 + ((u + i) % 3));
    }
  }
  const { train, test } = randomSplit(Interactions.fromArrays(users, items, { values }), { testFraction: 0.2, seed: 4 });
  const model = new ExplicitMF({ factors: 4, iterations: 20, threads: 1, seed: 9 });
  const iterations: IterationReport[] = [];
  await model.fit(train, { validation: test, onIteration: (r) => iterations.push(r) });
  return buildReportData({ model, train, test, iterations, title: 'Explicit ratings' });
}

/** An explicit model trained on all the ratings, reported against a split of them: its test pairs were trained on. */
async function leakyReport(): Promise<ReportData> {
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 20; i++) {
      if ((u + 3 * i) % 3 === 0) continue;
      users.push(`u${u}`);
      items.push(`i${i}`);
      values.push(1 + ((u * i) % 5));
    }
  }
  const all = Interactions.fromArrays(users, items, { values });
  const { train, test } = randomSplit(all, { testFraction: 0.2, seed: 4 });
  const model = await new ExplicitMF({ factors: 4, iterations: 10, threads: 1, seed: 9 }).fit(all);
  return buildReportData({ model, train, test, title: 'Trained on the test pairs' });
}

interface PageOutcome {
  drawn: string | null;
  error: string | null;
  canvases: Array<{ id: string; width: number; height: number; chart: boolean; inked: number }>;
  injected: unknown;
  images: number;
  /** The data-warning banner: shown, where, and what it says (null when the page has none). */
  warning: { visible: boolean; top: number; summaryTop: number; text: string } | null;
  /** The page's rendered text (innerText: what a reader sees). */
  text: string;
}

describe.skipIf(skipWithout(existsSync(CHROMIUM)))('the HTML report in headless Chromium', () => {
  let context: BrowserContext;
  let browser: HeadlessBrowser | undefined;
  let dir: string;

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), 'mfrec-report-browser-'));
    browser = await launchHeadlessChromium();
    context = browser.context;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the report file, waits for the page script, and collects what happened. */
  async function open(data: ReportData, name: string) {
    const file = path.join(dir, `${name}.html`);
    await writeReport(file, data);
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-charts-drawn], body[data-charts-error]', { timeout: 20_000 });
    const outcome = await page.evaluate((): PageOutcome => {
      const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
      const canvases = Array.from(document.querySelectorAll('canvas')).map((c) => {
        const box = c.getBoundingClientRect();
        // Pixels with any paint: a drawn chart has axes, labels and data.
        const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let j = 3; j < pixels.length; j += 4) if (pixels[j]! > 0) inked++;
        return { id: c.id, width: box.width, height: box.height, chart: chart.getChart(c) !== undefined, inked };
      });
      return {
        drawn: document.body.getAttribute('data-charts-drawn'),
        error: document.body.getAttribute('data-charts-error'),
        canvases,
        injected: (window as unknown as { __injected?: unknown }).__injected,
        images: document.images.length,
        warning: ((banner) => {
          if (banner === null) return null;
          const box = banner.getBoundingClientRect();
          const style = getComputedStyle(banner);
          const visible = box.width > 0 && box.height > 0 && style.visibility === 'visible' && style.display !== 'none' && Number(style.opacity) > 0;
          return { visible, top: box.top, summaryTop: document.querySelector('.summary')!.getBoundingClientRect().top, text: banner.textContent ?? '' };
        })(document.getElementById('data-warnings')),
        text: document.body.innerText,
      };
    });
    const screenshot = path.join(outputDir, `report-${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
    return { outcome, problems, requests, url, screenshot };
  }

  it('draws every chart of an implicit-model report with trials, loads nothing and runs no injected markup', async () => {
    const data = await alsReport();
    const specs = chartsFor(data);
    // training: loss + time; accuracy: precision, recall, NDCG; trials: factors, regularization, solver; distribution: scores + deciles.
    expect(specs).toHaveLength(10);
    const { outcome, problems, requests, url, screenshot } = await open(data, 'als');
    expect(problems).toEqual([]);
    expect(outcome.error).toBeNull();
    expect(outcome.drawn).toBe('10');
    expect(outcome.canvases.map((c) => c.id)).toEqual(specs.map((s) => `chart-${s.id}`));
    for (const c of outcome.canvases) {
      expect(c.chart, c.id).toBe(true);
      expect(c.width, c.id).toBeGreaterThan(200);
      expect(c.height, c.id).toBeGreaterThan(150);
      expect(c.inked, c.id).toBeGreaterThan(1000);
    }
    expect(requests).toEqual([url]);
    expect(outcome.injected).toBeUndefined();
    expect(outcome.images).toBe(0);
    expect(outcome.warning).toBeNull();
    expect(existsSync(screenshot)).toBe(true);
    // The trials section says what the trials were scored on.
    expect(outcome.text).toContain('on the validation part: latest 0.2 of TRAIN by time');
  });

  it('shows a visible warning banner above the figures when the model was trained on the held-out pairs', async () => {
    const data = await leakyReport();
    expect(data.warnings).toHaveLength(2);
    const { outcome, problems } = await open(data, 'leaky');
    expect(problems).toEqual([]);
    expect(outcome.warning).not.toBeNull();
    expect(outcome.warning!.visible).toBe(true);
    expect(outcome.warning!.top).toBeLessThan(outcome.warning!.summaryTop);
    expect(outcome.warning!.text).toMatch(/were in the model's training data/);
    expect(outcome.warning!.text).toMatch(/not what the model was trained on/);
  });

  it('draws the training curves and the error histogram of an explicit-model report', async () => {
    const data = await explicitReport();
    // training: RMSE (train and validation) + time; errors: residual histogram.
    expect(chartsFor(data).map((s) => s.id)).toEqual(['training-rmse', 'training-seconds', 'rating-errors']);
    const { outcome, problems, requests, url } = await open(data, 'explicit');
    expect(problems).toEqual([]);
    expect(outcome.drawn).toBe('3');
    expect(outcome.warning).toBeNull();
    expect(outcome.canvases).toHaveLength(3);
    for (const c of outcome.canvases) {
      expect(c.chart, c.id).toBe(true);
      expect(c.inked, c.id).toBeGreaterThan(1000);
    }
    expect(requests).toEqual([url]);
  });
});
