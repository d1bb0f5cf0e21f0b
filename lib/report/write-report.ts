/** Writes the HTML report to a file atomically: a reader never sees half a page. */
import { writeFileAtomic } from '../persist/model-file.js';
import { renderReport } from './render.js';
import type { ReportData } from './report-data.js';

export async function writeReport(file: string, data: ReportData): Promise<void> {
  await writeFileAtomic(file, Buffer.from(renderReport(data), 'utf8'));
}
