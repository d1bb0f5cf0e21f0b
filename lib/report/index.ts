/** The HTML report: collect the data, render it, write it. */
export {
  buildReportData,
  type ReportData,
  type ReportInput,
  type RankingSection,
  type RatingErrorSection,
  type ExampleRow,
  type NamedItem,
} from './report-data.js';
export { checkModelData, type DataCheck } from './data-check.js';
export { renderReport } from './render.js';
export { writeReport } from './write-report.js';
export { metricCurves, topItems, type MetricCurves, type MetricCurvesOptions, type RankedUser } from './metric-curves.js';
export { trialsSection, type Trial, type TrialsInput, type TrialsSection, type TrialParam } from './trials.js';
export { chartsFor, type ChartSpec } from './charts.js';
