/** Running the built `mfrec` command in tests, and the small rating files they feed it. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A function that runs `mfrec ...args` with `cwd` as its working folder and never throws. */
export function cliIn(cwd: string): (...args: string[]) => Promise<CliResult> {
  return async (...args) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as CliResult;
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
}

/** Ratings of 40 users × 30 items with two planted groups: even users like even items (5), odd ones odd items. */
export function writePlantedRatings(file: string, seed: number, density: number): void {
  const lines = ['user,item,rating'];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let u = 0; u < 40; u++) {
    for (let i = 0; i < 30; i++) {
      if (rand() < density) lines.push(`u${u},i${i},${u % 2 === i % 2 ? 5 : 1}`);
    }
  }
  writeFileSync(file, lines.join('\n') + '\n');
}
