// The Markdown tables bench/suite/item-item.mjs prints, in the form
// bench/README.md carries them.

const f4 = (x) => (x === undefined ? '–' : x.toFixed(4));
const secs = (x) => (x === undefined ? '–' : x < 10 ? x.toFixed(3) : x.toFixed(1));
const mb = (x) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));

function markdown(header, align, body) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'r' ? '--:' : '---'))), ...body.map(line)].join('\n');
}

/** One set's accuracy rows: model, setting, P@10, recall@10, NDCG@10, fit (or search) seconds, what was picked. */
export function accuracyTable(label, rows) {
  const params = (p) =>
    p
      ? Object.entries(p)
          .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
          .join(', ')
      : '';
  return `${label}\n\n${markdown(
    ['model', 'setting', 'P@10', 'recall@10', 'NDCG@10', 'seconds', 'picked'],
    ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
    rows.map((r) => [r.model, r.setting, f4(r.precision), f4(r.recall), f4(r.ndcg), secs(r.fitSeconds), params(r.params)]),
  )}`;
}

/** The EASE table (fit seconds and peak RSS, both sides) and the BM25 item-KNN table (fit seconds). */
export function speedTables(results) {
  const ratio = (a, b) => (a && b ? `${(a.fitSeconds / b.fitSeconds).toFixed(2)}×` : '–');
  const shape = (r) => `${r.items.toLocaleString('en-US')} × ${r.users.toLocaleString('en-US')} users, ${r.nnz.toLocaleString('en-US')}`;
  const ease = markdown(
    ['items × users, interactions', 'mfrec s', 'numpy s', 'mfrec / numpy', 'mfrec peak MB (data loaded)', 'numpy peak MB (data loaded)'],
    ['l', 'r', 'r', 'r', 'r', 'r'],
    results.map((r) => {
      const m = r.ease.mfrec;
      const n = r.ease.numpy;
      return [
        shape(r),
        secs(m?.fitSeconds),
        secs(n?.fitSeconds),
        ratio(m, n),
        `${mb(m?.peakRssMB)} (${mb(m?.rssBeforeFitMB)})`,
        `${mb(n?.peakRssMB)} (${mb(n?.rssBeforeFitMB)})`,
      ];
    }),
  );
  const knn = markdown(
    ['items × users, interactions', 'mfrec s', 'implicit s', 'mfrec / implicit', 'mfrec rounds', 'implicit rounds'],
    ['l', 'r', 'r', 'r', 'l', 'l'],
    results.map((r) => {
      const m = r.knn.mfrec;
      const i = r.knn.implicit;
      return [shape(r), secs(m?.fitSeconds), secs(i?.fitSeconds), ratio(m, i), m?.rounds.join(', ') ?? '–', i?.rounds.join(', ') ?? '–'];
    }),
  );
  const dtype = results[0]?.ease.numpyDtype ?? '';
  const k = results[0]?.knn.neighbours ?? '';
  return [`EASE fit (numpy ${dtype}, medians of the rounds)\n\n${ease}`, `Item-KNN BM25 fit, k = ${k} (medians of the rounds)\n\n${knn}`];
}
