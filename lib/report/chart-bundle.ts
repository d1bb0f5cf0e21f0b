/**
 * Chart.js's browser bundle, read from the installed package so the report
 * can inline it and open without a network. Resolved through the package
 * resolver, so it works from lib/ in the repository and from dist/ in an
 * installed copy alike.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ErrorCodes, MfrecError } from '../errors.js';

export interface ChartBundle {
  version: string;
  /** The UMD bundle's source, safe to place inside a <script> element. */
  source: string;
}

let cached: ChartBundle | undefined;

export function chartBundle(): ChartBundle {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  let dist: string;
  let source: string;
  let version: string;
  try {
    // The package exports only its module entry points; the UMD file sits beside them in dist/.
    dist = path.dirname(require.resolve('chart.js'));
    source = readFileSync(path.join(dist, 'chart.umd.min.js'), 'utf8');
    version = (JSON.parse(readFileSync(path.join(dist, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot read the Chart.js bundle for the report: ${(e as Error).message}`, { cause: e });
  }
  // The map file is not inlined, so the reference would only make a browser ask for a missing file.
  source = source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (/<\/script|<!--/i.test(source)) {
    throw new MfrecError(ErrorCodes.IO, `The Chart.js ${version} bundle contains text that would end an inline <script>`);
  }
  cached = { version, source };
  return cached;
}
