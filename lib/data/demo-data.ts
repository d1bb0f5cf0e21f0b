/**
 * The demo dataset shipped inside the package: the purchases of UCI Online
 * Retail (Chen, D. (2015), doi:10.24432/C5BW33, CC BY 4.0) in a compact copy,
 * see data/ATTRIBUTION.md.
 */
import path from 'node:path';
import { packageRoot } from '../addon/loader.js';
import { readOnlineRetail, type RetailData, type RetailOptions } from './online-retail.js';

/** Absolute path of the shipped copy (`data/online-retail-purchases.csv.gz`). */
export function demoDataPath(): string {
  return path.join(packageRoot, 'data', 'online-retail-purchases.csv.gz');
}

/** Reads the shipped copy: the same result as {@link readOnlineRetail} on the original file. */
export function loadDemoData(options?: RetailOptions): Promise<RetailData> {
  return readOnlineRetail(demoDataPath(), options);
}
