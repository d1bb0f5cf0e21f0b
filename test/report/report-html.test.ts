import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import { ErrorCodes } from '../../lib/errors.js';
import { FactorModel } from '../../lib/models/base/factor-model.js';
import { ImplicitALS } from '../../lib/models/als/implicit-als.js';
import { usersPerItem } from '../../lib/models/popularity/popularity.js';
import { chartBundle } from '../../lib/report/chart-bundle.js';
import { chartsFor } from '../../lib/report/charts.js';
import { escapeHtml, jsonForScript } from '../../lib/report/html.js';
import { renderReport } from '../../lib/report/render.js';
import { buildReportData, type ReportData } from '../../lib/report/report-data.js';
import { writeReport } from '../../lib/report/write-report.js';
import { errorCode } from '../helpers/support.js';

const HOSTILE = `</script><img src=x onerror="alert(1)"><!-- & 'quoted' "double"`;

function hostileReport(): ReportData {
  const users = ['u1', 'u1', 'u2', 'u2', 'u3', 'u3', 'u3'];
  const items = ['a', 'e', 'a', 'b', 'b', 'c', HOSTILE];
  const train = Interactions.fromArrays(users, items);
  const test = Interactions.fromArrays(['u1', 'u2', 'u3'], ['c', HOSTILE, 'a'], { users: train.users, items: train.items });
  const model = FactorModel.restore(new ImplicitALS({ factors: 1 }), {
    factors: 1,
    users: train.users.clone(),
    items: train.items.clone(),
    userFactors: new Float32Array([1, 1, 1]),
    itemFactors: new Float32Array([5, 1, 4, 3, 2]),
    seen: train.byUser,
    itemPopularity: usersPerItem(train.byUser),
  });
  return buildReportData({
    model,
    train,
    test,
    k: 2,
    title: `Report <b>${HOSTILE}</b>`,
    itemNames: new Map([['a', HOSTILE]]),
    iterations: [{ iteration: 1, seconds: 0.1, trainLoss: 1 }],
    trials: {
      metric: HOSTILE,
      trials: [
        { id: HOSTILE, params: { [HOSTILE]: 'x</script>', factors: 2 }, score: 1 },
        { id: 2, params: { [HOSTILE]: 'y', factors: 4 }, score: 2 },
      ],
    },
    generatedAt: new Date('2026-01-02T03:04:05Z'),
  });
}

describe('HTML escaping', () => {
  it('escapeHtml replaces the five special characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
    expect(escapeHtml(42)).toBe('42');
  });

  it('jsonForScript cannot close a script element and parses back to the same value', () => {
    const value = { s: HOSTILE, line: 'a\u2028b\u2029c', n: [1.5, null] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('renderReport', () => {
  const data = hostileReport();
  const html = renderReport(data);

  it('escapes every string from the data: the only script elements are the three of the page', () => {
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    // Outside the scripts, no raw '<!--' either.
    const withoutScripts = html.replace(/<script\b[\s\S]*?<\/script>/gi, '');
    expect(withoutScripts).not.toContain('<!--');
  });

  it('embeds the data and chart configurations as JSON that parses back exactly', () => {
    const m = /<script type="application\/json" id="mfrec-report-data">([\s\S]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    const payload = JSON.parse(m![1]!);
    expect(payload.report).toEqual(JSON.parse(JSON.stringify(data)));
    expect(payload.charts).toEqual(JSON.parse(JSON.stringify(chartsFor(data))));
  });

  it('has one canvas per chart, and charts for every section with data', () => {
    const charts = chartsFor(data);
    // training: loss + time; accuracy: 3; trials: 2 varying parameters; distribution: 2.
    expect(charts.map((c) => c.section)).toEqual([
      'training',
      'training',
      'accuracy',
      'accuracy',
      'accuracy',
      'trials',
      'trials',
      'distribution',
      'distribution',
    ]);
    expect(new Set(charts.map((c) => c.id)).size).toBe(charts.length);
    for (const c of charts) expect(html).toContain(`<canvas id="chart-${escapeHtml(c.id)}"`);
    expect(html.match(/<canvas\b/g)).toHaveLength(charts.length);
  });

  it('is self-contained: Chart.js inline, nothing loaded from elsewhere', () => {
    const bundle = chartBundle();
    expect(bundle.version).toMatch(/^4\.\d+\.\d+$/);
    expect(html).toContain(bundle.source);
    expect(bundle.source).not.toContain('sourceMappingURL');
    // The page around the library: no element or style that loads anything.
    const page = html.replace(bundle.source, '');
    expect(page).not.toMatch(/<(img|link|iframe|object|embed|video|audio|source|base)\b/i);
    expect(page).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(page).not.toMatch(/@import|url\(/i);
  });

  it('writeReport writes the page atomically (no temporary file left) and reports IO errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-report-'));
    const file = path.join(dir, 'r.html');
    await writeReport(file, data);
    expect(readFileSync(file, 'utf8')).toBe(html);
    expect(readdirSync(dir)).toEqual(['r.html']);
    expect(await errorCode(writeReport(path.join(dir, 'missing', 'r.html'), data))).toBe(ErrorCodes.IO);
  });
});
