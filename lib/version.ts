import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './addon/loader.js';

let version: string | undefined;

/** This package's version, from package.json. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
