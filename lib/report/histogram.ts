/** Fixed-width histograms for the report's distribution charts. */

export interface Histogram {
  /** bins + 1 increasing bin edges; bin j holds values in [edges[j], edges[j+1]) (the last bin is closed). */
  edges: number[];
  /** One array of counts per series, each of length bins. */
  counts: number[][];
}

/**
 * Counts each series of values into the same `bins` equal-width bins that
 * span every finite value of every series. Non-finite values are left out.
 * With no finite value the histogram has no bins; when all values are equal
 * the single value sits in the middle of a unit-wide range.
 */
export function histogram(series: ReadonlyArray<ArrayLike<number>>, bins: number): Histogram {
  let min = Infinity;
  let max = -Infinity;
  for (const values of series) {
    for (let j = 0; j < values.length; j++) {
      const x = values[j]!;
      if (!Number.isFinite(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  if (min > max) return { edges: [], counts: series.map(() => []) };
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, j) => (j === bins ? max : min + j * width));
  const counts = series.map((values) => {
    const c = new Array<number>(bins).fill(0);
    for (let j = 0; j < values.length; j++) {
      const x = values[j]!;
      if (!Number.isFinite(x)) continue;
      c[Math.min(bins - 1, Math.floor((x - min) / width))]!++;
    }
    return c;
  });
  return { edges, counts };
}
