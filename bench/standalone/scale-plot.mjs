// The figure of bench/standalone/scale.mjs: two log-log panels against the
// number of interactions, seconds per iteration (epoch) and peak RSS, one
// line per model, plus the CSV read phase. A self-contained SVG drawn the way
// bench/suite/replay.mjs draws its plot.

const COLOURS = { als: '#1f77b4', bpr: '#d62728', sgd: '#2ca02c', read: '#7f7f7f' };
const LABELS = { als: 'ImplicitALS (CG)', bpr: 'BPR', sgd: 'ExplicitMF (SGD)', read: 'reading the CSV (whole read)' };

/** Powers of ten (and 2×, 5× when the range is short) between lo and hi. */
function logTicks(lo, hi) {
  const ticks = [];
  const short = hi / lo < 100;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of short ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function label(v) {
  if (v >= 1e9) return `${v / 1e9}G`;
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(v);
}

/** One panel at (x0, y0) of size w × h: `series` is [{ key, points: [[nnz, value]] }]. */
function panel(out, x0, y0, w, h, title, yLabel, series) {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xlo = Math.min(...xs) / 1.3;
  const xhi = Math.max(...xs) * 1.3;
  const ylo = Math.min(...ys) / 1.5;
  const yhi = Math.max(...ys) * 1.5;
  const x = (v) => x0 + ((Math.log(v) - Math.log(xlo)) / (Math.log(xhi) - Math.log(xlo))) * w;
  const y = (v) => y0 + h - ((Math.log(v) - Math.log(ylo)) / (Math.log(yhi) - Math.log(ylo))) * h;
  out.push(`<text x="${x0 + w / 2}" y="${y0 - 10}" text-anchor="middle" font-size="13">${title}</text>`);
  for (const v of logTicks(ylo, yhi)) {
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${label(v)}</text>`);
  }
  for (const v of logTicks(xlo, xhi)) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${y0}" y2="${y0 + h}" stroke="#eee"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${y0 + h + 16}" text-anchor="middle">${label(v)}</text>`);
  }
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="black"/>`);
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">interactions (non-zeros), log scale</text>`);
  out.push(`<text transform="translate(${x0 - 46} ${y0 + h / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`);
  for (const s of series) {
    const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`);
    const dash = s.key === 'read' ? ' stroke-dasharray="5 4"' : '';
    out.push(`<polyline fill="none" stroke="${COLOURS[s.key]}" stroke-width="2"${dash} points="${pts.join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${COLOURS[s.key]}"/>`);
  }
}

/** The SVG text for a scale.mjs result. */
export function plotScale(result) {
  const W = 960;
  const H = 420;
  const series = (pick, withRead) => {
    const out = result.models
      .map((key) => ({ key, points: result.points.filter((p) => p.fits[key]).map((p) => [p.nnz, pick(p.fits[key])]) }))
      .filter((s) => s.points.length > 0);
    if (withRead) out.push({ key: 'read', points: result.points.map((p) => [p.nnz, withRead(p.read)]) });
    return out;
  };
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img">`);
  out.push(`<title>Training time and peak memory against the number of interactions, S2 shape, ${result.factors} factors, ${result.threads} threads</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">S2 shape ×${result.scales.join(', ×')}: k=${result.factors}, ${result.threads} threads (${result.started.slice(0, 10)}, shared 2-core machine)</text>`,
  );
  panel(
    out,
    80,
    60,
    360,
    270,
    'seconds per iteration / epoch',
    'seconds',
    series(
      (r) => r.secondsPerIteration,
      (r) => r.readSeconds,
    ),
  );
  panel(
    out,
    570,
    60,
    360,
    270,
    'peak RSS of the process (MB)',
    'MB',
    series(
      (r) => r.peakMB,
      (r) => r.readPeakMB,
    ),
  );
  const keys = [...result.models.filter((k) => result.points.some((p) => p.fits[k])), 'read'];
  keys.forEach((key, k) => {
    const lx = 80 + k * 220;
    const ly = H - 14;
    const dash = key === 'read' ? ' stroke-dasharray="5 4"' : '';
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLOURS[key]}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${LABELS[key]}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
